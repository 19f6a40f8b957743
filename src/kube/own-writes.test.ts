import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../api/accessentry.ts';
import { compareResourceVersions, OwnWrites } from './own-writes.ts';

function version(resourceVersion: string, change: Partial<AccessEntry['metadata']> = {}, status?: AccessEntry['status']): AccessEntry {
  return {
    apiVersion: 'eksaccess.dev/v1alpha1',
    kind: 'AccessEntry',
    metadata: { name: 'a', uid: 'u1', generation: 1, resourceVersion, finalizers: ['f'], ...change },
    spec: { clusterName: 'demo', principalArn: 'arn:aws:iam::123456789012:role/a' },
    ...(status ? { status } : {}),
  };
}

describe('OwnWrites', () => {
  it('hands out our last write while the cache is older than it', () => {
    const writes = new OwnWrites();
    writes.remember(version('12', {}, { accessEntryArn: 'arn:entry' }));
    expect(writes.freshest(version('10')).status?.accessEntryArn).toBe('arn:entry');
    expect(writes.size).toBe(1);
  });

  it.each<[string, AccessEntry]>([
    ['has the version we wrote', version('12', {}, { accessEntryArn: 'arn:entry' })],
    ['has a later spec edit', version('13', { generation: 2 })],
    ['shows our status and finalizers under a later version', version('14', { labels: { x: 'y' } }, { accessEntryArn: 'arn:entry' })],
    ['holds a new object of the same name', version('15', { uid: 'u2' })],
  ])('hands out the cached copy, and forgets the write, once the cache %s', (_label, cached) => {
    const writes = new OwnWrites();
    writes.remember(version('12', {}, { accessEntryArn: 'arn:entry' }));
    expect(writes.freshest(cached).metadata.resourceVersion).toBe(cached.metadata.resourceVersion);
    expect(writes.size).toBe(0);
  });

  it('lets go of a write as soon as the watch delivers it, not at the next reconcile', () => {
    const writes = new OwnWrites();
    writes.remember(version('12', {}, { accessEntryArn: 'arn:entry' }));
    writes.seen(version('11'));
    expect(writes.size).toBe(1);
    writes.seen(version('12', {}, { accessEntryArn: 'arn:entry' }));
    expect(writes.size).toBe(0);
  });

  it('forgets a write that landed after its object left the watch, so it cannot shadow the object when it comes back', () => {
    const writes = new OwnWrites();
    // The object leaves this shard (a label edit) while a reconcile of it is in flight ...
    writes.watched('deleted', version('12'));
    // ... whose status write lands afterwards, ...
    writes.remember(version('13', {}, { accessEntryArn: 'arn:old' }));
    // ... then another shard manages it, and it comes back with that shard's status.
    const back = version('20', {}, { accessEntryArn: 'arn:new' });
    writes.watched('added', back);
    expect(writes.freshest(back).status?.accessEntryArn).toBe('arn:new');
    expect(writes.size).toBe(0);
  });

  it('takes a newer copy as caught up even when someone else wrote its status since our write', () => {
    const writes = new OwnWrites();
    writes.remember(version('12', {}, { accessEntryArn: 'arn:ours' }));
    writes.seen(version('13', {}, { accessEntryArn: 'arn:theirs' }));
    expect(writes.size).toBe(0);
    writes.remember(version('99', {}, { accessEntryArn: 'arn:ours' }));
    expect(writes.freshest(version('100', {}, { accessEntryArn: 'arn:theirs' })).status?.accessEntryArn).toBe('arn:theirs');
  });

  it.each([
    ['9', '10', -1],
    ['10', '9', 1],
    ['123', '123', 0],
    ['124', '123', 1],
    ['0', '1', undefined],
    ['01', '1', undefined],
    ['abc', '1', undefined],
  ])('compares resource versions %s and %s as integers (KEP-5504)', (a, b, expected) => {
    expect(compareResourceVersions(a, b)).toBe(expected);
  });

  it('hands out copies, so a reconcile cannot change the cache or the memory', () => {
    const writes = new OwnWrites();
    const cached = version('10');
    const copy = writes.freshest(cached);
    copy.metadata.finalizers!.push('mine');
    expect(cached.metadata.finalizers).toEqual(['f']);
  });
});
