// Starts a throwaway kube-apiserver + etcd for local work and keeps it up until Ctrl-C:
//   npx tsx scripts/testenv/start.ts
// The first run builds the binaries (see build.sh); later runs start in a few seconds.
import { startControlPlane } from '../../test/testenv/control-plane.ts';

const log = (line: string): void => {
  process.stderr.write(`${line.startsWith('[testenv]') ? '' : '[testenv] '}${line}\n`);
};

const startedAt = Date.now();
const controlPlane = await startControlPlane({ log });
log(`control plane ready at ${controlPlane.serverUrl} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
process.stdout.write(
  [
    `kubeconfig: ${controlPlane.kubeconfigPath}`,
    `kubectl:    ${controlPlane.kubectlPath}`,
    '',
    `export KUBECONFIG=${controlPlane.kubeconfigPath}`,
    '',
  ].join('\n'),
);
log('press Ctrl-C to stop it');

// The control plane's own exit guard runs first on a signal; stop() is then a no-op and this
// listener only keeps Node from dying before the message is out.
const shutDown = (signal: NodeJS.Signals): void => {
  log(`${signal}: stopping the control plane`);
  controlPlane.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      log(`could not stop cleanly: ${String(error)}`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', shutDown);
process.once('SIGTERM', shutDown);
