import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../api/accessentry.ts';
import { RECONCILE_REQUESTED_ANNOTATION } from '../api/names.ts';
import { needsReconcile } from './event-filter.ts';

const base: AccessEntry = {
  apiVersion: 'eksaccess.dev/v1alpha1',
  kind: 'AccessEntry',
  metadata: { name: 'a', uid: 'u1', generation: 3, resourceVersion: '10', finalizers: ['eksaccess.dev/finalizer'] },
  spec: { clusterName: 'demo', principalArn: 'arn:aws:iam::123456789012:role/a' },
  status: { observedGeneration: 3 },
};

const modified = (change: (obj: AccessEntry) => void): boolean => {
  const object = structuredClone(base);
  object.metadata.resourceVersion = '11';
  change(object);
  return needsReconcile({ type: 'modified', object, previous: base });
};

describe('needsReconcile', () => {
  it.each(['listed', 'added', 'deleted'] as const)('queues every %s object', (type) => {
    expect(needsReconcile({ type, object: base })).toBe(true);
  });

  it.each<[string, (obj: AccessEntry) => void]>([
    ['a spec change (new generation)', (obj) => (obj.metadata.generation = 4)],
    ['the start of deletion', (obj) => (obj.metadata.deletionTimestamp = new Date())],
    ['an object re-created under the same name', (obj) => (obj.metadata.uid = 'u2')],
    ['a reconcile request', (obj) => (obj.metadata.annotations = { [RECONCILE_REQUESTED_ANNOTATION]: '2026-12-01T10:00:00Z' })],
  ])('queues %s', (_label, change) => {
    expect(modified(change)).toBe(true);
  });

  it.each<[string, (obj: AccessEntry) => void]>([
    ["the controller's own status write", (obj) => (obj.status = { observedGeneration: 3, accessEntryArn: 'arn:x' })],
    ["the controller's own finalizer write", (obj) => (obj.metadata.finalizers = [])],
    ['a label or another annotation', (obj) => (obj.metadata.labels = { team: 'x' })],
  ])('ignores %s', (_label, change) => {
    expect(modified(change)).toBe(false);
  });

  it('ignores a reconcile request it has seen already', () => {
    const previous = structuredClone(base);
    previous.metadata.annotations = { [RECONCILE_REQUESTED_ANNOTATION]: 'once' };
    const object = structuredClone(previous);
    object.status = { observedGeneration: 3, lastHandledReconcileAt: 'once' };
    expect(needsReconcile({ type: 'modified', object, previous })).toBe(false);
  });
});
