// The chaos: faults injected by the emulator at set rates, the replicas' API server connections
// cut through the relay at random intervals, and a replica SIGKILLed and restarted: mostly the
// leader, so that leadership moves, sometimes a standby; and sometimes the leader SIGTERMed while
// cut off from the API server, so that it loses the Lease while it drains. stop() ends all of it and leaves every
// replica running, for convergence; the Lease is watched (hand-overs counted) until halt().
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultKind, RunningEmulator } from '../../src/emulator/index.ts';
import type { Relay } from '../../test/testenv/relay.ts';
import type { ControllerReplica, ControllerReplicas } from './controller.ts';
import { HolderHistory, LEASE_TIMINGS, type LeaseReader } from './leadership.ts';
import type { FaultRates, SoakOptions } from './options.ts';
import type { Random } from './random.ts';

export interface ChaosCounts {
  kills: number;
  /** Of the kills, those of the replica holding the Lease, and of one that did not (with leader election). */
  leaderKills: number;
  standbyKills: number;
  /** Kills that came within seconds of a (re)start: during the first list and the burst after it. */
  quickKills: number;
  /** Restarts after an exit the soak did not cause (each is also a failed check). */
  unexpectedExits: number;
  /**
   * Leaders SIGTERMed while the API server was unreachable for longer than their renew deadline,
   * with EKS writes slowed so reconciles were in flight: the Lease is lost during the drain.
   */
  terminationsDuringLoss: number;
  /** Times the relay cut every connection; `blocks` of them also refused new ones for a while. */
  cuts: number;
  blocks: number;
  connectionsCut: number;
  /** Changes of the Lease's holderIdentity seen (sampled every LEASE_SAMPLE_MS), and those to another replica. */
  handOvers: number;
  handOversToOtherReplica: number;
}

export interface ChaosDeps {
  emulator: RunningEmulator;
  relay: Relay;
  replicas: ControllerReplicas;
  /** The replicas' Lease, when they elect a leader. */
  lease: LeaseReader | undefined;
  rng: Random;
  options: Pick<SoakOptions, 'faults' | 'killEveryMs' | 'cutEveryMs' | 'durationMs'>;
}

export const FAULT_OF: Record<keyof FaultRates, FaultKind> = {
  serverError: 'ServerException',
  throttling: 'ThrottlingException',
  timeout: 'Timeout',
  dropConnection: 'DropConnection',
  loseResponse: 'LoseResponse',
};

/** Of the kills, the share aimed at a standby rather than the leader (never two in a row, see #victim). */
const STANDBY_KILL_SHARE = 0.25;
/** Of the leader's turns, the share that is a SIGTERM during a loss of the Lease instead of a SIGKILL. */
const TERMINATE_DURING_LOSS_SHARE = 0.2;
const SETTLE_POLL_MS = 500;
/** A hand-over takes at most the lease duration plus a retry or two. */
const LEADER_WAIT_MS = 15_000;
/** When, as a share of the run, the one termination during a loss that every soak with leader election has comes. */
const TERMINATE_AT_SHARE = 0.4;
const SLOWED_WRITES = ['CreateAccessEntry', 'UpdateAccessEntry', 'AssociateAccessPolicy', 'TagResource'] as const;
const WRITE_LATENCY_MS = 1_500;
/** Far beyond the shutdown timeout: the controller ends itself well before. */
const STOP_GRACE_MS = 60_000;

/** '7s' or '500ms' (the LEASE_TIMINGS forms) in milliseconds. */
function durationMs(text: string): number {
  const match = /^(\d+)(ms|s)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * (match[2] === 's' ? 1_000 : 1);
}
const LEASE_SAMPLE_MS = 1_000;

type Role = 'leader' | 'standby' | 'only replica';

