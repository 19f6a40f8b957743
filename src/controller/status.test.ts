import { describe, expect, it } from 'vitest';
import { Reason } from '../api/reasons.ts';
import { nextStatus } from './status.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const facts = { managedTagKeys: ['b', 'a'], adopted: false };
const throttled = { retryable: true, reason: Reason.Throttled, message: 'slow down' };
const denied = { retryable: false, reason: Reason.AccessDenied, message: 'grant eks:CreateAccessEntry' };

function condition(status: ReturnType<typeof nextStatus>, type: string) {
  return status.conditions?.find((c) => c.type === type);
}

describe('nextStatus', () => {
  it('says Reconciling with Ready Unknown before the first EKS call', () => {
    const status = nextStatus(undefined, 1, { kind: 'progressing' }, t0);
    expect(status.observedGeneration).toBe(1);
    expect(condition(status, 'Reconciling')?.status).toBe('True');
    expect(condition(status, 'Ready')?.status).toBe('Unknown');
  });

  it('is Ready without Reconciling or Stalled once in sync', () => {
    const status = nextStatus(nextStatus(undefined, 1, { kind: 'progressing' }, t0), 1, { kind: 'synced', facts }, t1);
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([['Ready', 'True', Reason.Synced]]);
    expect(status.managedTagKeys).toEqual(['a', 'b']);
  });

  it('shows a retryable failure as Reconciling and a terminal one as Stalled', () => {
    const retrying = nextStatus(undefined, 2, { kind: 'failed', failure: throttled, facts }, t0);
    expect(condition(retrying, 'Reconciling')).toMatchObject({ status: 'True', reason: Reason.Throttled });
    expect(condition(retrying, 'Stalled')).toBeUndefined();
    const stalled = nextStatus(retrying, 2, { kind: 'failed', failure: denied, facts }, t1);
    expect(condition(stalled, 'Stalled')).toMatchObject({ status: 'True', reason: Reason.AccessDenied, message: denied.message });
    expect(condition(stalled, 'Reconciling')).toBeUndefined();
    expect(condition(stalled, 'Ready')).toMatchObject({ status: 'False', reason: Reason.AccessDenied });
  });

  it('moves lastTransitionTime only when a condition flips', () => {
    const first = nextStatus(undefined, 1, { kind: 'failed', failure: throttled, facts }, t0);
    const again = nextStatus(first, 1, { kind: 'failed', failure: { ...throttled, reason: Reason.AwsServerError }, facts }, t1);
    expect(condition(again, 'Ready')?.lastTransitionTime).toBe(t0.toISOString());
    const ready = nextStatus(again, 1, { kind: 'synced', facts }, t1);
    expect(condition(ready, 'Ready')?.lastTransitionTime).toBe(t1.toISOString());
  });

  it('is unchanged when nothing changed, so steady state writes nothing', () => {
    const once = nextStatus(undefined, 3, { kind: 'synced', facts }, t0);
    expect(nextStatus(once, 3, { kind: 'synced', facts }, t1)).toEqual(once);
  });
});
