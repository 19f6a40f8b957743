import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { AccessEntry, AccessEntryStatus } from '../api/accessentry.ts';
import { FINALIZER } from '../api/names.ts';
import { EventReason, Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import { isEmptyPlan, planChanges, type EntryPlan } from '../eks/diff.ts';
import { EksCallError } from '../eks/errors.ts';
import type { DesiredEntry, EntryRef, ObservedEntry } from '../eks/types.ts';
import { desiredEntry, ownershipOf, type Identity } from './desired.ts';
import { classifyFailure, withPrincipalGrace, type Failure } from './failures.ts';
import { nextStatus, type EntryFacts, type Outcome } from './status.ts';
import type { ReconcileOutcome } from './work-queue.ts';

/** The Kubernetes writes a reconcile makes. */
export interface ResourceWriter {
  addFinalizer(resource: AccessEntry): Promise<void>;
  removeFinalizer(resource: AccessEntry): Promise<void>;
  writeStatus(resource: AccessEntry, status: AccessEntryStatus): Promise<void>;
}

export interface EventSink {
  emit(resource: AccessEntry, type: 'Normal' | 'Warning', reason: EventReason, message: string): Promise<void>;
}

export interface ReconcilerTiming {
  /** How often an in-sync entry is re-checked against EKS, to catch drift made outside Git. */
  resyncMs: number;
  /** How often a Stalled resource is retried, in case the world changed. */
  stalledRetryMs: number;
  /** How long InvalidParameterException on create is blamed on IAM propagation. */
  principalGraceMs: number;
}

export interface ReconcilerDeps {
  gatewayFor(log: Logger): AccessEntryGateway;
  writer: ResourceWriter;
  events: EventSink;
  identity: Identity;
  timing: ReconcilerTiming;
  log: Logger;
  now?: () => Date;
}

/** A failure already explained: an entry owned by someone else, or an AWS error classified once. */
class ReconcileFailure extends Error {
  constructor(
    readonly failure: Failure,
    cause?: unknown,
  ) {
    super(failure.message, { cause });
  }
}

/**
 * Keeps one EKS access entry equal to one AccessEntry resource: guards (deletion, finalizer,
 * early status), then the fewest EKS calls that are correct, then one status write if it changed.
 */
export class Reconciler {
  readonly #now: () => Date;
  /** First time each resource generation failed with InvalidParameterException. */
  readonly #invalidParameterSince = new Map<string, number>();

  constructor(private readonly deps: ReconcilerDeps) {
    this.#now = deps.now ?? ((): Date => new Date());
  }

  async reconcile(resource: AccessEntry): Promise<ReconcileOutcome> {
    const log = this.deps.log.child({ accessEntry: resource.metadata.name, generation: resource.metadata.generation });
    const gateway = this.deps.gatewayFor(log);
    if (resource.metadata.deletionTimestamp) return this.#finalize(resource, gateway, log);

    // The finalizer goes on before anything exists in EKS, so a delete cannot race a create.
    if (!resource.metadata.finalizers?.includes(FINALIZER)) await this.deps.writer.addFinalizer(resource);
    // kstatus reads "no status" as Current: say Reconciling before the first EKS call.
    if (resource.status?.observedGeneration === undefined) {
      resource = await this.#writeStatus(resource, { kind: 'progressing' });
    }

    const desired = desiredEntry(resource, this.deps.identity);
    const facts: EntryFacts = {
      managedTagKeys: [...(resource.status?.managedTagKeys ?? [])],
      adopted: resource.status?.adopted ?? false,
    };
    try {
      const notes = await this.#sync(resource, desired, gateway, facts);
      this.#invalidParameterSince.delete(graceKey(resource));
      await this.#writeStatus(resource, { kind: 'synced', facts });
      for (const note of notes) await this.deps.events.emit(resource, 'Normal', note.reason, note.message);
      if (notes.length > 0) log.info({ changes: notes.map((note) => note.reason) }, 'access entry reconciled');
      return { requeueAfterMs: this.deps.timing.resyncMs };
    } catch (err) {
      const failure = await this.#explain(err, resource, desired, gateway);
      const changed = await this.#writeStatus(resource, { kind: 'failed', failure, facts });
      if (changed !== resource) {
        await this.deps.events.emit(resource, 'Warning', EventReason.Failed, eventMessage(failure));
        log.warn({ reason: failure.reason, awsError: failure.awsError, retryable: failure.retryable }, failure.message);
      }
      if (failure.retryable) throw err;
      return { requeueAfterMs: this.deps.timing.stalledRetryMs };
    }
  }

  /** Brings EKS to `desired`; returns what it changed, for Events. Updates `facts` as it goes. */
  async #sync(
    resource: AccessEntry,
    desired: DesiredEntry,
    gateway: AccessEntryGateway,
    facts: EntryFacts,
  ): Promise<ChangeNote[]> {
    const hadEntry = resource.status?.accessEntryArn !== undefined;
    // A resource without an entry goes straight to create; a conflict then says one exists.
    let observed = hadEntry ? await gateway.describe(desired) : await this.#tryCreate(resource, desired, gateway);
    if (!observed && hadEntry) {
      observed = await this.#tryCreate(resource, desired, gateway);
      if (observed) return this.#created(facts, desired, observed, EventReason.Recreated);
    } else if (observed && !hadEntry) {
      return this.#created(facts, desired, observed, EventReason.Created);
    }
    observed ??= await gateway.describe(desired);
    if (!observed) throw new Error('the access entry was deleted while being created; retrying');

    const notes = this.#claim(resource, observed, facts);
    facts.observed = observed;
    const plan = planChanges(desired, observed, facts.managedTagKeys);
    if (isEmptyPlan(plan)) return notes;
    facts.observed = await this.#apply(desired, observed, plan, gateway, facts);
    return [...notes, { reason: EventReason.Updated, message: describePlan(plan) }];
  }

  /** Undefined when an entry already exists for the principal. */
  async #tryCreate(
    resource: AccessEntry,
    desired: DesiredEntry,
    gateway: AccessEntryGateway,
  ): Promise<ObservedEntry | undefined> {
    try {
      return await gateway.create(desired, clientRequestToken(resource));
    } catch (err) {
      if (err instanceof EksCallError && err.awsName === 'ResourceInUseException') return undefined;
      throw err;
    }
  }

  #created(facts: EntryFacts, desired: DesiredEntry, observed: ObservedEntry, reason: EventReason): ChangeNote[] {
    facts.observed = observed;
    facts.managedTagKeys = Object.keys(desired.tags);
    const verb = reason === EventReason.Recreated ? 'Re-created (it had been deleted outside this controller)' : 'Created';
    return [{ reason, message: `${verb} access entry ${observed.accessEntryArn}` }];
  }

  /** Refuses entries this resource does not own, unless asked to adopt them. */
  #claim(resource: AccessEntry, observed: ObservedEntry, facts: EntryFacts): ChangeNote[] {
    const ownership = ownershipOf(observed, resource, this.deps.identity.controllerId);
    if (ownership.owner === 'this-resource') return [];
    if (ownership.owner === 'other-resource') {
      throw new ReconcileFailure({
        retryable: false,
        reason: Reason.NotOwned,
        message: `AccessEntry ${ownership.name} already manages the entry for ${observed.principalArn}: keep one resource per principal and cluster`,
      });
    }
    if (!resource.spec.adoptExisting) {
      throw new ReconcileFailure({
        retryable: false,
        reason: Reason.NotOwned,
        message:
          `an access entry for ${observed.principalArn} already exists and was not created by this controller; ` +
          'it is left untouched. Set spec.adoptExisting: true to manage it from now on',
      });
    }
    facts.adopted = true;
    return [{ reason: EventReason.Adopted, message: `Adopted existing access entry ${observed.accessEntryArn}` }];
  }

  async #apply(
    ref: EntryRef,
    observed: ObservedEntry,
    plan: EntryPlan,
    gateway: AccessEntryGateway,
    facts: EntryFacts,
  ): Promise<ObservedEntry> {
    const current = plan.update ? await gateway.update(ref, plan.update) : observed;
    if (Object.keys(plan.tagsToSet).length > 0) {
      await gateway.tag(ref, current.accessEntryArn, plan.tagsToSet);
      // Recorded at once, so a later failure cannot orphan tags this controller set.
      facts.managedTagKeys = [...new Set([...facts.managedTagKeys, ...Object.keys(plan.tagsToSet)])];
    }
    if (plan.tagKeysToRemove.length > 0) {
      await gateway.untag(ref, current.accessEntryArn, plan.tagKeysToRemove);
      facts.managedTagKeys = facts.managedTagKeys.filter((key) => !plan.tagKeysToRemove.includes(key));
    }
    const tags = { ...current.tags, ...plan.tagsToSet };
    for (const key of plan.tagKeysToRemove) delete tags[key];
    return { ...current, tags };
  }

  async #finalize(resource: AccessEntry, gateway: AccessEntryGateway, log: Logger): Promise<ReconcileOutcome> {
    if (!resource.metadata.finalizers?.includes(FINALIZER)) return {};
    const desired = desiredEntry(resource, this.deps.identity);
    if (resource.spec.deletionPolicy === 'Retain') {
      await this.deps.writer.removeFinalizer(resource);
      await this.deps.events.emit(resource, 'Normal', EventReason.Retained, 'deletionPolicy is Retain: the EKS access entry was left in place');
      return {};
    }
    try {
      const note = await this.#deleteIfOwned(resource, desired, gateway);
      await this.deps.writer.removeFinalizer(resource);
      await this.deps.events.emit(resource, 'Normal', note.reason, note.message);
      log.info({ result: note.reason }, 'access entry finalized');
      return {};
    } catch (err) {
      const failure = await this.#explain(err, resource, desired, gateway);
      const changed = await this.#writeStatus(resource, { kind: 'deleting', failure });
      if (changed !== resource) await this.deps.events.emit(resource, 'Warning', EventReason.Failed, eventMessage(failure));
      if (failure.retryable) throw err;
      return { requeueAfterMs: this.deps.timing.stalledRetryMs };
    }
  }

  /** Never deletes an entry this resource does not own. */
  async #deleteIfOwned(resource: AccessEntry, desired: DesiredEntry, gateway: AccessEntryGateway): Promise<ChangeNote> {
    let observed: ObservedEntry | undefined;
    try {
      observed = await gateway.describe(desired);
    } catch (err) {
      // A CONFIG_MAP-only cluster cannot hold access entries: nothing of ours is there.
      const failure = await this.#explain(err, resource, desired, gateway);
      // Carries the explanation, so the caller does not look the cluster up a second time.
      if (failure.reason !== Reason.AuthenticationModeConfigMap) throw new ReconcileFailure(failure, err);
    }
    if (!observed) return { reason: EventReason.Deleted, message: 'The access entry was already gone from EKS' };
    if (ownershipOf(observed, resource, this.deps.identity.controllerId).owner !== 'this-resource') {
      return { reason: EventReason.Retained, message: `Left ${observed.accessEntryArn} in place: this resource does not own it` };
    }
    const result = await gateway.delete(desired);
    return { reason: EventReason.Deleted, message: `Deleted access entry ${observed.accessEntryArn} (${result})` };
  }

  async #explain(err: unknown, resource: AccessEntry, ref: EntryRef, gateway: AccessEntryGateway): Promise<Failure> {
    if (err instanceof ReconcileFailure) return err.failure;
    let mode: string | undefined;
    if (err instanceof EksCallError && err.awsName === 'InvalidRequestException') {
      mode = await gateway.authenticationMode(ref).catch(() => undefined);
    }
    const failure = classifyFailure(err, ref, mode);
    if (!(err instanceof EksCallError && err.operation === 'CreateAccessEntry')) return failure;
    const key = graceKey(resource);
    const since = this.#invalidParameterSince.get(key) ?? this.#now().getTime();
    if (failure.reason === Reason.InvalidParameter) this.#invalidParameterSince.set(key, since);
    return withPrincipalGrace(failure, since, this.#now().getTime(), this.deps.timing.principalGraceMs);
  }

  /** Writes the status `outcome` implies if it differs; returns the resource as it now stands. */
  async #writeStatus(resource: AccessEntry, outcome: Outcome): Promise<AccessEntry> {
    const generation = resource.metadata.generation ?? 0;
    const status = nextStatus(resource.status, generation, outcome, this.#now());
    // Key order differs between what we build and what the API server returns: compare by value.
    if (isDeepStrictEqual(status, resource.status)) return resource;
    await this.deps.writer.writeStatus(resource, status);
    return { ...resource, status };
  }
}

