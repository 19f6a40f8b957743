// The workload: resources applied at the start, then edits, deletes, creates and out-of-band
// drift in EKS at a steady rate; and the foreign entries, seeded once and never touched again.
import { setTimeout as sleep } from 'node:timers/promises';
import { MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import type { AccessEntryRecord, EmulatorState } from '../../src/emulator/index.ts';
import { ACCOUNT, inParallel } from '../workload.ts';
import type { SoakResources } from './kube.ts';
import type { SoakModel, TrackedResource } from './model.ts';
import type { Random } from './random.ts';
import { intruderSpec, newSpec, otherScope, OUT_OF_BAND_TAG_PREFIX, policyArnOf, POLICY_NAMES, randomEdit } from './specs.ts';

/** The id the foreign entries of "another controller" are tagged with. */
export const OTHER_CONTROLLER_ID = 'another-controller';
/** What drift "in the console" sets a username to: never what EKS or a spec would choose. */
export const DRIFTED_USERNAME = 'drifted-user';

export interface WorkloadDeps {
  resources: SoakResources;
  state: EmulatorState;
  clusterName: string;
  model: SoakModel;
  rng: Random;
}

type DriftKind = 'groups' | 'username' | 'tagValue' | 'outOfBandTag' | 'associate' | 'rescope' | 'disassociate';

export class Workload {
  #next = 0;
  #oob = 0;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(private readonly deps: WorkloadDeps) {}

  /** Seeds entries no resource manages: a quarter each tagged by another controller, untagged, a node's, and hand-tagged. */
  seedForeign(count: number): void {
    const { state, clusterName, model } = this.deps;
    for (let i = 0; i < count; i++) {
      const principalArn = `arn:aws:iam::${ACCOUNT}:role/foreign/${this.deps.resources.run}-f${i}`;
      const variant = i % 4;
      const managedBy = variant === 0 ? OTHER_CONTROLLER_ID : undefined;
      if (variant === 2) {
        state.seedAccessEntry(clusterName, { principalArn, type: 'EC2_LINUX' });
      } else {
        state.seedAccessEntry(clusterName, {
          principalArn,
          kubernetesGroups: ['legacy', `group-${i}`],
          ...(variant === 1 ? { username: `legacy-${i}` } : {}),
          tags: managedBy ? { [MANAGED_BY_TAG]: managedBy, [OWNER_TAG]: `theirs-${i}`, team: 'theirs' } : variant === 3 ? { owner: 'console' } : {},
        });
        if (i % 2 === 0) state.associatePolicy(clusterName, principalArn, { policyArn: policyArnOf('AmazonEKSViewPolicy'), accessScope: { type: 'cluster', namespaces: [] } });
        if (i % 3 === 0) state.associatePolicy(clusterName, principalArn, { policyArn: policyArnOf('AmazonEKSEditPolicy'), accessScope: { type: 'namespace', namespaces: ['legacy'] } });
      }
      model.foreign.set(principalArn, { principalArn, seeded: state.getAccessEntry(clusterName, principalArn)!, ...(managedBy ? { managedBy } : {}) });
    }
  }

  /** Applies the first resources and the intruders (on STANDARD foreign entries), 16 at a time. */
  async applyInitial(count: number, intruders: number): Promise<void> {
    await inParallel(Array.from({ length: count }), 16, () => this.#create());
    const targets = [...this.deps.model.foreign.values()].filter((f) => f.seeded.type === 'STANDARD').slice(0, intruders);
    await inParallel(targets, 8, async (foreign, i) => {
      const spec = intruderSpec(this.deps.rng, this.deps.clusterName, foreign.principalArn, foreign.managedBy !== undefined);
      this.deps.model.track(await this.deps.resources.create(`${this.deps.resources.run}-x${i}`, spec), true);
      this.deps.model.count('create:intruder');
    });
  }

  /** Runs `opsPerSecond` operations a second until stop(). */
  start(opsPerSecond: number): void {
    const intervalMs = 1000 / opsPerSecond;
    this.#loop = (async () => {
      while (!this.#stopped) {
        const started = performance.now();
        await this.#operate();
        await sleep(Math.max(0, intervalMs - (performance.now() - started)));
      }
    })();
  }

  /** Resolves once the operation under way is done; idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  async #operate(): Promise<void> {
    const op = this.deps.rng.weighted({ edit: 50, drift: 25, delete: 8, create: 8, intruder: 2 });
    const target = this.#pick(op === 'intruder');
    try {
      if (op === 'create' || target === undefined) await this.#create();
      else if (op === 'drift') await this.#drift(target);
      else if (op === 'delete' || (op === 'intruder' && this.deps.rng.chance(0.3))) await this.#delete(target);
      else await this.#edit(target);
    } catch (err) {
      this.deps.model.workloadErrors.push(`${op} ${target?.name ?? '(new)'}: ${err instanceof Error ? err.message : String(err)}`);
      if (target) await this.#refresh(target);
    }
  }

  #pick(intruder: boolean): TrackedResource | undefined {
    const candidates = this.deps.model.live().filter((r) => r.intruder === intruder);
    return candidates.length === 0 ? undefined : this.deps.rng.pick(candidates);
  }

  async #create(): Promise<void> {
    const { rng, resources, model, clusterName } = this.deps;
    const name = `${resources.run}-r${this.#next++}`;
    const spec = newSpec(rng, clusterName, principalFor(rng, name));
    // Users can be STANDARD entries only.
    if (spec.type === undefined && rng.chance(0.1)) spec.principalArn = `arn:aws:iam::${ACCOUNT}:user/${name}`;
    model.track(await resources.create(name, spec), false);
    model.count('create');
  }

  async #edit(target: TrackedResource): Promise<void> {
    const { kind, patch } = randomEdit(this.deps.rng, target.spec);
    this.deps.model.track(await this.deps.resources.patchSpec(target.name, patch), target.intruder);
    this.deps.model.count(`edit:${kind}`);
  }

  async #delete(target: TrackedResource): Promise<void> {
    const deletionPolicy = target.spec.deletionPolicy ?? 'Delete';
    await this.deps.resources.delete(target.name);
    target.deleted = { deletionPolicy };
    this.deps.model.count(`delete:${target.intruder ? 'intruder' : deletionPolicy}`);
  }

  /** After a failed write: the model follows what the API server has. */
  async #refresh(target: TrackedResource): Promise<void> {
    const stored = await this.deps.resources.get(target.name).catch(() => undefined);
    if (stored === undefined || stored.metadata.deletionTimestamp) target.deleted ??= { deletionPolicy: target.spec.deletionPolicy ?? 'Delete' };
    else this.deps.model.track(stored, target.intruder);
  }

  /** A change made "in the AWS console" to the entry of a live managed resource. */
  async #drift(target: TrackedResource): Promise<void> {
    const { state, clusterName, model } = this.deps;
    const entry = state.getAccessEntry(clusterName, target.principalArn);
    if (entry === undefined) return model.count('drift:skipped (no entry yet)');
    const kind = this.#driftKind(target, entry);
    if (kind === 'username') {
      // Read before the change: a status that records no assigned username yet cannot tell EKS's from ours.
      const stored = await this.deps.resources.get(target.name).catch(() => undefined);
      if (stored?.status?.assignedUsername === undefined) target.usernameDriftedUnrecorded = true;
    }
    applyDrift(state, clusterName, entry, { kind, rng: this.deps.rng, oobKey: `${OUT_OF_BAND_TAG_PREFIX}${this.#oob++}` });
    const after = state.getAccessEntry(clusterName, target.principalArn)!;
    if (kind === 'outOfBandTag') Object.assign(target.outOfBandTags, outOfBandTagsOf(after));
    if (!target.policiesEverDeclared) target.unmanagedAssociations = after.associatedPolicies;
    model.count(`drift:${kind}`);
  }

  #driftKind(target: TrackedResource, entry: AccessEntryRecord): DriftKind {
    const { rng } = this.deps;
    const node = entry.type !== 'STANDARD';
    const weights: Record<DriftKind, number> = {
      groups: node ? 0 : 3,
      username: node ? 0 : 2,
      tagValue: Object.keys(target.spec.tags ?? {}).length > 0 ? 2 : 0,
      outOfBandTag: 1,
      associate: 2,
      rescope: entry.associatedPolicies.length > 0 ? 1 : 0,
      disassociate: entry.associatedPolicies.length > 0 ? 1 : 0,
    };
    return rng.weighted(weights);
  }
}

