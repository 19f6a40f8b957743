import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AccessEntry, AccessEntryStatus } from '../api/accessentry.ts';
import { ADOPTED_TAG, FINALIZER, MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import { AwsCallError } from '../eks/errors.ts';
import type { AssociatedPolicy, DesiredEntry, DesiredPolicy, EntryRef, EntryUpdate, ObservedEntry } from '../eks/types.ts';
import type { PrincipalState } from '../iam/directory.ts';
import type { IamPrincipal } from '../iam/principals.ts';
import type { ResourceWriter } from '../kube/access-entry-writer.ts';
import { clientRequestToken } from './converge.ts';
import { Reconciler, type EventSink } from './reconciler.ts';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/dev`;
const DEFAULT_USERNAME = 'eks-default';

function awsError(operation: string, name: string): AwsCallError {
  return new AwsCallError(operation, Object.assign(new Error(name), { name }));
}

/** EKS in a map, keyed by region and principal: just enough behaviour for the reconciler's decisions. */
class FakeGateway implements AccessEntryGateway {
  entries = new Map<string, ObservedEntry>();
  calls: string[] = [];
  failNext: Record<string, string> = {};
  tokens = new Map<string, ObservedEntry>();
  createTokens: string[] = [];
  account = ACCOUNT;

  static key(region: string, principalArn: string): string {
    return `${region}/${principalArn}`;
  }
  entry(region = 'us-east-1'): ObservedEntry | undefined {
    return this.entries.get(FakeGateway.key(region, ROLE));
  }
  seed(entry: Partial<ObservedEntry>, region = 'us-east-1'): void {
    this.entries.set(FakeGateway.key(region, ROLE), {
      accessEntryArn: `arn:aws:eks:${region}:${ACCOUNT}:access-entry/demo/role/${ACCOUNT}/dev/foreign`,
      principalArn: ROLE,
      type: 'STANDARD',
      kubernetesGroups: ['x'],
      username: 'u',
      tags: {},
      ...entry,
    });
  }
  #call(op: string): void {
    this.calls.push(op);
    const name = this.failNext[op];
    if (name) {
      delete this.failNext[op];
      throw awsError(op, name);
    }
  }
  #get(ref: EntryRef): ObservedEntry {
    return this.entries.get(FakeGateway.key(ref.region, ref.principalArn))!;
  }
  async describe(ref: EntryRef) {
    this.#call('DescribeAccessEntry');
    const entry = this.entries.get(FakeGateway.key(ref.region, ref.principalArn));
    return entry && structuredClone(entry);
  }
  async create(desired: DesiredEntry, token: string) {
    this.#call('CreateAccessEntry');
    this.createTokens.push(token);
    const replay = this.tokens.get(token);
    if (replay) return structuredClone(replay);
    const key = FakeGateway.key(desired.region, desired.principalArn);
    if (this.entries.has(key)) throw awsError('CreateAccessEntry', 'ResourceInUseException');
    const entry: ObservedEntry = {
      accessEntryArn: `arn:aws:eks:${desired.region}:${this.account}:access-entry/demo/role/${this.account}/dev/${this.calls.length}`,
      principalArn: desired.principalArn,
      type: desired.type,
      kubernetesGroups: desired.kubernetesGroups,
      username: desired.username ?? DEFAULT_USERNAME,
      tags: { ...desired.tags },
      createdAt: new Date(Date.UTC(2026, 0, 1) + this.calls.length * 1000),
    };
    this.entries.set(key, entry);
    this.tokens.set(token, entry);
    return structuredClone(entry);
  }
  async update(ref: EntryRef, change: EntryUpdate) {
    this.#call('UpdateAccessEntry');
    const entry = this.#get(ref);
    Object.assign(entry, { kubernetesGroups: change.kubernetesGroups, username: change.username ?? DEFAULT_USERNAME });
    return structuredClone(entry);
  }
  async tag(ref: EntryRef, _arn: string, tags: Record<string, string>) {
    this.#call('TagResource');
    Object.assign(this.#get(ref).tags, tags);
  }
  async untag(ref: EntryRef, _arn: string, keys: string[]) {
    this.#call('UntagResource');
    for (const key of keys) delete this.#get(ref).tags[key];
  }
  async delete(ref: EntryRef) {
    this.#call('DeleteAccessEntry');
    return this.entries.delete(FakeGateway.key(ref.region, ref.principalArn)) ? ('deleted' as const) : ('not-found' as const);
  }
  async authenticationMode() {
    this.#call('DescribeCluster');
    return 'CONFIG_MAP';
  }
  async callerAccount() {
    this.#call('GetCallerIdentity');
    return this.account;
  }
  policies = new Map<string, AssociatedPolicy[]>();
  catalogue = ['AmazonEKSViewPolicy', 'AmazonEKSClusterAdminPolicy'].map(policyArn);
  associated(region = 'us-east-1'): AssociatedPolicy[] {
    return this.policies.get(FakeGateway.key(region, ROLE)) ?? [];
  }
  async listAssociatedPolicies(ref: EntryRef) {
    this.#call('ListAssociatedAccessPolicies');
    return structuredClone(this.policies.get(FakeGateway.key(ref.region, ref.principalArn)) ?? []);
  }
  async associatePolicy(ref: EntryRef, policy: DesiredPolicy) {
    this.#call('AssociateAccessPolicy');
    if (!this.catalogue.includes(policy.policyArn)) throw new AwsCallError('AssociateAccessPolicy', Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }), 'eks', policy.policyArn);
    const key = FakeGateway.key(ref.region, ref.principalArn);
    const associated = { ...structuredClone(policy), associatedAt: new Date(0) };
    this.policies.set(key, [...(this.policies.get(key) ?? []).filter((p) => p.policyArn !== policy.policyArn), associated]);
    return associated;
  }
  async disassociatePolicy(ref: EntryRef, arn: string) {
    this.#call('DisassociateAccessPolicy');
    const key = FakeGateway.key(ref.region, ref.principalArn);
    this.policies.set(key, (this.policies.get(key) ?? []).filter((p) => p.policyArn !== arn));
  }
  async availablePolicies() {
    this.#call('ListAccessPolicies');
    return this.catalogue;
  }
}

function policyArn(name: string): string {
  return `arn:aws:eks::aws:cluster-access-policy/${name}`;
}

/** The API server for one resource: applies writes, bumps resourceVersion, answers with the stored object. */
class FakeKube implements ResourceWriter, EventSink {
  statusWrites: AccessEntryStatus[] = [];
  events: string[] = [];
  existing = new Set<string>();
  constructor(
    public resource: AccessEntry,
    private readonly log: string[],
  ) {}
  #stored(): AccessEntry {
    this.resource.metadata.resourceVersion = String(Number(this.resource.metadata.resourceVersion) + 1);
    return structuredClone(this.resource);
  }
  async addFinalizer() {
    this.log.push('addFinalizer');
    this.resource.metadata.finalizers = [...(this.resource.metadata.finalizers ?? []), FINALIZER];
    return this.#stored();
  }
  async removeFinalizer() {
    this.log.push('removeFinalizer');
    this.resource.metadata.finalizers = [];
    return this.#stored();
  }
  /** How many more status writes get through; the ones after fail as if the API server were gone. */
  statusWritesLeft = Infinity;
  async writeStatus(_r: AccessEntry, status: AccessEntryStatus) {
    this.log.push('writeStatus');
    if (this.statusWritesLeft-- <= 0) throw new Error('connect ECONNREFUSED 10.0.0.1:443');
    this.statusWrites.push(structuredClone(status));
    this.resource.status = structuredClone(status);
    return this.#stored();
  }
  async exists(name: string) {
    return this.existing.has(name);
  }
  warnings: string[] = [];
  async emit(_r: AccessEntry, type: string, reason: string, message: string) {
    this.events.push(reason);
    if (type === 'Warning') this.warnings.push(message);
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
  let order: string[];
  let now: Date;
  let defaultRegion: string;
  let drift: string[];
  const reconciler = () =>
    new Reconciler({
      gatewayFor: () => eks,
      clusters: { routesFor: () => [] },
      metrics: { driftCorrected: (field) => drift.push(field), principalRecreated: () => drift.push('principal') },
      writer: kube,
      events: kube,
      identity: { defaultRegion, controllerId: 'test' },
      timing: { resyncMs: 600_000, stalledRetryMs: 300_000, principalGraceMs: 120_000 },
      log: pino({ level: 'silent' }),
      now: () => now,
    });
  const reconcile = () => reconciler().reconcile(structuredClone(kube.resource));
  const condition = (type: string) => kube.resource.status?.conditions?.find((c) => c.type === type);
  const edit = (spec: Partial<AccessEntry['spec']>) => {
    Object.assign(kube.resource.spec, spec);
    kube.resource.metadata.generation! += 1;
  };
  const deleting = () => (kube.resource.metadata.deletionTimestamp = new Date());
  const awsCalls = () => order.filter((step) => /^[A-Z]/.test(step));

  beforeEach(() => {
    order = [];
    eks = new FakeGateway();
    eks.calls = order;
    kube = new FakeKube(resource(), order);
    now = new Date('2026-06-01T00:00:00Z');
    defaultRegion = 'us-east-1';
    drift = [];
  });

  it('creates a missing entry with one EKS call, after the finalizer and a Reconciling status', async () => {
    await expect(reconcile()).resolves.toEqual({ kind: 'requeueAfter', delayMs: 600_000 });
    expect(order).toEqual(['addFinalizer', 'writeStatus', 'CreateAccessEntry', 'writeStatus']);
    expect(kube.statusWrites[0]?.conditions?.map((c) => [c.type, c.status])).toEqual([['Ready', 'Unknown'], ['Reconciling', 'True']]);
    expect(condition('Ready')).toMatchObject({ status: 'True', reason: Reason.Synced });
    expect(kube.resource.status).toMatchObject({ username: DEFAULT_USERNAME, observedGeneration: 1, region: 'us-east-1', accountId: ACCOUNT });
    expect(eks.entry()?.tags).toMatchObject({ team: 'a', [MANAGED_BY_TAG]: 'test', [OWNER_TAG]: 'dev' });
    expect(kube.events).toEqual(['Created']);
  });

  it('in steady state asks STS once, describes once and writes nothing', async () => {
    await reconcile();
    const writes = kube.statusWrites.length;
    order.length = 0;
    await reconcile();
    await reconcile();
    expect(order).toEqual(['GetCallerIdentity', 'DescribeAccessEntry', 'GetCallerIdentity', 'DescribeAccessEntry']);
    expect(kube.statusWrites).toHaveLength(writes);
  });

  it('says Reconciling for every new generation before its first EKS call', async () => {
    await reconcile();
    edit({ kubernetesGroups: ['ops'] });
    order.length = 0;
    await reconcile();
    expect(order.slice(0, 2)).toEqual(['writeStatus', 'GetCallerIdentity']);
    expect(kube.statusWrites.at(-2)).toMatchObject({ observedGeneration: 2, conditions: [{ type: 'Ready', status: 'Unknown', observedGeneration: 2 }, { type: 'Reconciling', status: 'True' }] });
    expect(eks.entry()?.kubernetesGroups).toEqual(['ops']);
  });

  it('corrects drift with complete groups and keeps the username EKS chose', async () => {
    await reconcile();
    eks.entry()!.kubernetesGroups = ['someone-else'];
    order.length = 0;
    await reconcile();
    expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry', 'UpdateAccessEntry']);
    expect(eks.entry()).toMatchObject({ kubernetesGroups: ['dev'], username: DEFAULT_USERNAME });
  });

  it('counts what it puts back as drift, but not what a spec edit changes', async () => {
    await reconcile();
    eks.entry()!.kubernetesGroups = ['cluster-admins'];
    delete eks.entry()!.tags.team;
    await reconcile();
    expect(drift).toEqual(['tags', 'kubernetesGroups']);
    edit({ kubernetesGroups: ['ops'] });
    await reconcile();
    expect(drift).toEqual(['tags', 'kubernetesGroups']);
  });

  it('resets a username it set once the spec drops it, and never diffs it again', async () => {
    kube.resource = resource({ username: 'alice' });
    await reconcile();
    expect(kube.resource.status?.managedUsername).toBe('alice');
    edit({ username: undefined });
    await reconcile();
    expect(eks.entry()?.username).toBe(DEFAULT_USERNAME);
    expect(kube.resource.status?.managedUsername).toBeUndefined();
    expect(kube.resource.status?.assignedUsername).toBe(DEFAULT_USERNAME);
    order.length = 0;
    await reconcile();
    expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry']);
  });

  it('resets a username changed outside Git while spec.username is unset: drift, told as a Warning', async () => {
    await reconcile();
    expect(kube.resource.status?.assignedUsername).toBe(DEFAULT_USERNAME);
    eks.entry()!.username = 'ops-admin';
    order.length = 0;
    kube.events.length = 0;
    await reconcile();
    expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry', 'UpdateAccessEntry']);
    expect(eks.entry()?.username).toBe(DEFAULT_USERNAME);
    expect(drift).toEqual(['username']);
    expect(kube.events).toEqual(['DriftCorrected']);
    expect(kube.warnings.at(-1)).toContain("username reset to EKS's default");
    // EKS's own answer is what later resyncs compare with: no fight over its default.
    order.length = 0;
    await reconcile();
    expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry']);
  });

  it('leaves an entry nobody manages alone and says how to adopt it', async () => {
    eks.seed({});
    await expect(reconcile()).resolves.toEqual({ kind: 'stalled', retryAfterMs: 300_000 });
    expect(awsCalls()).toEqual(['CreateAccessEntry', 'DescribeAccessEntry']);
    expect(condition('Stalled')).toMatchObject({ status: 'True', reason: Reason.NotOwned, message: expect.stringContaining('adoptExisting') });
    expect(kube.resource.status?.accessEntryArn).toBeUndefined();
  });

  it('adopts an existing entry when asked, keeping its foreign tags', async () => {
    eks.seed({ tags: { owner: 'ops' } });
    kube.resource = resource({ adoptExisting: true });
    await reconcile();
    expect(condition('Ready')?.status).toBe('True');
    expect(kube.resource.status).toMatchObject({ adopted: true, managedTagKeys: [OWNER_TAG, MANAGED_BY_TAG, 'team'] });
    expect(eks.entry()).toMatchObject({ kubernetesGroups: ['dev'], tags: { owner: 'ops', team: 'a', [MANAGED_BY_TAG]: 'test', [ADOPTED_TAG]: 'true' } });
    expect(kube.events).toEqual(['Adopted', 'Updated']);
  });

  it('on adoption tags the entry as its own before changing it, so a tag-conditioned IAM policy lets the update through', async () => {
    eks.seed({ kubernetesGroups: ['x'], tags: {} });
    kube.resource.spec.adoptExisting = true;
    await reconcile();
    expect(awsCalls().filter((call) => call === 'TagResource' || call === 'UpdateAccessEntry')).toEqual(['TagResource', 'UpdateAccessEntry']);
    expect(eks.entry()).toMatchObject({ kubernetesGroups: ['dev'], tags: { [MANAGED_BY_TAG]: 'test' } });
  });

  it('never adopts an entry another controller manages, whatever adoptExisting says', async () => {
    eks.seed({ tags: { [MANAGED_BY_TAG]: 'other', [OWNER_TAG]: 'dev' } });
    kube.resource = resource({ adoptExisting: true });
    await reconcile();
    expect(condition('Stalled')).toMatchObject({ reason: Reason.NotOwned, message: expect.stringContaining('controller with id other') });
    expect(awsCalls()).toEqual(['CreateAccessEntry', 'DescribeAccessEntry']);
  });

  it('never adopts across types, and writes nothing on the entry', async () => {
    eks.seed({ kubernetesGroups: ['cluster-admins'] });
    kube.resource = resource({ type: 'EC2_LINUX', kubernetesGroups: [], adoptExisting: true });
    await reconcile();
    expect(condition('Stalled')).toMatchObject({ reason: Reason.TypeMismatch, message: expect.stringContaining('STANDARD access entry') });
    expect(awsCalls()).toEqual(['CreateAccessEntry', 'DescribeAccessEntry']);
    expect(eks.entry()?.tags).toEqual({});
  });

  it('names the AccessEntry that manages the entry only while it exists', async () => {
    eks.seed({ tags: { [MANAGED_BY_TAG]: 'test', [OWNER_TAG]: 'other' } });
    kube.existing.add('other');
    await reconcile();
    expect(condition('Stalled')?.message).toContain('AccessEntry other already manages');
    kube.existing.clear();
    kube.resource.metadata.generation! += 1;
    await reconcile();
    expect(condition('Stalled')?.message).toContain('AccessEntry other, which no longer exists');
    kube.resource.spec.adoptExisting = true;
    kube.resource.metadata.generation! += 1;
    await reconcile();
    expect(condition('Ready')?.status).toBe('True');
    expect(eks.entry()?.tags[OWNER_TAG]).toBe('dev');
  });

  it('re-creates an entry deleted outside the controller, with a fresh request token', async () => {
    await reconcile();
    eks.entries.clear();
    await reconcile();
    expect(eks.entry()).toBeDefined();
    expect(new Set(eks.createTokens).size).toBe(2);
    expect(kube.events).toEqual(['Created', 'Recreated']);
  });

  it('replays a create whose response was lost instead of making a second entry', async () => {
    await reconcile();
    kube.resource.status = undefined; // the status write after the create never happened
    await reconcile();
    expect(eks.createTokens[1]).toBe(eks.createTokens[0]);
    expect(clientRequestToken(kube.resource, ROLE)).not.toBe(eks.createTokens[0]);
    expect(eks.entries.size).toBe(1);
    expect(condition('Ready')?.status).toBe('True');
  });

  it('returns retryable failures for backoff and shows them as Reconciling', async () => {
    eks.failNext.CreateAccessEntry = 'ThrottlingException';
    await expect(reconcile()).resolves.toMatchObject({ kind: 'retry' });
    expect(condition('Reconciling')).toMatchObject({ status: 'True', reason: Reason.Throttled });
    await expect(reconcile()).resolves.toMatchObject({ kind: 'requeueAfter' });
    expect(condition('Reconciling')).toBeUndefined();
  });

  it('records the tags it set even when a later call of the same sync fails', async () => {
    await reconcile();
    edit({ tags: { env: 'prod' } });
    eks.failNext.UntagResource = 'ServerException';
    await reconcile();
    expect(kube.resource.status?.managedTagKeys).toContain('env');
    expect(condition('Reconciling')?.reason).toBe(Reason.AwsServerError);
    await reconcile();
    expect(eks.entry()?.tags).toEqual({ env: 'prod', [MANAGED_BY_TAG]: 'test', [OWNER_TAG]: 'dev' });
  });

  describe('when the status write after EKS calls is lost and the spec changes before the retry', () => {
    const ownTags = { [MANAGED_BY_TAG]: 'test', [OWNER_TAG]: 'dev' };

    it('still removes a tag it set on an existing entry', async () => {
      await reconcile();
      edit({ tags: { team: 'a', cost: 'x' } });
      kube.statusWritesLeft = 1; // the Reconciling write only
      await reconcile();
      expect(eks.entry()?.tags).toEqual({ team: 'a', cost: 'x', ...ownTags });
      kube.statusWritesLeft = Infinity;
      edit({ tags: { team: 'a' } });
      await reconcile();
      expect(eks.entry()?.tags).toEqual({ team: 'a', ...ownTags });
      expect(kube.resource.status?.managedTagKeys).toEqual([MANAGED_BY_TAG, OWNER_TAG, 'team'].sort());
    });

    it('still removes a tag and resets a username it created the entry with', async () => {
      kube.resource.spec.tags = { team: 'a', cost: 'x' };
      kube.resource.spec.username = 'alice';
      kube.statusWritesLeft = 1;
      await reconcile();
      expect(eks.entry()).toMatchObject({ username: 'alice', tags: { team: 'a', cost: 'x', ...ownTags } });
      kube.statusWritesLeft = Infinity;
      edit({ tags: { team: 'a' }, username: undefined });
      await reconcile();
      expect(eks.entry()).toMatchObject({ username: DEFAULT_USERNAME, tags: { team: 'a', ...ownTags } });
      expect(condition('Ready')?.status).toBe('True');
    });

    it('forgets, once in sync, keys it recorded but never set, so a later tag of that key is left alone', async () => {
      await reconcile();
      edit({ tags: { team: 'a', cost: 'x' } });
      eks.failNext.TagResource = 'ServerException';
      await reconcile();
      expect(kube.resource.status?.managedTagKeys).toContain('cost');
      edit({ tags: { team: 'a' } });
      await reconcile();
      expect(kube.resource.status?.managedTagKeys).not.toContain('cost');
      eks.entry()!.tags.cost = 'finance';
      await reconcile();
      expect(eks.entry()?.tags.cost).toBe('finance');
    });
  });

  it('blames IAM propagation for InvalidParameter on create only within the grace', async () => {
    eks.failNext.CreateAccessEntry = 'InvalidParameterException';
    await expect(reconcile()).resolves.toMatchObject({ kind: 'retry' });
    expect(condition('Reconciling')?.reason).toBe(Reason.PrincipalNotYetVisible);
    now = new Date(now.getTime() + 121_000);
    eks.failNext.CreateAccessEntry = 'InvalidParameterException';
    await expect(reconcile()).resolves.toMatchObject({ kind: 'stalled' });
    expect(condition('Stalled')?.reason).toBe(Reason.InvalidParameter);
  });

  it('explains a CONFIG_MAP cluster as Stalled', async () => {
    eks.failNext.CreateAccessEntry = 'InvalidRequestException';
    await reconcile();
    expect(condition('Stalled')).toMatchObject({ reason: Reason.AuthenticationModeConfigMap });
  });

  it('stays with the region it recorded: a changed default region applies to new entries only', async () => {
    await reconcile();
    defaultRegion = 'eu-west-1';
    order.length = 0;
    await reconcile();
    expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry']);
    expect(condition('Ready')?.status).toBe('True');
    expect(eks.entry('eu-west-1')).toBeUndefined();
    // Only a spec.region naming another region is a mismatch.
    edit({ region: 'eu-west-1' });
    order.length = 0;
    await reconcile();
    expect(awsCalls()).toEqual([]);
    expect(condition('Stalled')).toMatchObject({ reason: Reason.RegionMismatch, message: expect.stringContaining('lives in us-east-1') });
    // It is still revoked where it lives.
    deleting();
    await reconcile();
    expect(eks.entry('us-east-1')).toBeUndefined();
    expect(kube.resource.metadata.finalizers).toEqual([]);
  });

  it('stalls a principal of another partition than the default region, before any call', async () => {
    kube.resource.spec.principalArn = `arn:aws-cn:iam::${ACCOUNT}:role/dev`;
    await reconcile();
    expect(awsCalls()).toEqual([]);
    expect(condition('Stalled')).toMatchObject({ reason: Reason.PartitionMismatch, message: expect.stringContaining("default region (--region) us-east-1") });
  });

  it('never manages an entry with credentials of another account', async () => {
    await reconcile();
    eks.account = '999999999999';
    order.length = 0;
    await reconcile();
    expect(awsCalls()).toEqual(['GetCallerIdentity']);
    expect(condition('Stalled')).toMatchObject({ reason: Reason.AccountMismatch, message: expect.stringContaining(`add a ClusterAccess for account ${ACCOUNT}`) });
    expect(condition('Stalled')?.message).not.toContain('999999999999');
  });

  it('writes nothing when its write was fenced off because this replica no longer leads', async () => {
    eks.failNext.CreateAccessEntry = 'NotLeaderError';
    // The finalizer and Reconciling go first (before any EKS call); nothing after the fenced create.
    await expect(reconcile()).resolves.toMatchObject({ kind: 'retry' });
    expect(condition('Ready')?.reason).toBe(Reason.Progressing);
    expect(kube.events).toEqual([]);
  });

  describe('with spec.expiresAt', () => {
    const soon = () => new Date(now.getTime() + 30_000).toISOString();

    it('checks again when the access expires, not at the next resync, then removes the entry and keeps the resource', async () => {
      kube.resource = resource({ expiresAt: soon() });
      await expect(reconcile()).resolves.toEqual({ kind: 'requeueAfter', delayMs: 30_000, due: true });
      expect(eks.entries.size).toBe(1);
      now = new Date(now.getTime() + 30_000);
      order.length = 0;
      await expect(reconcile()).resolves.toMatchObject({ kind: 'requeueAfter' });
      expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry', 'DeleteAccessEntry']);
      expect(eks.entries.size).toBe(0);
      expect(condition('Ready')).toMatchObject({ status: 'False', reason: Reason.Expired });
      expect(condition('Stalled')).toBeUndefined();
      expect(kube.resource.status?.accessEntryArn).toBeUndefined();
      expect(kube.events.at(-1)).toBe('Expired');
      expect(kube.resource.metadata.finalizers).toEqual([FINALIZER]);
    });

    it('never creates an entry for a time already past, and grants it again once moved into the future', async () => {
      kube.resource = resource({ expiresAt: new Date(now.getTime() - 1).toISOString() });
      await reconcile();
      expect(awsCalls().filter((call) => call === 'CreateAccessEntry')).toEqual([]);
      expect(condition('Ready')).toMatchObject({ status: 'False', reason: Reason.Expired });
      edit({ expiresAt: soon() });
      await reconcile();
      expect(eks.entries.size).toBe(1);
      expect(condition('Ready')?.status).toBe('True');
    });

    it('removes only an entry it owns', async () => {
      eks.seed({});
      kube.resource = resource({ expiresAt: new Date(now.getTime() - 1).toISOString() });
      await reconcile();
      expect(eks.entry()?.accessEntryArn).toContain('foreign');
      expect(condition('Ready')).toMatchObject({ reason: Reason.Expired });
    });
  });

  describe('on deletion', () => {
    it('deletes its entry, then releases the finalizer', async () => {
      await reconcile();
      deleting();
      await expect(reconcile()).resolves.toEqual({ kind: 'done' });
      expect(eks.entries.size).toBe(0);
      expect(kube.resource.metadata.finalizers).toEqual([]);
    });

    it('with Retain leaves the entry but hands it back: its ownership tags go', async () => {
      kube.resource = resource({ deletionPolicy: 'Retain' });
      await reconcile();
      deleting();
      order.length = 0;
      await reconcile();
      expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry', 'UntagResource']);
      expect(eks.entry()?.tags).toEqual({ team: 'a' });
      expect(kube.resource.metadata.finalizers).toEqual([]);
      expect(kube.events.at(-1)).toBe('Retained');
    });

    it('hands back an entry it adopted (EKS made it, or someone by hand) instead of deleting it by default', async () => {
      eks.seed({ tags: { owner: 'ops' } });
      kube.resource = resource({ adoptExisting: true });
      await reconcile();
      expect(eks.entry()?.tags[ADOPTED_TAG]).toBe('true');
      // Even a status that lost the adoption (restored from Git, say) cannot turn it into a delete.
      delete kube.resource.status!.adopted;
      deleting();
      order.length = 0;
      await reconcile();
      expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry', 'UntagResource']);
      expect(eks.entry()?.tags).toEqual({ owner: 'ops', team: 'a' });
      expect(kube.resource.metadata.finalizers).toEqual([]);
      expect(kube.events.at(-1)).toBe('Retained');
    });

    it('deletes an adopted entry when deletionPolicy says DeleteEvenIfAdopted', async () => {
      eks.seed({ tags: {} });
      kube.resource = resource({ adoptExisting: true, deletionPolicy: 'DeleteEvenIfAdopted' });
      await reconcile();
      deleting();
      await reconcile();
      expect(eks.entries.size).toBe(0);
      expect(kube.events.at(-1)).toBe('Deleted');
    });

    it('never deletes an entry it does not own', async () => {
      eks.seed({});
      await reconcile();
      deleting();
      await reconcile();
      expect(eks.entry()?.accessEntryArn).toContain('foreign');
      expect(kube.resource.metadata.finalizers).toEqual([]);
    });

    it('keeps the finalizer when the credentials belong to another account than the entry', async () => {
      await reconcile();
      eks.account = '999999999999';
      deleting();
      await expect(reconcile()).resolves.toMatchObject({ kind: 'stalled' });
      expect(kube.resource.metadata.finalizers).toEqual([FINALIZER]);
      expect(condition('Stalled')).toMatchObject({ reason: Reason.AccountMismatch, message: expect.stringContaining('finalizer stays') });
      eks.account = ACCOUNT;
      await reconcile();
      expect(eks.entries.size).toBe(0);
      expect(kube.resource.metadata.finalizers).toEqual([]);
    });

    it('deletes where the entry was recorded, whatever the default region is now', async () => {
      await reconcile();
      defaultRegion = 'eu-west-1';
      deleting();
      await reconcile();
      expect(eks.entry('us-east-1')).toBeUndefined();
      expect(kube.resource.metadata.finalizers).toEqual([]);
    });
  });

  describe('with access policies', () => {
    const view = { policy: 'AmazonEKSViewPolicy', accessScope: { type: 'namespace' as const, namespaces: ['team-b', 'team-a'] } };
    const admin = { policyArn: policyArn('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' as const } };

    it('creates the entry, then associates each policy in the same reconcile, listing nothing', async () => {
      kube.resource = resource({ accessPolicies: [view, admin] });
      await expect(reconcile()).resolves.toMatchObject({ kind: 'requeueAfter' });
      expect(awsCalls()).toEqual(['CreateAccessEntry', 'AssociateAccessPolicy', 'AssociateAccessPolicy']);
      expect(eks.associated().map((p) => [p.policyArn, p.accessScope])).toEqual([
        [policyArn('AmazonEKSViewPolicy'), { type: 'namespace', namespaces: ['team-a', 'team-b'] }],
        [policyArn('AmazonEKSClusterAdminPolicy'), { type: 'cluster', namespaces: [] }],
      ]);
      expect(kube.resource.status).toMatchObject({ policies: 'AmazonEKSClusterAdminPolicy,AmazonEKSViewPolicy' });
      expect(kube.resource.status?.accessPolicies).toHaveLength(2);
      expect(kube.events).toEqual(['Created', 'PolicyAssociated', 'PolicyAssociated']);
    });

    it('in steady state describes and lists once, and writes nothing', async () => {
      kube.resource = resource({ accessPolicies: [view] });
      await reconcile();
      const writes = kube.statusWrites.length;
      order.length = 0;
      await reconcile();
      expect(order).toEqual(['GetCallerIdentity', 'DescribeAccessEntry', 'ListAssociatedAccessPolicies']);
      expect(kube.statusWrites).toHaveLength(writes);
    });

    it('removes an association made outside Git, with a Warning naming it, and restores a narrowed scope', async () => {
      kube.resource = resource({ accessPolicies: [view] });
      await reconcile();
      eks.policies.set(FakeGateway.key('us-east-1', ROLE), [
        { policyArn: policyArn('AmazonEKSViewPolicy'), accessScope: { type: 'cluster', namespaces: [] } },
        { policyArn: policyArn('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster', namespaces: [] } },
      ]);
      order.length = 0;
      await reconcile();
      expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry', 'ListAssociatedAccessPolicies', 'DisassociateAccessPolicy', 'AssociateAccessPolicy']);
      expect(eks.associated()).toEqual([expect.objectContaining({ policyArn: policyArn('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['team-a', 'team-b'] } })]);
      expect(kube.warnings).toEqual([expect.stringContaining('Removed access policy AmazonEKSClusterAdminPolicy (cluster-wide), which was associated outside')]);
    });

    it('leaves associations alone, and never lists them, when the spec omits accessPolicies', async () => {
      await reconcile();
      eks.policies.set(FakeGateway.key('us-east-1', ROLE), [{ policyArn: policyArn('AmazonEKSViewPolicy'), accessScope: { type: 'cluster', namespaces: [] } }]);
      order.length = 0;
      await reconcile();
      expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry']);
      expect(eks.associated()).toHaveLength(1);
      expect(kube.resource.status?.accessPolicies).toBeUndefined();
    });

    it('an empty list removes every association, as a declared set of none', async () => {
      kube.resource = resource({ accessPolicies: [admin] });
      await reconcile();
      edit({ accessPolicies: [] });
      await reconcile();
      expect(eks.associated()).toEqual([]);
      expect(kube.resource.status).toMatchObject({ accessPolicies: [], policies: '' });
      expect(kube.warnings).toEqual([]);
    });

    it('retries, never stalls, while a new entry is not yet visible to association calls', async () => {
      kube.resource = resource({ accessPolicies: [view] });
      eks.failNext.AssociateAccessPolicy = 'ResourceNotFoundException';
      await expect(reconcile()).resolves.toMatchObject({ kind: 'retry' });
      expect(condition('Reconciling')).toMatchObject({ status: 'True', reason: Reason.EntryNotYetVisible });
      expect(kube.resource.status?.accessEntryArn).toBeDefined();
      await expect(reconcile()).resolves.toMatchObject({ kind: 'requeueAfter' });
      expect(eks.associated()).toHaveLength(1);
      expect(awsCalls().filter((c) => c === 'CreateAccessEntry')).toHaveLength(1);
    });

    it('stalls on a policy EKS does not offer, naming its ARN', async () => {
      kube.resource = resource({ accessPolicies: [{ policy: 'AmazonEKSMadeUpPolicy', accessScope: { type: 'cluster' } }] });
      await expect(reconcile()).resolves.toMatchObject({ kind: 'stalled' });
      expect(condition('Stalled')).toMatchObject({ reason: Reason.UnknownAccessPolicy, message: expect.stringContaining(policyArn('AmazonEKSMadeUpPolicy')) });
    });

    it('resolves a short name in the partition of the region', async () => {
      kube.resource = resource({ region: 'cn-north-1', principalArn: `arn:aws-cn:iam::${ACCOUNT}:role/dev`, accessPolicies: [view] });
      eks.catalogue = ['arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'];
      await reconcile();
      expect(eks.policies.get(FakeGateway.key('cn-north-1', `arn:aws-cn:iam::${ACCOUNT}:role/dev`))?.[0]?.policyArn).toBe('arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy');
    });

    it('never lists or associates policies on a node entry', async () => {
      kube.resource = resource({ type: 'EC2_LINUX', kubernetesGroups: [] });
      await reconcile();
      await reconcile();
      expect(awsCalls().filter((c) => c.includes('Polic'))).toEqual([]);
    });
  });
  describe('with IAM', () => {
    const SSO = (suffix: string): string => `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_${suffix}`;
    let principal: PrincipalState;
    let ssoRoles: IamPrincipal[];
    const withIam = () =>
      new Reconciler({
        gatewayFor: () => eks,
        clusters: { routesFor: () => [] },
        metrics: { driftCorrected: (field) => drift.push(field), principalRecreated: () => drift.push('principal') },
        writer: kube,
        events: kube,
        identity: { defaultRegion, controllerId: 'test' },
        timing: { resyncMs: 600_000, stalledRetryMs: 300_000, principalGraceMs: 120_000 },
        log: pino({ level: 'silent' }),
        now: () => now,
        principals: {
          lookup: async () => principal,
          ssoRoles: async () => ({ accountId: ACCOUNT, roles: ssoRoles, listedAt: 0 }),
        },
      }).reconcile(structuredClone(kube.resource));
    const role = (id: string, createDate = new Date('2025-01-01Z'), arn = ROLE): IamPrincipal => ({ arn, id, createDate });

    it('records the id, and heals an entry whose principal was made again: delete, create, Warning, metric; then steady', async () => {
      principal = { kind: 'found', principal: role('AROAFIRST') };
      await withIam();
      expect(kube.resource.status).toMatchObject({ principalArn: ROLE, principalId: 'AROAFIRST' });
      principal = { kind: 'found', principal: role('AROASECOND', new Date('2026-05-01Z')) };
      order.length = 0;
      await expect(withIam()).resolves.toMatchObject({ kind: 'requeueAfter' });
      // Its associations are listed first: the spec leaves them unmanaged, and they come back with it.
      expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry', 'ListAssociatedAccessPolicies', 'DeleteAccessEntry', 'CreateAccessEntry']);
      expect(kube.events.at(-1)).toBe('PrincipalRecreated');
      expect(kube.warnings.at(-1)).toContain('EKS bound the entry to id AROAFIRST');
      expect(drift).toEqual(['principal']);
      expect(kube.resource.status).toMatchObject({ principalId: 'AROASECOND' });
      expect(condition('Ready')).toMatchObject({ status: 'True' });
      expect(eks.entry()?.tags).toMatchObject({ team: 'a', [OWNER_TAG]: 'dev' });
      order.length = 0;
      await withIam();
      expect(awsCalls()).toEqual(['GetCallerIdentity', 'DescribeAccessEntry']);
    });

    it('moves a permission set to its new role: the new entry first, the old one deleted after, one Event', async () => {
      kube.resource = resource({ principalArn: undefined, principal: { ssoPermissionSet: 'Dev' } });
      ssoRoles = [role('AROAOLD', undefined, SSO('00000000000000aa'))];
      await withIam();
      expect(kube.resource.status?.principalArn).toBe(SSO('00000000000000aa'));
      ssoRoles = [role('AROANEW', undefined, SSO('00000000000000bb'))];
      order.length = 0;
      eks.failNext.DeleteAccessEntry = 'ServerException';
      await expect(withIam()).resolves.toMatchObject({ kind: 'retry' });
      expect(kube.resource.status).toMatchObject({ principalArn: SSO('00000000000000bb'), previousPrincipalArn: SSO('00000000000000aa') });
      await withIam();
      expect(awsCalls()).toEqual([
        'GetCallerIdentity', 'DescribeAccessEntry', 'DescribeAccessEntry', 'CreateAccessEntry', 'DeleteAccessEntry',
        'GetCallerIdentity', 'DescribeAccessEntry', 'DescribeAccessEntry', 'DeleteAccessEntry',
      ]);
      expect(kube.resource.status?.previousPrincipalArn).toBeUndefined();
      expect(eks.entries.has(FakeGateway.key('us-east-1', SSO('00000000000000aa')))).toBe(false);
      expect(kube.events.filter((e) => e === 'PermissionSetReprovisioned')).toHaveLength(1);
    });

    it('says a permission set is not provisioned without a call to EKS', async () => {
      kube.resource = resource({ principalArn: undefined, principal: { ssoPermissionSet: 'Dev' } });
      ssoRoles = [];
      await expect(withIam()).resolves.toMatchObject({ kind: 'retry' });
      expect(condition('Ready')).toMatchObject({ status: 'False', reason: Reason.PermissionSetNotProvisioned, message: expect.stringContaining(`account ${ACCOUNT}`) });
      expect(awsCalls()).toEqual([]);
    });
  });
});
