import { describe, expect, it } from 'vitest';
import { Reason } from '../api/reasons.ts';
import type { ObservedEntry } from '../eks/types.ts';
import { nextStatus } from './status.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const ledger = { managedTagKeys: ['b', 'a'], adopted: false };
const entry: ObservedEntry = {
  accessEntryArn: 'arn:aws:eks:eu-west-1:111122223333:access-entry/demo/role/111122223333/dev/abcd',
  principalArn: 'arn:aws:iam::111122223333:role/dev',
  type: 'STANDARD',
  kubernetesGroups: [],
  username: 'dev-user',
  tags: {},
  createdAt: t0,
};
const throttled = { retryable: true, reason: Reason.Throttled, message: 'slow down' };
const denied = { retryable: false, reason: Reason.AccessDenied, message: 'grant eks:CreateAccessEntry' };
const at = (generation: number, now: Date) => ({ generation, now });

function condition(status: ReturnType<typeof nextStatus>, type: string) {
  return status.conditions?.find((c) => c.type === type);
}

describe('nextStatus', () => {
  it('says Reconciling with Ready Unknown before the first EKS call, recording the ledger ahead of it', () => {
    const status = nextStatus(undefined, { kind: 'progressing', ledger: { ...ledger, managedUsername: 'dev-user' } }, at(1, t0));
    expect(status.observedGeneration).toBe(1);
    expect(condition(status, 'Reconciling')?.status).toBe('True');
    expect(condition(status, 'Ready')?.status).toBe('Unknown');
    expect(status).toMatchObject({ managedTagKeys: ['a', 'b'], managedUsername: 'dev-user' });
    expect(status.accessEntryArn).toBeUndefined();
  });

  it('is Ready without Reconciling or Stalled once in sync, and records where the entry lives', () => {
    const status = nextStatus(nextStatus(undefined, { kind: 'progressing', ledger }, at(1, t0)), { kind: 'synced', entry, ledger, policies: null }, at(1, t1));
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([['Ready', 'True', Reason.Synced]]);
    expect(status).toMatchObject({
      managedTagKeys: ['a', 'b'],
      region: 'eu-west-1',
      accountId: '111122223333',
      accessEntryArn: entry.accessEntryArn,
      username: 'dev-user',
      createdAt: t0.toISOString(),
    });
  });

  it('shows a retryable failure as Reconciling and a terminal one as Stalled', () => {
    const retrying = nextStatus(undefined, { kind: 'failed', failure: throttled, ledger }, at(2, t0));
    expect(condition(retrying, 'Reconciling')).toMatchObject({ status: 'True', reason: Reason.Throttled });
    expect(condition(retrying, 'Stalled')).toBeUndefined();
    const stalled = nextStatus(retrying, { kind: 'failed', failure: denied, ledger }, at(2, t1));
    expect(condition(stalled, 'Stalled')).toMatchObject({ status: 'True', reason: Reason.AccessDenied, message: denied.message });
    expect(condition(stalled, 'Reconciling')).toBeUndefined();
    expect(condition(stalled, 'Ready')).toMatchObject({ status: 'False', reason: Reason.AccessDenied });
  });

  it('moves lastTransitionTime only when a condition flips', () => {
    const first = nextStatus(undefined, { kind: 'failed', failure: throttled, ledger }, at(1, t0));
    const again = nextStatus(first, { kind: 'failed', failure: { ...throttled, reason: Reason.AwsServerError }, ledger }, at(1, t1));
    expect(condition(again, 'Ready')?.lastTransitionTime).toBe(t0.toISOString());
    const ready = nextStatus(again, { kind: 'synced', entry, ledger, policies: null }, at(1, t1));
    expect(condition(ready, 'Ready')?.lastTransitionTime).toBe(t1.toISOString());
  });

  it('drops a managed username and the adopted mark once the ledger no longer holds them', () => {
    const before = nextStatus(undefined, { kind: 'synced', entry, ledger: { ...ledger, managedUsername: 'alice', adopted: true }, policies: null }, at(1, t0));
    expect(before).toMatchObject({ managedUsername: 'alice', adopted: true });
    const after = nextStatus(before, { kind: 'synced', entry, ledger, policies: null }, at(2, t1));
    expect(after.managedUsername).toBeUndefined();
    expect(after.adopted).toBeUndefined();
  });

  it('lists the associated policies when they are managed, keeps them when unknown, drops them when unmanaged', () => {
    const view = { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace' as const, namespaces: ['a'] }, associatedAt: t0 };
    const managed = nextStatus(undefined, { kind: 'synced', entry, ledger, policies: [view] }, at(1, t0));
    expect(managed).toMatchObject({
      policies: 'AmazonEKSViewPolicy',
      accessPolicies: [{ policyArn: view.policyArn, accessScope: { type: 'namespace', namespaces: ['a'] }, associatedAt: t0.toISOString() }],
    });
    const unknown = nextStatus(managed, { kind: 'failed', failure: throttled, ledger }, at(1, t1));
    expect(unknown.accessPolicies).toEqual(managed.accessPolicies);
    const unmanaged = nextStatus(managed, { kind: 'synced', entry, ledger, policies: null }, at(2, t1));
    expect(unmanaged).not.toHaveProperty('accessPolicies');
    expect(unmanaged).not.toHaveProperty('policies');
  });

  it('echoes the reconcile request it answered', () => {
    expect(nextStatus(undefined, { kind: 'synced', entry, ledger, policies: null }, { ...at(1, t0), handledRequest: 'now' }).lastHandledReconcileAt).toBe('now');
  });

  it('is unchanged when nothing changed, so steady state writes nothing', () => {
    const once = nextStatus(undefined, { kind: 'synced', entry, ledger, policies: null }, at(3, t0));
    expect(nextStatus(once, { kind: 'synced', entry, ledger, policies: null }, at(3, t1))).toEqual(once);
  });
});
