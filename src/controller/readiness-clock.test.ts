import { describe, expect, it } from 'vitest';
import type { AccessEntry, Condition } from '../api/accessentry.ts';
import { ReadinessClock } from './readiness-clock.ts';
import type { AccessEntryChange } from './watch.ts';

/** An AccessEntry at `generation`, whose status observed `observed` with this Ready status (none: no status). */
function at(generation: number, observed?: number, ready?: Condition['status'], uid = 'u1'): AccessEntry {
  return {
    apiVersion: 'eksaccess.dev/v1alpha1',
    kind: 'AccessEntry',
    metadata: { name: 'a', uid, generation },
    spec: { clusterName: 'demo', principalArn: 'arn:aws:iam::123456789012:role/a' },
    ...(observed === undefined
      ? {}
      : {
          status: {
            observedGeneration: observed,
            ...(ready ? { conditions: [{ type: 'Ready', status: ready, reason: 'r', message: 'm', observedGeneration: observed, lastTransitionTime: '2026-12-01T10:00:00Z' }] } : {}),
          },
        }),
  };
}

function clock(): { readiness: ReadinessClock; observed: number[]; advance: (ms: number) => void } {
  let now = 5_000;
  const observed: number[] = [];
  return { readiness: new ReadinessClock((seconds) => observed.push(seconds), () => now), observed, advance: (ms) => (now += ms) };
}

const modified = (object: AccessEntry): AccessEntryChange => ({ type: 'modified', object, previous: object });

describe('ReadinessClock: time from a new generation to Ready', () => {
  it('times a new resource from the watch event that showed it to the one that shows it Ready', () => {
    const { readiness, observed, advance } = clock();
    readiness.seen({ type: 'added', object: at(1, 0) });
    advance(300);
    readiness.seen(modified(at(1, 1, 'Unknown'))); // the controller's Progressing write
    advance(1_200);
    readiness.seen(modified(at(1, 1, 'True')));
    expect(observed).toEqual([1.5]);
    expect(readiness.waiting).toBe(0);
  });

  it('times a spec change through failures and retries, and counts it once', () => {
    const { readiness, observed, advance } = clock();
    readiness.seen(modified(at(2, 1, 'True')));
    advance(100);
    readiness.seen(modified(at(2, 2, 'False')));
    advance(60_000);
    readiness.seen(modified(at(2, 2, 'True')));
    advance(1_000);
    readiness.seen(modified(at(2, 2, 'False'))); // throttled on a later resync: not a new generation
    readiness.seen(modified(at(2, 2, 'True')));
    expect(observed).toEqual([60.1]);
  });

  it('restarts the clock when a newer generation arrives before the last became Ready', () => {
    const { readiness, observed, advance } = clock();
    readiness.seen(modified(at(2, 1, 'True')));
    advance(5_000);
    readiness.seen(modified(at(3, 2, 'Unknown')));
    advance(2_000);
    readiness.seen(modified(at(3, 3, 'True')));
    expect(observed).toEqual([2]);
  });

  it('does not read the last generation\'s Ready as the new one\'s', () => {
    const { readiness, observed } = clock();
    readiness.seen(modified(at(2, 1, 'True')));
    expect(observed).toEqual([]);
    expect(readiness.waiting).toBe(1);
  });

  it('does not time a generation whose work began in another process (before a restart), nor one already Ready', () => {
    const { readiness, observed, advance } = clock();
    readiness.seen({ type: 'listed', object: at(4, 4, 'False') });
    readiness.seen({ type: 'listed', object: { ...at(5, 5, 'True'), metadata: { name: 'b', uid: 'u2', generation: 5 } } });
    advance(1_000);
    readiness.seen(modified(at(4, 4, 'True')));
    expect(observed).toEqual([]);
    expect(readiness.waiting).toBe(0);
  });

  it('forgets a resource deleted, or being deleted, and one re-created under the same name starts afresh', () => {
    const { readiness, observed, advance } = clock();
    readiness.seen({ type: 'added', object: at(1, 0) });
    readiness.seen(modified({ ...at(2, 1, 'False'), metadata: { name: 'a', uid: 'u1', generation: 2, deletionTimestamp: new Date() } }));
    expect(readiness.waiting).toBe(0);
    readiness.seen({ type: 'added', object: at(1, 0, undefined, 'u2') });
    readiness.seen({ type: 'deleted', object: at(1, 0, undefined, 'u2') });
    expect(readiness.waiting).toBe(0);
    readiness.seen({ type: 'added', object: at(1, 0, undefined, 'u3') });
    advance(400);
    readiness.seen(modified(at(1, 1, 'True', 'u3')));
    expect(observed).toEqual([0.4]);
  });
});
