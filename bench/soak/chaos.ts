// The chaos: faults injected by the emulator at set rates, the controller's API server
// connections cut through the relay at random intervals, and the controller SIGKILLed and
// restarted. stop() ends all of it and leaves the controller running, for convergence.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultKind, RunningEmulator } from '../../src/emulator/index.ts';
import type { Relay } from '../../test/testenv/relay.ts';
import type { ControllerSupervisor } from './controller.ts';
import type { FaultRates, SoakOptions } from './options.ts';
import type { Random } from './random.ts';

export interface ChaosCounts {
  kills: number;
  /** Kills that came within seconds of a (re)start: during the first list and the burst after it. */
  quickKills: number;
  /** Restarts after an exit the soak did not cause (each is also a failed check). */
  unexpectedExits: number;
  /** Times the relay cut every connection; `blocks` of them also refused new ones for a while. */
  cuts: number;
  blocks: number;
  connectionsCut: number;
}

export interface ChaosDeps {
  emulator: RunningEmulator;
  relay: Relay;
  controller: ControllerSupervisor;
  rng: Random;
  options: Pick<SoakOptions, 'faults' | 'killEveryMs' | 'cutEveryMs'>;
}

export const FAULT_OF: Record<keyof FaultRates, FaultKind> = {
  serverError: 'ServerException',
  throttling: 'ThrottlingException',
  timeout: 'Timeout',
  dropConnection: 'DropConnection',
  loseResponse: 'LoseResponse',
};

export class Chaos {
  readonly counts: ChaosCounts = { kills: 0, quickKills: 0, unexpectedExits: 0, cuts: 0, blocks: 0, connectionsCut: 0 };
  readonly #abort = new AbortController();
  readonly #loops: Promise<void>[] = [];
  #restarting = false;

  constructor(private readonly deps: ChaosDeps) {
    // A crash fails the run anyway; restarting lets the other invariants still be checked.
    deps.controller.onUnexpectedExit = () => {
      this.counts.unexpectedExits++;
      void this.#restartSoon().catch(() => undefined);
    };
  }

  start(): void {
    const { emulator, options } = this.deps;
    for (const [key, fault] of Object.entries(FAULT_OF) as [keyof FaultRates, FaultKind][]) {
      const rate = options.faults[key];
      if (rate > 0) emulator.faults.add({ fault, rate });
    }
    if (options.killEveryMs !== undefined) this.#loops.push(this.#killLoop(options.killEveryMs));
    if (options.cutEveryMs !== undefined) this.#loops.push(this.#cutLoop(options.cutEveryMs));
  }

  /** No more faults, cuts or kills; resolves with the controller running. */
  async stop(): Promise<void> {
    await this.halt();
    if (!this.deps.controller.running()) await this.deps.controller.start();
  }

  /** No more faults, cuts or kills, and no restart under way; the controller may be down. */
  async halt(): Promise<void> {
    this.#abort.abort();
    await Promise.all(this.#loops);
    this.deps.emulator.faults.clear();
    this.deps.relay.unblock();
    while (this.#restarting) await sleep(100);
  }

  async #killLoop(meanMs: number): Promise<void> {
    const { controller, rng } = this.deps;
    let quick = false;
    while (await this.#pause(quick ? rng.between(1_000, 4_000) : rng.between(0.5 * meanMs, 1.5 * meanMs))) {
      if (this.#restarting) continue;
      this.#restarting = true;
      try {
        await controller.kill();
        this.counts.kills++;
        if (quick) this.counts.quickKills++;
        // Down for a moment, as a rescheduled pod is; restarted even when stopping.
        await sleep(rng.between(300, 2_500));
        if (!controller.running()) await controller.start();
      } finally {
        this.#restarting = false;
      }
      quick = rng.chance(0.2);
    }
  }

  async #cutLoop(meanMs: number): Promise<void> {
    const { relay, rng } = this.deps;
    while (await this.#pause(rng.between(0.5 * meanMs, 1.5 * meanMs))) {
      this.counts.cuts++;
      if (rng.chance(0.2)) {
        // The API server unreachable for a few seconds: cut, and new connections refused.
        this.counts.blocks++;
        const cut = relay.block();
        this.counts.connectionsCut += cut;
        this.deps.controller.note(`API server unreachable: cut ${cut} connections, refusing new ones`);
        await sleep(rng.between(1_000, 4_000));
        relay.unblock();
        this.deps.controller.note('API server reachable again');
      } else {
        const cut = relay.sever();
        this.counts.connectionsCut += cut;
        this.deps.controller.note(`cut ${cut} API server connections`);
      }
    }
  }

  async #restartSoon(): Promise<void> {
    await sleep(1_000);
    if (this.#restarting || this.deps.controller.running()) return;
    this.#restarting = true;
    try {
      await this.deps.controller.start();
    } finally {
      this.#restarting = false;
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