interface ChangeNote {
  reason: EventReason;
  message: string;
}

/**
 * Derived from the object, not random as the SDK's default is: a create retried after a lost
 * response carries the same token and EKS answers it without creating a second entry. The
 * createdAt of the entry this resource last had makes a re-create after an out-of-band delete a
 * new request rather than a replay of the first.
 */
export function clientRequestToken(resource: AccessEntry): string {
  const seed = [resource.metadata.uid, resource.metadata.generation, resource.status?.createdAt ?? ''].join('/');
  return createHash('sha256').update(seed).digest('hex').slice(0, 32);
}

function graceKey(resource: AccessEntry): string {
  return `${resource.metadata.uid}/${resource.metadata.generation}`;
}

function describePlan(plan: EntryPlan): string {
  const parts: string[] = [];
  if (plan.update) parts.push(`kubernetesGroups [${plan.update.kubernetesGroups.join(', ')}] and username ${plan.update.username}`);
  const setKeys = Object.keys(plan.tagsToSet);
  if (setKeys.length > 0) parts.push(`tags set: ${setKeys.join(', ')}`);
  if (plan.tagKeysToRemove.length > 0) parts.push(`tags removed: ${plan.tagKeysToRemove.join(', ')}`);
  return `Updated ${parts.join('; ')}`;
}

function eventMessage(failure: Failure): string {
  return failure.awsError ? `${failure.awsError}: ${failure.message}` : failure.message;
}

