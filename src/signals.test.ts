import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onShutdownSignals, SIGNAL_ECHO_WINDOW_MS, type ShutdownSignal } from './signals.ts';

function harness(): { send: (signal: ShutdownSignal, atMs: number) => void; seen: string[] } {
  const source = new EventEmitter();
  let nowMs = 0;
  const seen: string[] = [];
  onShutdownSignals({
    source: { on: (signal, listener) => source.on(signal, listener) },
    now: () => nowMs,
    stop: (signal) => seen.push(`stop ${signal}`),
    exitNow: (signal) => seen.push(`exit ${signal}`),
    echo: (signal, afterMs) => seen.push(`echo ${signal} +${afterMs}`),
  });
  return {
    send: (signal, atMs) => {
      nowMs = atMs;
      source.emit(signal, signal);
    },
    seen,
  };
}

describe('shutdown signals', () => {
  it('takes the same signal again at once for an echo of the first (a group signal relayed by a parent)', () => {
    const { send, seen } = harness();
    send('SIGINT', 1_000);
    send('SIGINT', 1_030);
    expect(seen).toEqual(['stop SIGINT', 'echo SIGINT +30']);
  });

  it('exits at once on the same signal sent again later', () => {
    const { send, seen } = harness();
    send('SIGTERM', 0);
    send('SIGTERM', 5);
    send('SIGTERM', SIGNAL_ECHO_WINDOW_MS);
    expect(seen).toEqual(['stop SIGTERM', 'echo SIGTERM +5', 'exit SIGTERM']);
  });

  it('exits at once on another kind of signal, however soon: an echo repeats its signal', () => {
    const { send, seen } = harness();
    send('SIGTERM', 0);
    send('SIGINT', 10);
    expect(seen).toEqual(['stop SIGTERM', 'exit SIGINT']);
  });
});
