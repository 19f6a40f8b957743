import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { partitionOfRegion, type Partition } from './arn.ts';
import type { TokenBucket } from './rate-limiter.ts';
import { addRequestBudget, type RequestBudget } from './request-budget.ts';
import type { AwsTarget, Credentials } from './types.ts';
import { OPEN_FENCE, type WriteFence } from './write-fence.ts';

export interface AwsClientOptions {
  /** Overrides the EKS endpoint, e.g. the emulator's http://127.0.0.1:4566. */
  eksEndpoint?: string;
  /** Overrides the STS endpoint (the emulator serves STS on its EKS port too). */
  stsEndpoint?: string;
  /** Overrides the IAM endpoint (the emulator serves IAM on its EKS port too). */
  iamEndpoint?: string;
  /** SDK attempts per call; the work queue's backoff retries beyond that. */
  maxAttempts: number;
  requestTimeoutMs: number;
  /** Names the controller in the sessions of roles it assumes (CloudTrail shows it). */
  sessionName: string;
  /** Name/version pairs appended to the SDK's user agent, e.g. [['eks-access-entry-controller', replica]]. */
  userAgent?: [string, string][];
  /** Every EKS attempt waits for a token of its account and region (unless its limit is off) and reports throttles. */
  budget?: RequestBudget;
  /** EKS writes go only while it is open (leader election); reads always. Default: always open. */
  fence?: WriteFence;
  /** A named profile of the shared AWS config files, as AWS_PROFILE would choose (the command line's --profile). */
  profile?: string;
}

/** Without a budget, attempts are still gated by the fence but reported nowhere. */
const NO_REPORTS: Pick<RequestBudget, 'waited' | 'throttled'> = { waited: () => undefined, throttled: () => undefined };

/**
 * One EKS and one STS client per region and credential set, made on first use and reused. The
 * controller's own credentials come from the SDK's default chain, so IRSA and EKS Pod Identity
 * work without code; a ClusterAccess's role is assumed with those (STS AssumeRole through the
 * SDK's provider, which renews the session before it expires).
 */
export class AwsClients {
  readonly #eks = new Map<string, EKSClient>();
  readonly #sts = new Map<string, STSClient>();
  readonly #iam = new Map<string, IAMClient>();
  readonly #assumed = new Map<string, AwsCredentialIdentityProvider>();

  constructor(private readonly options: AwsClientOptions) {}

  eks(target: AwsTarget): EKSClient {
    return cached(this.#eks, clientKey(target), () => {
      const client = new EKSClient(this.#config(target, this.options.eksEndpoint));
      const { budget, fence = OPEN_FENCE } = this.options;
      addRequestBudget(client.middlewareStack, { service: 'eks', budget: budget ?? NO_REPORTS, bucket: () => this.bucketOf(target), fence });
      return client;
    });
  }

  /**
   * The bucket a target's requests take their tokens from. EKS's quotas are per account and
   * region, so every role of one account shares one: the account is asked of STS (once per
   * credential set, cached), and a request waits for that answer. If STS cannot answer, the
   * request is not sent: its budget is unknown. With the limit off, no account is asked.
   */
  async bucketOf(target: AwsTarget): Promise<TokenBucket | undefined> {
    const budget = this.options.budget;
    if (!budget?.limiters.enabled) return undefined;
    return budget.limiters.for(`${await budget.accountOf(target)}/${target.region}`);
  }

