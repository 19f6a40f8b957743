import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AccessEntry, AccessEntryStatus } from '../api/accessentry.ts';
import { FINALIZER, MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import { EksCallError } from '../eks/errors.ts';
import type { DesiredEntry, EntryRef, ObservedEntry } from '../eks/types.ts';
import { clientRequestToken, Reconciler, type EventSink, type ResourceWriter } from './reconciler.ts';

const ROLE = 'arn:aws:iam::123456789012:role/dev';

function awsError(operation: string, name: string): EksCallError {
  return new EksCallError(operation, Object.assign(new Error(name), { name }));
}

/** EKS in a map: just enough behaviour for the reconciler's decisions. */
class FakeGateway implements AccessEntryGateway {
  entries = new Map<string, ObservedEntry>();
  calls: string[] = [];
  failNext: Record<string, string> = {};
  tokens = new Map<string, ObservedEntry>();
  createTokens: string[] = [];

  #fail(op: string): void {
    this.calls.push(op);
    const name = this.failNext[op];
    if (name) {
      delete this.failNext[op];
      throw awsError(op, name);
    }
  }
  async describe(ref: EntryRef) {
    this.#fail('DescribeAccessEntry');
    return this.entries.get(ref.principalArn);
  }
  async create(desired: DesiredEntry, token: string) {
    this.#fail('CreateAccessEntry');
    this.createTokens.push(token);
    const replay = this.tokens.get(token);
    if (replay) return replay;
    if (this.entries.has(desired.principalArn)) throw awsError('CreateAccessEntry', 'ResourceInUseException');
    const entry: ObservedEntry = {
      accessEntryArn: `arn:entry/${desired.principalArn}/${this.calls.length}`,
      principalArn: desired.principalArn,
      type: desired.type,
      kubernetesGroups: desired.kubernetesGroups,
      username: desired.username ?? 'eks-default',
      tags: { ...desired.tags },
      createdAt: new Date(Date.UTC(2026, 0, 1) + this.calls.length * 1000),
    };
    this.entries.set(desired.principalArn, entry);
    this.tokens.set(token, entry);
    return entry;
  }
  async update(ref: EntryRef, change: { kubernetesGroups: string[]; username: string }) {
    this.#fail('UpdateAccessEntry');
    const entry = { ...this.entries.get(ref.principalArn)!, ...change };
    this.entries.set(ref.principalArn, entry);
    return entry;
  }
  async tag(ref: EntryRef, _arn: string, tags: Record<string, string>) {
    this.#fail('TagResource');
    Object.assign(this.entries.get(ref.principalArn)!.tags, tags);
  }
  async untag(ref: EntryRef, _arn: string, keys: string[]) {
    this.#fail('UntagResource');
    for (const key of keys) delete this.entries.get(ref.principalArn)!.tags[key];
  }
  async delete(ref: EntryRef) {
    this.#fail('DeleteAccessEntry');
    return this.entries.delete(ref.principalArn) ? ('deleted' as const) : ('not-found' as const);
  }
  async authenticationMode() {
    this.#fail('DescribeCluster');
    return 'CONFIG_MAP';
  }
}

/** Applies writes to the resource the test holds, as the API server would. */
class FakeKube implements ResourceWriter, EventSink {
  statusWrites = 0;
  events: string[] = [];
  constructor(public resource: AccessEntry) {}
  async addFinalizer() {
    this.resource.metadata.finalizers = [...(this.resource.metadata.finalizers ?? []), FINALIZER];
  }
  async removeFinalizer() {
    this.resource.metadata.finalizers = [];
  }
  async writeStatus(_r: AccessEntry, status: AccessEntryStatus) {
    this.statusWrites += 1;
    this.resource.status = structuredClone(status);
  }
  async emit(_r: AccessEntry, _type: string, reason: string) {
    this.events.push(reason);
  }
}

function resource(spec: Partial<AccessEntry['spec']> = {}): AccessEntry {
  return {
    apiVersion: 'eksaccess.dev/v1alpha1',
    kind: 'AccessEntry',
    metadata: { name: 'dev', uid: 'uid-1', generation: 1, resourceVersion: '1' },
    spec: { clusterName: 'demo', principalArn: ROLE, kubernetesGroups: ['dev'], tags: { team: 'a' }, ...spec },
  };
}

