// The controller as a process of its own, run again and again: started, SIGKILLed, restarted,
// and at the end stopped with SIGTERM. Every run's exit and stderr are kept, so a crash of its
// own (an exit nobody asked for, an unhandled rejection) is told apart from the kills.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { installExitGuard, type ExitGuard } from '../../test/testenv/exit-guard.ts';

export interface ControllerCommand {
  command: string;
  /** Everything before the soak's own flags, e.g. ['dist/main.js'] or ['--import', 'tsx', 'src/main.ts']. */
  args: string[];
  cwd: string;
}

export interface ControllerRun {
  index: number;
  pid: number;
  /** The signal the soak sent to end it, if it did. */
  sent?: 'SIGKILL' | 'SIGTERM';
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  stderr: string;
  /** ms after the supervisor started. */
  startedAtMs: number;
}

const STDERR_LIMIT = 64 * 1024;

export class ControllerSupervisor {
  readonly #runs: ControllerRun[] = [];
  readonly #log: WriteStream;
  readonly #guard: ExitGuard;
  readonly #started = performance.now();
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #closed = false;
  /** Told of every exit the soak did not ask for. */
  onUnexpectedExit: (run: ControllerRun) => void = () => undefined;

  constructor(
    private readonly command: ControllerCommand,
    private readonly flags: string[],
    private readonly env: NodeJS.ProcessEnv,
    logFile: string,
  ) {
    this.#log = createWriteStream(logFile, { flags: 'a' });
    // A soak that dies must not leave its controller running.
    this.#guard = installExitGuard(() => this.#child?.kill('SIGKILL'));
  }

  get runs(): readonly ControllerRun[] {
    return this.#runs;
  }

  running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts a new run; resolves once the process is spawned (not once it is ready). */
  async start(): Promise<void> {
    if (this.#closed) throw new Error('the controller supervisor was closed');
    if (this.#child) throw new Error('the controller is already running');
    const child = spawn(this.command.command, [...this.command.args, ...this.flags], { cwd: this.command.cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const run: ControllerRun = { index: this.#runs.length + 1, pid: child.pid!, stderr: '', startedAtMs: performance.now() - this.#started };
    this.#runs.push(run);
    this.#log.write(`\n=== soak: controller run ${run.index}, pid ${run.pid}, at ${(run.startedAtMs / 1000).toFixed(1)} s\n`);
    child.stdout.on('data', (chunk: Buffer) => this.#log.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      this.#log.write(chunk);
      if (run.stderr.length < STDERR_LIMIT) run.stderr += chunk.toString();
    });
    this.#child = child;
    this.#exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        run.exit = { code, signal };
        this.#log.write(`=== soak: controller run ${run.index} ended: code ${String(code)}, signal ${String(signal)}${run.sent ? ` (soak sent ${run.sent})` : ''}\n`);
        if (this.#child === child) this.#child = undefined;
        if (!run.sent) this.onUnexpectedExit(run);
        resolve();
      });
    });
  }

  /** Writes a line into the controller's log, so what the soak did can be read beside what the controller did. */
  note(text: string): void {
    if (!this.#closed) this.#log.write(`=== soak: ${text} at ${new Date().toISOString()}\n`);
  }

  /** SIGKILL, as a node's OOM killer or a crashed host would; resolves once it is gone. */
  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  /**
   * SIGTERM, as Kubernetes does; resolves once it exited. After `graceMs` it is SIGKILLed (the
   * run then shows sent SIGTERM but exit by SIGKILL, which the checks report).
   */
  async stop(graceMs: number): Promise<void> {
    const exited = this.#exited;
    const child = this.#child;
    const ending = this.#end('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), graceMs);
    await ending;
    clearTimeout(timer);
    await exited;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#child) await this.kill();
    this.#guard.remove();
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }

  async #end(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.#child;
    const run = this.#runs[this.#runs.length - 1];
    if (!child || !run || run.exit) return;
    run.sent = signal;
    child.kill(signal);
    await this.#exited;
  }
}