  /**
   * IAM is global: one endpoint per partition, signed for the partition's first region, so one
   * client per partition and credential set serves every region of it. Its requests take tokens
   * of a budget of their own, per account (IAM's quotas are per account, and lower than EKS's).
   */
  iam(target: AwsTarget): IAMClient {
    const region = IAM_SIGNING_REGION[partitionOfRegion(target.region)];
    const iamTarget: AwsTarget = { ...target, region };
    return cached(this.#iam, clientKey(iamTarget), () => {
      const client = new IAMClient(this.#config(iamTarget, this.options.iamEndpoint));
      const { budget, fence = OPEN_FENCE } = this.options;
      addRequestBudget(client.middlewareStack, { service: 'iam', budget: budget ?? NO_REPORTS, bucket: () => this.#iamBucketOf(iamTarget), fence });
      return client;
    });
  }

  async #iamBucketOf(target: AwsTarget): Promise<TokenBucket | undefined> {
    const limiters = this.options.budget?.iamLimiters;
    if (!limiters?.enabled) return undefined;
    return limiters.for(`iam/${await this.options.budget!.accountOf(target)}`);
  }

  sts(target: AwsTarget): STSClient {
    return cached(this.#sts, clientKey(target), () => {
      const client = new STSClient(this.#config(target, this.options.stsEndpoint));
      // STS has quotas of its own: its attempts take no EKS tokens, but its throttles are counted.
      // Nothing it does changes an entry, so the fence does not apply.
      if (this.options.budget) addRequestBudget(client.middlewareStack, { service: 'sts', budget: this.options.budget });
      return client;
    });
  }

  /** The identity the clients of a target sign as: the key of the caller-identity cache. */
  credentialSet(target: AwsTarget): string {
    return target.credentials ? `role:${target.credentials.roleArn}|${target.credentials.externalId ?? ''}` : CREDENTIAL_SET;
  }

  destroy(): void {
    for (const client of [...this.#eks.values(), ...this.#sts.values(), ...this.#iam.values()]) client.destroy();
    this.#eks.clear();
    this.#sts.clear();
    this.#iam.clear();
  }

  #config(target: AwsTarget, endpoint: string | undefined): SharedClientConfig {
    return {
      region: target.region,
      maxAttempts: this.options.maxAttempts,
      // Adaptive: beside retrying, the SDK slows this client down while EKS throttles it.
      retryMode: 'adaptive',
      // Without throwOnRequestTimeout the SDK only warns and keeps waiting on a hung socket.
      requestHandler: new NodeHttpHandler({
        requestTimeout: this.options.requestTimeoutMs,
        connectionTimeout: this.options.requestTimeoutMs,
        throwOnRequestTimeout: true,
      }),
      ...(endpoint ? { endpoint } : {}),
      ...(this.options.userAgent ? { customUserAgent: this.options.userAgent } : {}),
      ...(this.options.profile ? { profile: this.options.profile } : {}),
      ...(target.credentials ? { credentials: this.#assumedRole(target.region, target.credentials) } : {}),
    };
  }

  /** One provider per role: its clients of every region share one session, renewed before it expires. */
  #assumedRole(region: string, credentials: Credentials): AwsCredentialIdentityProvider {
    const key = this.credentialSet({ region, credentials });
    return cached(this.#assumed, key, () =>
      fromTemporaryCredentials({
        params: {
          RoleArn: credentials.roleArn,
          RoleSessionName: this.options.sessionName,
          ...(credentials.externalId ? { ExternalId: credentials.externalId } : {}),
        },
        // The session is assumed with the profile's credentials, not the default chain's.
        ...(this.options.profile ? { masterCredentials: fromNodeProviderChain({ profile: this.options.profile }) } : {}),
        // The SDK does not hand the outer client's user agent to this inner STS client: CloudTrail
        // and the IAM audit of the tests tell the controller's AssumeRole calls by it.
        clientConfig: {
          region,
          ...(this.options.stsEndpoint ? { endpoint: this.options.stsEndpoint } : {}),
          ...(this.options.userAgent ? { customUserAgent: this.options.userAgent } : {}),
        },
      }),
    );
  }
}

function clientKey(target: AwsTarget): string {
  return `${target.region}|${target.credentials?.roleArn ?? ''}|${target.credentials?.externalId ?? ''}`;
}

/** What the EKS and STS clients are configured with alike. */
interface SharedClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: 'adaptive';
  requestHandler: NodeHttpHandler;
  endpoint?: string;
  customUserAgent?: [string, string][];
  profile?: string;
  credentials?: AwsCredentialIdentityProvider;
}

/** Where IAM, a global service, is signed in each partition. */
const IAM_SIGNING_REGION: Record<Partition, string> = { aws: 'us-east-1', 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' };

/** The SDK's default credential chain. */
const CREDENTIAL_SET = 'default';

function cached<T>(items: Map<string, T>, key: string, create: () => T): T {
  let item = items.get(key);
  if (!item) {
    item = create();
    items.set(key, item);
  }
  return item;
}
