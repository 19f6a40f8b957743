// Access policies declared on an AccessEntry, end to end: real API server, emulator over HTTP.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessEntry } from '../../src/api/accessentry.ts';
import { MANAGED_BY_TAG } from '../../src/api/names.ts';
import { Reason } from '../../src/api/reasons.ts';
import { kubectl, uniqueName, waitFor } from '../testenv/kube.ts';
import { ACCOUNT, CLUSTER, Harness, role } from './support/harness.ts';

const RESYNC_MS = 1_000;
const arn = (name: string, partition = 'aws'): string => `arn:${partition}:eks::aws:cluster-access-policy/${name}`;
type Spec = AccessEntry['spec'];
const view = (...namespaces: string[]): NonNullable<Spec['accessPolicies']>[number] => ({ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces } });
const clusterAdmin: NonNullable<Spec['accessPolicies']>[number] = { policyArn: arn('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } };

let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ resync: RESYNC_MS, stalledRetry: 500 });
});
afterAll(async () => {
  await h?.close();
});

const associations = (principal: string, cluster = CLUSTER, region?: string) =>
  (h.emulator.state.getAccessEntry(cluster, principal, region ? { region } : {})?.associatedPolicies ?? [])
    .map((p) => [p.policyArn, p.accessScope.type, [...p.accessScope.namespaces].sort()])
    .sort();
const policyCalls = (principal: string) =>
  h.emulator.calls.log().filter((call) => call.principalArn === principal && /Polic/.test(call.operation)).map((call) => call.operation);

