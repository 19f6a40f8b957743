import { ApiException, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KubeApiError } from './errors.ts';
import {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  LeaderElector,
  type Clock,
  type LeaderElectorOptions,
  type LeaseApi,
} from './leader-election.ts';

const log = pino({ level: 'silent' });
const NAMESPACE = 'le-ns';
const NAME = 'le-lease';
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const WALL_EPOCH = Date.parse('2030-01-01T00:00:00Z');
/**
 * Timings for the simulations: short ones, for more hand-overs per simulated minute. The
 * integration tests' ones, and ones with a narrow margin, where a request may take longer than
 * the margin between renew deadline and lease duration (the request timeout is then no safety net).
 */
const TIMINGS = [
  { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 },
  { leaseDurationMs: 3_000, renewDeadlineMs: 2_500, retryPeriodMs: 500 },
  { leaseDurationMs: 4_000, renewDeadlineMs: 3_500, retryPeriodMs: 1_000 },
] as const;

/** Lets every promise chain that can settle now do so (a macrotask runs only once microtasks are done). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Virtual time: timers run in order of due time, and promise chains settle after each one. */
class FakeTime {
  now = 0;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; run: () => void }>();

  schedule(run: () => void, ms: number): () => void {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.now + Math.max(0, ms), run });
    return () => this.#timers.delete(id);
  }

  /** Runs what is due up to `end`, calling `afterEach` after every step (and once first). */
  async runUntil(end: number, afterEach: () => void = () => undefined): Promise<void> {
    await settle();
    afterEach();
    for (let next = this.#next(end); next !== undefined; next = this.#next(end)) {
      this.#timers.delete(next.id);
      this.now = next.at;
      next.run();
      await settle();
      afterEach();
    }
    this.now = Math.max(this.now, end);
  }

  advance(ms: number, afterEach?: () => void): Promise<void> {
    return this.runUntil(this.now + ms, afterEach);
  }

  #next(end: number): { id: number; at: number; run: () => void } | undefined {
    let best: { id: number; at: number; run: () => void } | undefined;
    for (const [id, timer] of this.#timers) {
      if (timer.at <= end && (best === undefined || timer.at < best.at)) best = { id, ...timer };
    }
    return best;
  }
}

/**
 * One process's view of time. `frozen` models SIGSTOP or a long GC pause: its timers and the
 * answers to its requests are held, and delivered (late) when it thaws, while its clock runs on.
 * Its monotonic clock has an offset of its own and its wall clock a skew: neither may matter. Its
 * clock may also run a little fast or slow (`rate`), which the margin between renew deadline and
 * lease duration is there to absorb.
 */
class Proc {
  frozen = false;
  pendingTimers = 0;
  readonly #held: (() => void)[] = [];

  constructor(
    readonly time: FakeTime,
    readonly skew: { monotonicMs?: number; wallMs?: number; rate?: number; lateTimerMs?: () => number } = {},
  ) {}

  deliver(callback: () => void): void {
    if (this.frozen) this.#held.push(callback);
    else callback();
  }

  thaw(): void {
    this.frozen = false;
    for (const callback of this.#held.splice(0)) this.time.schedule(callback, 0);
  }

  readonly clock: Clock = {
    now: () => this.time.now * (this.skew.rate ?? 1) + (this.skew.monotonicMs ?? 0),
    wallTime: () => new Date(WALL_EPOCH + this.time.now + (this.skew.wallMs ?? 0)),
    setTimer: (callback, ms) => {
      this.pendingTimers += 1;
      let pending = true;
      const done = (): void => {
        if (pending) this.pendingTimers -= 1;
        pending = false;
      };
      const cancel = this.time.schedule(() => {
        done();
        this.deliver(callback);
      }, ms / (this.skew.rate ?? 1) + (this.skew.lateTimerMs?.() ?? 0));
      return () => {
        done();
        cancel();
      };
    },
  };
}

type Op = 'get' | 'create' | 'replace';
/**
 * How one call goes. The server applies it after `applyMs`; the client hears back `answerMs`
 * later. 'refused' never reaches the server; 'lost' is applied but the client sees a broken
 * connection; 'hang' is applied and never answered; 'conflict' is refused with 409 Conflict, as
 * when another write came between the elector's read and its write. An aborted call rejects at once, but a call
 * already sent is still applied, as a real API server would.
 */
interface Outcome {
  applyMs?: number;
  answerMs?: number;
  fault?: 'refused' | 'lost' | 'hang' | 'conflict';
}
type Behaviour = (op: Op) => Outcome;

const statusError = (action: string, code: number, reason: string): KubeApiError =>
  new KubeApiError(action, new ApiException(code, reason, JSON.stringify({ kind: 'Status', reason, message: `${reason} (fake)` }), {}));
const networkError = (action: string): KubeApiError =>
  new KubeApiError(action, Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }));