export class Chaos {
  readonly counts: ChaosCounts = {
    kills: 0, leaderKills: 0, standbyKills: 0, quickKills: 0, terminationsDuringLoss: 0, unexpectedExits: 0, cuts: 0, blocks: 0, connectionsCut: 0,
    handOvers: 0, handOversToOtherReplica: 0,
  };
  readonly #holders = new HolderHistory();
  readonly #abort = new AbortController();
  readonly #stopWatching = new AbortController();
  readonly #loops: Promise<void>[] = [];
  #watching: Promise<void> = Promise.resolve();
  /** Replicas being killed and restarted, or restarted after a crash: nothing else touches them meanwhile. */
  readonly #restarting = new Set<ControllerReplica>();
  /** One block of the relay at a time: the cut loop's and a termination's must not end each other's. */
  #relayHeld: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ChaosDeps) {
    // A crash fails the run anyway; restarting lets the other invariants still be checked.
    for (const replica of deps.replicas.all) {
      replica.onUnexpectedExit = () => {
        this.counts.unexpectedExits++;
        void this.#restartSoon(replica).catch(() => undefined);
      };
    }
  }

  /** The Lease holder last sampled ('' before any); '' without leader election. */
  get holder(): string {
    return this.#holders.holder;
  }

  /** Starts watching the Lease; call before the replicas start, so the first holder is seen. */
  watch(): void {
    if (this.deps.lease) this.#watching = this.#watchLoop(this.deps.lease);
  }

  start(): void {
    const { emulator, options } = this.deps;
    for (const [key, fault] of Object.entries(FAULT_OF) as [keyof FaultRates, FaultKind][]) {
      const rate = options.faults[key];
      if (rate <= 0) continue;
      // Once for certain, whatever the draws, so a short soak meets each kind: on a create (there
      // are always some), since IAM and STS answer a fault with codes of their own.
      emulator.faults.add({ fault, count: 1, operation: 'CreateAccessEntry' });
      emulator.faults.add({ fault, rate });
    }
    if (options.killEveryMs !== undefined) this.#loops.push(this.#killLoop(options.killEveryMs));
    // One at a set time, so even a short soak has one; long soaks draw more among the kills.
    if (this.deps.lease) this.#loops.push(this.#terminateOnce(TERMINATE_AT_SHARE * options.durationMs));
    if (options.cutEveryMs !== undefined) this.#loops.push(this.#cutLoop(options.cutEveryMs));
  }

  /** No more faults, cuts or kills; resolves with every replica running. The Lease is still watched. */
  async stop(): Promise<void> {
    await this.#stopInjecting();
    await this.deps.replicas.startAll();
  }

  /** No more faults, cuts, kills or Lease samples, and no restart under way; replicas may be down. */
  async halt(): Promise<void> {
    await this.#stopInjecting();
    this.#stopWatching.abort();
    await this.#watching;
  }

  /** Samples the Lease's holder one last time, so a hand-over just before the end is counted. */
  async sample(): Promise<void> {
    if (this.deps.lease) this.#record(await this.deps.lease.holder());
  }

  async #stopInjecting(): Promise<void> {
    this.#abort.abort();
    await Promise.all(this.#loops);
    this.deps.emulator.faults.clear();
    this.deps.relay.unblock();
    while (this.#restarting.size > 0) await sleep(100);
  }

  async #killLoop(meanMs: number): Promise<void> {
    const { rng } = this.deps;
    let quick = false;
    let lastRole: Role | undefined;
    while (await this.#pause(quick ? rng.between(1_000, 4_000) : rng.between(0.5 * meanMs, 1.5 * meanMs))) {
      const victim = await this.#settledVictim(lastRole === 'standby' ? false : rng.chance(STANDBY_KILL_SHARE));
      if (!victim) continue;
      // A leader's turn is a SIGKILL the first time (a short soak must see one), then sometimes a SIGTERM during a loss.
      if (victim.role === 'leader' && this.counts.leaderKills > 0 && rng.chance(TERMINATE_DURING_LOSS_SHARE)) await this.#terminateDuringLoss(victim.replica);
      else await this.#killAndRestart(victim.replica, victim.role, quick);
      lastRole = victim.role;
      quick = rng.chance(0.2);
    }
  }

  async #killAndRestart(replica: ControllerReplica, role: Role, quick: boolean): Promise<void> {
    this.#restarting.add(replica);
    try {
      this.deps.replicas.note(`SIGKILL ${replica.name} (${role})`);
      await replica.kill();
      this.counts.kills++;
      if (role === 'leader') this.counts.leaderKills++;
      if (role === 'standby') this.counts.standbyKills++;
      if (quick) this.counts.quickKills++;
      // Down for a moment, as a rescheduled pod is; restarted even when stopping.
      await sleep(this.deps.rng.between(300, 2_500));
      if (!replica.running()) await replica.start();
    } finally {
      this.#restarting.delete(replica);
    }
  }

  /**
   * SIGTERM to the leader while the API server is unreachable for longer than its renew deadline,
   * with EKS writes slowed so reconciles are in flight: it drains, cannot renew, and must stop at
   * once when its deadline passes (the one-writer check then proves no write of its arrived after
   * another replica took over). Its run may end either way: drained in time (exit 0), or lost the
   * Lease while draining (exit 1); checkRuns accepts both for such a run.
   */
  async #terminateDuringLoss(replica: ControllerReplica): Promise<void> {
    const { relay, replicas, emulator, rng } = this.deps;
    const run = replica.current;
    if (!run) return;
    this.#restarting.add(replica);
    try {
      await this.#holdingRelay(async () => {
        run.lossInduced = true;
        for (const operation of SLOWED_WRITES) emulator.faults.setLatency(WRITE_LATENCY_MS, operation);
        // A black hole, not a refusal: the drain's status writes hang instead of failing fast, so
        // the drain outlives the renew deadline.
        const cut = relay.stall();
        this.counts.connectionsCut += cut;
        replicas.note(`SIGTERM ${replica.name} (leader) with the API server unreachable and EKS writes slowed: it loses the Lease while draining`);
        const stopping = replica.stop(STOP_GRACE_MS);
        await sleep(durationMs(LEASE_TIMINGS.renewDeadline) + rng.between(500, 2_000));
        relay.unblock();
        for (const operation of SLOWED_WRITES) emulator.faults.setLatency(0, operation);
        replicas.note('API server reachable again, EKS writes at full speed');
        await stopping;
      });
      this.counts.terminationsDuringLoss++;
      await sleep(rng.between(300, 2_500));
      if (!replica.running()) await replica.start();
    } finally {
      this.#restarting.delete(replica);
    }
  }

  /**
   * A victim that is not being restarted (or terminated) already: waits for one rather than
   * skipping the turn. A leader's turn during a hand-over (the Lease still names a run that is
   * gone) waits for the new leader for a while, so it does not become a second standby kill.
   */
  async #settledVictim(standby: boolean): Promise<{ replica: ControllerReplica; role: Role } | undefined> {
    for (let waited = 0; ; waited += SETTLE_POLL_MS) {
      const victim = await this.#victim(standby);
      const waitingForLeader = !standby && this.deps.lease !== undefined && victim?.role !== 'leader' && waited < LEADER_WAIT_MS;
      if (victim !== undefined && !this.#restarting.has(victim.replica) && !waitingForLeader) return victim;
      if (victim === undefined && !waitingForLeader) return undefined;
      if (!(await this.#pause(SETTLE_POLL_MS))) return undefined;
    }
  }

  /** Once a leader is up and not being killed, until the chaos stops: every soak with leader election has one. */
  async #terminateOnce(afterMs: number): Promise<void> {
    if (!(await this.#pause(afterMs))) return;
    for (;;) {
      const victim = await this.#victim(false);
      if (victim?.role === 'leader' && !this.#restarting.has(victim.replica)) return this.#terminateDuringLoss(victim.replica);
      if (!(await this.#pause(SETTLE_POLL_MS))) return;
    }
  }

  /** Runs `work` while no other block of the relay is under way. */
  async #holdingRelay(work: () => Promise<void>): Promise<void> {
    const previous = this.#relayHeld;
    let release!: () => void;
    this.#relayHeld = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      await work();
    } finally {
      release();
    }
  }

  /**
   * Whom to kill: the leader, or a running replica that does not lead when `standby` is asked or
   * no replica leads (the Lease is held by a run already gone, during a hand-over). A standby kill
   * is never followed by another while there is a leader, so every two kills include a leader's.
   */
  async #victim(standby: boolean): Promise<{ replica: ControllerReplica; role: Role } | undefined> {
    const { replicas, lease, rng } = this.deps;
    if (!lease) return replicas.running().length > 0 ? { replica: rng.pick(replicas.running()), role: 'only replica' } : undefined;
    const leader = replicas.withIdentity(await lease.holder().catch(() => ''));
    if (leader && !standby) return { replica: leader, role: 'leader' };
    const others = replicas.running().filter((replica) => replica !== leader);
    if (others.length > 0) return { replica: rng.pick(others), role: 'standby' };
    return leader ? { replica: leader, role: 'leader' } : undefined;
  }

  async #cutLoop(meanMs: number): Promise<void> {
    const { relay, rng, replicas } = this.deps;
    while (await this.#pause(rng.between(0.5 * meanMs, 1.5 * meanMs))) {
      this.counts.cuts++;
      if (rng.chance(0.2)) {
        // The API server unreachable for a few seconds: cut, and new connections refused.
        await this.#holdingRelay(async () => {
          this.counts.blocks++;
          const cut = relay.block();
          this.counts.connectionsCut += cut;
          const blockMs = rng.between(1_000, 4_000);
          replicas.note(`API server unreachable for ${(blockMs / 1000).toFixed(1)} s: cut ${cut} connections, refusing new ones`);
          await sleep(blockMs);
          relay.unblock();
          replicas.note('API server reachable again');
        });
      } else {
        const cut = relay.sever();
        this.counts.connectionsCut += cut;
        replicas.note(`cut ${cut} API server connections`);
      }
    }
  }

  async #watchLoop(lease: LeaseReader): Promise<void> {
    const signal = this.#stopWatching.signal;
    while (!signal.aborted) {
      // A failed read (the soak's own API access is never cut, but the server may be slow) only skips a sample.
      this.#record(await lease.holder().catch(() => ''));
      await sleep(LEASE_SAMPLE_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  #record(holder: string): void {
    const handOver = this.#holders.sample(holder);
    if (!handOver) return;
    this.counts.handOvers = this.#holders.handOvers;
    this.counts.handOversToOtherReplica = this.#holders.toOtherReplica;
    this.deps.replicas.note(`leadership handed over from ${handOver.from} to ${handOver.to}`);
  }

  async #restartSoon(replica: ControllerReplica): Promise<void> {
    await sleep(1_000);
    if (this.#restarting.has(replica) || replica.running()) return;
    this.#restarting.add(replica);
    try {
      await replica.start();
    } finally {
      this.#restarting.delete(replica);
    }
  }

  /** Waits; false once stop() was called. */
  async #pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.#abort.signal });
      return true;
    } catch {
      return false;
    }
  }
}
