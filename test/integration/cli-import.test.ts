// `eks-access-entries import` end to end, as its own process, against the emulator: entries made
// by hand and by "EKS", the controller id learnt from the real test API server as the controller
// learns it, pagination, and the output applied to the API server (the CRD as installed).
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { AccessEntry } from '../../src/api/accessentry.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, MANAGED_BY_TAG, OWNER_TAG, PLURAL } from '../../src/api/names.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { controllerIdFor } from '../../src/kube/controller-id.ts';
import { installCrds } from '../testenv/crd.ts';
import { kubectl, testKubeConfig, uniqueName } from '../testenv/kube.ts';
import { runCli, type CliRun } from './support/cli.ts';
import { policyArn, role, user } from './support/cli-world.ts';

const kc = testKubeConfig();
const cluster = uniqueName('import');
const existingResource = uniqueName('imported-before');
let emulator: RunningEmulator;
let controllerId: string;

const importArgs = (...args: string[]): string[] => ['import', '--cluster', cluster, '--region', 'us-east-1', ...args];
const documents = (run: CliRun): AccessEntry[] => loadAll(run.stdout) as AccessEntry[];
const byArn = (run: CliRun): Record<string, AccessEntry['spec']> => Object.fromEntries(documents(run).map((doc): [string, AccessEntry['spec']] => [doc.spec.principalArn ?? '', doc.spec]));

beforeAll(async () => {
  await installCrds(kc);
  const namespace = await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' });
  controllerId = controllerIdFor(namespace.metadata!.uid!);
  emulator = await startEmulator();
  const state = emulator.state;
  // EKS's own: the cluster creator (with cluster admin), a managed node group, an Auto Mode node role, a service-linked role.
  state.createCluster(cluster, { authenticationMode: 'API_AND_CONFIG_MAP', bootstrapCreatorPrincipalArn: role('cluster-creator') });
  state.seedAccessEntry(cluster, { principalArn: role('eks-nodegroup-general'), type: 'EC2_LINUX' });
  state.seedAccessEntry(cluster, { principalArn: role('auto-mode-nodes'), type: 'EC2' });
  state.associatePolicy(cluster, role('auto-mode-nodes'), { policyArn: policyArn('AmazonEKSAutoNodePolicy'), accessScope: { type: 'cluster', namespaces: [] } });
  const slr = role('aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS');
  state.seedAccessEntry(cluster, { principalArn: slr });
  state.associatePolicy(cluster, slr, { policyArn: policyArn('AmazonEKSClusterInsightsPolicy'), accessScope: { type: 'cluster', namespaces: [] } });
  // By hand or by other tools.
  state.seedAccessEntry(cluster, {
    principalArn: role('teams/platform/oncall'),
    kubernetesGroups: ['platform', 'oncall'],
    tags: { team: 'platform', 'aws:cloudformation:stack-name': 'legacy-access' },
  });
  state.associatePolicy(cluster, role('teams/platform/oncall'), { policyArn: policyArn('AmazonEKSAdminPolicy'), accessScope: { type: 'namespace', namespaces: ['platform', 'dev-*'] } });
  state.associatePolicy(cluster, role('teams/platform/oncall'), { policyArn: policyArn('AmazonEKSViewPolicy'), accessScope: { type: 'cluster', namespaces: [] } });
  state.seedAccessEntry(cluster, { principalArn: user('carol'), username: 'carol' });
  state.seedAccessEntry(cluster, { principalArn: user('people/dave') });
  state.seedAccessEntry(cluster, { principalArn: role('other-team'), tags: { [MANAGED_BY_TAG]: 'eks-access-entry-controller-0123456789ab', [OWNER_TAG]: 'theirs' } });
  state.seedAccessEntry(cluster, { principalArn: role('managed-here'), tags: { [MANAGED_BY_TAG]: controllerId, [OWNER_TAG]: existingResource } });
  state.seedAccessEntry(cluster, { principalArn: role('managed-orphan'), tags: { [MANAGED_BY_TAG]: controllerId, [OWNER_TAG]: uniqueName('deleted-long-ago') } });
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: API_GROUP, version: API_VERSION, plural: PLURAL,
    body: { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name: existingResource }, spec: { clusterName: cluster, principalArn: role('managed-here') } },
  });
});

afterAll(async () => {
  await emulator?.close();
  await kubectl(['delete', 'accessentry', existingResource, '--ignore-not-found', '--wait=false']);
});

