// Flags of the emulator CLI, parsed into a checked configuration (no side effects here).
import { parseArgs } from 'node:util';
import { AUTHENTICATION_MODES, type AuthenticationMode } from './model.ts';
import { parseAuthenticationMode, validateClusterName } from './validation.ts';

export const USAGE = `Usage: npm run emulator -- [options]

Runs an Amazon EKS emulator (access entries, access policies, tags, cluster authentication mode)
that the AWS SDK and CLI can talk to through an endpoint override.

Options:
  -p, --port <n>         port to listen on (default 4566; 0 picks a free one)
      --host <addr>      address to bind (default 127.0.0.1)
      --region <r>       default region, for requests without a SigV4 scope (default us-east-1)
      --account <id>     12-digit account id used in ARNs (default 123456789012)
      --cluster <spec>   create a cluster at start; repeatable. spec = NAME[:MODE][@REGION]
                         MODE is one of ${AUTHENTICATION_MODES.join(', ')} (default API_AND_CONFIG_MAP)
      --log-level <lvl>  pino level: fatal, error, warn, info, debug, trace, silent (default info)
  -h, --help             show this help

Example:
  npm run emulator -- --port 4566 --cluster demo --cluster legacy:CONFIG_MAP --cluster eu@eu-west-1
`;

export interface ClusterSpec {
  name: string;
  authenticationMode: AuthenticationMode;
  region?: string;
}

export interface CliConfig {
  port: number;
  host: string;
  defaultRegion: string;
  accountId: string;
  clusters: ClusterSpec[];
  logLevel: string;
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
      cluster: { type: 'string', multiple: true, default: [] },
      'log-level': { type: 'string', default: 'info' },
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
      accountId: parseAccount(values.account),
      clusters: values.cluster.map(parseClusterSpec),
      logLevel: parseLogLevel(values['log-level']),
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

function parseAccount(raw: string): string {
  if (!/^\d{12}$/.test(raw)) throw new Error(`--account must be 12 digits, got '${raw}'`);
  return raw;
}

function parseLogLevel(raw: string): string {
  if (!LOG_LEVELS.includes(raw)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  return raw;
}

/** NAME[:MODE][@REGION] */
export function parseClusterSpec(spec: string): ClusterSpec {
  const [nameAndMode = '', region, extra] = spec.split('@');
  const [name = '', mode, more] = nameAndMode.split(':');
  if (extra !== undefined || more !== undefined) throw new Error(`--cluster '${spec}' must be NAME[:MODE][@REGION]`);
  try {
    validateClusterName(name);
    const authenticationMode = parseAuthenticationMode(mode, 'mode') ?? 'API_AND_CONFIG_MAP';
    return { name, authenticationMode, ...(region === undefined ? {} : { region: parseRegion(region, 'region') }) };
  } catch (error) {
    throw new Error(`--cluster '${spec}': ${(error as Error).message}`, { cause: error });
  }
}
