// What a soak run does and how hard: the defaults of `npm run soak`, the short profile of the
// integration test, and the command-line flags that change them.
import { parseArgs } from 'node:util';
import { duration } from '../../src/config.ts';

/** Probability per AWS call (every operation, STS included) of each injected fault. */
export interface FaultRates {
  /** 500 ServerException. */
  serverError: number;
  /** 400 ThrottlingException. */
  throttling: number;
  /** Accepted and never answered: the controller's request timeout (10 s) ends it. */
  timeout: number;
  /** Socket destroyed before the call runs. */
  dropConnection: number;
  /** The call is applied, then the socket destroyed without an answer. */
  loseResponse: number;
}

export interface SoakOptions {
  /** How long the workload and the chaos run; convergence is waited for after. */
  durationMs: number;
  /**
   * Controller processes. Two or more run with --leader-elect on a Lease of the run's own, and
   * the kills aim mostly at the leader, so leadership moves; 1 runs one without leader election.
   */
  replicas: number;
  /** Managed AccessEntries applied at the start (more are created during the run). */
  resources: number;
  /** Entries seeded in EKS that no resource manages; a quarter tagged by another controller. */
  foreign: number;
  /** Resources naming a foreign entry's principal: they must stay Stalled/NotOwned, the entry untouched. */
  intruders: number;
  /** Workload operations (edits, drift, deletes, creates) per second during the run. */
  opsPerSecond: number;
  faults: FaultRates;
  /** Mean time between SIGKILLs of a replica (each interval uniform in 0.5–1.5 ×); undefined: none. */
  killEveryMs: number | undefined;
  /** Mean time between cuts of the controller's API server connections; undefined: none. */
  cutEveryMs: number | undefined;
  /** How long to wait, once the faults stop, for every invariant to hold. */
  convergeTimeoutMs: number;
  /** The controller's --resync: drift made in EKS is only seen on a resync. */
  resync: string;
  concurrency: number;
  /**
   * The controller's --aws-rate-limit (0: off). Its budget halves on every ThrottlingException,
   * injected ones included, so the default is well above what the run needs.
   */
  awsRateLimit: number;
  /** The emulator's not-yet-visible window for associations after a create. */
  associationDelayMs: number;
  seed: number;
  progressEveryMs: number;
  /** The controller's --log-level (its log goes to a file). */
  controllerLogLevel: string;
}

export const DEFAULT_FAULT_RATES: FaultRates = {
  serverError: 0.04,
  throttling: 0.02,
  timeout: 0.004,
  dropConnection: 0.02,
  loseResponse: 0.02,
};

/** `npm run soak`: a few minutes, hundreds of resources. */
export const DEFAULT_OPTIONS: SoakOptions = {
  durationMs: 3 * 60_000,
  replicas: 2,
  resources: 300,
  foreign: 24,
  intruders: 8,
  opsPerSecond: 4,
  faults: DEFAULT_FAULT_RATES,
  killEveryMs: 30_000,
  cutEveryMs: 8_000,
  convergeTimeoutMs: 2 * 60_000,
  resync: '15s',
  concurrency: 8,
  awsRateLimit: 100,
  associationDelayMs: 1_000,
  seed: Date.now() % 1_000_000,
  progressEveryMs: 10_000,
  controllerLogLevel: 'info',
};

/** The integration suite's version: about a minute, well under two with setup and convergence. */
export const SHORT_OPTIONS: SoakOptions = {
  ...DEFAULT_OPTIONS,
  // Long enough for two kill turns besides the one SIGTERM during a loss of the Lease (about 10 s).
  durationMs: 50_000,
  resources: 60,
  foreign: 10,
  intruders: 4,
  opsPerSecond: 3,
  // At least two kills and three cuts fit in the 40 s whatever the draws.
  killEveryMs: 10_000,
  cutEveryMs: 5_000,
  convergeTimeoutMs: 40_000,
  resync: '8s',
  associationDelayMs: 500,
};

export const USAGE = `Usage: npm run soak -- [options]

Runs the controller as processes against a real API server and the EKS emulator while a
workload edits, deletes and creates AccessEntries and drifts EKS, the emulator injects faults,
the controllers' API server connections are cut and a replica is SIGKILLed and restarted
(mostly the leader, so that leadership moves between the replicas). Then it waits for
convergence and checks every invariant; exits 1 if one fails.

  --duration DURATION        how long the workload and chaos run (default 3m)
  --replicas N               controller processes; 2 or more run with --leader-elect on a Lease
                             of the run's own in namespace default, 1 runs one without (default 2)
  --resources N              managed AccessEntries applied at the start (default 300)
  --foreign N                unmanaged entries seeded in EKS (default 24)
  --intruders N              resources naming a foreign principal, to stay NotOwned (default 8)
  --ops N                    workload operations per second (default 4)
  --server-error-rate P      fraction of AWS calls answered ServerException (default 0.04)
  --throttle-rate P          ... ThrottlingException (default 0.02)
  --timeout-rate P           ... never answered (default 0.004)
  --drop-rate P              ... connection dropped before the call runs (default 0.02)
  --lose-rate P              ... applied, then the answer lost (default 0.02)
  --kill-every DURATION|off  mean time between SIGKILLs of a replica (default 30s)
  --cut-every DURATION|off   mean time between cuts of their API server connections (default 8s)
  --converge-timeout DURATION  bound on convergence after the faults stop (default 2m)
  --resync DURATION          the controller's resync period (default 15s)
  --concurrency N            the controller's concurrency (default 8)
  --aws-rate-limit N         the controller's AWS request budget per second, 0 = off (default 100)
  --association-delay DURATION|off  emulator's not-yet-visible window after create (default 1s)
  --seed N                   random seed (default: from the clock; printed)
  --log-level LEVEL          the controllers' log level, in soak-controller.log (default info)
  -h, --help                 this text`;

