import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { AccessEntry } from '../api/accessentry.ts';
import { EventReason, Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import type { DesiredEntry, EntryRef } from '../eks/types.ts';
import type { PrincipalDirectory } from '../iam/directory.ts';
import type { ResourceWriter } from '../kube/access-entry-writer.ts';
import type { DriftField, ReconcilerMetrics } from '../metrics/index.ts';
import type { ChangeNote } from './apply.ts';
import type { ClusterDirectory } from './cluster-directory.ts';
import { converge, type Converged } from './converge.ts';
import { desiredEntry, type Identity } from './desired.ts';
import { reconcileRequest } from './event-filter.ts';
import { eventMessage, explainFailure, resultFor } from './explain.ts';
import { expiresIn, isExpired } from './expiry.ts';
import { classifyFailure, type Failure } from './failures.ts';
import { expireEntry, hasFinalizer, releaseEntry, type FinalizeContext } from './finalize.ts';
import { accountMismatch, isFailure, placeEntry, placeForDeletion, recordedPlace, type PlacementContext } from './place.ts';
import { ledgerAhead, ledgerOf } from './ledger.ts';
import { recordedPrincipalArn, resolvePrincipal } from './principal.ts';
import { DONE, dueAfter, requeueAfter, type ReconcileResult } from './result.ts';
import { nextStatus, type Outcome } from './status.ts';

export type { ResourceWriter } from '../kube/access-entry-writer.ts';

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
  /** The ClusterAccesses: region and credentials per cluster. */
  clusters: Pick<ClusterDirectory, 'routesFor'>;
  writer: ResourceWriter;
  events: EventSink;
  identity: Identity;
  timing: ReconcilerTiming;
  log: Logger;
  now?: () => Date;
  /** Drift corrections and healed principals; none by default. */
  metrics?: ReconcilerMetrics;
  /** What IAM says of principals (ids, SSO roles); none: nothing is checked and permission sets do not resolve. */
  principals?: Pick<PrincipalDirectory, 'lookup' | 'ssoRoles'>;
}

/** Without IAM: every principal unchecked, and no permission set resolves. */
const NO_IAM: Pick<PrincipalDirectory, 'lookup' | 'ssoRoles'> = {
  lookup: () => Promise.resolve({ kind: 'unknown', error: undefined }),
  ssoRoles: () => Promise.reject(new Error('this controller reads no IAM, so it cannot resolve spec.principal')),
};

/** A reconcile's outcome for the status, and what it changed, for Events and the drift metric. */
type Attempt = { outcome: Extract<Outcome, { kind: 'synced' | 'failed' | 'expired' }>; notes: ChangeNote[]; changed: DriftField[] };

/** A failed attempt, with what is known of the entry besides the failure. */
type FailedAttempt = (failure: Failure, known?: Partial<Omit<Attempt['outcome'], 'kind'>>) => Attempt;

/** What turning a converge into an attempt needs beside it. */
interface AttemptContext {
  desired: DesiredEntry;
  gateway: AccessEntryGateway;
  failed: FailedAttempt;
  /** Why IAM was not asked about the principal, for the Ready message. */
  principalNote?: string;
}

/**
 * Keeps one EKS access entry equal to one AccessEntry resource: guards (deletion, finalizer,
 * Reconciling for a new generation), then the fewest EKS calls that are correct, then one
 * status write if it changed. Every path ends in one ReconcileResult; AWS failures are outcomes,
 * not exceptions.
 */
export class Reconciler {
  readonly #now: () => Date;

  constructor(private readonly deps: ReconcilerDeps) {
    this.#now = deps.now ?? ((): Date => new Date());
  }

  async reconcile(resource: AccessEntry): Promise<ReconcileResult> {
    const log = this.deps.log.child({ accessEntry: resource.metadata.name, generation: resource.metadata.generation });
    const gateway = this.deps.gatewayFor(log);
    if (resource.metadata.deletionTimestamp) return this.#finalize(resource, gateway, log);
    let current = resource;
    // A change found while the spec stands still was made outside Git: drift.
    const specUnchanged = resource.status?.observedGeneration === resource.metadata.generation;
    try {
      current = await this.#prepare(current);
      const attempt = isExpired(current, this.#now()) ? await this.#expire(current, gateway) : await this.#attempt(current, gateway);
      if (!specUnchanged) return await this.#conclude(current, attempt, log);
      for (const field of attempt.changed) this.deps.metrics?.driftCorrected(field);
      return await this.#conclude(current, { ...attempt, notes: attempt.notes.map(asDrift) }, log);
    } catch (err) {
      // Only Kubernetes API failures (and bugs) get here: the status may not be writable either.
      const failure = classifyFailure(err, this.#ref(current));
      const attempt: Attempt = { outcome: { kind: 'failed', failure, ledger: ledgerOf(current.status) }, notes: [], changed: [] };
      return this.#conclude(current, attempt, log).catch((writeErr: unknown) => {
        log.warn({ err: writeErr, reason: failure.reason }, failure.message);
        return resultFor(failure, this.deps.timing.stalledRetryMs);
      });
    }
  }