describe('import', () => {
  let run: CliRun;
  beforeAll(async () => {
    run = await runCli(importArgs('--kubeconfig', inject('kubeconfigPath')), { endpoint: emulator.endpoint });
  });

  it('writes AccessEntries that adopt each entry as it is: groups, a username only where EKS\'s default is not, policies with their scopes, the entry\'s own tags', () => {
    expect(run.code, run.stderr).toBe(2);
    const common = { clusterName: cluster, region: 'us-east-1', adoptExisting: true };
    expect(byArn(run)).toEqual({
      [role('cluster-creator')]: { ...common, principalArn: role('cluster-creator'), accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }] },
      [role('teams/platform/oncall')]: {
        ...common,
        principalArn: role('teams/platform/oncall'),
        kubernetesGroups: ['oncall', 'platform'],
        accessPolicies: [
          { policy: 'AmazonEKSAdminPolicy', accessScope: { type: 'namespace', namespaces: ['dev-*', 'platform'] } },
          { policy: 'AmazonEKSViewPolicy', accessScope: { type: 'cluster' } },
        ],
        tags: { team: 'platform' },
      },
      [user('carol')]: { ...common, principalArn: user('carol'), username: 'carol', accessPolicies: [] },
      [user('people/dave')]: { ...common, principalArn: user('people/dave'), accessPolicies: [] },
      [role('managed-orphan')]: { ...common, principalArn: role('managed-orphan'), accessPolicies: [] },
    });
  });

  it('learns the controller id from the management cluster, as the controller does, and says what it left out and why', () => {
    expect(run.stdout).toContain(`# Controller id ${controllerId}.`);
    expect(run.skipped.sort()).toEqual(
      [
        expect.stringMatching(/^skipped arn:aws:iam::123456789012:role\/auto-mode-nodes: it is a node entry \(EC2\).*--include-node-entries/),
        expect.stringMatching(/^skipped arn:aws:iam::123456789012:role\/aws-service-role\/eks.amazonaws.com\/AWSServiceRoleForAmazonEKS: its principal is a service-linked role/),
        expect.stringMatching(/^skipped arn:aws:iam::123456789012:role\/eks-nodegroup-general: it is a node entry \(EC2_LINUX\)/),
        expect.stringMatching(/^skipped arn:aws:iam::123456789012:role\/other-team: another installation of the controller owns it \(eks-access-entry-controller-0123456789ab\)/),
      ].sort(),
    );
    expect(run.skipped).toHaveLength(4);
    expect(run.stderr).toContain(`note: ${role('managed-here')} is already managed by this controller as AccessEntry ${existingResource}`);
  });

  it('only reads', () => {
    expect(emulator.calls.writes()).toBe(0);
    expect(emulator.calls.log().every((call) => call.userAgent?.includes('eks-access-entries/'))).toBe(true);
  });

  it('writes what the CRD accepts, node entries too when asked, with deletionPolicy Retain', async () => {
    const withNodes = await runCli(importArgs('--kubeconfig', inject('kubeconfigPath'), '--include-node-entries', '-q'), { endpoint: emulator.endpoint });
    expect(withNodes.code).toBe(2);
    expect(byArn(withNodes)[role('eks-nodegroup-general')]).toEqual({
      clusterName: cluster, region: 'us-east-1', principalArn: role('eks-nodegroup-general'), type: 'EC2_LINUX', deletionPolicy: 'Retain', adoptExisting: true,
    });
    expect(byArn(withNodes)[role('auto-mode-nodes')]).toMatchObject({ type: 'EC2', accessPolicies: [{ policy: 'AmazonEKSAutoNodePolicy', accessScope: { type: 'cluster' } }], deletionPolicy: 'Retain' });
    expect(withNodes.skipped).toHaveLength(2);
    const applied = await kubectl(['apply', '--server-side', '--field-manager=cli-import-test', '-f', '-'], { input: withNodes.stdout });
    expect(applied.code, applied.stderr).toBe(0);
    await kubectl(['delete', '-f', '-', '--wait=false'], { input: withNodes.stdout });
  });

  it('takes --controller-id without asking the management cluster, and says it could not check which AccessEntries exist', async () => {
    const given = await runCli(importArgs('--controller-id', controllerId, '-o', 'json'), { endpoint: emulator.endpoint });
    expect(given.code, given.stderr).toBe(2);
    const list = JSON.parse(given.stdout) as { kind: string; items: AccessEntry[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((item) => item.spec.principalArn)).not.toContain(role('managed-orphan'));
    expect(given.stderr).toContain(`was not checked`);
  });

  it('refuses a cluster EKS does not have, or one still in CONFIG_MAP mode, and a controller id it cannot learn', async () => {
    const missing = await runCli(['import', '--cluster', 'nowhere', '--region', 'us-east-1', '--controller-id', 'x'], { endpoint: emulator.endpoint });
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/EKS has no cluster nowhere in us-east-1/);
    emulator.state.createCluster('legacy', { authenticationMode: 'CONFIG_MAP' });
    const legacy = await runCli(['import', '--cluster', 'legacy', '--region', 'us-east-1', '--controller-id', 'x'], { endpoint: emulator.endpoint });
    expect(legacy.stderr).toMatch(/CONFIG_MAP mode, so it has no access entries: migrate its aws-auth ConfigMap instead/);
    const noKube = await runCli(importArgs(), { endpoint: emulator.endpoint });
    expect(noKube).toMatchObject({ code: 1, stdout: '' });
    expect(noKube.stderr).toMatch(/cannot derive the default controller id.*--controller-id/);
  });

  it('reads every page of a large cluster, showing progress', async () => {
    const big = uniqueName('big');
    emulator.state.createCluster(big, { authenticationMode: 'API' });
    for (let i = 0; i < 130; i++) emulator.state.seedAccessEntry(big, { principalArn: role(`team-${String(i).padStart(3, '0')}`), kubernetesGroups: ['viewers'] });
    emulator.calls.reset();
    const large = await runCli(['import', '--cluster', big, '--region', 'us-east-1', '--controller-id', 'x'], { endpoint: emulator.endpoint });
    expect(large.code, large.stderr).toBe(0);
    expect(documents(large)).toHaveLength(130);
    expect(emulator.calls.count('ListAccessEntries')).toBe(2);
    expect(large.stderr).toContain(`reading the access entries of ${big}: 130/130`);
  });
});
