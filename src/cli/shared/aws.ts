// The AWS side of a command: region, credentials and clients as the AWS CLI would choose them
// (--region, --profile, then the SDK's environment and config files), with the controller's own
// gateway over them. Endpoints come from the SDK's standard variables (AWS_ENDPOINT_URL_EKS,
// AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL), which this SDK version honours.
import { EKSClient } from '@aws-sdk/client-eks';
import { pino } from 'pino';
import { SdkAccessEntryGateway } from '../../eks/access-entries.ts';
import { CallerAccounts } from '../../eks/caller-accounts.ts';
import { AwsClients } from '../../eks/clients.ts';
import { SdkIamPrincipals, type IamPrincipals } from '../../eks/iam-principals.ts';
import { listEntryArns } from '../../eks/entry-listing.ts';
import { PrincipalDirectory } from '../../iam/directory.ts';
import { SdkPrincipalReader } from '../../iam/principals.ts';
import type { AwsTarget, ClusterRef } from '../../eks/types.ts';
import { CliError } from './exit.ts';
import { CLI_NAME } from './io.ts';

export interface AwsOptions {
  region?: string;
  profile?: string;
}

/** The reads commands make of EKS: the controller's own gateway, and a listing; unit tests write fakes of it. */
export type EksReads = Pick<SdkAccessEntryGateway, 'describe' | 'listAssociatedPolicies' | 'authenticationMode' | 'callerAccount' | 'availablePolicies'> & {
  listEntries(ref: ClusterRef): Promise<string[]>;
};

export interface CliAws {
  readonly target: AwsTarget;
  readonly eks: EksReads;
  readonly iam: IamPrincipals;
  /** The controller's own IAM directory (principal ids, permission sets' roles), reading afresh. */
  readonly principals: PrincipalDirectory;
  close(): void;
}

// The CRD's region rule: a region code, not an availability zone or a display name.
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-[0-9]{1,2}$/;
/** The SDK retries throttling and 5xx itself, adaptively; a command has no work queue behind it. */
const MAX_ATTEMPTS = 6;
const REQUEST_TIMEOUT_MS = 30_000;

/** --region, else the SDK's choice (AWS_REGION, the profile's region); undefined when none is set. */
export async function resolveRegion(options: AwsOptions, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (await profileRegion(options.profile));
  if (region !== undefined && !REGION.test(region)) {
    throw new CliError(`region ${JSON.stringify(region)} is not an AWS region code such as us-east-1 or eu-west-2: pass --region`);
  }
  return region;
}

/** Like resolveRegion, but a command that calls AWS cannot go on without one. */
export async function requireRegion(options: AwsOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const region = await resolveRegion(options, env);
  if (region === undefined) throw new CliError('no AWS region: pass --region (the EKS cluster\'s), or set AWS_REGION or a region in your AWS profile');
  return region;
}

/** Clients for one region with the credentials the options choose; close() when done. */
export function connectAws(options: AwsOptions & { region: string }, version: string): CliAws {
  const clients = new AwsClients({
    maxAttempts: MAX_ATTEMPTS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    sessionName: CLI_NAME,
    // Tells the command line's calls from the controller's in CloudTrail and the emulator's log.
    userAgent: [[CLI_NAME, version]],
    ...(options.profile ? { profile: options.profile } : {}),
  });
  const gateway = new SdkAccessEntryGateway({ clients, callerAccounts: new CallerAccounts(), log: pino({ level: 'silent' }) });
  const eks: EksReads = {
    describe: (ref) => gateway.describe(ref),
    listAssociatedPolicies: (ref) => gateway.listAssociatedPolicies(ref),
    authenticationMode: (ref) => gateway.authenticationMode(ref),
    callerAccount: (target) => gateway.callerAccount(target),
    availablePolicies: (ref) => gateway.availablePolicies(ref),
    listEntries: (ref) => listEntryArns(clients, ref),
  };
  const log = pino({ level: 'silent' });
  // A command runs once: nothing it reads is worth keeping for a resync period.
  const principals = new PrincipalDirectory({ reader: new SdkPrincipalReader({ clients, log }), callerAccount: (target) => gateway.callerAccount(target), ttlMs: 0 });
  return { target: { region: options.region }, eks, iam: new SdkIamPrincipals(clients), principals, close: () => clients.destroy() };
}

async function profileRegion(profile: string | undefined): Promise<string | undefined> {
  const client = new EKSClient(profile ? { profile } : {});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
