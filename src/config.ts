import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_CONTROLLER_ID } from './api/names.ts';
import type { RateLimit } from './eks/rate-limiter.ts';
import { DEFAULT_METRICS_BIND_ADDRESS, DEFAULT_PROBE_BIND_ADDRESS, parseBindAddress, type BindAddress } from './metrics/index.ts';

export interface Config {
  /** Path of a kubeconfig; unset means in-cluster, then the default kubeconfig locations. */
  kubeconfig?: string;
  region: string;
  /** EKS endpoint override, e.g. the emulator's http://127.0.0.1:4566. */
  awsEndpoint?: string;
  /** STS endpoint override; defaults to awsEndpoint, since the emulator serves both. */
  stsEndpoint?: string;
  /** IAM endpoint override; defaults to awsEndpoint, since the emulator serves IAM too. */
  iamEndpoint?: string;
  /** Unset: derived from the management cluster's kube-system namespace UID at start. */
  controllerId?: string;
  /** Only AccessEntries matching this label selector are managed, e.g. to split them between controllers. */
  labelSelector?: string;
  concurrency: number;
  resyncMs: number;
  stalledRetryMs: number;
  principalGraceMs: number;
  /** First and longest delay between retries of a failing resource. */
  retryBaseMs: number;
  retryMaxMs: number;
  awsMaxAttempts: number;
  /** Client-side request budget per account and region; requestsPerSecond 0 turns it off. */
  awsRateLimit: RateLimit;
  /** Client-side budget of IAM reads per account (principals' ids, SSO roles); requestsPerSecond 0 turns it off. */
  iamRateLimit: RateLimit;
  /** Managed roles of one account from which it is read with ListRoles once per resync rather than GetRole each; 0: never. */
  iamListRolesFrom?: number;
  awsRequestTimeoutMs: number;
  shutdownTimeoutMs: number;
  logLevel: string;
  /** Where /metrics listens (controller-runtime's :8080 by default), or 'disabled'. */
  metricsAddress: BindAddress | 'disabled';
  /** Where /healthz and /readyz listen (:8081 by default), or 'disabled'. */
  probeAddress: BindAddress | 'disabled';
  /** This process among the replicas: the Lease holder identity and the suffix of its AWS user agent. */
  identity: string;
  /** Unset: no leader election (one replica). */
  leaderElection?: LeaderElectionConfig;
  /** Never reach a cluster with the controller's own credentials: every cluster needs a ClusterAccess. */
  requireClusterAccess?: boolean;
  /**
   * Whether this process checks ClusterAccesses and writes their status. Shards split the
   * AccessEntries between them but all read every ClusterAccess: one of them writes its status,
   * or they would overwrite each other's verdicts. Default: true without --selector.
   */
  clusterAccessStatusOwner?: boolean;
  /**
   * Whether /metrics has a series per condition of each AccessEntry and ClusterAccess
   * (eks_access_entry_status_condition, ..._cluster_access_status_condition). Default true.
   */
  perResourceMetrics?: boolean;
}