const FLAGS = {
  duration: { type: 'string' },
  replicas: { type: 'string' },
  resources: { type: 'string' },
  foreign: { type: 'string' },
  intruders: { type: 'string' },
  ops: { type: 'string' },
  'server-error-rate': { type: 'string' },
  'throttle-rate': { type: 'string' },
  'timeout-rate': { type: 'string' },
  'drop-rate': { type: 'string' },
  'lose-rate': { type: 'string' },
  'kill-every': { type: 'string' },
  'cut-every': { type: 'string' },
  'converge-timeout': { type: 'string' },
  resync: { type: 'string' },
  concurrency: { type: 'string' },
  'aws-rate-limit': { type: 'string' },
  'association-delay': { type: 'string' },
  seed: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options the flags ask for, on top of the defaults; 'help' for -h. Throws with the flag to fix. */
export function parseSoakArgs(argv: string[], defaults: SoakOptions = DEFAULT_OPTIONS): SoakOptions | 'help' {
  const { values: v } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  if (v.help) return 'help';
  const rate = (flag: keyof typeof FLAGS, fallback: number): number => fraction(flag, v[flag] as string | undefined, fallback);
  const count = (flag: keyof typeof FLAGS, fallback: number, min = 0): number => whole(flag, v[flag] as string | undefined, fallback, min);
  return {
    ...defaults,
    durationMs: v.duration === undefined ? defaults.durationMs : duration('--duration', v.duration),
    replicas: replicaCount(v.replicas, defaults.replicas),
    resources: count('resources', defaults.resources),
    foreign: count('foreign', defaults.foreign),
    intruders: count('intruders', defaults.intruders),
    opsPerSecond: positive('--ops', v.ops, defaults.opsPerSecond),
    faults: {
      serverError: rate('server-error-rate', defaults.faults.serverError),
      throttling: rate('throttle-rate', defaults.faults.throttling),
      timeout: rate('timeout-rate', defaults.faults.timeout),
      dropConnection: rate('drop-rate', defaults.faults.dropConnection),
      loseResponse: rate('lose-rate', defaults.faults.loseResponse),
    },
    killEveryMs: optionalDuration('--kill-every', v['kill-every'], defaults.killEveryMs),
    cutEveryMs: optionalDuration('--cut-every', v['cut-every'], defaults.cutEveryMs),
    convergeTimeoutMs: v['converge-timeout'] === undefined ? defaults.convergeTimeoutMs : duration('--converge-timeout', v['converge-timeout']),
    resync: v.resync === undefined ? defaults.resync : checkedDuration('--resync', v.resync),
    concurrency: count('concurrency', defaults.concurrency, 1),
    awsRateLimit: count('aws-rate-limit', defaults.awsRateLimit),
    associationDelayMs: optionalDuration('--association-delay', v['association-delay'], defaults.associationDelayMs) ?? 0,
    seed: count('seed', defaults.seed),
    controllerLogLevel: v['log-level'] ?? defaults.controllerLogLevel,
  };
}

/** The text itself (the controller parses it again), once it is known to be a duration. */
function checkedDuration(flag: string, text: string): string {
  duration(flag, text);
  return text;
}

function optionalDuration(flag: string, text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  return text === 'off' ? undefined : duration(flag, text);
}

/** Replicas are named soak-a, soak-b, ...: one letter each. */
export const MAX_REPLICAS = 26;

function replicaCount(text: string | undefined, fallback: number): number {
  const value = whole('replicas', text, fallback, 1);
  if (value > MAX_REPLICAS) throw new Error(`--replicas ${value} is more than ${MAX_REPLICAS}`);
  return value;
}

function whole(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${flag} ${text} is not a whole number of at least ${min}`);
  return value;
}

function fraction(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) throw new Error(`--${flag} ${text} is not a probability between 0 and 1`);
  return value;
}

function positive(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${flag} ${text} is not a positive number`);
  return value;
}

/** One line saying what this run does, for the start of its output. */
export function describeOptions(o: SoakOptions): string {
  const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;
  const every = (ms: number | undefined): string => (ms === undefined ? 'never' : `every ~${(ms / 1000).toFixed(0)} s`);
  return [
    `seed ${o.seed}, ${(o.durationMs / 1000).toFixed(0)} s of chaos, ${o.resources} resources (+${o.intruders} intruders), ${o.foreign} foreign entries, ${o.opsPerSecond} ops/s`,
    `faults per AWS call: ServerException ${pct(o.faults.serverError)}, Throttling ${pct(o.faults.throttling)}, Timeout ${pct(o.faults.timeout)}, DropConnection ${pct(o.faults.dropConnection)}, LoseResponse ${pct(o.faults.loseResponse)}`,
    `${o.replicas === 1 ? 'one controller, no leader election' : `${o.replicas} replicas with leader election`}, SIGKILL ${every(o.killEveryMs)}, API server connections cut ${every(o.cutEveryMs)}, controller --resync ${o.resync} --concurrency ${o.concurrency} --aws-rate-limit ${o.awsRateLimit}, association delay ${o.associationDelayMs} ms`,
  ].join('\n');
}