/** A fake Lease API: one Lease, optimistic concurrency by resourceVersion, the server's validation of the fields the elector writes. */
class FakeLeases {
  stored: V1Lease | undefined;
  #version = 0;
  readonly calls: string[] = [];
  readonly writes: { at: number; by: string; spec: V1LeaseSpec }[] = [];
  /** Told after every write the server applied, with the spec before and after. */
  onWrite: (before: V1LeaseSpec | undefined, after: V1LeaseSpec) => void = () => undefined;

  constructor(readonly time: FakeTime) {}

  /** A write by someone else: another holder, or a tool editing labels. */
  put(by: string, edit: (lease: V1Lease) => V1Lease): void {
    const base: V1Lease = this.stored ?? { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: NAMESPACE, name: NAME } };
    this.#store(by, edit(structuredClone(base)));
  }

  client(who: string, proc: Proc, behaviour: Behaviour = () => ({})): LeaseApi {
    return {
      get: (_namespace, _name, signal) => this.#call(who, proc, { op: 'get', signal, outcome: behaviour('get') }, () => this.#read()),
      create: (lease, signal) => this.#call(who, proc, { op: 'create', signal, outcome: behaviour('create') }, () => this.#create(who, lease)),
      replace: (lease, signal) => this.#call(who, proc, { op: 'replace', signal, outcome: behaviour('replace') }, () => this.#replace(who, lease)),
    };
  }

  #call<T>(who: string, proc: Proc, call: { op: Op; signal: AbortSignal; outcome: Outcome }, apply: () => T): Promise<T> {
    const { op, signal, outcome } = call;
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      const answer = (settleCall: () => void): void => void this.time.schedule(() => proc.deliver(settleCall), outcome.answerMs ?? 0);
      if (outcome.fault === 'refused') return answer(() => reject(networkError(`${op} lease`)));
      if (outcome.fault === 'conflict') return answer(() => reject(statusError(`${op} lease`, 409, 'Conflict')));
      this.time.schedule(() => {
        let result: { value: T } | { error: Error };
        try {
          result = { value: apply() };
          this.calls.push(`${who} ${op}`);
        } catch (error) {
          result = { error: error as Error };
          this.calls.push(`${who} ${op} ${(error as KubeApiError).code}`);
        }
        if (outcome.fault === 'hang') return;
        if (outcome.fault === 'lost') return answer(() => reject(networkError(`${op} lease`)));
        answer(() => ('value' in result ? resolve(result.value) : reject(result.error)));
      }, outcome.applyMs ?? 0);
    });
  }

  #read(): V1Lease | undefined {
    return this.stored && structuredClone(this.stored);
  }

  #create(who: string, lease: V1Lease): V1Lease {
    if (this.stored) throw statusError('create lease', 409, 'AlreadyExists');
    return this.#store(who, lease);
  }

  #replace(who: string, lease: V1Lease): V1Lease {
    if (!this.stored) throw statusError('update lease', 404, 'NotFound');
    if (lease.metadata?.resourceVersion !== this.stored.metadata?.resourceVersion) throw statusError('update lease', 409, 'Conflict');
    return this.#store(who, lease);
  }

  #store(who: string, lease: V1Lease): V1Lease {
    // Through JSON, as over the wire: times become strings, in the format the elector chose.
    const wire = JSON.parse(JSON.stringify(lease)) as V1Lease;
    validate(wire.spec ?? {});
    const before = this.stored?.spec;
    wire.metadata = { ...wire.metadata, resourceVersion: String(++this.#version) };
    this.stored = wire;
    this.writes.push({ at: this.time.now, by: who, spec: structuredClone(wire.spec ?? {}) });
    this.onWrite(before, wire.spec ?? {});
    return structuredClone(wire);
  }
}

/** What the API server's validation says of a Lease spec, where the elector could get it wrong. */
function validate(spec: V1LeaseSpec): void {
  const problems: string[] = [];
  const seconds = spec.leaseDurationSeconds;
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds <= 0)) problems.push('leaseDurationSeconds must be a positive integer');
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) problems.push('leaseTransitions must be >= 0');
  for (const field of ['acquireTime', 'renewTime'] as const) {
    const value = spec[field] as unknown;
    if (value !== undefined && !(typeof value === 'string' && MICRO_TIME.test(value))) problems.push(`${field} is not a MicroTime: ${JSON.stringify(value)}`);
  }
  if (problems.length > 0) throw statusError('write lease', 422, `Invalid: ${problems.join('; ')}`);
}

interface Participant {
  identity: string;
  proc: Proc;
  elector: LeaderElector;
  /** Callbacks, in order, with the virtual time they came at. */
  events: { at: number; event: string }[];
}

