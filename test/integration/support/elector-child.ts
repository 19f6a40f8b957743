// One LeaderElector in a process of its own, for tests that kill it (SIGKILL) or stop it (SIGTERM).
// Usage: node --import tsx elector-child.ts KUBECONFIG NAMESPACE LEASE IDENTITY TIMINGS_JSON
// Prints one JSON line per callback ({"event":"started"|"stopped"|"leader"|"released", "at": ms}).
// On SIGTERM it stops the elector and then does not exit by itself: the process ends only if
// nothing of the elector (timer, socket) keeps it alive, which is what a test can check.
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { KubeLeaseApi, LeaderElector } from '../../../src/kube/leader-election.ts';

const [kubeconfigPath, namespace, name, identity, timings] = process.argv.slice(2);
if (!kubeconfigPath || !namespace || !name || !identity || !timings) {
  process.stderr.write('usage: elector-child.ts KUBECONFIG NAMESPACE LEASE IDENTITY TIMINGS_JSON\n');
  process.exit(2);
}

const say = (event: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, at: Date.now(), ...extra })}\n`);
};

const kc = new KubeConfig();
kc.loadFromFile(kubeconfigPath);
const elector = new LeaderElector(new KubeLeaseApi(kc), {
  namespace,
  name,
  identity,
  ...(JSON.parse(timings) as { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number }),
  log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }, pino.destination(2)),
  onStartedLeading: () => say('started'),
  onStoppedLeading: () => say('stopped'),
  onNewLeader: (leader) => say('leader', { leader }),
});

process.once('SIGTERM', () => {
  void elector.stop().then(() => say('released'));
});
elector.start();
say('running');
