/**
 * A second SIGTERM or SIGINT of the same kind this soon after the first is taken for an echo of
 * it, not for an impatient operator. One signal often arrives twice: `kill -- -PGID` and Ctrl-C
 * reach every process of the group, and a parent that relays signals (tsx's CLI, npm, a shell
 * wrapper) then sends its child the same one again, milliseconds later. Taking that as "exit now"
 * would skip the drain and the Lease's release, and make the next leader wait out the lease.
 */
export const SIGNAL_ECHO_WINDOW_MS = 1_000;

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';
const SHUTDOWN_SIGNALS: readonly ShutdownSignal[] = ['SIGTERM', 'SIGINT'];

/** Where signals come from: the process, or a fake in tests. */
export interface SignalSource {
  on(signal: ShutdownSignal, listener: (signal: ShutdownSignal) => void): unknown;
}

export interface ShutdownSignalHandlers {
  /** The first signal: drain and stop. */
  stop(signal: ShutdownSignal): void;
  /** A later, deliberate one: stop waiting and exit now. */
  exitNow(signal: ShutdownSignal): void;
  /** An echo of the first, ignored. */
  echo?(signal: ShutdownSignal, afterMs: number): void;
  source?: SignalSource;
  /** Monotonic milliseconds. */
  now?: () => number;
  echoWindowMs?: number;
}

/** Routes SIGTERM and SIGINT: the first stops, its echo is ignored, a later one exits now. */
export function onShutdownSignals(handlers: ShutdownSignalHandlers): void {
  const { source = process, now = () => performance.now(), echoWindowMs = SIGNAL_ECHO_WINDOW_MS } = handlers;
  let first: { signal: ShutdownSignal; at: number } | undefined;
  const received = (signal: ShutdownSignal): void => {
    const at = now();
    if (first === undefined) {
      first = { signal, at };
      handlers.stop(signal);
    } else if (signal === first.signal && at - first.at < echoWindowMs) {
      handlers.echo?.(signal, Math.round(at - first.at));
    } else {
      handlers.exitNow(signal);
    }
  };
  for (const signal of SHUTDOWN_SIGNALS) source.on(signal, received);
}
