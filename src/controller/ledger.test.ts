import { describe, expect, it } from 'vitest';
import type { AccessEntry, AccessEntryStatus } from '../api/accessentry.ts';
import { MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import { attemptLedger, ledgerAhead, ledgerOf } from './ledger.ts';
import { nextStatus } from './status.ts';

function resource(generation: number, status: AccessEntryStatus | undefined, spec: Partial<AccessEntry['spec']> = {}): AccessEntry {
  return {
    apiVersion: 'eksaccess.dev/v1alpha1',
    kind: 'AccessEntry',
    metadata: { name: 'dev', generation },
    spec: { clusterName: 'demo', principalArn: 'arn:aws:iam::123456789012:role/dev', ...spec },
    ...(status ? { status } : {}),
  };
}

const settled: AccessEntryStatus = { observedGeneration: 1, managedTagKeys: [MANAGED_BY_TAG, OWNER_TAG, 'old'], assignedUsername: 'eks-default', adopted: true };

describe('the ledger a reconcile works with', () => {
  it('is the status\'s own for a generation already worked on', () => {
    expect(attemptLedger(resource(1, settled, { tags: { team: 'a' } }))).toEqual(ledgerOf(settled));
  });

  it.each([
    ['a new generation', resource(2, settled, { tags: { team: 'a' }, username: 'dev' })],
    ['a new object', resource(1, undefined, { tags: { team: 'a' } })],
  ])('for %s, is what the reconciler records ahead of its calls and then reads back from the status it wrote', (_, r) => {
    // The reconciler writes the Progressing status with ledgerAhead, then plans with ledgerOf(that status).
    const written = nextStatus(r.status, { kind: 'progressing', ledger: ledgerAhead(r) }, { generation: r.metadata.generation ?? 0, now: new Date(0) });
    expect(attemptLedger(r)).toEqual(ledgerOf(written));
  });
});
