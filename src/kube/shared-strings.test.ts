import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../api/accessentry.ts';
import { SharedStrings, shareRepeatedStrings } from './shared-strings.ts';

/** An AccessEntry as the API server sends it once the controller has reconciled it. */
function reconciled(name: string): AccessEntry {
  const username = `arn:aws:sts::123456789012:assumed-role/${name}/{{SessionName}}`;
  return JSON.parse(
    JSON.stringify({
      apiVersion: 'eksaccess.dev/v1alpha1',
      kind: 'AccessEntry',
      metadata: { name, uid: `uid-${name}`, finalizers: ['eksaccess.dev/finalizer'] },
      spec: { clusterName: 'production-eu', principalArn: `arn:aws:iam::123456789012:role/${name}`, kubernetesGroups: ['platform-admins'] },
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'Synced', message: 'The EKS access entry matches the spec', lastTransitionTime: `2026-12-01T10:00:0${name.length}Z` }],
        managedTagKeys: ['eksaccess.dev/access-entry', 'eksaccess.dev/managed-by'],
        accountId: '123456789012',
        region: 'eu-west-1',
        username,
        assignedUsername: username,
      },
    }),
  ) as AccessEntry;
}

describe('SharedStrings', () => {
  it('hands back an equal string, pooling each distinct value once', () => {
    const strings = new SharedStrings();
    expect(strings.share('eksaccess.dev/finalizer')).toBe('eksaccess.dev/finalizer');
    expect(strings.share('eksaccess.dev/finalizer')).toBe('eksaccess.dev/finalizer');
    expect(strings.share(undefined)).toBeUndefined();
    expect(strings.size).toBe(1);
  });

  it('takes no more values past its limit, still handing each back', () => {
    const strings = new SharedStrings(2);
    for (const value of ['a', 'b', 'c', 'd']) expect(strings.share(value)).toBe(value);
    expect(strings.size).toBe(2);
  });
});

describe('shareRepeatedStrings', () => {
  it('leaves every object equal to what it was, with no field added', () => {
    const strings = new SharedStrings();
    for (const object of [reconciled('admins'), { apiVersion: 'v1', kind: 'Thing', metadata: {} }, { metadata: {}, spec: {}, status: { conditions: 'not a list' } }]) {
      const before = structuredClone(object);
      shareRepeatedStrings(object, strings);
      expect(object).toStrictEqual(before);
    }
  });

  it('pools the values objects repeat and none that are their own: names, ARNs, times', () => {
    const strings = new SharedStrings();
    for (const name of ['admins', 'viewers', 'auditors']) shareRepeatedStrings(reconciled(name), strings);
    // apiVersion, kind, finalizer, cluster, group, Ready, True, Synced, message, two tag keys, account, region.
    expect(strings.size).toBe(13);
  });
});
