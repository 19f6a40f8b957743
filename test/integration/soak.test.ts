// The soak, short (npm run soak is the long one): two replicas of the controller electing a
// leader, their API server connections cut and one of them (mostly the leader) SIGKILLed while
// resources are edited, deleted and created and EKS drifts and answers with faults; once the
// chaos stops, every invariant must hold.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORT_OPTIONS } from '../../bench/soak/options.ts';
import { faultsInjected } from '../../bench/soak/report.ts';
import { runSoak } from '../../bench/soak/soak.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { installCrds } from '../testenv/crd.ts';
import { testKubeConfig, uniqueName } from '../testenv/kube.ts';
import { CLUSTER } from './support/harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOG_FILE = join(ROOT, 'soak-test-controller.log');
const kc = testKubeConfig();
let emulator: RunningEmulator;
let workDir: string;

beforeAll(async () => {
  await installCrds(kc);
  emulator = await startEmulator({ implicitPrincipals: true });
  emulator.state.createCluster(CLUSTER, { authenticationMode: 'API_AND_CONFIG_MAP' });
  workDir = await mkdtemp(join(tmpdir(), 'eaec-soak-test-'));
  await writeFile(LOG_FILE, '');
});

afterAll(async () => {
  await emulator?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('soak (short)', () => {
  it('ends with every resource in sync, deletions done, foreign entries untouched, no duplicate create, one writer at a time and no crash', async () => {
    const result = await runSoak(
      {
        kubeConfig: kc,
        emulator,
        clusterName: CLUSTER,
        // The source as it stands (CI does not build dist/), in one process so SIGKILL reaches it.
        controller: { command: join(ROOT, 'node_modules', '.bin', 'node'), args: ['--import', 'tsx', join(ROOT, 'src', 'main.ts')], cwd: ROOT },
        workDir,
        logFile: LOG_FILE,
        run: uniqueName('soak').slice(0, 20),
      },
      SHORT_OPTIONS,
      (line) => void process.stderr.write(`[soak test] ${line}\n`),
    );
    process.stderr.write(`${result.summary}\n`);

    expect(result.result.violations, result.summary).toEqual([]);
    // The run was a soak, not a quiet afternoon: each kind of chaos happened.
    expect(result.chaos.kills, 'SIGKILLs').toBeGreaterThanOrEqual(2);
    // Of two kills at least one is the leader's (see Chaos), so leadership moved.
    expect(SHORT_OPTIONS.replicas, 'replicas').toBe(2);
    expect(result.chaos.leaderKills, 'SIGKILLs of the leader').toBeGreaterThanOrEqual(1);
    expect(result.chaos.handOvers, 'leadership hand-overs').toBeGreaterThanOrEqual(1);
    expect(result.chaos.terminationsDuringLoss, 'leader SIGTERMed while it loses the Lease').toBeGreaterThanOrEqual(1);
    expect(result.chaos.cuts, 'API server connection cuts').toBeGreaterThanOrEqual(3);
    const injected = faultsInjected(emulator.calls);
    for (const fault of ['ServerException', 'ThrottlingException', 'DropConnection', 'LoseResponse']) {
      expect(injected[fault], `${fault} faults injected`).toBeGreaterThan(0);
    }
    expect(result.model.deleted().some((r) => r.deleted?.deletionPolicy === 'Retain'), 'a Retain deletion').toBe(true);
    expect(result.model.deleted().some((r) => r.deleted?.deletionPolicy === 'Delete' && !r.intruder), 'a Delete deletion').toBe(true);
  }, 150_000);
});
