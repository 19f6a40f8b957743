// Keeps what the checks need of the emulator's call log, which holds only the last 10,000 calls
// and so is read often: every CreateAccessEntry call, and when each controller process (told
// apart by the identity in its user agent) wrote to EKS.
import { WRITE_OPERATIONS, type CallCounter, type CallLogEntry } from '../../src/emulator/index.ts';

/** The writes of one controller process: from the arrival of its first to the end of its last. */
export interface WriteSpan {
  /** `${POD_NAME}_<uuid8>`, or '(unknown)' for a call without the controller's user agent. */
  identity: string;
  firstMs: number;
  lastEndMs: number;
  writes: number;
}

// src/controller/controller.ts: `eks-access-entry-controller/${config.identity}`.
const IDENTITY_IN_USER_AGENT = /eks-access-entry-controller\/(\S+?_[0-9a-f]{8})(?:\s|$)/;

export class CallRecorder {
  readonly creates: CallLogEntry[] = [];
  /** Polls that found the last entry seen already gone from the log: some calls may be missing. */
  gaps = 0;
  readonly #spans = new Map<string, WriteSpan>();
  #newest: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly calls: CallCounter) {}

  /** By identity, in the order each process first wrote. */
  get writeSpans(): WriteSpan[] {
    return [...this.#spans.values()].sort((a, b) => a.firstMs - b.firstMs);
  }

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
    for (let i = from; i < log.length; i++) this.#keep(log[i]!);
    this.#newest = log[log.length - 1]?.requestId ?? this.#newest;
  }

  #keep(call: CallLogEntry): void {
    if (call.operation === 'CreateAccessEntry') this.creates.push(call);
    if (!WRITE_OPERATIONS.has(call.operation)) return;
    const identity = IDENTITY_IN_USER_AGENT.exec(call.userAgent ?? '')?.[1] ?? '(unknown)';
    const arrived = Date.parse(call.time);
    const span = this.#spans.get(identity) ?? { identity, firstMs: arrived, lastEndMs: arrived, writes: 0 };
    span.firstMs = Math.min(span.firstMs, arrived);
    span.lastEndMs = Math.max(span.lastEndMs, arrived + call.ms);
    span.writes++;
    this.#spans.set(identity, span);
  }
}

/** A create that took effect: answered 2xx, or applied and its answer lost. */
export function createTookEffect(call: CallLogEntry): boolean {
  return (call.status >= 200 && call.status < 300) || (call.fault === 'LoseResponse' && call.error === undefined);
}
