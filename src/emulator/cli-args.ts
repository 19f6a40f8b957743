// Flags of the emulator CLI, parsed into a checked configuration (no side effects here).
import { parseArgs } from 'node:util';
import { assertAccountId } from './core/accounts.ts';
import { parsePrincipalArn, parseRoleArn } from './core/arn.ts';
import { AUTHENTICATION_MODES, type AuthenticationMode } from './eks/model.ts';
import { DEFAULT_KEEP_ALIVE_TIMEOUT_MS } from './core/keep-alive.ts';
import { parseRoleTrust, type RoleTrust } from './sts/role-trust.ts';
import { parseAuthenticationMode, validateClusterName } from './eks/clusters/cluster-rules.ts';

export const USAGE = `Usage: npm run emulator -- [options]

Runs an Amazon EKS emulator (access entries, access policies, tags, cluster authentication mode,
STS GetCallerIdentity and AssumeRole, and IAM roles and users) that the AWS SDK and CLI can talk
to through an endpoint override.

Options:
  -p, --port <n>                  port to listen on (default 4566; 0 picks a free one)
      --host <addr>               address to bind (default 127.0.0.1)
      --region <r>                default region, for requests without a SigV4 scope (default us-east-1)
      --account <id>              default 12-digit account, for access keys not mapped (default 123456789012)
      --access-key <KEY=ID>       requests signed with access key id KEY act in account ID; repeatable
      --cluster <spec>            create a cluster at start; repeatable. spec = NAME[:MODE][@REGION][/ACCOUNT]
                                  MODE is one of ${AUTHENTICATION_MODES.join(', ')} (default API_AND_CONFIG_MAP)
      --keep-alive-timeout <ms>   how long idle connections stay open (default ${DEFAULT_KEEP_ALIVE_TIMEOUT_MS})
      --association-delay <ms>    AssociateAccessPolicy answers ResourceNotFoundException for this long
                                  after an entry is created, as EKS sometimes does (default 0: off)
      --role-trust <json>         who may assume a role; repeatable. json = {"roleArn": ARN, "externalId"?: ID,
                                  "allowedCallers"?: [ACCOUNT or ARN, ...], "maxSessionDuration"?: SECONDS}
                                  (roles without one can be assumed by anyone)
      --iam-principal <arn>       create this IAM role or user at start (its account, path and name
                                  from the ARN); repeatable
      --implicit-principals       an access entry for a principal IAM does not have creates it first,
                                  as if it existed (real EKS accepts only principals that exist)
      --audit-file <path>         append each call's IAM audit record (a JSON line) to this file
                                  (default: a file of its own in $EKS_EMULATOR_AUDIT_DIR, if set)
      --log-level <lvl>           pino level: fatal, error, warn, info, debug, trace, silent (default info)
  -h, --help                      show this help

Example:
  npm run emulator -- --port 4566 --cluster demo --cluster legacy:CONFIG_MAP --cluster eu@eu-west-1 \\
    --access-key AKIDOTHER=210987654321 --cluster demo/210987654321 \\
    --role-trust '{"roleArn":"arn:aws:iam::210987654321:role/eks-manager","externalId":"demo"}'
`;

export interface ClusterSpec {
  name: string;
  authenticationMode: AuthenticationMode;
  region?: string;
  accountId?: string;
}

export interface AccessKeyMapping {
  accessKeyId: string;
  accountId: string;
}

export interface RoleTrustSpec extends RoleTrust {
  roleArn: string;
}

export interface CliConfig {
  port: number;
  host: string;
  defaultRegion: string;
  accountId: string;
  accessKeys: AccessKeyMapping[];
  clusters: ClusterSpec[];
  keepAliveTimeoutMs: number;
  associationDelayMs: number;
  roleTrusts: RoleTrustSpec[];
  /** IAM roles and users to create at start, by ARN. */
  iamPrincipals: string[];
  /** An entry for a principal IAM lacks creates the principal first. */
  implicitPrincipals: boolean;
  logLevel: string;
  auditFile?: string;
}

