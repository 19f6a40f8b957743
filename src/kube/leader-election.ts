import { randomUUID } from 'node:crypto';
import {
  CoordinationV1Api,
  Observable,
  V1MicroTime,
  type ConfigurationOptions,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { KubeApiError, kubeCall } from './errors.ts';
import { PooledKubeConfig } from './pooled-kubeconfig.ts';

/** client-go's defaults (leaderelection.LeaderElectionConfig, as kube-controller-manager uses them). */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;

const MISSED_DEADLINE = 'could not renew the lease within the renew deadline';

/** What a released Lease records, so that a waiting replica need not sit out the full duration. */
const RELEASED_LEASE_DURATION_SECONDS = 1;

/**
 * The three Lease calls the elector makes. KubeLeaseApi is the real one. Each call must give up
 * when `signal` aborts (the elector also stops waiting for it then).
 */
export interface LeaseApi {
  /** The Lease, or undefined when there is none. */
  get(namespace: string, name: string, signal: AbortSignal): Promise<V1Lease | undefined>;
  /** Creates the Lease named in lease.metadata; fails (409 AlreadyExists) when it exists. */
  create(lease: V1Lease, signal: AbortSignal): Promise<V1Lease>;
  /** Updates the Lease if lease.metadata.resourceVersion is still current; fails (409 Conflict) otherwise. */
  replace(lease: V1Lease, signal: AbortSignal): Promise<V1Lease>;
}

/** Leases through client-node's CoordinationV1Api, on a pooled copy of the given KubeConfig. */
export class KubeLeaseApi implements LeaseApi {
  readonly #api: CoordinationV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.#api = PooledKubeConfig.from(kubeConfig).makeApiClient(CoordinationV1Api);
  }

  async get(namespace: string, name: string, signal: AbortSignal): Promise<V1Lease | undefined> {
    try {
      return await kubeCall(`get lease ${namespace}/${name}`, () => this.#api.readNamespacedLease({ namespace, name }, abortedBy(signal)));
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  create(lease: V1Lease, signal: AbortSignal): Promise<V1Lease> {
    const { namespace = '', name = '' } = lease.metadata ?? {};
    return kubeCall(`create lease ${namespace}/${name}`, () => this.#api.createNamespacedLease({ namespace, body: lease }, abortedBy(signal)));
  }

  replace(lease: V1Lease, signal: AbortSignal): Promise<V1Lease> {
    const { namespace = '', name = '' } = lease.metadata ?? {};
    return kubeCall(`update lease ${namespace}/${name}`, () =>
      this.#api.replaceNamespacedLease({ namespace, name, body: lease }, abortedBy(signal)),
    );
  }
}

/** client-node takes no AbortSignal per call; a middleware can put one on the request it sends. */
function abortedBy(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/** Time as the elector sees it. The system clock is the default; tests drive a fake one. */
export interface Clock {
  /** Milliseconds on a monotonic clock. Every duration the elector measures uses this. */
  now(): number;
  /** Wall-clock time: only written into the Lease (renewTime, acquireTime) for people to read. */
  wallTime(): Date;
  /** Calls `callback` after `ms`; the returned function cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  // Monotonic, so that a wall-clock step (NTP, a VM resumed) cannot stretch or shrink a lease.
  now: () => performance.now(),
  wallTime: () => new Date(),
  setTimer: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** A holder identity unique to this process: `base` (the pod name, say) and a random suffix, as client-go's callers use. */
export function leaderIdentity(base: string): string {
  return `${base}_${randomUUID()}`;
}

export interface LeaderElectorOptions {
  /** The Lease's namespace and name. */
  namespace: string;
  name: string;
  /** Unique to this process (see leaderIdentity): two processes with one identity would both lead. */
  identity: string;
  /** How long others wait, after last seeing the Lease change, before taking it over. Rounded up to whole seconds. */
  leaseDurationMs?: number;
  /** The leader steps down when it has not renewed successfully for this long. Less than leaseDurationMs. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Less than renewDeadlineMs. */
  retryPeriodMs?: number;
  /** This process now leads: it may start acting. */
  onStartedLeading?: () => void;
  /**
   * This process no longer leads: it must stop acting now. isLeader() is already false when this is
   * called. The elector does not campaign again, and stop() does not release the Lease, until the
   * returned promise (if any) has settled.
   */
  onStoppedLeading?: () => void | Promise<void>;
  /** The Lease names a new holder (this process included). Not called for a released, empty holder. */
  onNewLeader?: (identity: string) => void;
  log: Logger;
  clock?: Clock;
}

interface Observed {
  lease: V1Lease | undefined;
  /** The leader-election record (holder, duration, times, transitions) that `at` refers to. */
  record: string;
  /** When (Clock.now) this record was first seen. */
  at: number;
}

type Plan = { kind: 'wait'; expiresAt: number } | { kind: 'lost'; holder: string } | { kind: 'claim'; lease: V1Lease; create: boolean };

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's algorithm:
 *
 * - Every retry period it reads the Lease and, if free, creates it, renews it, or takes it over.
 *   A Lease held by another is free when its holderIdentity is empty (released), or when its
 *   record has not changed for its leaseDurationSeconds as measured by this process's own
 *   monotonic clock since it first saw that record. The Lease's timestamps are never compared with
 *   the local clock, so clock skew between replicas cannot make two leaders.
 * - Every write is an update conditional on the resourceVersion read; a conflict is a failure.
 * - Leadership lasts until renewDeadline after the *sending* of the last successful write. Another
 *   replica can only take over leaseDuration after it *saw* that write, which is later still, and
 *   renewDeadline < leaseDuration: the leader steps down (a timer, whether or not a request is
 *   hanging) before the Lease can be taken over. isLeader() reads the clock itself, so it turns
 *   false on time even if the event loop is too busy for the timer to fire.
 * - stop() steps down, then releases the Lease (empty holder, 1 s duration) so that another
 *   replica takes over within one retry period.
 *
 * Unlike client-go, a follower does not add jitter to the retry period (with a couple of
 * replicas there is no herd to spread), and sleeps only until the moment the holder's lease
 * expires when that is sooner; a leader that finds the Lease held by another steps down at once
 * rather than at its deadline.
 *
 * start() returns at once; the callbacks tell when leadership begins and ends.
 */
export class LeaderElector {
  readonly #api: LeaseApi;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #leaseDurationSeconds: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  /** A hung request should not use up the whole renew deadline (controller-runtime's heuristic). */
  readonly #requestTimeoutMs: number;

  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #observed: Observed | undefined;
  /** Set while leading: the Clock.now after which leadership has lapsed. */
  #leadingUntil: number | undefined;
  #cancelDeadline: (() => void) | undefined;
  /** Bumped when leadership ends: the outcome of a request sent before then is not trusted. */
  #term = 0;
  /** A write naming us was sent and its outcome is unknown: stop() then checks whether it needs releasing. */
  #writeInDoubt = false;
  #request: AbortController | undefined;
  #wake: (() => void) | undefined;
  #stopRequested!: () => void;
  readonly #stopRequest = new Promise<void>((resolve) => (this.#stopRequested = resolve));
  /** Settles once the last onStoppedLeading has. */
  #stoppedLeading: Promise<void> = Promise.resolve();
  #reportedLeader = '';
  #loop: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | undefined;

  constructor(
    api: LeaseApi,
    private readonly options: LeaderElectorOptions,
  ) {
    const leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.#retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    if (!options.identity) throw new Error('leader election needs a non-empty identity');
    if (!(leaseDurationMs > this.#renewDeadlineMs && this.#renewDeadlineMs > this.#retryPeriodMs && this.#retryPeriodMs > 0)) {
      throw new Error(
        `leader election needs leaseDuration > renewDeadline > retryPeriod > 0, got ${leaseDurationMs} ms, ${this.#renewDeadlineMs} ms, ${this.#retryPeriodMs} ms`,
      );
    }
    this.#api = api;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log.child({ lease: `${options.namespace}/${options.name}`, identity: options.identity });
    this.#leaseDurationSeconds = Math.ceil(leaseDurationMs / 1000);
    this.#requestTimeoutMs = Math.min(this.#renewDeadlineMs, Math.max(1_000, this.#renewDeadlineMs / 2));
  }

  get identity(): string {
    return this.options.identity;
  }

  /** True while this process holds the Lease and its last renewal is within the renew deadline. */
  isLeader(): boolean {
    return this.#leadingUntil !== undefined && this.#clock.now() < this.#leadingUntil;
  }

  /** Starts campaigning in the background and returns at once. An elector starts once. */
  start(): void {
    if (this.#state !== 'new') throw new Error('LeaderElector.start() can be called once, before stop()');
    this.#state = 'running';
    this.#loop = this.#run().catch((err: unknown) => this.#log.error({ err }, 'leader election loop failed'));
  }

  /**
   * Steps down at once if leading (isLeader() is false when this returns; onStoppedLeading is
   * called and awaited), then releases the Lease if it holds it, and resolves when that is done.
   * The elector stops renewing now: work that must finish as leader should be finished before.
   * No timer or request of the elector remains afterwards.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async #run(): Promise<void> {
    while (this.#state === 'running') {
      // After losing the lead, campaign again only once the caller has stopped acting.
      await Promise.race([this.#stoppedLeading, this.#stopRequest]);
      if (this.#state !== 'running') return;
      const delay = await this.#attempt();
      if (this.#state !== 'running') return;
      await this.#sleep(delay);
    }
  }

  /** One round: read the Lease, then claim it or wait. Resolves to the delay before the next round. */
  async #attempt(): Promise<number> {
    const term = this.#term;
    const request = new AbortController();
    this.#request = request;
    const cancelTimeout = this.#clock.setTimer(() => request.abort(new Error('lease request timed out')), this.#requestTimeoutMs);
    try {
      return await this.#acquireOrRenew(request.signal, term);
    } catch (err) {
      this.#failed(err, term);
      return this.#retryPeriodMs;
    } finally {
      cancelTimeout();
      if (this.#request === request) this.#request = undefined;
    }
  }

  async #acquireOrRenew(signal: AbortSignal, term: number): Promise<number> {
    const lease = await this.#read(signal);
    if (!this.#current(term)) return this.#retryPeriodMs;
    this.#observe(lease);
    const plan = this.#plan(lease);
    if (plan.kind === 'wait') return Math.min(this.#retryPeriodMs, plan.expiresAt - this.#clock.now());
    if (plan.kind === 'lost') {
      this.#stepDown(`the lease is now held by ${JSON.stringify(plan.holder)}`);
      return this.#retryPeriodMs;
    }
    const sentAt = this.#clock.now();
    await this.#write(plan, signal);
    if (this.#current(term)) this.#renewed(sentAt);
    return this.#retryPeriodMs;
  }

  #read(signal: AbortSignal): Promise<V1Lease | undefined> {
    return untilAborted(this.#api.get(this.options.namespace, this.options.name, signal), signal);
  }

  /**
   * Sends the claim. What the server stored is remembered even when leadership ended meanwhile,
   * so that stop() knows to release it; a write that got no answer is remembered as in doubt.
   */
  async #write(plan: Plan & { kind: 'claim' }, signal: AbortSignal): Promise<void> {
    this.#writeInDoubt = true;
    try {
      this.#observe(await untilAborted(plan.create ? this.#api.create(plan.lease, signal) : this.#api.replace(plan.lease, signal), signal));
      this.#writeInDoubt = false;
    } catch (err) {
      // An answer from the API server (a conflict, say) settles it; a timeout or a broken connection does not.
      if (err instanceof KubeApiError && err.code !== undefined) this.#writeInDoubt = false;
      throw err;
    }
  }

  /**
   * Whether the answer to a request sent in `term` may be acted on. Leadership whose deadline has
   * passed ends here at the latest, before any answer could extend it: isLeader() has been false
   * since the deadline, and must not turn true again without onStoppedLeading in between.
   */
  #current(term: number): boolean {
    if (this.#leadingUntil !== undefined && this.#clock.now() >= this.#leadingUntil) this.#stepDown(MISSED_DEADLINE);
    return term === this.#term && this.#state === 'running';
  }

  #plan(lease: V1Lease | undefined): Plan {
    const spec = lease?.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const ours = holder === this.options.identity;
    if (this.#leadingUntil !== undefined && !ours) return { kind: 'lost', holder };
    if (holder !== '' && !ours) {
      const expiresAt = (this.#observed?.at ?? this.#clock.now()) + this.#recordedDurationSeconds(spec) * 1000;
      if (this.#clock.now() < expiresAt) return { kind: 'wait', expiresAt };
    }
    return { kind: 'claim', lease: this.#claim(lease, ours), create: lease === undefined };
  }

  /** The holder's promise, as it wrote it; ours when it wrote none. */
  #recordedDurationSeconds(spec: V1LeaseSpec): number {
    const seconds = spec.leaseDurationSeconds;
    return seconds !== undefined && seconds > 0 ? seconds : this.#leaseDurationSeconds;
  }

  /** The Lease naming this process, renewed now; acquireTime and leaseTransitions move only when the holder changes. */
  #claim(lease: V1Lease | undefined, ours: boolean): V1Lease {
    const now = new V1MicroTime(this.#clock.wallTime().getTime());
    const spec: V1LeaseSpec = lease?.spec ?? {};
    const transitions = spec.leaseTransitions ?? 0;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: lease?.metadata ?? { namespace: this.options.namespace, name: this.options.name },
      spec: {
        ...spec,
        holderIdentity: this.options.identity,
        leaseDurationSeconds: this.#leaseDurationSeconds,
        acquireTime: ours && spec.acquireTime !== undefined ? spec.acquireTime : now,
        renewTime: now,
        leaseTransitions: lease === undefined || ours ? transitions : transitions + 1,
      },
    };
  }

  /** Remembers the Lease as read or written; its record's age restarts only when the record changed. */
  #observe(lease: V1Lease | undefined): void {
    const record = recordOf(lease);
    if (this.#observed?.record === record) this.#observed.lease = lease;
    else this.#observed = { lease, record, at: this.#clock.now() };
    const holder = lease?.spec?.holderIdentity ?? '';
    if (holder === this.#reportedLeader) return;
    this.#reportedLeader = holder;
    if (holder !== '') {
      this.#log.info({ leader: holder }, 'new leader observed');
      void this.#notify('onNewLeader', () => this.options.onNewLeader?.(holder));
    }
  }

  /** A write naming this process, sent at `sentAt`, succeeded. */
  #renewed(sentAt: number): void {
    const until = sentAt + this.#renewDeadlineMs;
    const remaining = until - this.#clock.now();
    // An answer slower than the renew deadline proves nothing about the time left: not leading on it.
    if (remaining <= 0) return;
    const started = this.#leadingUntil === undefined;
    this.#leadingUntil = until;
    this.#cancelDeadline?.();
    this.#cancelDeadline = this.#clock.setTimer(() => this.#stepDown(MISSED_DEADLINE), remaining);
    if (!started) return;
    this.#log.info('started leading');
    void this.#notify('onStartedLeading', () => this.options.onStartedLeading?.());
  }

  /** Ends leadership now: isLeader() is false before onStoppedLeading is called. */
  #stepDown(reason: string, level: 'info' | 'warn' = 'warn'): void {
    if (this.#leadingUntil === undefined) return;
    this.#leadingUntil = undefined;
    this.#term += 1;
    this.#cancelDeadline?.();
    this.#cancelDeadline = undefined;
    // A renewal in flight belongs to the term that just ended.
    this.#request?.abort(new Error('leadership ended'));
    this.#log[level]({ reason }, 'stopped leading');
    this.#stoppedLeading = this.#notify('onStoppedLeading', () => this.options.onStoppedLeading?.());
  }

  #failed(err: unknown, term: number): void {
    const conflict = err instanceof KubeApiError && err.code === 409;
    const level = term === this.#term && this.#leadingUntil !== undefined && !conflict ? 'warn' : 'debug';
    this.#log[level]({ err: err instanceof Error ? err.message : String(err) }, 'could not acquire or renew the lease');
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.#clock.setTimer(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        cancel();
        this.#wake = undefined;
        resolve();
      };
    });
  }

  async #shutdown(): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    this.#stepDown('stopping', 'info');
    this.#stopRequested();
    this.#request?.abort(new Error('leader election stopping'));
    this.#wake?.();
    await this.#loop;
    // Another replica takes over as soon as the Lease is released: only once the caller has stopped.
    await this.#stoppedLeading;
    if (this.#writeInDoubt || this.#holds(this.#observed?.lease)) await this.#release();
    this.#state = 'stopped';
  }

  /** Hands the Lease over: empty holder, short duration. Tries twice, the second time on a fresh read. */
  async #release(): Promise<void> {
    for (const fresh of [false, true]) {
      const request = new AbortController();
      const cancelTimeout = this.#clock.setTimer(() => request.abort(new Error('lease request timed out')), this.#requestTimeoutMs);
      try {
        if ((await this.#releaseOnce(fresh, request.signal)) === 'done') return;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.#log.warn({ err: message }, 'could not release the lease; another replica takes over when it expires');
        return;
      } finally {
        cancelTimeout();
      }
    }
  }

  async #releaseOnce(fresh: boolean, signal: AbortSignal): Promise<'done' | 'retry'> {
    const known = this.#observed?.lease;
    const lease = !fresh && this.#holds(known) ? known : await this.#read(signal);
    if (lease === undefined || !this.#holds(lease)) return 'done';
    try {
      const renewTime = new V1MicroTime(this.#clock.wallTime().getTime());
      const released = { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: RELEASED_LEASE_DURATION_SECONDS, renewTime } };
      this.#observe(await untilAborted(this.#api.replace(released, signal), signal));
      this.#log.info('released the lease');
      return 'done';
    } catch (err) {
      // Changed since read: perhaps by a write of ours whose answer was lost. Read it again.
      if (!fresh && err instanceof KubeApiError && err.code === 409) return 'retry';
      throw err;
    }
  }

  #holds(lease: V1Lease | undefined): lease is V1Lease {
    return lease?.spec?.holderIdentity === this.options.identity;
  }

  /** Runs a callback; its failure is logged, never thrown or left unhandled. */
  #notify(name: string, callback: () => void | Promise<void>): Promise<void> {
    const failed = (err: unknown): void => this.#log.error({ err, callback: name }, 'leader election callback failed');
    try {
      return Promise.resolve(callback()).catch(failed);
    } catch (err) {
      failed(err);
      return Promise.resolve();
    }
  }
}

/**
 * The part of a Lease that says who holds it and since when, compared to tell whether the holder
 * is still renewing. Times arrive as strings (client-node does not parse MicroTime) or Dates.
 */
function recordOf(lease: V1Lease | undefined): string {
  if (lease === undefined) return '';
  const spec = lease.spec ?? {};
  const stamp = (time: Date | string | undefined): string => (time instanceof Date ? time.toISOString() : (time ?? ''));
  return JSON.stringify([spec.holderIdentity ?? '', spec.leaseDurationSeconds ?? 0, stamp(spec.acquireTime), stamp(spec.renewTime), spec.leaseTransitions ?? 0]);
}

/** `promise`, or a rejection as soon as `signal` aborts, whichever is first; a later rejection of `promise` is swallowed. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