describe('access policies', () => {
  it('are associated, re-scoped and removed as the spec says, cluster- and namespace-scoped', async () => {
    const name = uniqueName('policies');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, accessPolicies: [view('team-b', 'team-a'), clusterAdmin] });
    const ready = await h.waitForReady(name);
    expect(associations(principal)).toEqual([
      [arn('AmazonEKSClusterAdminPolicy'), 'cluster', []],
      [arn('AmazonEKSViewPolicy'), 'namespace', ['team-a', 'team-b']],
    ]);
    expect(ready.status?.policies).toBe('AmazonEKSClusterAdminPolicy,AmazonEKSViewPolicy');
    // A new entry has no associations: nothing is listed before associating.
    expect(policyCalls(principal)).toEqual(['AssociateAccessPolicy', 'AssociateAccessPolicy']);
    const table = await kubectl(['get', 'accessentry', name]);
    expect(table.stdout).toMatch(/TYPE\s+POLICIES\s+READY/);
    expect(table.stdout).toContain('AmazonEKSClusterAdminPolicy,AmazonEKSViewPolicy');

    await h.patchSpec(name, { accessPolicies: [view('team-a', 'dev-*')] });
    await waitFor(() => (associations(principal).length === 1 ? true : undefined), { description: 'the admin policy to go' });
    const again = await h.waitForReady(name);
    expect(associations(principal)).toEqual([[arn('AmazonEKSViewPolicy'), 'namespace', ['dev-*', 'team-a']]]);
    expect(again.status?.accessPolicies).toEqual([
      expect.objectContaining({ policyArn: arn('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['dev-*', 'team-a'] } }),
    ]);
    const events = (await h.events(name)).map((e) => `${e.type} ${e.reason} ${e.message}`);
    expect(events).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Normal PolicyDisassociated .*AmazonEKSClusterAdminPolicy.*no longer declares it/),
      expect.stringMatching(/^Normal PolicyAssociated Re-scoped access policy AmazonEKSViewPolicy/),
    ]));
  });

  it('are all in place before a new entry is Ready', async () => {
    const name = uniqueName('ordered');
    const principal = role(name);
    h.emulator.faults.setLatency(800, 'AssociateAccessPolicy');
    try {
      await h.create(name, { clusterName: CLUSTER, principalArn: principal, accessPolicies: [view('a'), clusterAdmin] });
      await waitFor(() => (h.entry(principal) ? true : undefined), { description: 'the entry to exist' });
      const meanwhile = await h.get(name);
      expect(meanwhile?.status?.conditions?.find((c) => c.type === 'Ready')?.status).not.toBe('True');
    } finally {
      h.emulator.faults.setLatency(0, 'AssociateAccessPolicy');
    }
    await h.waitForReady(name);
    expect(associations(principal)).toHaveLength(2);
    expect(h.emulator.calls.log().filter((c) => c.operation === 'CreateAccessEntry' && c.principalArn === principal)).toHaveLength(1);
  });

  it('made outside Git are removed, with a Warning naming them, while the field is present', async () => {
    const name = uniqueName('drift');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, accessPolicies: [view('a')] });
    await h.waitForReady(name);
    h.emulator.state.associatePolicy(CLUSTER, principal, { policyArn: arn('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster', namespaces: [] } });
    await waitFor(() => (associations(principal).length === 1 ? true : undefined), { description: 'the resync to remove it', timeoutMs: 10_000 });
    const warning = await waitFor(async () => (await h.events(name)).find((e) => e.type === 'Warning' && e.reason === 'PolicyDisassociated'), {
      description: 'a Warning event',
    });
    expect(warning.message).toContain('Removed access policy AmazonEKSClusterAdminPolicy (cluster-wide), which was associated outside this AccessEntry');
  });

  it('are neither listed nor touched when the spec omits them', async () => {
    const name = uniqueName('unmanaged');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['dev'] });
    await h.waitForReady(name);
    h.emulator.state.associatePolicy(CLUSTER, principal, { policyArn: arn('AmazonEKSEditPolicy'), accessScope: { type: 'cluster', namespaces: [] } });
    await sleep(RESYNC_MS * 2.5);
    expect(associations(principal)).toEqual([[arn('AmazonEKSEditPolicy'), 'cluster', []]]);
    expect(policyCalls(principal)).toEqual([]);
    expect((await h.get(name))?.status?.accessPolicies).toBeUndefined();
  });

  it('win from the moment of adoption', async () => {
    const name = uniqueName('adopted');
    const principal = role(name);
    h.emulator.state.seedAccessEntry(CLUSTER, { principalArn: principal });
    h.emulator.state.associatePolicy(CLUSTER, principal, { policyArn: arn('AmazonEKSAdminPolicy'), accessScope: { type: 'cluster', namespaces: [] } });
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, adoptExisting: true, accessPolicies: [view('a')] });
    const ready = await h.waitForReady(name);
    expect(ready.status?.adopted).toBe(true);
    expect(associations(principal)).toEqual([[arn('AmazonEKSViewPolicy'), 'namespace', ['a']]]);
    expect(h.entry(principal)?.tags[MANAGED_BY_TAG]).toBe('it-controller');
  });

  it('ride out the moments after create when EKS does not see the new entry yet, never Stalled', async () => {
    h.emulator.state.setAssociationDelay(1_500);
    const name = uniqueName('propagating');
    const principal = role(name);
    try {
      await h.create(name, { clusterName: CLUSTER, principalArn: principal, accessPolicies: [clusterAdmin] });
      await h.waitForCondition(name, 'Reconciling', { status: 'True', reason: Reason.EntryNotYetVisible });
      await h.waitForReady(name, 15_000);
    } finally {
      h.emulator.state.setAssociationDelay(0);
    }
    expect(associations(principal)).toEqual([[arn('AmazonEKSClusterAdminPolicy'), 'cluster', []]]);
    const failures = (await h.events(name)).filter((e) => e.reason === 'Failed');
    expect(failures.every((e) => e.message?.includes('does not see the access entry yet'))).toBe(true);
  });

  it('naming a policy EKS does not offer stall with its ARN in the message', async () => {
    const name = uniqueName('unknown');
    await h.create(name, { clusterName: CLUSTER, principalArn: role(name), accessPolicies: [{ policy: 'AmazonEKSMadeUpPolicy', accessScope: { type: 'cluster' } }] });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.UnknownAccessPolicy });
    expect(Harness.message(stalled, 'Stalled')).toContain(arn('AmazonEKSMadeUpPolicy'));
    expect(Harness.message(stalled, 'Stalled')).toContain('AmazonEKSViewPolicy');
  });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('given by short name resolve to the ARN of the partition of %s', async (region, partition) => {
    const cluster = uniqueName('partition');
    h.emulator.state.createCluster(cluster, { region, authenticationMode: 'API' });
    const name = uniqueName('short');
    const principal = `arn:${partition}:iam::${ACCOUNT}:role/${name}`;
    await h.create(name, { clusterName: cluster, region, principalArn: principal, accessPolicies: [view('a')] });
    await h.waitForReady(name);
    expect(associations(principal, cluster, region)).toEqual([[arn('AmazonEKSViewPolicy', partition), 'namespace', ['a']]]);
  });

  it('are never listed or associated on node entries of any type', async () => {
    const types = ['EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'EC2', 'HYBRID_LINUX', 'HYPERPOD_LINUX'] as const;
    const names = types.map((type) => uniqueName(type.toLowerCase().replace(/_/g, '-')));
    await Promise.all(types.map((type, i) => h.create(names[i]!, { clusterName: CLUSTER, principalArn: role(names[i]!), type })));
    const ready = await Promise.all(names.map((name) => h.waitForReady(name)));
    await sleep(RESYNC_MS * 1.5);
    for (const [i, name] of names.entries()) {
      expect(policyCalls(role(name))).toEqual([]);
      expect(ready[i]?.status?.username).toMatch(/^system:node:/);
    }
  });

  it('in steady state cost one Describe and one List per resync, and no writes', async () => {
    const name = uniqueName('steady');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, accessPolicies: [view('a'), clusterAdmin] });
    await h.waitForReady(name);
    await sleep(RESYNC_MS * 1.5);
    const before = await h.get(name);
    const mark = h.emulator.calls.log().length;
    await sleep(RESYNC_MS * 3.5);
    const calls = h.emulator.calls.log().slice(mark).filter((c) => c.principalArn === principal).map((c) => c.operation);
    const describes = calls.filter((op) => op === 'DescribeAccessEntry').length;
    expect(describes).toBeGreaterThanOrEqual(2);
    expect(calls.filter((op) => op === 'ListAssociatedAccessPolicies')).toHaveLength(describes);
    expect(calls.filter((op) => op !== 'DescribeAccessEntry' && op !== 'ListAssociatedAccessPolicies')).toEqual([]);
    expect((await h.get(name))?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('go with the entry on deletion, without a call of their own', async () => {
    const name = uniqueName('deleted');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, accessPolicies: [clusterAdmin] });
    await h.waitForReady(name);
    const mark = h.emulator.calls.log().length;
    await h.delete(name);
    await h.waitForGone(name);
    expect(h.entry(principal)).toBeUndefined();
    const calls = h.emulator.calls.log().slice(mark).filter((c) => c.principalArn === principal).map((c) => c.operation);
    expect(calls).toEqual(['DescribeAccessEntry', 'DeleteAccessEntry']);
  });
});
