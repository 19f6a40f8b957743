// Last-resort cleanup when the owning Node process ends before stop() is called: on exit and on
// the usual termination signals. Only synchronous work is possible at that point.

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ExitGuard {
  remove(): void;
}

export function installExitGuard(cleanup: () => void): ExitGuard {
  let done = false;
  const runCleanup = (): void => {
    if (done) return;
    done = true;
    cleanup();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    runCleanup();
    remove();
    // Listening for a signal replaces Node's default of dying from it; if nobody else handles
    // it, restore that default and raise it again so the process still ends as asked.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  function remove(): void {
    process.off('exit', runCleanup);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
  process.on('exit', runCleanup);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return { remove };
}
