// The controller's replicas, each a process of its own run again and again: started, SIGKILLed,
// restarted, and at the end stopped with SIGTERM. Every run's exit and stderr are kept, so a
// crash of its own (an exit nobody asked for, an unhandled rejection, leadership lost) is told
// apart from the kills. All replicas write to one log file, each line prefixed by its replica.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { installExitGuard, type ExitGuard } from '../../test/testenv/exit-guard.ts';

export interface ControllerCommand {
  command: string;
  /** Everything before the soak's own flags, e.g. ['dist/main.js'] or ['--import', 'tsx', 'src/main.ts']. */
  args: string[];
  cwd: string;
}

export interface ControllerRun {
  /** The replica it is a run of (its POD_NAME). */
  replica: string;
  /** 1 for the replica's first run, and so on. */
  index: number;
  pid: number;
  /** The signal the soak sent to end it, if it did. */
  sent?: 'SIGKILL' | 'SIGTERM';
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  stderr: string;
  /** ms after the replicas were set up. */
  startedAtMs: number;
  /** Its Lease holder identity (`${POD_NAME}_<uuid8>`), from the first log line naming it. */
  identity?: string;
  /** The line it logged when leadership it held ended without being asked to, if it did. */
  lostLeadership?: string;
  /** The soak SIGTERMed it while cutting it off from the API server: losing the Lease while draining is expected. */
  lossInduced?: boolean;
}

/** How a replica is run: its name (POD_NAME), and its own flags and environment. */
export interface ReplicaSpec {
  name: string;
  flags: string[];
  env: NodeJS.ProcessEnv;
}

const STDERR_LIMIT = 64 * 1024;
// What src/leadership.ts and src/kube/leader-election.ts log when leadership ends on its own;
// a SIGTERM steps down too, with reason "stopping", which is no loss.
const LOST_LEADERSHIP = /"msg":"(lost leadership while (?:leading|draining)[^"]*|stopped leading)"/;
const STEPPED_DOWN_ON_STOP = /"reason":"stopping"/;

export const describeRun = (run: ControllerRun): string => `${run.replica} run ${run.index} (pid ${run.pid})`;

/** The one log file of every replica: their lines prefixed `[name] `, the soak's own lines `=== soak: `. */
export class ControllerLog {
  readonly #stream: WriteStream;
  #closed = false;

  constructor(file: string) {
    this.#stream = createWriteStream(file, { flags: 'a' });
  }

