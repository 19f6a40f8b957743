// Keeps every CreateAccessEntry call of the run: the emulator's log holds only the last 10,000
// calls, so it is read often and the new entries kept.
import type { CallCounter, CallLogEntry } from '../../src/emulator/index.ts';

export class CreateCallRecorder {
  readonly creates: CallLogEntry[] = [];
  /** Polls that found the last entry seen already gone from the log: some calls may be missing. */
  gaps = 0;
  #newest: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly calls: CallCounter) {}

  start(intervalMs = 500): void {
    this.#timer = setInterval(() => this.poll(), intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.poll();
  }

  poll(): void {
    const log = this.calls.log();
    let from = 0;
    if (this.#newest !== undefined) {
      let at = log.length - 1;
      while (at >= 0 && log[at]!.requestId !== this.#newest) at--;
      if (at < 0) this.gaps++;
      from = at + 1;
    }
    for (let i = from; i < log.length; i++) if (log[i]!.operation === 'CreateAccessEntry') this.creates.push(log[i]!);
    this.#newest = log[log.length - 1]?.requestId ?? this.#newest;
  }
}

/** A create that took effect: answered 2xx, or applied and its answer lost. */
export function createTookEffect(call: CallLogEntry): boolean {
  return (call.status >= 200 && call.status < 300) || (call.fault === 'LoseResponse' && call.error === undefined);
}