export type CliCommand = { kind: 'help' } | { kind: 'run'; config: CliConfig };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Throws an Error whose message says which flag is wrong and how to fix it. */
export function parseCli(argv: string[]): CliCommand {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', short: 'p', default: '4566' },
      host: { type: 'string', default: '127.0.0.1' },
      region: { type: 'string', default: 'us-east-1' },
      account: { type: 'string', default: '123456789012' },
      'access-key': { type: 'string', multiple: true, default: [] },
      cluster: { type: 'string', multiple: true, default: [] },
      'keep-alive-timeout': { type: 'string', default: String(DEFAULT_KEEP_ALIVE_TIMEOUT_MS) },
      'association-delay': { type: 'string', default: '0' },
      'role-trust': { type: 'string', multiple: true, default: [] },
      'iam-principal': { type: 'string', multiple: true, default: [] },
      'implicit-principals': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      'audit-file': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { kind: 'help' };
  return {
    kind: 'run',
    config: {
      port: parsePort(values.port),
      host: values.host,
      defaultRegion: parseRegion(values.region, '--region'),
      accountId: parseAccount(values.account, '--account'),
      accessKeys: values['access-key'].map(parseAccessKey),
      clusters: values.cluster.map(parseClusterSpec),
      keepAliveTimeoutMs: parseKeepAlive(values['keep-alive-timeout']),
      associationDelayMs: parseAssociationDelay(values['association-delay']),
      roleTrusts: values['role-trust'].map(parseRoleTrustSpec),
      iamPrincipals: values['iam-principal'].map(parseIamPrincipal),
      implicitPrincipals: values['implicit-principals'],
      logLevel: parseLogLevel(values['log-level']),
      ...parseAuditFile(values['audit-file']),
    },
  };
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, got '${raw}'`);
  return port;
}

function parseRegion(raw: string, flag: string): string {
  if (!REGION.test(raw)) throw new Error(`${flag} must look like us-east-1, got '${raw}'`);
  return raw;
}

function parseAccount(raw: string, what: string): string {
  return assertAccountId(raw, what);
}

function parseKeepAlive(raw: string): number {
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1) throw new Error(`--keep-alive-timeout must be a whole number of milliseconds ≥ 1, got '${raw}'`);
  return ms;
}

function parseAssociationDelay(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new Error(`--association-delay must be a whole number of milliseconds ≥ 0, got '${raw}'`);
  return Number(raw);
}

/** KEY=ACCOUNT */
function parseAccessKey(spec: string): AccessKeyMapping {
  const [accessKeyId = '', accountId, extra] = spec.split('=');
  if (accessKeyId === '' || accountId === undefined || extra !== undefined) throw new Error(`--access-key '${spec}' must be ACCESS_KEY_ID=ACCOUNT`);
  return { accessKeyId, accountId: parseAccount(accountId, `--access-key '${spec}': the account`) };
}

/** {"roleArn": ARN, ...trust}: JSON, because role names may contain `,` and `=`. */
export function parseRoleTrustSpec(spec: string): RoleTrustSpec {
  let value: unknown;
  try {
    value = JSON.parse(spec);
  } catch {
    throw new Error(`--role-trust '${spec}' must be JSON like {"roleArn":"arn:aws:iam::123456789012:role/NAME","externalId":"abc"}`);
  }
  const { roleArn, ...trust } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof roleArn !== 'string' || parseRoleArn(roleArn) === undefined) throw new Error(`--role-trust '${spec}': roleArn must be an IAM role ARN`);
  try {
    return { roleArn, ...parseRoleTrust(trust) };
  } catch (error) {
    throw new Error(`--role-trust '${spec}': ${(error as Error).message}`, { cause: error });
  }
}

function parseIamPrincipal(arn: string): string {
  if (parsePrincipalArn(arn) === undefined) throw new Error(`--iam-principal '${arn}' must be an IAM role or user ARN like arn:aws:iam::123456789012:role/PATH/NAME`);
  return arn;
}

function parseAuditFile(raw: string | undefined): { auditFile?: string } {
  if (raw === undefined) return {};
  if (raw.trim() === '') throw new Error('--audit-file must name a file, got an empty value');
  return { auditFile: raw };
}

function parseLogLevel(raw: string): string {
  if (!LOG_LEVELS.includes(raw)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  return raw;
}

/** NAME[:MODE][@REGION][/ACCOUNT] */
export function parseClusterSpec(spec: string): ClusterSpec {
  const [place = '', account, tooMany] = spec.split('/');
  const [nameAndMode = '', region, extra] = place.split('@');
  const [name = '', mode, more] = nameAndMode.split(':');
  if (extra !== undefined || more !== undefined || tooMany !== undefined) throw new Error(`--cluster '${spec}' must be NAME[:MODE][@REGION][/ACCOUNT]`);
  try {
    validateClusterName(name);
    const authenticationMode = parseAuthenticationMode(mode, 'mode') ?? 'API_AND_CONFIG_MAP';
    return {
      name,
      authenticationMode,
      ...(region === undefined ? {} : { region: parseRegion(region, 'region') }),
      ...(account === undefined ? {} : { accountId: parseAccount(account, 'account') }),
    };
  } catch (error) {
    throw new Error(`--cluster '${spec}': ${(error as Error).message}`, { cause: error });
  }
}