  line(replica: string, text: string): void {
    if (!this.#closed) this.#stream.write(`[${replica}] ${text}\n`);
  }

  /** What the soak did, to be read beside what the replicas did. */
  note(text: string): void {
    if (!this.#closed) this.#stream.write(`=== soak: ${text} at ${new Date().toISOString()}\n`);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await new Promise<void>((resolve) => this.#stream.end(resolve));
  }
}

/** What every replica of a run shares. */
interface ReplicaContext {
  command: ControllerCommand;
  log: ControllerLog;
  /** performance.now() when the replicas were set up: runs' start times count from it. */
  origin: number;
}

export class ControllerReplica {
  readonly #runs: ControllerRun[] = [];
  readonly #guard: ExitGuard;
  readonly #identity: RegExp;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #closed = false;
  /** Told of every exit the soak did not ask for. */
  onUnexpectedExit: (run: ControllerRun) => void = () => undefined;

  constructor(
    private readonly spec: ReplicaSpec,
    private readonly context: ReplicaContext,
  ) {
    // A soak that dies must not leave its controller running.
    this.#guard = installExitGuard(() => this.#child?.kill('SIGKILL'));
    this.#identity = new RegExp(`"identity":"(${spec.name.replace(/[^a-z0-9-]/gi, '')}_[0-9a-f]{8})"`);
  }

  get name(): string {
    return this.spec.name;
  }

  get runs(): readonly ControllerRun[] {
    return this.#runs;
  }

  /** The run under way, if one is. */
  get current(): ControllerRun | undefined {
    return this.#child ? this.#runs[this.#runs.length - 1] : undefined;
  }

  running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts a new run; resolves once the process is spawned (not once it is ready). */
  async start(): Promise<void> {
    if (this.#closed) throw new Error(`the controller replica ${this.name} was closed`);
    if (this.#child) throw new Error(`the controller replica ${this.name} is already running`);
    const { command, log, origin } = this.context;
    const child = spawn(command.command, [...command.args, ...this.spec.flags], { cwd: command.cwd, env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const run: ControllerRun = { replica: this.name, index: this.#runs.length + 1, pid: child.pid!, stderr: '', startedAtMs: performance.now() - origin };
    this.#runs.push(run);
    log.note(`${describeRun(run)} started ${(run.startedAtMs / 1000).toFixed(1)} s into the run`);
    this.#follow(child.stdout, (line) => this.#read(run, line));
    this.#follow(child.stderr, (line) => {
      this.#read(run, line);
      if (run.stderr.length < STDERR_LIMIT) run.stderr += `${line}\n`;
    });
    this.#child = child;
    this.#exited = new Promise<void>((resolve) => {
      // 'close', not 'exit': the last lines it wrote are read (and logged) by then.
      child.once('close', (code, signal) => {
        run.exit = { code, signal };
        log.note(`${describeRun(run)} ended: code ${String(code)}, signal ${String(signal)}${run.sent ? ` (soak sent ${run.sent})` : ''}`);
        if (this.#child === child) this.#child = undefined;
        if (!run.sent) this.onUnexpectedExit(run);
        resolve();
      });
    });
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
  }

  #follow(stream: Readable, onLine: (line: string) => void): void {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      this.context.log.line(this.name, line);
      onLine(line);
    });
  }

  /** Picks out of its log what the checks need: who it is, and whether it lost leadership. */
  #read(run: ControllerRun, line: string): void {
    run.identity ??= this.#identity.exec(line)?.[1];
    if (run.lostLeadership === undefined && LOST_LEADERSHIP.test(line) && !STEPPED_DOWN_ON_STOP.test(line)) run.lostLeadership = line;
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

/** The replicas of one soak run, sharing a command and a log file. */
export class ControllerReplicas {
  readonly all: readonly ControllerReplica[];
  readonly #log: ControllerLog;

  constructor(command: ControllerCommand, specs: readonly ReplicaSpec[], logFile: string) {
    if (specs.length === 0) throw new Error('a soak runs at least one controller replica');
    this.#log = new ControllerLog(logFile);
    const context = { command, log: this.#log, origin: performance.now() };
    this.all = specs.map((spec) => new ControllerReplica(spec, context));
  }

  /** Every run of every replica, in the order they started. */
  get runs(): ControllerRun[] {
    return this.all.flatMap((replica) => replica.runs).sort((a, b) => a.startedAtMs - b.startedAtMs);
  }

  running(): ControllerReplica[] {
    return this.all.filter((replica) => replica.running());
  }

  /** The replica whose run under way has this Lease holder identity; none for a run that is gone. */
  withIdentity(identity: string): ControllerReplica | undefined {
    return this.all.find((replica) => identity !== '' && replica.current?.identity === identity);
  }

  note(text: string): void {
    this.#log.note(text);
  }

  async startAll(): Promise<void> {
    await Promise.all(this.all.filter((replica) => !replica.running()).map((replica) => replica.start()));
  }

  /**
   * SIGTERMs every replica. The others first, then `last` (the leader): a standby still running
   * when the leader releases the Lease would take it over and start reconciling just to stop.
   */
  async stopAll(graceMs: number, last?: ControllerReplica): Promise<void> {
    await Promise.all(this.all.filter((replica) => replica !== last).map((replica) => replica.stop(graceMs)));
    await last?.stop(graceMs);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((replica) => replica.close()));
    await this.#log.close();
  }
}