describe('Reconciler', () => {
  let eks: FakeGateway;
  let kube: FakeKube;
  let reconciler: Reconciler;
  const reconcile = () => reconciler.reconcile(structuredClone(kube.resource));
  const condition = (type: string) => kube.resource.status?.conditions?.find((c) => c.type === type);

  beforeEach(() => {
    eks = new FakeGateway();
    kube = new FakeKube(resource());
    reconciler = new Reconciler({
      gatewayFor: () => eks,
      writer: kube,
      events: kube,
      identity: { defaultRegion: 'us-east-1', controllerId: 'test' },
      timing: { resyncMs: 600_000, stalledRetryMs: 300_000, principalGraceMs: 120_000 },
      log: pino({ level: 'silent' }),
    });
  });

  it('creates a missing entry with one EKS call and reports it Ready', async () => {
    await expect(reconcile()).resolves.toEqual({ requeueAfterMs: 600_000 });
    expect(eks.calls).toEqual(['CreateAccessEntry']);
    expect(kube.resource.metadata.finalizers).toContain(FINALIZER);
    expect(condition('Ready')).toMatchObject({ status: 'True', reason: Reason.Synced });
    expect(kube.resource.status).toMatchObject({ accessEntryArn: expect.any(String), username: 'eks-default', observedGeneration: 1 });
    expect(eks.entries.get(ROLE)?.tags).toMatchObject({ team: 'a', [MANAGED_BY_TAG]: 'test', [OWNER_TAG]: 'dev' });
    expect(kube.events).toEqual(['Created']);
  });

  it('in steady state describes once and writes nothing', async () => {
    await reconcile();
    const writes = kube.statusWrites;
    eks.calls = [];
    await reconcile();
    expect(eks.calls).toEqual(['DescribeAccessEntry']);
    expect(kube.statusWrites).toBe(writes);
  });

  it('corrects drift with complete groups and keeps the username EKS chose', async () => {
    await reconcile();
    eks.entries.get(ROLE)!.kubernetesGroups = ['someone-else'];
    eks.calls = [];
    await reconcile();
    expect(eks.calls).toEqual(['DescribeAccessEntry', 'UpdateAccessEntry']);
    expect(eks.entries.get(ROLE)).toMatchObject({ kubernetesGroups: ['dev'], username: 'eks-default' });
  });

  it('leaves an entry it did not create alone and says how to adopt it', async () => {
    eks.entries.set(ROLE, { accessEntryArn: 'arn:foreign', principalArn: ROLE, type: 'STANDARD', kubernetesGroups: ['x'], username: 'u', tags: {} });
    await expect(reconcile()).resolves.toEqual({ requeueAfterMs: 300_000 });
    expect(eks.calls).toEqual(['CreateAccessEntry', 'DescribeAccessEntry']);
    expect(condition('Stalled')).toMatchObject({ status: 'True', reason: Reason.NotOwned });
    expect(condition('Stalled')?.message).toContain('adoptExisting');
    expect(eks.entries.get(ROLE)?.kubernetesGroups).toEqual(['x']);
  });

  it('adopts an existing entry when asked, keeping its foreign tags', async () => {
    eks.entries.set(ROLE, { accessEntryArn: 'arn:foreign', principalArn: ROLE, type: 'STANDARD', kubernetesGroups: ['x'], username: 'u', tags: { owner: 'ops' } });
    kube.resource = resource({ adoptExisting: true });
    await reconcile();
    expect(condition('Ready')?.status).toBe('True');
    expect(kube.resource.status?.adopted).toBe(true);
    expect(eks.entries.get(ROLE)).toMatchObject({ kubernetesGroups: ['dev'], tags: { owner: 'ops', team: 'a', [MANAGED_BY_TAG]: 'test' } });
    expect(kube.events).toEqual(['Adopted', 'Updated']);
  });

  it('re-creates an entry deleted outside the controller, with a fresh request token', async () => {
    await reconcile();
    eks.entries.clear();
    await reconcile();
    expect(eks.entries.has(ROLE)).toBe(true);
    expect(eks.createTokens).toHaveLength(2);
    expect(new Set(eks.createTokens).size).toBe(2);
    expect(kube.events).toEqual(['Created', 'Recreated']);
  });

  it('replays a create whose response was lost instead of making a second entry', async () => {
    await reconcile();
    kube.resource.status = undefined; // the status write after the create never happened
    await reconcile();
    expect(eks.createTokens[1]).toBe(eks.createTokens[0]);
    expect(clientRequestToken(kube.resource)).not.toBe(eks.createTokens[0]);
    expect(eks.entries.size).toBe(1);
    expect(condition('Ready')?.status).toBe('True');
  });

  it('throws retryable failures for backoff and shows them as Reconciling', async () => {
    eks.failNext.CreateAccessEntry = 'ThrottlingException';
    await expect(reconcile()).rejects.toThrow(/ThrottlingException/);
    expect(condition('Reconciling')).toMatchObject({ status: 'True', reason: Reason.Throttled });
    await reconcile();
    expect(condition('Reconciling')).toBeUndefined();
    expect(condition('Ready')?.status).toBe('True');
  });

  it('explains a CONFIG_MAP cluster as Stalled', async () => {
    eks.failNext.CreateAccessEntry = 'InvalidRequestException';
    await reconcile();
    expect(condition('Stalled')).toMatchObject({ reason: Reason.AuthenticationModeConfigMap });
  });

  it('deletes its entry on deletion, then releases the finalizer', async () => {
    await reconcile();
    kube.resource.metadata.deletionTimestamp = new Date();
    await reconcile();
    expect(eks.entries.size).toBe(0);
    expect(kube.resource.metadata.finalizers).toEqual([]);
  });

  it('keeps the entry with deletionPolicy Retain', async () => {
    kube.resource = resource({ deletionPolicy: 'Retain' });
    await reconcile();
    kube.resource.metadata.deletionTimestamp = new Date();
    eks.calls = [];
    await reconcile();
    expect(eks.calls).toEqual([]);
    expect(eks.entries.size).toBe(1);
    expect(kube.resource.metadata.finalizers).toEqual([]);
  });

  it('never deletes an entry it does not own', async () => {
    eks.entries.set(ROLE, { accessEntryArn: 'arn:foreign', principalArn: ROLE, type: 'STANDARD', kubernetesGroups: [], username: 'u', tags: {} });
    await reconcile();
    kube.resource.metadata.deletionTimestamp = new Date();
    await reconcile();
    expect(eks.entries.get(ROLE)?.accessEntryArn).toBe('arn:foreign');
    expect(kube.resource.metadata.finalizers).toEqual([]);
  });
});
