// Clusters in other accounts and regions: a ClusterAccess maps an EKS cluster to its region and
// a role to assume; AccessEntries of that cluster are reconciled there, with those credentials.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterAccess } from '../../src/api/clusteraccess.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, CLUSTER_ACCESS_KIND, CLUSTER_ACCESS_PLURAL } from '../../src/api/names.ts';
import { Reason } from '../../src/api/reasons.ts';
import { kubectl, uniqueName, waitFor } from '../testenv/kube.ts';
import { ACCOUNT, Harness } from './support/harness.ts';

const OTHER_ACCOUNT = '222222222222';
const OTHER_REGION = 'eu-west-1';
const ROLE_ARN = `arn:aws:iam::${OTHER_ACCOUNT}:role/eks-access-entry-controller`;
const EXTERNAL_ID = 'team-platform-1';

let h: Harness;
const api = () => h.kc.makeApiClient(CustomObjectsApi);
const resource = { group: API_GROUP, version: API_VERSION, plural: CLUSTER_ACCESS_PLURAL };
const accesses: string[] = [];

async function createAccess(name: string, spec: ClusterAccess['spec']): Promise<void> {
  await api().createClusterCustomObject({ ...resource, body: { apiVersion: API_GROUP_VERSION, kind: CLUSTER_ACCESS_KIND, metadata: { name }, spec } });
  accesses.push(name);
}

async function accessStatus(name: string): Promise<ClusterAccess['status']> {
  return ((await api().getClusterCustomObject({ ...resource, name })) as ClusterAccess).status;
}

beforeAll(async () => {
  h = await Harness.start({ stalledRetry: 500, clusterAccessStatusOwner: true });
  h.emulator.state.setRoleTrust(ROLE_ARN, { allowedCallers: [ACCOUNT], externalId: EXTERNAL_ID });
});
afterAll(async () => {
  await Promise.allSettled(accesses.map((name) => api().deleteClusterCustomObject({ ...resource, name })));
  await h?.close();
});

describe('a ClusterAccess', () => {
  it('sends the entries of its cluster to its region and account, with the role it names', async () => {
    const cluster = uniqueName('prod');
    h.emulator.state.createCluster(cluster, { region: OTHER_REGION, accountId: OTHER_ACCOUNT, authenticationMode: 'API' });
    const access = uniqueName('prod-access');
    await createAccess(access, { clusterName: cluster, region: OTHER_REGION, roleArn: ROLE_ARN, externalId: EXTERNAL_ID });
    const ready = await waitFor(async () => {
      const status = await accessStatus(access);
      return status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? status : undefined;
    }, { description: 'the ClusterAccess to be Ready' });
    expect(ready).toMatchObject({ accountId: OTHER_ACCOUNT, authenticationMode: 'API' });
    const table = await kubectl(['get', 'clusteraccess', access]);
    expect(table.stdout).toMatch(new RegExp(`${access}\\s+${cluster}\\s+${OTHER_REGION}\\s+${OTHER_ACCOUNT}\\s+API\\s+True\\s+Reachable`));

    const name = uniqueName('remote');
    const principal = `arn:aws:iam::${OTHER_ACCOUNT}:role/${name}`;
    await h.create(name, { clusterName: cluster, principalArn: principal, kubernetesGroups: ['ops'] });
    const entry = await h.waitForReady(name);
    expect(entry.status).toMatchObject({ region: OTHER_REGION, accountId: OTHER_ACCOUNT });
    expect(h.emulator.state.getAccessEntry(cluster, principal, { region: OTHER_REGION, accountId: OTHER_ACCOUNT })?.kubernetesGroups).toEqual(['ops']);
    const creates = h.emulator.calls.log().filter((c) => c.operation === 'CreateAccessEntry' && c.principalArn === principal);
    expect(creates.map((c) => c.assumedRole)).toEqual([expect.stringContaining(`assumed-role/eks-access-entry-controller/`)]);

    await h.delete(name);
    await h.waitForGone(name);
    expect(h.emulator.state.getAccessEntry(cluster, principal, { region: OTHER_REGION, accountId: OTHER_ACCOUNT })).toBeUndefined();
  });

  it('says when the role refuses the controller, and its entries say so too', async () => {
    const cluster = uniqueName('denied');
    h.emulator.state.createCluster(cluster, { region: OTHER_REGION, accountId: OTHER_ACCOUNT, authenticationMode: 'API' });
    const access = uniqueName('denied-access');
    await createAccess(access, { clusterName: cluster, region: OTHER_REGION, roleArn: ROLE_ARN, externalId: 'not-the-right-one' });
    const status = await waitFor(async () => {
      const current = await accessStatus(access);
      return current?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False') ? current : undefined;
    }, { description: 'the ClusterAccess to be not Ready' });
    const condition = status.conditions?.find((c) => c.type === 'Ready');
    expect(condition).toMatchObject({ reason: Reason.AccessDenied, message: expect.stringContaining(`may not assume ${ROLE_ARN}`) });

    const name = uniqueName('refused');
    await h.create(name, { clusterName: cluster, principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/${name}` });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.AccessDenied });
    expect(Harness.message(stalled, 'Stalled')).toContain('trust policy');
  });

  it('says when its cluster does not exist in its region, naming both', async () => {
    const cluster = uniqueName('nowhere');
    const access = uniqueName('nowhere-access');
    await createAccess(access, { clusterName: cluster, region: OTHER_REGION });
    const condition = await waitFor(async () => (await accessStatus(access))?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False'), {
      description: 'the ClusterAccess to be not Ready',
    });
    expect(condition).toMatchObject({ reason: Reason.ClusterNotFound, message: expect.stringContaining(`cluster ${cluster} in ${OTHER_REGION} was not found`) });
  });

  it('two of them for one cluster name stall its entries until one remains, and then they converge', async () => {
    const cluster = uniqueName('twice');
    h.emulator.state.createCluster(cluster, { region: OTHER_REGION, accountId: OTHER_ACCOUNT, authenticationMode: 'API' });
    const first = uniqueName('twice-a');
    const second = uniqueName('twice-b');
    await createAccess(first, { clusterName: cluster, region: OTHER_REGION, roleArn: ROLE_ARN, externalId: EXTERNAL_ID });
    await createAccess(second, { clusterName: cluster, region: 'us-west-2' });
    const name = uniqueName('ambiguous');
    await h.create(name, { clusterName: cluster, principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/${name}` });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.AmbiguousClusterAccess });
    expect(Harness.message(stalled, 'Stalled')).toContain(first);
    await api().deleteClusterCustomObject({ ...resource, name: second });
    const ready = await h.waitForReady(name);
    expect(ready.status?.accountId).toBe(OTHER_ACCOUNT);
  });

  it('refuses at admission an external id without a role, and a role of another partition than its region', async () => {
    const reject = async (spec: ClusterAccess['spec']): Promise<string> =>
      api().createClusterCustomObject({ ...resource, body: { apiVersion: API_GROUP_VERSION, kind: CLUSTER_ACCESS_KIND, metadata: { name: uniqueName('bad') }, spec } })
        .then(() => 'accepted', (err: { body?: string }) => String(err.body));
    expect(await reject({ clusterName: 'x', region: 'us-east-1', externalId: 'abc' })).toContain('externalId is only used when assuming a role');
    expect(await reject({ clusterName: 'x', region: 'cn-north-1', roleArn: ROLE_ARN })).toContain('roleArn and region are in different AWS partitions');
  });
});
