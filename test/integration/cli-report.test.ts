// `eks-access-entries report` end to end, as its own process: three clusters in two accounts, the
// one of the other account reached through its ClusterAccess's role (the emulator's trust table), the
// controller id learnt from the real test API server. Every entry is listed once, with its owner.
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import type { AccessReport } from '../../src/cli/report/model.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { controllerIdFor } from '../../src/kube/controller-id.ts';
import { installCrds } from '../testenv/crd.ts';
import { testKubeConfig, uniqueName } from '../testenv/kube.ts';
import { runCli } from './support/cli.ts';
import { ClusterAccesses } from './support/cluster-accesses.ts';
import { PLAN_READ_OPERATIONS } from './support/plan-world.ts';

const ACCOUNT = '123456789012';
const OTHER = '222222222222';
const ROLE = `arn:aws:iam::${OTHER}:role/eks-access-entry-controller`;
const kc = testKubeConfig();
const accesses = new ClusterAccesses(kc);
const clusters = { home: uniqueName('home'), staging: uniqueName('staging'), remote: uniqueName('remote') };
const role = (account: string, name: string): string => `arn:aws:iam::${account}:role/${name}`;
let emulator: RunningEmulator;
let controllerId: string;

beforeAll(async () => {
  await installCrds(kc);
  const namespace = await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' });
  controllerId = controllerIdFor(namespace.metadata!.uid!);
  emulator = await startEmulator();
  const state = emulator.state;
  state.createCluster(clusters.home, { authenticationMode: 'API' });
  state.createCluster(clusters.staging, { authenticationMode: 'API', region: 'eu-west-1' });
  state.createCluster(clusters.remote, { authenticationMode: 'API', accountId: OTHER, region: 'eu-west-1' });
  state.setRoleTrust(ROLE, { allowedCallers: [ACCOUNT], externalId: 'platform' });
  state.seedAccessEntry(clusters.home, { principalArn: role(ACCOUNT, 'oncall'), kubernetesGroups: ['oncall'], tags: { [MANAGED_BY_TAG]: controllerId, [OWNER_TAG]: 'oncall' } });
  state.associatePolicy(clusters.home, role(ACCOUNT, 'oncall'), { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['payments'] } });
  state.seedAccessEntry(clusters.home, { principalArn: role(ACCOUNT, 'nodes'), type: 'EC2_LINUX' });
  state.seedAccessEntry(clusters.staging, { principalArn: role(ACCOUNT, 'oncall'), kubernetesGroups: ['viewers'], tags: { [MANAGED_BY_TAG]: 'eks-access-entry-controller-fedcba987654', [OWNER_TAG]: 'x' } }, { region: 'eu-west-1' });
  state.seedAccessEntry(clusters.remote, { principalArn: role(OTHER, 'admins'), username: 'admin' }, { region: 'eu-west-1', accountId: OTHER });
  state.seedAccessEntry(clusters.remote, { principalArn: role(ACCOUNT, 'oncall'), tags: { [MANAGED_BY_TAG]: controllerId, [OWNER_TAG]: 'oncall-remote' } }, { region: 'eu-west-1', accountId: OTHER });
  // The remote cluster is reached through its ClusterAccess, twice over (two names, the same role): still listed once.
  await accesses.create(uniqueName('remote-a'), { clusterName: clusters.remote, region: 'eu-west-1', roleArn: ROLE, externalId: 'platform' });
  await accesses.create(uniqueName('remote-b'), { clusterName: clusters.remote, region: 'eu-west-1', roleArn: ROLE, externalId: 'platform' });
  await accesses.create(uniqueName('staging'), { clusterName: clusters.staging, region: 'eu-west-1' });
});

afterAll(async () => {
  await accesses.deleteAll();
  await emulator?.close();
});

const reportArgs = (...extra: string[]): string[] => ['report', '--kubeconfig', inject('kubeconfigPath'), '--region', 'us-east-1', ...extra];
const everywhere = ['--cluster', clusters.home, '--cluster', clusters.staging, '--cluster', clusters.remote];

describe('report', () => {
  it('lists every entry of three clusters in two accounts once, with who manages it', async () => {
    emulator.calls.reset();
    const run = await runCli(reportArgs(...everywhere, '-o', 'json'), { endpoint: emulator.endpoint });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as AccessReport;
    const rows = report.entries.map((entry) => [entry.cluster, entry.region, entry.account, entry.principalArn, entry.managedBy]);
    expect(rows.sort()).toEqual(
      [
        [clusters.home, 'us-east-1', ACCOUNT, role(ACCOUNT, 'nodes'), 'nobody'],
        [clusters.home, 'us-east-1', ACCOUNT, role(ACCOUNT, 'oncall'), 'this-controller'],
        [clusters.remote, 'eu-west-1', OTHER, role(ACCOUNT, 'oncall'), 'this-controller'],
        [clusters.remote, 'eu-west-1', OTHER, role(OTHER, 'admins'), 'nobody'],
        [clusters.staging, 'eu-west-1', ACCOUNT, role(ACCOUNT, 'oncall'), 'other-controller'],
      ].sort(),
    );
    const home = report.entries.find((entry) => entry.cluster === clusters.home && entry.principalArn === role(ACCOUNT, 'oncall'));
    expect(home).toMatchObject({ type: 'STANDARD', groups: ['oncall'], accessEntry: 'oncall', policies: [{ policyArn: expect.stringContaining('AmazonEKSViewPolicy') as string, accessScope: { type: 'namespace', namespaces: ['payments'] } }] });
    expect(report.entries.find((entry) => entry.principalArn === role(ACCOUNT, 'nodes'))?.policies).toBeNull();
    expect(report.entries.find((entry) => entry.cluster === clusters.staging)?.controllerId).toBe('eks-access-entry-controller-fedcba987654');
    // Reads only, the remote account through the ClusterAccess's role.
    expect(emulator.calls.writes()).toBe(0);
    expect(emulator.calls.log().filter((call) => !PLAN_READ_OPERATIONS.has(call.operation))).toEqual([]);
    expect(emulator.calls.log().some((call) => call.operation === 'ListAccessEntries' && call.accountId === OTHER && call.assumedRole?.includes('eks-access-entry-controller'))).toBe(true);
  });

  it('answers where one principal gets in, as CSV', async () => {
    const run = await runCli(reportArgs(...everywhere, '--principal', role(ACCOUNT, 'oncall'), '-o', 'csv'), { endpoint: emulator.endpoint });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('cluster,region,account,principalArn,type,groups,username,policies,managedBy');
    expect(lines.slice(1).map((line) => line.split(',')[0]).sort()).toEqual([clusters.home, clusters.remote, clusters.staging].sort());
  });

  it('reports a cluster it cannot reach on stderr and still lists the others (exit 2)', async () => {
    const missing = uniqueName('missing');
    const run = await runCli(reportArgs('--cluster', clusters.home, '--cluster', missing), { endpoint: emulator.endpoint });
    expect(run.code).toBe(2);
    expect(run.skipped).toEqual([expect.stringContaining(`skipped cluster ${missing} in us-east-1: ListAccessEntries failed: ResourceNotFoundException`)]);
    expect(run.stdout).toContain(role(ACCOUNT, 'oncall'));
  });
});
