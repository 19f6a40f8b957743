// The README's main command: a local Kubernetes API server, the EKS emulator and the
// controller, with the examples in deploy/examples converging, then an edit, drift made in
// "AWS", and deletes, each shown as it happens.
//   npm run demo            run the story, then clean up
//   npm run demo -- --keep  stay up afterwards, to explore with kubectl
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { pino } from 'pino';
import { loadConfig, type Config } from '../src/config.ts';
import { AccessEntryController } from '../src/controller/controller.ts';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.ts';
import { startControlPlane, type ControlPlane } from '../test/testenv/control-plane.ts';
import { installCrds } from '../test/testenv/crd.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLES = join(ROOT, 'deploy/examples');
const CLUSTER = 'demo';
const { values: flags } = parseArgs({ options: { keep: { type: 'boolean' }, port: { type: 'string' } } });

const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const step = (text: string): void => console.log(`\n${bold(`==> ${text}`)}`);
const run = promisify(execFile);

async function kubectl(plane: ControlPlane, args: string[], show = true): Promise<string> {
  if (show) console.log(`$ kubectl ${args.join(' ')}`);
  const { stdout } = await run(plane.kubectlPath, ['--kubeconfig', plane.kubeconfigPath, ...args]);
  if (show) process.stdout.write(stdout);
  return stdout;
}

function showEmulator(emulator: RunningEmulator): void {
  const rows = emulator.state.listAccessEntries(CLUSTER).map((e) => ({
    principal: e.principalArn.replace(/^arn:aws:iam::\d+:/, ''),
    type: e.type,
    groups: e.kubernetesGroups.join(',') || '-',
    username: e.username.length > 40 ? `${e.username.slice(0, 37)}...` : e.username,
    tags: Object.keys(e.tags).filter((k) => !k.startsWith('eksaccess.dev/')).map((k) => `${k}=${e.tags[k]}`).join(',') || '-',
  }));
  console.log(`EKS (emulator) access entries of cluster "${CLUSTER}":`);
  console.table(rows);
}

async function until(description: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  // The emulator accepts any SigV4 credentials; the SDK's default chain needs some to sign with.
  process.env.AWS_ACCESS_KEY_ID ??= 'demo';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'demo';
  step('Starting a local Kubernetes API server (the first run builds it from Go modules: ~10 minutes)');
  const plane = await startControlPlane({ log: (line) => console.log(`    ${line}`) });
  const emulator = await startEmulator({ port: flags.port ? Number(flags.port) : 0, implicitPrincipals: true });
  const logFile = join(ROOT, 'demo-controller.log');
  let controller: AccessEntryController | undefined;
  const cleanup = async (): Promise<void> => {
    await controller?.stop();
    await emulator.close();
    await plane.stop();
  };
  try {
    console.log(`    API server ${plane.serverUrl}, kubeconfig ${plane.kubeconfigPath}`);
    step(`Starting the EKS emulator at ${emulator.endpoint} with cluster "${CLUSTER}" (authenticationMode API_AND_CONFIG_MAP)`);
    emulator.state.createCluster(CLUSTER, { authenticationMode: 'API_AND_CONFIG_MAP', bootstrapCreatorPrincipalArn: 'arn:aws:iam::123456789012:role/cluster-creator' });
    // What IAM Identity Center provisions when the permission set PlatformReadOnly is assigned in this account.
    emulator.state.iam.createRole({ roleName: 'AWSReservedSSO_PlatformReadOnly_8f2c1a4b6d3e5f70', path: '/aws-reserved/sso.amazonaws.com/us-east-1/' });
    showEmulator(emulator);

    step('Installing the AccessEntry CRD and starting the controller');
    await installCrds(plane.kubeConfig);
    const config = loadConfig(
      ['--kubeconfig', plane.kubeconfigPath, '--region', 'us-east-1', '--aws-endpoint', emulator.endpoint, '--resync', '3s'],
      {},
    ) as Config;
    controller = await AccessEntryController.create(plane.kubeConfig, config, pino({ level: 'info' }, createWriteStream(logFile)));
    await controller.start();
    console.log(`    controller id ${controller.controllerId} (derived from this cluster's kube-system namespace), logs (JSON): ${logFile}`);

    step('Applying the examples from deploy/examples');
    const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.yaml')).sort();
    await kubectl(plane, ['apply', ...files.flatMap((f) => ['-f', join('deploy/examples', f)])]);
    await kubectl(plane, ['wait', '--for=condition=Ready', 'accessentries', '--all', '--timeout=60s']);
    await kubectl(plane, ['get', 'accessentries']);
    showEmulator(emulator);

    step('Editing platform-admins: drop the "oncall" group, add a tag');
    await kubectl(plane, ['patch', 'accessentry', 'platform-admins', '--type=merge', '-p', '{"spec":{"kubernetesGroups":["platform-admins"],"tags":{"team":"platform","cost-center":"4711","tier":"gold"}}}']);
    await kubectl(plane, ['wait', '--for=condition=Ready', 'accessentry/platform-admins', '--timeout=30s']);
    const platformAdmins = 'arn:aws:iam::123456789012:role/platform-admins';
    await until('the edit to reach EKS', () => emulator.state.getAccessEntry(CLUSTER, platformAdmins)?.kubernetesGroups.join() === 'platform-admins');
    showEmulator(emulator);

    step('Someone edits alice in the AWS console (drift): groups become [cluster-admins]');
    const alice = 'arn:aws:iam::123456789012:user/alice';
    emulator.state.editAccessEntry(CLUSTER, alice, { kubernetesGroups: ['cluster-admins'], username: 'alice' });
    showEmulator(emulator);
    console.log('    ...the controller re-checks every entry on its resync period (3s here, 10m by default)');
    await until('drift to be corrected', () => emulator.state.getAccessEntry(CLUSTER, alice)?.kubernetesGroups.join() === 'developers');
    showEmulator(emulator);

    step('Someone replaces the IAM role platform-admins (a Terraform replace): same ARN, new unique id');
    const before = emulator.state.authenticate(CLUSTER, platformAdmins);
    emulator.state.iam.deleteRole('platform-admins');
    emulator.state.iam.createRole({ roleName: 'platform-admins' });
    console.log(`    EKS's authenticator before: ${JSON.stringify(before)}`);
    console.log(`    and now: ${JSON.stringify(emulator.state.authenticate(CLUSTER, platformAdmins))}`);
    console.log('    ...EKS bound the entry to the old id; on its next look at IAM the controller re-creates the entry');
    await until('the entry to be healed', () => emulator.state.authenticate(CLUSTER, platformAdmins).allowed);
    console.log(`    after: ${JSON.stringify(emulator.state.authenticate(CLUSTER, platformAdmins))}`);

    step('Deleting alice (deletionPolicy Delete) and ci-readers (deletionPolicy Retain)');
    await kubectl(plane, ['delete', 'accessentry', 'alice', 'ci-readers', '--wait=true']);
    await kubectl(plane, ['get', 'accessentries']);
    showEmulator(emulator);
    console.log('    alice is gone from EKS; ci-readers stays (Retain); cluster-creator was made by EKS and never touched.');
    await kubectl(plane, ['get', 'events', '--sort-by=.lastTimestamp', '-o', 'custom-columns=OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message']);

    if (flags.keep) {
      step('Staying up: press Ctrl-C to stop');
      console.log(`export KUBECONFIG=${plane.kubeconfigPath}\nalias kubectl=${plane.kubectlPath}\nEKS emulator: ${emulator.endpoint} (state: curl ${emulator.endpoint}/_emulator/state)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    step('Done: everything converged. Cleaning up.');
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