  /** The finalizer goes on before anything exists in EKS, so a delete cannot race a create. */
  async #prepare(resource: AccessEntry): Promise<AccessEntry> {
    const current = hasFinalizer(resource) ? resource : await this.deps.writer.addFinalizer(resource);
    // Every new generation says Reconciling before its first EKS call, so no tool reads the
    // last generation's Ready as this one's (kstatus also reads "no status" as Current).
    if (current.status?.observedGeneration === current.metadata.generation) return current;
    const { principalArn } = current.spec;
    return this.#writeStatus(current, { kind: 'progressing', ledger: ledgerAhead(current), ...(principalArn !== undefined ? { principalArn } : {}) });
  }

  async #attempt(resource: AccessEntry, gateway: AccessEntryGateway): Promise<Attempt> {
    const { identity } = this.deps;
    const ledger = ledgerOf(resource.status);
    const failed: FailedAttempt = (failure, known = {}) => ({
      outcome: { kind: 'failed', failure, ledger, ...known },
      notes: [],
      changed: [],
    });
    const place = placeEntry(resource, this.#placement(resource));
    if (isFailure(place)) return failed(place);
    const state: { desired?: DesiredEntry; principalNote?: string } = {};
    let converged: Converged;
    try {
      const mismatch = place.accountId === undefined ? undefined : accountMismatch(place, await gateway.callerAccount(place));
      if (mismatch) return failed(mismatch);
      // The principal is read in the cluster's account, with the credentials the cluster is reached with.
      const principal = await resolvePrincipal(resource, place, { directory: this.deps.principals ?? NO_IAM, fresh: answersRequest(resource) });
      if (isFailure(principal)) return failed(principal);
      if (principal.state.kind === 'unchecked') state.principalNote = principal.state.reason;
      state.desired = desiredEntry(resource, place, identity.controllerId, principal.arn);
      const deps = { gateway, controllerId: identity.controllerId, exists: (name: string) => this.deps.writer.exists(name) };
      converged = await converge(deps, { resource, desired: state.desired, ledger, principal: principal.state });
    } catch (err) {
      return failed(await this.#explain(err, resource, state.desired ?? this.#ref(resource), gateway));
    }
    return this.#attemptOf(converged, resource, { desired: state.desired, gateway, failed, ...(state.principalNote ? { principalNote: state.principalNote } : {}) });
  }

  /** What the converge came to, as the outcome for the status and what to tell. */
  async #attemptOf(converged: Converged, resource: AccessEntry, { desired, gateway, failed, principalNote }: AttemptContext): Promise<Attempt> {
    if (converged.kind !== 'refused' && converged.applied.healed) this.deps.metrics?.principalRecreated();
    switch (converged.kind) {
      case 'synced': {
        const { entry, ledger: applied, policies, notes, changed, principal } = converged.applied;
        return { outcome: { kind: 'synced', entry, ledger: applied, policies, ...(principal ? { principal } : {}), ...(principalNote ? { principalNote } : {}) }, notes, changed };
      }
      case 'refused':
        return failed(converged.failure);
      case 'interrupted': {
        const { notes, changed, healed: _healed, ...known } = converged.applied;
        return { ...failed(await this.#explain(converged.error, resource, desired, gateway), known), notes, changed };
      }
    }
  }

  /** The access has expired: an entry this resource owns is removed; nothing is ever created. */
  async #expire(resource: AccessEntry, gateway: AccessEntryGateway): Promise<Attempt> {
    const ledger = ledgerOf(resource.status);
    try {
      const note = await expireEntry(resource, this.#releaseContext(resource, gateway));
      return { outcome: { kind: 'expired', expiresAt: resource.spec.expiresAt ?? '', ledger }, notes: note ? [note] : [], changed: [] };
    } catch (err) {
      return { outcome: { kind: 'failed', failure: await this.#explain(err, resource, this.#ref(resource), gateway), ledger }, notes: [], changed: [] };
    }
  }

  /** Writes the status, then tells people what happened: Events for changes, a Warning when a failure is new. */
  async #conclude(resource: AccessEntry, { outcome, notes }: Attempt, log: Logger): Promise<ReconcileResult> {
    // A replica that no longer leads writes nothing at all, Kubernetes included: the leader owns the status now.
    if (outcome.kind === 'failed' && outcome.failure.reason === Reason.NotLeader) return resultFor(outcome.failure, this.deps.timing.stalledRetryMs);
    const written = await this.#writeStatus(resource, outcome);
    // What changed is told also when a later call failed: a removed permission must not go unseen.
    for (const note of notes) await this.deps.events.emit(written, note.warning ? 'Warning' : 'Normal', note.reason, note.message);
    if (notes.length > 0) log.info({ changes: notes.map((note) => note.reason) }, 'access entry reconciled');
    if (outcome.kind === 'synced') {
      // Expiry is acted on within moments of its time, not at the next resync.
      const untilExpiry = expiresIn(resource, this.#now());
      return untilExpiry < this.deps.timing.resyncMs ? dueAfter(Math.max(0, untilExpiry)) : requeueAfter(this.deps.timing.resyncMs);
    }
    if (outcome.kind === 'expired') return requeueAfter(this.deps.timing.resyncMs);
    const { failure } = outcome;
    if (written !== resource) {
      await this.deps.events.emit(written, 'Warning', EventReason.Failed, eventMessage(failure));
      log.warn({ reason: failure.reason, awsError: failure.awsError, retryable: failure.retryable }, failure.message);
    }
    return resultFor(failure, this.deps.timing.stalledRetryMs);
  }

  async #finalize(resource: AccessEntry, gateway: AccessEntryGateway, log: Logger): Promise<ReconcileResult> {
    if (!hasFinalizer(resource)) return DONE;
    try {
      const note = await releaseEntry(resource, this.#releaseContext(resource, gateway));
      const released = await this.deps.writer.removeFinalizer(resource);
      await this.deps.events.emit(released, 'Normal', note.reason, note.message);
      log.info({ result: note.reason }, 'access entry finalized');
      return DONE;
    } catch (err) {
      const failure = await this.#explain(err, resource, this.#ref(resource), gateway);
      if (failure.reason === Reason.NotLeader) return resultFor(failure, this.deps.timing.stalledRetryMs);
      const written = await this.#writeStatus(resource, { kind: 'deleting', failure }).catch(() => resource);
      if (written !== resource) await this.deps.events.emit(written, 'Warning', EventReason.Failed, eventMessage(failure));
      return resultFor(failure, this.deps.timing.stalledRetryMs);
    }
  }

  #explain(err: unknown, resource: AccessEntry, ref: EntryRef, gateway: AccessEntryGateway): Promise<Failure> {
    return explainFailure(err, { status: resource.status, ref, gateway, now: this.#now(), principalGraceMs: this.deps.timing.principalGraceMs });
  }

  /** Writes the status `outcome` implies if it differs; returns the resource as it now stands. */
  async #writeStatus(resource: AccessEntry, outcome: Outcome): Promise<AccessEntry> {
    const request = outcome.kind === 'progressing' ? undefined : reconcileRequest(resource);
    const status = nextStatus(resource.status, outcome, {
      generation: resource.metadata.generation ?? 0,
      now: this.#now(),
      ...(request !== undefined ? { handledRequest: request } : {}),
    });
    // Key order differs between what we build and what the API server returns: compare by value.
    if (isDeepStrictEqual(status, resource.status)) return resource;
    return this.deps.writer.writeStatus(resource, status);
  }

  /** What deletion and expiry need to find the resource's entries. */
  #releaseContext(resource: AccessEntry, gateway: AccessEntryGateway): FinalizeContext {
    const placement = this.#placement(resource);
    const unrecorded = async (): Promise<string | undefined> => {
      const place = placeForDeletion(resource, placement);
      if (resource.spec.principal === undefined || isFailure(place)) return undefined;
      const resolved = await resolvePrincipal(resource, place, { directory: this.deps.principals ?? NO_IAM, fresh: false }).catch(() => undefined);
      return resolved === undefined || isFailure(resolved) ? undefined : resolved.arn;
    };
    return { gateway, controllerId: this.deps.identity.controllerId, placement, now: this.#now(), unrecorded };
  }

  /** What placing this resource's entry depends on besides the resource: settings and its cluster's ClusterAccesses. */
  #placement(resource: AccessEntry): PlacementContext {
    const { defaultRegion, requireClusterAccess } = this.deps.identity;
    return { defaultRegion, routes: this.deps.clusters.routesFor(resource.spec.clusterName), requireClusterAccess: requireClusterAccess ?? false };
  }

  /** Where a failure happened, for its message: where the entry lives, or would be created. */
  #ref(resource: AccessEntry): EntryRef {
    const place = placeEntry(resource, this.#placement(resource));
    const where = { clusterName: resource.spec.clusterName, principalArn: recordedPrincipalArn(resource) ?? '' };
    // The credentials too: a refused AssumeRole of a ClusterAccess's role is explained by them.
    if (!isFailure(place)) return { ...where, region: place.region, ...(place.credentials ? { credentials: place.credentials } : {}) };
    return { ...where, region: recordedPlace(resource.status)?.region ?? resource.spec.region ?? this.deps.identity.defaultRegion };
  }
}

/** Whether this reconcile answers the reconcile-requested annotation: a person asked for a fresh look, IAM included. */
function answersRequest(resource: AccessEntry): boolean {
  const request = reconcileRequest(resource);
  return request !== undefined && request !== resource.status?.lastHandledReconcileAt;
}

/**
 * An update made while the spec stood still undid a change made outside Git: a Warning, since
 * someone changed who gets in (or as whom) without a review.
 */
function asDrift(note: ChangeNote): ChangeNote {
  if (note.reason !== EventReason.Updated) return note;
  return { reason: EventReason.DriftCorrected, warning: true, message: `Reverted a change made outside Git: ${note.message.replace(/^Updated /, '')}` };
}
