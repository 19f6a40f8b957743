// IAM Identity Center permission sets by name: spec.principal.ssoPermissionSet resolves, in the
// account of each cluster (two accounts, each reached through a ClusterAccess), to the role Identity
// Center provisioned there; a re-provisioned permission set moves the entry to its new role with no
// moment without access; missing and ambiguous permission sets say what to do.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_VERSION, PLURAL } from '../../src/api/names.ts';
import { EventReason, Reason } from '../../src/api/reasons.ts';
import { kubectl, uniqueName, waitFor } from '../testenv/kube.ts';
import { ClusterAccesses } from './support/cluster-accesses.ts';
import { ACCOUNT, Harness } from './support/harness.ts';

const REGION = 'eu-west-1';
// Accounts the IAM audit's installation names (test/iam/audit/audit.ts), with its external id.
const ACCOUNT_A = '222222222222';
const ACCOUNT_B = '666666666666';
const EXTERNAL_ID = 'platform-team';
const SSO_PATH = '/aws-reserved/sso.amazonaws.com/eu-west-1/';
const controllerRole = (account: string) => `arn:aws:iam::${account}:role/eks-access-entry-controller`;

let h: Harness;
let accesses: ClusterAccesses;
beforeAll(async () => {
  h = await Harness.start({ stalledRetry: 500 });
  accesses = new ClusterAccesses(h.kc);
  for (const account of [ACCOUNT_A, ACCOUNT_B]) h.emulator.state.setRoleTrust(controllerRole(account), { allowedCallers: [ACCOUNT], externalId: EXTERNAL_ID });
});
afterAll(async () => {
  await accesses?.deleteAll();
  await h?.close();
});

let suffixes = 0;
/** A role as Identity Center provisions it for a permission set in an account: a new 16-hex suffix each time. */
function provision(permissionSet: string, account: string, path = SSO_PATH): string {
  const suffix = (0x1000000000000000n + BigInt(Date.now()) * 1000n + BigInt(suffixes++)).toString(16).slice(-16);
  return h.emulator.state.iam.createRole({ roleName: `AWSReservedSSO_${permissionSet}_${suffix}`, path }, { accountId: account }).arn;
}
const deprovision = (arn: string, account: string) => h.emulator.state.iam.deleteRole(arn.slice(arn.lastIndexOf('/') + 1), { accountId: account });

/** A cluster in `account`, reached through a ClusterAccess with that account's role. */
async function clusterIn(account: string): Promise<string> {
  const cluster = uniqueName('sso');
  h.emulator.state.createCluster(cluster, { region: REGION, accountId: account, authenticationMode: 'API' });
  await accesses.create(uniqueName('sso-access'), { clusterName: cluster, region: REGION, roleArn: controllerRole(account), externalId: EXTERNAL_ID });
  return cluster;
}
const authenticate = (cluster: string, account: string, principalArn: string) => h.emulator.state.authenticate(cluster, principalArn, { region: REGION, accountId: account });
const entryOf = (cluster: string, account: string, principalArn: string) => h.emulator.state.getAccessEntry(cluster, principalArn, { region: REGION, accountId: account });