/** Virtual time, one fake Lease API, and electors on it. */
class World {
  readonly time = new FakeTime();
  readonly leases = new FakeLeases(this.time);

  elector(identity: string, options: Partial<LeaderElectorOptions> & { proc?: Proc; behaviour?: Behaviour } = {}): Participant {
    const { proc = new Proc(this.time), behaviour, ...rest } = options;
    const events: Participant['events'] = [];
    const record = (event: string): void => void events.push({ at: this.time.now, event });
    const elector = new LeaderElector(this.leases.client(identity, proc, behaviour), {
      namespace: NAMESPACE,
      name: NAME,
      identity,
      log,
      clock: proc.clock,
      onStartedLeading: () => record('started'),
      onStoppedLeading: () => record('stopped'),
      onNewLeader: (leader) => record(`leader ${leader}`),
      ...rest,
    });
    return { identity, proc, elector, events };
  }

  /** Runs until `end` (virtual ms), calling `check` after every step. */
  at(end: number, check?: () => void): Promise<void> {
    return this.time.runUntil(end, check);
  }

  /** Stops the electors, running virtual time until they have (stop() waits for the fake API's answers). */
  async stop(...participants: Participant[]): Promise<void> {
    let stopped = false;
    const stopping = Promise.all(participants.map((p) => p.elector.stop())).finally(() => (stopped = true));
    while (!stopped) await this.time.advance(10);
    await stopping;
  }

  holder(): string | undefined {
    return this.leases.stored?.spec?.holderIdentity;
  }
}

const held = (holderIdentity: string, extra: V1LeaseSpec = {}) => (lease: V1Lease): V1Lease => ({
  ...lease,
  spec: {
    ...lease.spec,
    holderIdentity,
    leaseDurationSeconds: 15,
    acquireTime: '2030-01-01T00:00:00.000000Z' as unknown as Date,
    renewTime: '2030-01-01T00:00:00.000000Z' as unknown as Date,
    leaseTransitions: 4,
    ...extra,
  },
});
const renewTimeOf = (lease: V1Lease | undefined): string => String(lease?.spec?.renewTime);

describe('LeaderElector: acquiring', () => {
  it('creates the Lease when there is none, with client-go defaults, MicroTimes and no transitions, and leads', async () => {
    const world = new World();
    const a = world.elector('a');
    a.elector.start();
    await world.at(0);

    expect(a.elector.isLeader()).toBe(true);
    expect(a.events).toEqual([
      { at: 0, event: 'leader a' },
      { at: 0, event: 'started' },
    ]);
    const spec = world.leases.stored?.spec;
    expect(spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: DEFAULT_LEASE_DURATION_MS / 1000, leaseTransitions: 0 });
    expect(String(spec?.renewTime)).toMatch(MICRO_TIME);
    expect(spec?.acquireTime).toEqual(spec?.renewTime);
    expect(world.leases.calls).toEqual(['a get', 'a create']);
    await world.stop(a);
  });

  it('has client-go defaults and refuses timings that could make two leaders', () => {
    expect([DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_DEADLINE_MS, DEFAULT_RETRY_PERIOD_MS]).toEqual([15_000, 10_000, 2_000]);
    const api = new FakeLeases(new FakeTime()).client('x', new Proc(new FakeTime()));
    const make = (options: Partial<LeaderElectorOptions>) => () => new LeaderElector(api, { namespace: NAMESPACE, name: NAME, identity: 'x', log, ...options });
    expect(make({ renewDeadlineMs: 15_000 })).toThrow(/leaseDuration > renewDeadline > retryPeriod/);
    expect(make({ retryPeriodMs: 10_000 })).toThrow(/leaseDuration > renewDeadline > retryPeriod/);
    expect(make({ retryPeriodMs: 0 })).toThrow(/leaseDuration > renewDeadline > retryPeriod/);
    expect(make({ identity: '' })).toThrow(/identity/);
    expect(make({})).not.toThrow();
  });

  // The holder's renewTime says nothing to another replica's clock: far in the past (the holder's
  // clock is behind) or in the future (ahead), the Lease is free only a lease duration after this
  // elector first saw its record, and again after every change of it.
  it.each([
    ['in the past', '2000-01-01T00:00:00.000000Z'],
    ['in the future', '2100-01-01T00:00:00.000000Z'],
  ])('waits out a live holder whose renewTime is %s, by its own clock since the record last changed', async (_when, renewTime) => {
    const world = new World();
    world.leases.put('old', held('old', { renewTime: renewTime as unknown as Date }));
    const b = world.elector('b');
    b.elector.start();

    await world.at(7_000);
    world.leases.put('old', held('old', { renewTime: '2030-01-01T00:00:07.000000Z' as unknown as Date })); // the holder renews
    await world.at(22_999);
    expect(b.elector.isLeader()).toBe(false);
    expect(world.holder()).toBe('old');
    expect(world.leases.calls.filter((call) => call.startsWith('b') && !call.startsWith('b get'))).toEqual([]);

    // b polled at 8 s and saw the renewal: free at 8 + 15 s, and b tries at exactly that moment.
    await world.at(23_000);
    expect(b.elector.isLeader()).toBe(true);
    expect(world.leases.stored?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 5 });
    expect(String(world.leases.stored?.spec?.acquireTime)).toBe(String(world.leases.stored?.spec?.renewTime));
    expect(b.events).toEqual([
      { at: 0, event: 'leader old' },
      { at: 23_000, event: 'leader b' },
      { at: 23_000, event: 'started' },
    ]);
    await world.stop(b);
  });

  it('takes over an expired holder after the leaseDurationSeconds the Lease records, not its own', async () => {
    const world = new World();
    world.leases.put('old', held('old', { leaseDurationSeconds: 4 }));
    const b = world.elector('b');
    b.elector.start();
    await world.at(3_999);
    expect(b.elector.isLeader()).toBe(false);
    await world.at(4_000);
    expect(b.elector.isLeader()).toBe(true);
    expect(world.leases.stored?.spec).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 15, leaseTransitions: 5 });
    await world.stop(b);
  });

  it('takes a released Lease (empty holderIdentity) at once', async () => {
    const world = new World();
    world.leases.put('old', held('', { leaseDurationSeconds: 1 }));
    const b = world.elector('b');
    b.elector.start();
    await world.at(0);
    expect(b.elector.isLeader()).toBe(true);
    expect(world.leases.stored?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 5 });
    expect(b.events.map((e) => e.event)).toEqual(['leader b', 'started']);
    await world.stop(b);
  });
});

