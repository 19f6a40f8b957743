// npm run soak [-- --duration 10m --resources 500 ...]: the controller, run as users run it, kept
// under faults, kills and cut connections while resources and EKS change; then every invariant.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGE_NODE_FLAGS } from '../controller-process.ts';
import { CLUSTER, ROOT, startEnvironment } from '../environment.ts';
import { describeOptions, parseSoakArgs, USAGE, type SoakOptions } from './options.ts';
import { runSoak } from './soak.ts';

const log = (line: string): void => void process.stderr.write(`[soak] ${line.replaceAll('\n', '\n[soak] ')}\n`);

let options: SoakOptions | 'help';
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`soak: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

log(describeOptions(options));
const env = await startEnvironment(log);
const workDir = await mkdtemp(join(tmpdir(), 'eaec-soak-'));
const logFile = join(ROOT, 'soak-controller.log');
await writeFile(logFile, '');
let passed: boolean;
try {
  const result = await runSoak(
    {
      kubeConfig: env.plane.kubeConfig,
      emulator: env.emulator,
      clusterName: CLUSTER,
      controller: { command: join(ROOT, 'node_modules', '.bin', 'node'), args: [...IMAGE_NODE_FLAGS, join(ROOT, 'dist', 'main.js')], cwd: ROOT },
      workDir,
      logFile,
      run: `soak-${Date.now().toString(36)}`,
    },
    options,
    log,
  );
  process.stdout.write(`${result.summary}\n`);
  passed = result.passed;
} finally {
  await env.close();
  await rm(workDir, { recursive: true, force: true });
}
process.exit(passed ? 0 : 1);
