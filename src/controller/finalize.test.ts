import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../api/accessentry.ts';
import { ADOPTED_TAG, API_GROUP_VERSION, KIND, MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import type { ObservedEntry } from '../eks/types.ts';
import { releaseDecision, type Located } from './finalize.ts';

const ROLE = 'arn:aws:iam::123456789012:role/dev';
const ref = { region: 'us-east-1', clusterName: 'demo', principalArn: ROLE };

function resource(spec: Partial<AccessEntry['spec']> = {}, adopted?: boolean): AccessEntry {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: KIND,
    metadata: { name: 'dev' },
    spec: { clusterName: 'demo', principalArn: ROLE, ...spec },
    ...(adopted !== undefined ? { status: { adopted } } : {}),
  };
}

function found(tags: Record<string, string>, found: 'own' | 'not-ours' = 'own'): Located {
  const entry: ObservedEntry = { accessEntryArn: 'arn:aws:eks:us-east-1:123456789012:access-entry/demo/role/x', principalArn: ROLE, type: 'STANDARD', kubernetesGroups: [], username: 'u', tags };
  return { ref, found, entry };
}

const own = { [MANAGED_BY_TAG]: 'me', [OWNER_TAG]: 'dev' };

describe('what deleting an AccessEntry does to its entry', () => {
  it.each([
    ['Delete, created here: deleted', {}, found(own), undefined, 'delete'],
    ['Delete, adopted (the tag in EKS says so): handed back', {}, found({ ...own, [ADOPTED_TAG]: 'true' }), undefined, 'hand-back'],
    ['Delete, adopted (the status says so): handed back', {}, found(own), true, 'hand-back'],
    ['DeleteEvenIfAdopted, adopted: deleted', { deletionPolicy: 'DeleteEvenIfAdopted' as const }, found({ ...own, [ADOPTED_TAG]: 'true' }), true, 'delete'],
    ['Retain: handed back', { deletionPolicy: 'Retain' as const }, found(own), undefined, 'hand-back'],
    ['not this resource\'s: left alone', {}, found({}, 'not-ours'), undefined, 'not-ours'],
    ['already gone', {}, { ref, found: 'gone' }, undefined, 'gone'],
  ] as [string, Partial<AccessEntry['spec']>, Located, boolean | undefined, string][])('%s', (...[, spec, located, adopted, kind]) => {
    expect(releaseDecision(resource(spec, adopted), located).kind).toBe(kind);
  });

  it('says why an entry is handed back', () => {
    const decision = releaseDecision(resource(), found({ ...own, [ADOPTED_TAG]: 'true' }));
    expect(decision).toMatchObject({ kind: 'hand-back', why: expect.stringContaining('DeleteEvenIfAdopted would delete it') as string });
    expect(releaseDecision(resource({ deletionPolicy: 'Retain' }), { ref, found: 'gone' })).toEqual({ kind: 'gone', retain: true });
  });
});