describe('spec.principal.ssoPermissionSet', () => {
  it('resolves in each cluster\'s account to the role provisioned there, shown in status and the PRINCIPAL column', async () => {
    const permissionSet = `Platform${suffixes}`;
    const [clusterA, clusterB] = [await clusterIn(ACCOUNT_A), await clusterIn(ACCOUNT_B)];
    const roleA = provision(permissionSet, ACCOUNT_A);
    const roleB = provision(permissionSet, ACCOUNT_B, '/aws-reserved/sso.amazonaws.com/');
    // Neither a longer permission set name nor one that merely starts the same is a match.
    provision(`${permissionSet}_ReadOnly`, ACCOUNT_A);
    provision(`${permissionSet}X`, ACCOUNT_A);
    h.emulator.state.iam.createRole({ roleName: `AWSReservedSSO_${permissionSet}_0123456789abcdef` }, { accountId: ACCOUNT_A });

    const [nameA, nameB] = [uniqueName('sso-a'), uniqueName('sso-b')];
    await h.create(nameA, { clusterName: clusterA, principal: { ssoPermissionSet: permissionSet }, kubernetesGroups: ['platform'] });
    await h.create(nameB, { clusterName: clusterB, principal: { ssoPermissionSet: permissionSet }, kubernetesGroups: ['platform'] });
    const [readyA, readyB] = [await h.waitForReady(nameA), await h.waitForReady(nameB)];
    expect(readyA.status).toMatchObject({ principalArn: roleA, accountId: ACCOUNT_A, principalId: h.emulator.state.iam.principalId(roleA) });
    expect(readyB.status).toMatchObject({ principalArn: roleB, accountId: ACCOUNT_B });
    expect(roleA).not.toBe(roleB);
    expect(authenticate(clusterA, ACCOUNT_A, roleA)).toMatchObject({ allowed: true, groups: ['platform'] });
    expect(authenticate(clusterB, ACCOUNT_B, roleB)).toMatchObject({ allowed: true, groups: ['platform'] });
    const table = await kubectl(['get', 'accessentry', nameA]);
    expect(table.stdout).toContain(roleA);
    // Resolved from one listing per account, with its ClusterAccess's role.
    const listings = h.emulator.calls.log().filter((call) => call.operation === 'ListRoles' && call.accountId === ACCOUNT_A);
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.every((call) => call.assumedRole?.includes('assumed-role/eks-access-entry-controller/'))).toBe(true);
  });

  it('follows a re-provisioned permission set: the new role\'s entry is created before the old one is deleted, and an Event says so', async () => {
    const permissionSet = `Oncall${suffixes}`;
    const cluster = await clusterIn(ACCOUNT_A);
    const before = provision(permissionSet, ACCOUNT_A);
    const name = uniqueName('sso-move');
    await h.create(name, { clusterName: cluster, principal: { ssoPermissionSet: permissionSet }, kubernetesGroups: ['oncall'], tags: { team: 'sre' } });
    await h.waitForReady(name);

    deprovision(before, ACCOUNT_A);
    const after = provision(permissionSet, ACCOUNT_A);
    await h.patchMetadata(name, { annotations: { 'eksaccess.dev/reconcile-requested-at': new Date().toISOString() } });
    const moved = await waitFor(async () => {
      const current = await h.get(name);
      return current?.status?.principalArn === after && current.status.previousPrincipalArn === undefined ? current : undefined;
    }, { description: 'the entry moved to the new role' });
    expect(moved.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(entryOf(cluster, ACCOUNT_A, before)).toBeUndefined();
    expect(entryOf(cluster, ACCOUNT_A, after)).toMatchObject({ kubernetesGroups: ['oncall'], tags: expect.objectContaining({ team: 'sre' }) });
    expect(authenticate(cluster, ACCOUNT_A, after)).toMatchObject({ allowed: true });

    // The call log proves the order: never a moment with neither entry.
    const log = h.emulator.calls.log();
    const created = log.findIndex((call) => call.operation === 'CreateAccessEntry' && call.principalArn === after);
    const deleted = log.findIndex((call) => call.operation === 'DeleteAccessEntry' && call.principalArn === before);
    expect(created).toBeGreaterThanOrEqual(0);
    expect(deleted).toBeGreaterThan(created);
    const events = (await h.events(name)).filter((event) => event.reason === EventReason.PermissionSetReprovisioned);
    expect(events).toHaveLength(1);
    expect(events[0]?.message).toContain(`Permission set ${permissionSet} now resolves to ${after}`);
    expect(events[0]?.message).toContain(`deleted the entry of ${before}`);
  });

  it('says a permission set is not provisioned in the cluster\'s account, naming it, and is Ready once it is', async () => {
    const permissionSet = `Later${suffixes}`;
    const cluster = await clusterIn(ACCOUNT_B);
    provision(permissionSet, ACCOUNT_A);
    const name = uniqueName('sso-missing');
    await h.create(name, { clusterName: cluster, principal: { ssoPermissionSet: permissionSet } });
    const waiting = await h.waitForCondition(name, 'Ready', { status: 'False', reason: Reason.PermissionSetNotProvisioned });
    const message = Harness.message(waiting, 'Ready');
    expect(message).toContain(`account ${ACCOUNT_B}`);
    expect(message).toContain('assign the permission set');
    expect(waiting.status?.conditions?.find((c) => c.type === 'Reconciling')?.status).toBe('True');

    const arn = provision(permissionSet, ACCOUNT_B);
    const ready = await h.waitForReady(name);
    expect(ready.status?.principalArn).toBe(arn);
  });

  it('is Stalled when several roles look provisioned for it, listing them', async () => {
    const permissionSet = `Twice${suffixes}`;
    const cluster = await clusterIn(ACCOUNT_B);
    const roles = [provision(permissionSet, ACCOUNT_B), provision(permissionSet, ACCOUNT_B, '/aws-reserved/sso.amazonaws.com/')];
    const name = uniqueName('sso-twice');
    await h.create(name, { clusterName: cluster, principal: { ssoPermissionSet: permissionSet } });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.AmbiguousPermissionSet });
    for (const arn of roles) expect(Harness.message(stalled, 'Stalled')).toContain(arn);
    expect(h.emulator.calls.log().filter((call) => call.operation === 'CreateAccessEntry' && roles.includes(call.principalArn ?? ''))).toEqual([]);
  });

  it('deleting the AccessEntry removes the entry it recorded, even once the permission set is gone', async () => {
    const permissionSet = `Gone${suffixes}`;
    const cluster = await clusterIn(ACCOUNT_A);
    const arn = provision(permissionSet, ACCOUNT_A);
    const name = uniqueName('sso-delete');
    await h.create(name, { clusterName: cluster, principal: { ssoPermissionSet: permissionSet } });
    await h.waitForReady(name);
    deprovision(arn, ACCOUNT_A);
    await h.delete(name);
    await h.waitForGone(name);
    expect(entryOf(cluster, ACCOUNT_A, arn)).toBeUndefined();
  });

  it('deleting it finds its entry through the permission set when the status recorded none (a write lost after the create)', async () => {
    const permissionSet = `Lost${suffixes}`;
    const cluster = await clusterIn(ACCOUNT_A);
    const arn = provision(permissionSet, ACCOUNT_A);
    const name = uniqueName('sso-lost');
    await h.create(name, { clusterName: cluster, principal: { ssoPermissionSet: permissionSet } });
    await h.waitForReady(name);
    await h.stopController();
    await h.kc.makeApiClient(CustomObjectsApi).patchClusterCustomObjectStatus(
      { group: API_GROUP, version: API_VERSION, plural: PLURAL, name, body: { status: null } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await h.delete(name);
    await h.startController();
    await h.waitForGone(name);
    expect(entryOf(cluster, ACCOUNT_A, arn)).toBeUndefined();
  });
});
