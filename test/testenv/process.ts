// A child process of the control plane (etcd or kube-apiserver) whose output is kept: on disk for
// a developer to read while it runs, and its last lines in memory for error messages.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

const RECENT_LINES = 40;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has exited, however that happened. */
  readonly exited: Promise<ExitStatus>;
  hasExited(): boolean;
  /** The last lines the process wrote to stdout or stderr, oldest first. */
  recentOutput(): string;
  /** SIGTERM, then SIGKILL if it is still running after graceMs. */
  stop(graceMs: number): Promise<void>;
  /** Synchronous SIGKILL, for exit handlers that cannot wait. */
  killNow(): void;
}

/** Resolves once the process is running; rejects if it could not be started at all. */
export async function startProcess(
  name: string,
  command: string,
  args: string[],
  { logFile, env = process.env }: { logFile: string; env?: NodeJS.ProcessEnv },
): Promise<ManagedProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`could not start ${name} (${command}): ${error.message}`)));
  });
  const pid = child.pid!;
  const log = createWriteStream(logFile, { flags: 'a' });
  const recent: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipe(log, { end: false });
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      recent.push(line);
      if (recent.length > RECENT_LINES) recent.shift();
    });
  }

  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      resolve(status);
    });
  }).finally(() => log.end());

  const signal = (sig: NodeJS.Signals): void => {
    if (status !== undefined) return;
    try {
      child.kill(sig);
    } catch {
      // Already gone between the check and the kill.
    }
  };

  return {
    name,
    pid,
    exited,
    hasExited: () => status !== undefined,
    recentOutput: () => recent.join('\n'),
    killNow: () => signal('SIGKILL'),
    async stop(graceMs: number): Promise<void> {
      if (status !== undefined) return;
      signal('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const outcome = await Promise.race([exited, graceOver]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        signal('SIGKILL');
        await exited;
      }
    },
  };
}

export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `was killed by ${status.signal}` : `exited with code ${String(status.code)}`;
}