describe('LeaderElector: renewing and losing the lead', () => {
  it('renews every retry period, keeping acquireTime and leaseTransitions', async () => {
    const world = new World();
    const a = world.elector('a');
    a.elector.start();
    await world.at(0);
    const acquired = world.leases.stored?.spec;
    await world.at(10_000);

    const renewals = world.leases.writes.filter((w) => w.by === 'a');
    expect(renewals.map((w) => w.at)).toEqual([0, 2_000, 4_000, 6_000, 8_000, 10_000]);
    expect(new Set(renewals.map((w) => String(w.spec.renewTime))).size).toBe(6);
    for (const w of renewals) expect(w.spec).toMatchObject({ holderIdentity: 'a', acquireTime: acquired?.acquireTime, leaseTransitions: 0 });
    expect(a.events.map((e) => e.event)).toEqual(['leader a', 'started']);
    expect(a.elector.isLeader()).toBe(true);
    await world.stop(a);
  });

  // Renewals succeed until 4 s, then fail (refused, hanging or in conflict) from 5 s on. The last
  // successful renewal was sent at 4 s: a steps down at 4 + 10 s exactly. b, which saw that renewal
  // at 4.5 s, may take over only at 4.5 + 15 s: a has stopped leading 5.5 s before.
  it.each<[string, Behaviour]>([
    ['are refused', () => ({ fault: 'refused' })],
    ['hang', () => ({ fault: 'hang' })],
    ['are answered after the deadline', () => ({ answerMs: 60_000 })],
    ['conflict', (op) => (op === 'replace' ? { fault: 'conflict' } : {})],
  ])('steps down at the renew deadline when renewals %s, strictly before the Lease can be taken over', async (_how, broken) => {
    const world = new World();
    let healthy = true;
    const a = world.elector('a', { behaviour: (op) => (healthy ? {} : broken(op)) });
    const b = world.elector('b');
    a.elector.start();
    await world.at(500);
    b.elector.start();

    await world.at(5_000);
    healthy = false;
    let lastRenewal = renewTimeOf(world.leases.stored);
    await world.at(13_999, () => {
      if (a.elector.isLeader()) lastRenewal = renewTimeOf(world.leases.stored);
    });
    expect(lastRenewal).toBe('2030-01-01T00:00:04.000000Z');
    expect(a.elector.isLeader()).toBe(true);
    await world.at(14_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toContainEqual({ at: 14_000, event: 'stopped' });

    await world.at(19_499);
    expect(b.elector.isLeader()).toBe(false);
    await world.at(19_500);
    expect(b.elector.isLeader()).toBe(true);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events.map((e) => e.event)).toEqual(['leader a', 'started', 'stopped']);
    await world.stop(a, b);
  });

  it('abandons a renewal still in flight at the deadline, and leads again only after a new successful write', async () => {
    const world = new World();
    const now = (): number => world.time.now;
    // Fast until 5 s; refused until 12 s; then the write is applied within 1 s but answered only after 4 s.
    const a = world.elector('a', {
      behaviour: (op) => (now() < 5_000 ? {} : now() < 12_000 ? { fault: 'refused' } : op === 'replace' && now() < 13_000 ? { applyMs: 1_000, answerMs: 3_000 } : {}),
    });
    a.elector.start();
    await world.at(13_999);
    expect(a.elector.isLeader()).toBe(true);
    await world.at(14_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(world.holder()).toBe('a'); // the abandoned renewal did reach the server
    await world.at(15_999);
    expect(a.elector.isLeader()).toBe(false);
    await world.at(16_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.events.map((e) => `${e.at} ${e.event}`)).toEqual(['0 leader a', '0 started', '14000 stopped', '16000 started']);
    // The same holder: no transition.
    expect(world.leases.stored?.spec?.leaseTransitions).toBe(0);
    await world.stop(a);
  });

  it('isLeader() turns false at the deadline by the clock, even when the process is too busy for its timer to fire', async () => {
    const world = new World();
    let healthy = true;
    const a = world.elector('a', { behaviour: () => (healthy ? {} : { fault: 'refused' }) });
    a.elector.start();
    await world.at(4_500);
    healthy = false;
    a.proc.frozen = true; // its deadline timer (due at 14 s) is held
    await world.at(13_999);
    expect(a.elector.isLeader()).toBe(true);
    await world.at(14_000);
    expect(a.elector.isLeader()).toBe(false);
    await world.at(16_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events.map((e) => e.event)).toEqual(['leader a', 'started']);
    a.proc.thaw();
    await world.at(16_000);
    expect(a.events.map((e) => `${e.at} ${e.event}`)).toEqual(['0 leader a', '0 started', '16000 stopped']);
    expect(a.elector.isLeader()).toBe(false);
    healthy = true;
    await world.stop(a);
  });

  it('after losing the lead, campaigns again only once onStoppedLeading has settled', async () => {
    const world = new World();
    let healthy = true;
    const a = world.elector('a', {
      behaviour: () => (healthy ? {} : { fault: 'refused' }),
      onStoppedLeading: () => {
        healthy = true;
        return new Promise<void>((resolve) => void world.time.schedule(resolve, 5_000));
      },
    });
    a.elector.start();
    await world.at(1_000);
    healthy = false;
    await world.at(10_000); // stepped down at 0 + 10 s: the API server answers again from then on
    const callsAtStepDown = world.leases.calls.length;
    await world.at(14_999);
    expect(world.leases.calls.length).toBe(callsAtStepDown);
    expect(a.elector.isLeader()).toBe(false);
    await world.at(15_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(world.leases.calls.slice(callsAtStepDown)).toEqual(['a get', 'a replace']);
    await world.stop(a);
  });

  it('steps down at once when the Lease turns out to name another holder', async () => {
    const world = new World();
    const a = world.elector('a');
    a.elector.start();
    await world.at(3_000);
    world.leases.put('intruder', held('intruder'));
    await world.at(4_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events.map((e) => `${e.at} ${e.event}`)).toEqual(['0 leader a', '0 started', '4000 leader intruder', '4000 stopped']);
    expect(world.holder()).toBe('intruder');
    await world.stop(a);
    expect(world.holder()).toBe('intruder');
  });

  it('keeps the lead through a renewal conflict caused by an unrelated edit, and renews on a fresh read', async () => {
    const world = new World();
    const a = world.elector('a', { behaviour: (op) => (op === 'replace' && world.time.now === 4_000 ? { applyMs: 10 } : {}) });
    a.elector.start();
    await world.at(4_005);
    // Between a's read and its write, a tool edits the Lease's labels: the write conflicts.
    world.leases.put('kubectl', (lease) => ({ ...lease, metadata: { ...lease.metadata, labels: { edited: 'yes' } } }));
    await world.at(6_010);
    expect(world.leases.calls).toContain('a replace 409');
    expect(a.elector.isLeader()).toBe(true);
    // The conflict was answered at 4.01 s; a read again and renewed one retry period later.
    expect(world.leases.writes.at(-1)).toMatchObject({ at: 6_010, by: 'a' });
    expect(a.events.map((e) => e.event)).toEqual(['leader a', 'started']);
    await world.stop(a);
  });

  it('never counts a conflict as success: two electors creating the Lease at once, one leads', async () => {
    const world = new World();
    const a = world.elector('a', { behaviour: () => ({ applyMs: 5 }) });
    const b = world.elector('b', { behaviour: () => ({ applyMs: 5 }) });
    a.elector.start();
    b.elector.start();
    await world.at(2_100);
    expect(world.leases.calls.slice(0, 4).sort()).toEqual(['a create', 'a get', 'b create 409', 'b get']);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.events.map((e) => e.event)).toEqual(['leader a']);
    await world.stop(a, b);
  });

  it('never counts a conflict as success: a takeover racing another', async () => {
    const world = new World();
    world.leases.put('old', held('old', { leaseDurationSeconds: 1 }));
    const b = world.elector('b', { behaviour: (op) => (op === 'replace' ? { applyMs: 50 } : {}) });
    const c = world.elector('c', { behaviour: (op) => (op === 'replace' ? { applyMs: 10 } : {}) });
    b.elector.start();
    c.elector.start();
    await world.at(3_100);
    expect(world.leases.calls).toContain('b replace 409');
    expect(world.holder()).toBe('c');
    expect(c.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.events.map((e) => e.event)).toEqual(['leader old', 'leader c']);
    await world.stop(b, c);
  });
});

describe('LeaderElector: stopping', () => {
  it('stops leading, then releases the Lease, and the other replica takes over within one retry period', async () => {
    const world = new World();
    const order: string[] = [];
    const a = world.elector('a', { onStoppedLeading: () => void order.push(`stopped, isLeader=${a.elector.isLeader()}, holder=${world.holder()}`) });
    const b = world.elector('b');
    a.elector.start();
    await world.at(0);
    b.elector.start();
    await world.at(5_300);

    const stopped = a.elector.stop().then(() => order.push(`stop resolved, holder=${JSON.stringify(world.holder())}`));
    expect(a.elector.isLeader()).toBe(false);
    await world.at(5_300);
    await stopped;
    expect(order).toEqual(['stopped, isLeader=false, holder=a', 'stop resolved, holder=""']);
    expect(world.leases.writes.at(-1)).toMatchObject({ at: 5_300, by: 'a', spec: { holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 } });
    expect(a.proc.pendingTimers).toBe(0);

    await world.at(7_300);
    expect(b.elector.isLeader()).toBe(true);
    const takeover = world.leases.writes.find((w) => w.by === 'b');
    expect(takeover?.at).toBeLessThanOrEqual(5_300 + DEFAULT_RETRY_PERIOD_MS);
    expect(takeover?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await world.stop(b);
    expect(b.proc.pendingTimers).toBe(0);
  });

  it('releases only once onStoppedLeading has settled, and while waiting does not lead', async () => {
    const world = new World();
    const a = world.elector('a', {
      onStoppedLeading: () => new Promise<void>((resolve) => void world.time.schedule(resolve, 3_000)),
    });
    a.elector.start();
    await world.at(1_000);
    let resolved = false;
    void a.elector.stop().then(() => (resolved = true));
    await world.at(3_999);
    expect(a.elector.isLeader()).toBe(false);
    expect(world.holder()).toBe('a');
    expect(resolved).toBe(false);
    await world.at(4_000);
    expect(world.holder()).toBe('');
    expect(resolved).toBe(true);
  });

  it('a follower writes nothing when stopped; stop before start is a no-op; start twice throws', async () => {
    const world = new World();
    world.leases.put('old', held('old'));
    const b = world.elector('b');
    b.elector.start();
    expect(() => b.elector.start()).toThrow(/once/);
    await world.at(3_000);
    await world.stop(b);
    expect(world.leases.writes.map((w) => w.by)).toEqual(['old']);
    expect(b.events.map((e) => e.event)).toEqual(['leader old']);
    expect(b.proc.pendingTimers).toBe(0);

    const idle = world.elector('idle');
    await idle.elector.stop();
    expect(() => idle.elector.start()).toThrow(/once/);
    expect(world.leases.calls.some((c) => c.startsWith('idle'))).toBe(false);
  });

  it('releases the Lease even when its last renewal was applied but never answered', async () => {
    const world = new World();
    const a = world.elector('a', { behaviour: (op) => (op === 'replace' && world.time.now === 2_000 ? { applyMs: 10, fault: 'hang' } : {}) });
    a.elector.start();
    await world.at(2_100);
    await world.stop(a);
    // The release first used what a knew (now outdated by its own unanswered write), then read again.
    expect(world.leases.calls.slice(-4)).toEqual(['a replace', 'a replace 409', 'a get', 'a replace']);
    expect(world.holder()).toBe('');
    expect(a.proc.pendingTimers).toBe(0);
  });

  it('gives up releasing when the API server is unreachable, without hanging or throwing', async () => {
    const world = new World();
    let reachable = true;
    const a = world.elector('a', { behaviour: () => (reachable ? {} : { fault: 'hang' }) });
    a.elector.start();
    await world.at(1_000);
    reachable = false;
    const stopped = a.elector.stop();
    await world.at(20_000);
    await expect(stopped).resolves.toBeUndefined();
    expect(a.events.map((e) => e.event)).toEqual(['leader a', 'started', 'stopped']);
    expect(a.proc.pendingTimers).toBe(0);
  });
});

describe('LeaderElector: leaseTransitions', () => {
  it('counts each change of holder: create 0, release keeps it, takeover after release +1, takeover after expiry +1', async () => {
    const world = new World();
    const a = world.elector('a');
    a.elector.start();
    await world.at(1_000);
    const b = world.elector('b');
    b.elector.start();
    await world.at(2_000);
    await world.stop(a);
    await world.at(5_000);
    expect(world.holder()).toBe('b');
    // b dies (frozen for good); c takes over once the Lease expires.
    b.proc.frozen = true;
    const c = world.elector('c');
    c.elector.start();
    await world.at(30_000);
    expect(world.holder()).toBe('c');
    const history = world.leases.writes.map((w) => [w.spec.holderIdentity, w.spec.leaseTransitions]);
    const changes = history.filter(([holder], i) => i === 0 || holder !== history[i - 1]![0]);
    expect(changes).toEqual([
      ['a', 0],
      ['', 0],
      ['b', 1],
      ['c', 2],
    ]);
    await world.stop(c);
  });
});

/** A small seeded PRNG (mulberry32), so that a failing interleaving can be replayed by its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimulationStats {
  takeoversAfterExpiry: number;
  takeoversAfterRelease: number;
  deadlineStepDowns: number;
  leaderAtEnd: boolean;
}

/**
 * Two replicas (replaced by fresh ones when stopped) on one Lease, for a simulated minute of
 * random latencies, refused, lost and hanging calls, network partitions, processes frozen for
 * seconds (their timers then fire late), late timers, clocks skewed by up to an hour and running
 * up to 5 % fast or slow, unrelated
 * edits, and graceful stops. After every step: at most one elector leads, the one that leads is
 * the Lease's holder, isLeader() agrees with the callbacks (and never turns true again without a
 * new onStartedLeading), each change of holder added one transition, and a Lease is taken over
 * only leaseDuration - renewDeadline (at the clocks' rates) after its old holder last led. Then a quiet period without faults: someone must lead by its end.
 */
async function simulate(seed: number): Promise<SimulationStats> {
  const rand = random(seed);
  const timings = TIMINGS[seed % TIMINGS.length]!;
  const world = new World();
  const stats: SimulationStats = { takeoversAfterExpiry: 0, takeoversAfterRelease: 0, deadlineStepDowns: 0, leaderAtEnd: false };
  let faults = true;
  type Replica = Participant & { rate: number; lastLedAt: number | undefined; state: { partitioned: boolean; stoppingAt: number | undefined } };
  const replicas: Replica[] = [];
  const all: Replica[] = [];
  // Kept as well as thrown: a throw from onWrite lands in the fake API, which answers it as an error.
  let failure: Error | undefined;
  const fail = (what: string): never => {
    failure ??= new Error(`seed ${seed}, t=${world.time.now}: ${what}`);
    throw failure;
  };

  const latency = (): number => (rand() < 0.1 ? rand() * 1_500 : rand() * 60);
  const spawn = (identity: string): void => {
    const rate = 0.95 + rand() * 0.1;
    const proc = new Proc(world.time, {
      monotonicMs: rand() * 1e9,
      wallMs: (rand() - 0.5) * 7_200_000,
      rate,
      lateTimerMs: () => (faults && rand() < 0.03 ? rand() * 1_500 : 0),
    });
    const state: Replica['state'] = { partitioned: false, stoppingAt: undefined };
    const behaviour: Behaviour = () => {
      if (!faults) return { applyMs: 1, answerMs: 1 };
      if (state.partitioned) return { fault: 'refused', answerMs: rand() * 300 };
      const r = rand();
      const fault = r < 0.06 ? 'refused' : r < 0.1 ? 'lost' : r < 0.12 ? 'hang' : undefined;
      return { applyMs: latency(), answerMs: latency(), ...(fault ? { fault } : {}) };
    };
    const replica: Replica = { ...world.elector(identity, { ...timings, proc, behaviour }), rate, lastLedAt: undefined, state };
    replicas.push(replica);
    all.push(replica);
    replica.elector.start();
  };

  world.leases.onWrite = (before, after) => {
    const from = before?.holderIdentity ?? '';
    const to = after.holderIdentity ?? '';
    const expected = before === undefined ? 0 : to !== '' && to !== from ? (before.leaseTransitions ?? 0) + 1 : before.leaseTransitions;
    if (after.leaseTransitions !== expected) fail(`leaseTransitions ${after.leaseTransitions} after ${from} -> ${to}, expected ${expected}`);
    if (to !== '' && from !== '' && to !== from) {
      stats.takeoversAfterExpiry += 1;
      // The old leader stopped leading at least leaseDuration - renewDeadline before (as their clocks
      // measure it): the time its caller has to stop acting.
      const old = all.find((p) => p.identity === from);
      const taker = all.find((p) => p.identity === to);
      if (old?.lastLedAt !== undefined && taker !== undefined) {
        const margin = timings.leaseDurationMs / taker.rate - timings.renewDeadlineMs / old.rate;
        const gap = world.time.now - old.lastLedAt;
        if (gap < margin - 1e-6) fail(`${to} took over ${gap.toFixed(1)} ms after ${from} last led, less than the ${margin.toFixed(1)} ms margin`);
      }
    }
    if (to !== '' && from === '' && before !== undefined) stats.takeoversAfterRelease += 1;
  };
  const seen = new Map<Replica, { leading: boolean; started: number }>();
  const check = (): void => {
    if (failure) throw failure;
    for (const p of all) {
      const leading = p.elector.isLeader();
      const started = p.events.filter((e) => e.event === 'started').length;
      const before = seen.get(p) ?? { leading: false, started: 0 };
      if (leading && !before.leading && started === before.started) fail(`${p.identity} leads again without a new onStartedLeading`);
      if (leading) p.lastLedAt = world.time.now;
      seen.set(p, { leading, started });
    }
    const leaders = all.filter((p) => p.elector.isLeader());
    if (leaders.length > 1) fail(`two leaders: ${leaders.map((p) => p.identity).join(', ')}`);
    for (const leader of leaders) {
      if (world.holder() !== leader.identity) fail(`${leader.identity} leads but the Lease names ${world.holder()}`);
      if (leader.events.filter((e) => e.event === 'started' || e.event === 'stopped').at(-1)?.event !== 'started') fail(`${leader.identity} leads without onStartedLeading`);
    }
  };

  let next = 0;
  spawn(`r${next++}`);
  spawn(`r${next++}`);
  for (let t = 0; t < 60_000; t += 250) {
    await world.at(t, check);
    const r = rand();
    const someone = replicas[Math.floor(rand() * replicas.length)]!;
    if (r < 0.02) someone.state.partitioned = !someone.state.partitioned;
    else if (r < 0.03 && !someone.proc.frozen) {
      someone.proc.frozen = true;
      world.time.schedule(() => someone.proc.thaw(), rand() * 5_000);
    } else if (r < 0.036) {
      // A graceful stop (a rolling update): the replacement starts at once, the old one stops in the background.
      someone.state.stoppingAt = t;
      replicas.splice(replicas.indexOf(someone), 1);
      void someone.elector.stop();
      spawn(`r${next++}`);
    } else if (r < 0.04 && world.leases.stored) {
      world.leases.put('kubectl', (lease) => ({ ...lease, metadata: { ...lease.metadata, labels: { touched: String(t) } } }));
    }
  }
  faults = false;
  for (const replica of all) {
    replica.state.partitioned = false;
    replica.proc.thaw();
  }
  await world.at(90_000, check);
  stats.deadlineStepDowns = all.reduce((n, p) => n + p.events.filter((e) => e.event === 'stopped' && e.at < (p.state.stoppingAt ?? Infinity)).length, 0);
  stats.leaderAtEnd = replicas.some((p) => p.elector.isLeader());
  await world.stop(...all);
  await world.at(120_000, check);
  for (const p of all) if (p.proc.pendingTimers !== 0) fail(`${p.identity} left ${p.proc.pendingTimers} timers after stop`);
  return stats;
}

describe('LeaderElector: two electors on one Lease, random interleavings', () => {
  it('never has two leaders at any instant, and always ends with one', async () => {
    const totals = { takeoversAfterExpiry: 0, takeoversAfterRelease: 0, deadlineStepDowns: 0, withoutLeader: [] as number[] };
    for (let seed = 1; seed <= 120; seed++) {
      const stats = await simulate(seed);
      totals.takeoversAfterExpiry += stats.takeoversAfterExpiry;
      totals.takeoversAfterRelease += stats.takeoversAfterRelease;
      totals.deadlineStepDowns += stats.deadlineStepDowns;
      if (!stats.leaderAtEnd) totals.withoutLeader.push(seed);
    }
    expect(totals.withoutLeader).toEqual([]);
    // The runs went through what they are meant to test, many times over.
    expect(totals.takeoversAfterExpiry).toBeGreaterThan(100);
    expect(totals.takeoversAfterRelease).toBeGreaterThan(20);
    expect(totals.deadlineStepDowns).toBeGreaterThan(100);
  }, 120_000);
});