export interface LeaderElectionConfig {
  namespace: string;
  /** The Lease's name: one per deployment (per shard, with --selector). */
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const USAGE = `Usage: eks-access-entry-controller [options]

Keeps Amazon EKS access entries equal to the AccessEntry resources in a Kubernetes cluster.
Every option can also be set by the environment variable in brackets.

  --kubeconfig PATH          kubeconfig to use [KUBECONFIG]; default: in-cluster, then ~/.kube/config
  --region REGION            region for AccessEntries that name none [AWS_REGION, AWS_DEFAULT_REGION]
  --aws-endpoint URL         EKS endpoint override, e.g. the emulator [EKS_ENDPOINT]; the SDK's own
                             AWS_ENDPOINT_URL_EKS works too, and points EKS only
  --sts-endpoint URL         STS endpoint override [STS_ENDPOINT] (default: AWS_ENDPOINT_URL_STS or
                             AWS_ENDPOINT_URL when set, else --aws-endpoint when set, as the emulator
                             serves both). STS tells which account the credentials are for; the
                             request budget (per account) waits for that answer: STS must be reachable
  --iam-endpoint URL         IAM endpoint override [IAM_ENDPOINT] (default: AWS_ENDPOINT_URL_IAM or
                             AWS_ENDPOINT_URL when set, else --aws-endpoint when set). IAM tells each
                             principal's unique id (a re-created role) and resolves SSO permission sets
  --allow-insecure-endpoint  accept an http:// --aws-endpoint, --sts-endpoint or --iam-endpoint on a host other than
                             loopback [ALLOW_INSECURE_ENDPOINT] (default: refused, since requests would
                             carry signed credentials in clear)
  --require-cluster-access   reach every cluster through a ClusterAccess, never with the controller's own
                             credentials [REQUIRE_CLUSTER_ACCESS]; for fleets that want no own-account access
  --controller-id ID         written in the managed-by tag of entries it manages [CONTROLLER_ID]
                             (default ${DEFAULT_CONTROLLER_ID}-<first 12 hex digits of the kube-system
                             namespace UID>, unique to the management cluster; shards sharing one
                             deployment share it). Logged at start
  --selector SELECTOR        manage only AccessEntries with these labels, e.g. team=platform [LABEL_SELECTOR]
  --cluster-access-status-owner true|false  whether this process checks ClusterAccesses and writes their
                             status [CLUSTER_ACCESS_STATUS_OWNER] (default true without --selector, false with
                             it: of several shards, let exactly one own it)
  --concurrency N            resources reconciled at once [CONCURRENCY] (default 4)
  --resync DURATION          re-check of in-sync entries against EKS [RESYNC_PERIOD] (default 10m)
  --stalled-retry DURATION   retry period of Stalled resources [STALLED_RETRY_PERIOD] (default 5m)
  --aws-rate-limit N         EKS requests per second per AWS account and region, shared by all workers
                             and by every role of that account (the account is asked of STS once per role);
                             halved for a while after a ThrottlingException; 0 = no limit [AWS_RATE_LIMIT] (default 10)
  --aws-burst N              requests that may go at once after a quiet spell [AWS_BURST] (default 20)
  --iam-rate-limit N         IAM reads per second per AWS account (GetRole, GetUser, ListRoles), a budget
                             apart from EKS's: IAM's quotas are per account and low; 0 = no limit
                             [IAM_RATE_LIMIT] (default 5)
  --iam-burst N              IAM reads that may go at once after a quiet spell [IAM_BURST] (default 10)
  --iam-list-roles-from N    from this many managed roles in one account, read them all with ListRoles
                             (1,000 a page) once per resync instead of one GetRole each; 0 = never
                             [IAM_LIST_ROLES_FROM] (default 10)
  --shutdown-timeout DURATION  how long SIGTERM waits for in-flight reconciles before exiting;
                             keep it below the pod's terminationGracePeriodSeconds [SHUTDOWN_TIMEOUT] (default 25s).
                             With --leader-elect the wait also ends, exit 1, the moment leadership lapses
                             (no renewal within the renew deadline, or the Lease taken): from then on no
                             EKS write is sent. The same signal again within 1 s is taken as its echo;
                             a later one exits at once
  --metrics-bind-address ADDR   where /metrics listens, e.g. :8080 or 127.0.0.1:8080; 0 turns it off
                             [METRICS_BIND_ADDRESS] (default :8080)
  --health-probe-bind-address ADDR  where /healthz and /readyz listen [HEALTH_PROBE_BIND_ADDRESS] (default :8081)
  --leader-elect             run as one of several replicas: only the holder of a Lease reconciles, and
                             an EKS write is sent only while its last renewal is within the renew deadline [LEADER_ELECT]
  --leader-election-namespace NS  namespace of the Lease [POD_NAMESPACE] (required with --leader-elect)
  --leader-election-id NAME  the Lease's name [LEADER_ELECTION_ID] (default ${DEFAULT_CONTROLLER_ID}, plus a hash
                             of --selector when set, so shards do not share one)
  --leader-election-lease-duration, --leader-election-renew-deadline, --leader-election-retry-period DURATION
                             client-go's timings (defaults 15s, 10s, 2s)
  --per-resource-metrics true|false  a /metrics series per condition of each AccessEntry and ClusterAccess,
                             so alerts can name the resource [PER_RESOURCE_METRICS] (default true; false
                             for very large fleets: the counts by condition stay)
  --log-level LEVEL          trace, debug, info, warn, error [LOG_LEVEL] (default info)
  -h, --help                 this text

Durations: 500ms, 30s, 10m, 1h. AWS credentials come from the SDK's default chain
(environment, IRSA, EKS Pod Identity, instance profile).`;

const OPTIONS = {
  kubeconfig: { type: 'string' },
  region: { type: 'string' },
  'aws-endpoint': { type: 'string' },
  'sts-endpoint': { type: 'string' },
  'iam-endpoint': { type: 'string' },
  'allow-insecure-endpoint': { type: 'boolean' },
  'require-cluster-access': { type: 'boolean' },
  'cluster-access-status-owner': { type: 'string' },
  'controller-id': { type: 'string' },
  selector: { type: 'string' },
  concurrency: { type: 'string' },
  resync: { type: 'string' },
  'stalled-retry': { type: 'string' },
  'aws-rate-limit': { type: 'string' },
  'aws-burst': { type: 'string' },
  'iam-rate-limit': { type: 'string' },
  'iam-burst': { type: 'string' },
  'iam-list-roles-from': { type: 'string' },
  'log-level': { type: 'string' },
  'shutdown-timeout': { type: 'string' },
  'metrics-bind-address': { type: 'string' },
  'health-probe-bind-address': { type: 'string' },
  'per-resource-metrics': { type: 'string' },
  'leader-elect': { type: 'boolean' },
  'leader-election-namespace': { type: 'string' },
  'leader-election-id': { type: 'string' },
  'leader-election-lease-duration': { type: 'string' },
  'leader-election-renew-deadline': { type: 'string' },
  'leader-election-retry-period': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Flags win over the environment; both are read once, here. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config | 'help' {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) return 'help';
  const setting = (flag: keyof typeof OPTIONS, ...envNames: string[]): string | undefined => {
    const fromFlag = values[flag];
    return typeof fromFlag === 'string' ? fromFlag : envNames.map((name) => env[name]).find((v) => v !== undefined);
  };
  const region = setting('region', 'AWS_REGION', 'AWS_DEFAULT_REGION');
  if (!region) throw new ConfigError('no region: pass --region or set AWS_REGION');
  return {
    ...optionalSettings(setting, switchOn(values['allow-insecure-endpoint'], env.ALLOW_INSECURE_ENDPOINT)),
    ...clusterAccessSettings(setting, switchOn(values['require-cluster-access'], env.REQUIRE_CLUSTER_ACCESS)),
    ...leaderElectionOf(switchOn(values['leader-elect'], env.LEADER_ELECT), setting),
    identity: `${env.POD_NAME ?? hostname()}_${randomUUID().slice(0, 8)}`,
    ...awsSettings(setting),
    ...endpointSettings(setting),
    perResourceMetrics: switchSetting('--per-resource-metrics', setting('per-resource-metrics', 'PER_RESOURCE_METRICS') ?? 'true'),
    region,
    concurrency: positiveInt('--concurrency', setting('concurrency', 'CONCURRENCY') ?? '4'),
    resyncMs: duration('--resync', setting('resync', 'RESYNC_PERIOD') ?? '10m'),
    stalledRetryMs: duration('--stalled-retry', setting('stalled-retry', 'STALLED_RETRY_PERIOD') ?? '5m'),
    principalGraceMs: 2 * 60_000,
    retryBaseMs: 1_000,
    retryMaxMs: 5 * 60_000,
    shutdownTimeoutMs: duration('--shutdown-timeout', setting('shutdown-timeout', 'SHUTDOWN_TIMEOUT') ?? '25s'),
    logLevel: logLevel(setting('log-level', 'LOG_LEVEL') ?? 'info'),
  };
}

/** A boolean flag, or its environment variable set to "true". */
function switchOn(flag: boolean | undefined, env: string | undefined): boolean {
  return flag === true || env === 'true';
}

function leaderElectionOf(enabled: boolean, setting: Setting): Pick<Config, 'leaderElection'> {
  return enabled ? { leaderElection: leaderElectionSettings(setting) } : {};
}

function leaderElectionSettings(setting: Setting): LeaderElectionConfig {
  const namespace = setting('leader-election-namespace', 'POD_NAMESPACE');
  if (!namespace) throw new ConfigError('--leader-elect needs the Lease\'s namespace: pass --leader-election-namespace or set POD_NAMESPACE (the downward API)');
  const selector = setting('selector', 'LABEL_SELECTOR');
  const shard = selector ? `-${createHash('sha256').update(selector).digest('hex').slice(0, 8)}` : '';
  const timings = {
    leaseDurationMs: duration('--leader-election-lease-duration', setting('leader-election-lease-duration') ?? '15s'),
    renewDeadlineMs: duration('--leader-election-renew-deadline', setting('leader-election-renew-deadline') ?? '10s'),
    retryPeriodMs: duration('--leader-election-retry-period', setting('leader-election-retry-period') ?? '2s'),
  };
  if (!(timings.leaseDurationMs > timings.renewDeadlineMs && timings.renewDeadlineMs > timings.retryPeriodMs)) {
    throw new ConfigError('leader election needs lease duration > renew deadline > retry period, as client-go does');
  }
  return { namespace, leaseName: setting('leader-election-id', 'LEADER_ELECTION_ID') ?? `${DEFAULT_CONTROLLER_ID}${shard}`, ...timings };
}

function awsSettings(setting: Setting): Pick<Config, 'awsMaxAttempts' | 'awsRateLimit' | 'iamRateLimit' | 'iamListRolesFrom' | 'awsRequestTimeoutMs'> {
  const listFrom = setting('iam-list-roles-from', 'IAM_LIST_ROLES_FROM') ?? '10';
  return {
    awsMaxAttempts: 3,
    awsRateLimit: {
      requestsPerSecond: nonNegativeNumber('--aws-rate-limit', setting('aws-rate-limit', 'AWS_RATE_LIMIT') ?? '10'),
      burst: positiveInt('--aws-burst', setting('aws-burst', 'AWS_BURST') ?? '20'),
    },
    iamRateLimit: {
      requestsPerSecond: nonNegativeNumber('--iam-rate-limit', setting('iam-rate-limit', 'IAM_RATE_LIMIT') ?? '5'),
      burst: positiveInt('--iam-burst', setting('iam-burst', 'IAM_BURST') ?? '10'),
    },
    iamListRolesFrom: listFrom === '0' ? 0 : positiveInt('--iam-list-roles-from', listFrom),
    awsRequestTimeoutMs: 10_000,
  };
}

function endpointSettings(setting: Setting): Pick<Config, 'metricsAddress' | 'probeAddress'> {
  return {
    metricsAddress: bindAddress('--metrics-bind-address', setting('metrics-bind-address', 'METRICS_BIND_ADDRESS') ?? DEFAULT_METRICS_BIND_ADDRESS),
    probeAddress: bindAddress('--health-probe-bind-address', setting('health-probe-bind-address', 'HEALTH_PROBE_BIND_ADDRESS') ?? DEFAULT_PROBE_BIND_ADDRESS),
  };
}

type Setting = (flag: keyof typeof OPTIONS, ...envNames: string[]) => string | undefined;

function clusterAccessSettings(setting: Setting, requireClusterAccess: boolean): Pick<Config, 'requireClusterAccess' | 'clusterAccessStatusOwner'> {
  const owner = setting('cluster-access-status-owner', 'CLUSTER_ACCESS_STATUS_OWNER');
  return {
    requireClusterAccess,
    clusterAccessStatusOwner: owner === undefined ? setting('selector', 'LABEL_SELECTOR') === undefined : switchSetting('--cluster-access-status-owner', owner),
  };
}

/** A setting spelled true or false, as --flag=false must be for a setting that is on by default. */
function switchSetting(flag: string, text: string): boolean {
  if (text !== 'true' && text !== 'false') throw new ConfigError(`${flag} ${text} is not true or false`);
  return text === 'true';
}

/** The settings that are simply absent from the Config when not given. */
function optionalSettings(
  setting: Setting,
  allowInsecure: boolean,
): Pick<Config, 'kubeconfig' | 'awsEndpoint' | 'stsEndpoint' | 'iamEndpoint' | 'labelSelector' | 'controllerId'> {
  const awsEndpoint = endpoint('--aws-endpoint', setting('aws-endpoint', 'EKS_ENDPOINT'), allowInsecure);
  // STS follows --aws-endpoint (the emulator serves both) unless STS is pointed the SDK's own
  // way, which the SDK then honours: an explicit endpoint here would override it.
  const stsPointedBySdk = Boolean(setting('sts-endpoint', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL'));
  const iamPointedBySdk = Boolean(setting('iam-endpoint', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL'));
  const given = {
    kubeconfig: setting('kubeconfig', 'KUBECONFIG'),
    awsEndpoint,
    stsEndpoint: endpoint('--sts-endpoint', setting('sts-endpoint', 'STS_ENDPOINT'), allowInsecure) ?? (stsPointedBySdk ? undefined : awsEndpoint),
    iamEndpoint: endpoint('--iam-endpoint', setting('iam-endpoint', 'IAM_ENDPOINT'), allowInsecure) ?? (iamPointedBySdk ? undefined : awsEndpoint),
    labelSelector: setting('selector', 'LABEL_SELECTOR'),
    controllerId: controllerIdOf(setting('controller-id', 'CONTROLLER_ID')),
  };
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value));
}

/** The id is the STS session name of assumed roles and is pinned by IAM policies: no changes to make it fit. */
function controllerIdOf(id: string | undefined): string | undefined {
  if (id !== undefined && !/^[\w+=,.@-]{1,64}$/.test(id)) {
    throw new ConfigError(`--controller-id ${id} must be 1 to 64 letters, digits or +=,.@_- (it is the STS session name of the roles it assumes)`);
  }
  return id;
}

function bindAddress(flag: string, text: string): BindAddress | 'disabled' {
  try {
    return parseBindAddress(text);
  } catch (err) {
    throw new ConfigError(`${flag}: ${(err as Error).message}`);
  }
}

function logLevel(level: string): string {
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`--log-level ${level} is not one of trace, debug, info, warn, error`);
  return level;
}

function endpoint(flag: string, url: string | undefined, allowInsecure: boolean): string | undefined {
  if (url === undefined) return undefined;
  if (!URL.canParse(url)) throw new ConfigError(`${flag} ${url} is not a URL, e.g. http://127.0.0.1:4566`);
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'https:' && protocol !== 'http:') throw new ConfigError(`${flag} ${url} must be an https:// (or loopback http://) URL`);
  if (protocol === 'http:' && !allowInsecure && !isLoopback(hostname)) {
    throw new ConfigError(
      `${flag} ${url}: plain http to a host other than loopback would send signed AWS requests in clear; use https, ` +
        'or pass --allow-insecure-endpoint if this is a test network you trust',
    );
  }
  return url;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function nonNegativeNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new ConfigError(`${flag} ${text} is not a number of requests per second (0 for no limit)`);
  return value;
}

function positiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${flag} ${text} is not a positive whole number`);
  return value;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function duration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  const unit = match ? UNIT_MS[match[2] ?? ''] : undefined;
  if (!match || unit === undefined) throw new ConfigError(`${flag} ${text} is not a duration such as 30s, 10m or 1h`);
  const ms = Number(match[1]) * unit;
  if (ms <= 0) throw new ConfigError(`${flag} must be longer than zero`);
  return ms;
}