interface Drift {
  kind: DriftKind;
  rng: Random;
  oobKey: string;
}

function applyDrift(state: EmulatorState, cluster: string, entry: AccessEntryRecord, { kind, rng, oobKey }: Drift): void {
  const principal = entry.principalArn;
  const ownTags = Object.keys(entry.tags).filter((key) => !key.startsWith(OUT_OF_BAND_TAG_PREFIX) && key !== MANAGED_BY_TAG && key !== OWNER_TAG);
  switch (kind) {
    case 'groups':
      state.editAccessEntry(cluster, principal, { kubernetesGroups: ['drifted-by-hand'] });
      return;
    case 'username':
      state.editAccessEntry(cluster, principal, { username: DRIFTED_USERNAME });
      return;
    case 'tagValue':
      state.editAccessEntry(cluster, principal, { tags: { ...entry.tags, [ownTags[0] ?? 'team']: 'drifted' } });
      return;
    case 'outOfBandTag':
      state.editAccessEntry(cluster, principal, { tags: { ...entry.tags, [oobKey]: 'added in the console' } });
      return;
    case 'associate':
      state.associatePolicy(cluster, principal, { policyArn: policyArnOf(rng.pick(POLICY_NAMES)), accessScope: { type: 'cluster', namespaces: [] } });
      return;
    case 'rescope': {
      const policy = rng.pick(entry.associatedPolicies);
      state.associatePolicy(cluster, principal, { policyArn: policy.policyArn, accessScope: otherScope(rng, policy.accessScope) });
      return;
    }
    case 'disassociate':
      state.disassociatePolicy(cluster, principal, rng.pick(entry.associatedPolicies).policyArn);
  }
}

function outOfBandTagsOf(entry: AccessEntryRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(entry.tags).filter(([key]) => key.startsWith(OUT_OF_BAND_TAG_PREFIX)));
}

/** A role, some with a path. */
function principalFor(rng: Random, name: string): string {
  return rng.chance(0.15) ? `arn:aws:iam::${ACCOUNT}:role/teams/soak/${name}` : `arn:aws:iam::${ACCOUNT}:role/${name}`;
}
