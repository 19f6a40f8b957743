#!/usr/bin/env node
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, loadConfig, USAGE, type Config } from './config.ts';
import { AccessEntryController } from './controller/controller.ts';
import type { WriteFence } from './eks/write-fence.ts';
import { DirectRunner, LeaderRunner, type Runner } from './leadership.ts';
import { createLogger } from './log.ts';
import { PrometheusMetrics, startEndpoints } from './metrics/index.ts';
import { onShutdownSignals } from './signals.ts';

/** Time after the shutdown timeout for the last log lines to go out before the process is ended. */
const HARD_EXIT_MARGIN_MS = 2_000;

function kubeConfigFor(config: Config): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault();
  return kc;
}

async function main(): Promise<number> {
  let config: Config | 'help';
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`eks-access-entry-controller: ${err.message}\n`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  return run(config);
}

/** Runs until SIGTERM or SIGINT; resolves with the exit code. */
async function run(config: Config): Promise<number> {
  const log = createLogger(config.logLevel);
  const metrics = new PrometheusMetrics({ maxConcurrentReconciles: config.concurrency });
  const kc = kubeConfigFor(config);
  const create = (fence: WriteFence): Promise<AccessEntryController> => AccessEntryController.create(kc, config, log, { metrics, fence });
  const runner: Runner = config.leaderElection
    ? new LeaderRunner({ create, kc, election: config.leaderElection, identity: config.identity, log, metrics, onLost: () => process.exit(1) })
    : new DirectRunner(create);
  // Up before the caches sync, so the probes answer (not ready yet) while they do.
  const endpoints = await startEndpoints({
    metrics,
    healthz: () => runner.health(),
    readyz: () => runner.ready(),
    metricsAddress: config.metricsAddress,
    probeAddress: config.probeAddress,
    onError: (err) => log.error({ err }, 'metrics or probe server failed'),
  });

  const stopped = new Promise<void>((resolve) => {
    onShutdownSignals({
      stop: (signal) => {
        log.info({ signal }, 'stopping: finishing in-flight reconciles');
        // Whatever hangs (a call that never answers, a bug), the process ends a little after the
        // shutdown timeout, before the kubelet's grace period runs out; a later signal ends it now.
        setTimeout(() => {
          log.error({ signal }, 'still stopping after the shutdown timeout: exiting anyway');
          process.exit(1);
        }, config.shutdownTimeoutMs + HARD_EXIT_MARGIN_MS).unref();
        runner
          .stop()
          .then(() => endpoints.stop())
          .then(resolve, (err: unknown) => {
            log.error({ err }, 'error while stopping');
            resolve();
          });
      },
      echo: (signal, afterMs) => log.info({ signal, afterMs }, 'the same signal again at once: taken as an echo of the first (a process group and its parent both deliver it), still stopping'),
      exitNow: (signal) => {
        log.warn({ signal }, 'a second signal: exiting now, without finishing in-flight reconciles');
        process.exit(1);
      },
    });
  });
  // Only a signal ends the controller. Without this, a loop left with nothing pending (every
  // request hung on a dead connection, say) would let Node exit 0 in silence, which looks like a
  // clean stop to the kubelet and to whoever reads the logs.
  const keepRunning = setInterval(() => undefined, 2 ** 31 - 1);
  await runner.start();
  await stopped;
  clearInterval(keepRunning);
  log.info('stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`eks-access-entry-controller: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
