import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DisassociateAccessPolicyCommand,
  ListAccessPoliciesCommand,
  ListAssociatedAccessPoliciesCommand,
  DeleteAccessEntryCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAccessEntryCommand,
  type AccessEntry as SdkAccessEntry,
  type AssociatedAccessPolicy as SdkAssociatedPolicy,
  type EKSClient,
} from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Logger } from 'pino';
import type { CallerAccounts } from './caller-accounts.ts';
import type { AwsClients } from './clients.ts';
import { NOOP_METRICS, type AwsMetrics } from '../metrics/index.ts';
import { callAws, type Answer, type AwsCall } from './aws-call.ts';
import { AwsCallError } from './errors.ts';
import type { AssociatedPolicy, AwsTarget, ClusterRef, DesiredEntry, DesiredPolicy, EntryRef, EntryUpdate, ObservedEntry } from './types.ts';

/** The narrow slice of EKS the reconciler uses; unit tests fake exactly this. */
export interface AccessEntryGateway {
  /** The entry, or undefined when EKS has none for this principal. */
  describe(ref: EntryRef): Promise<ObservedEntry | undefined>;
  create(desired: DesiredEntry, clientRequestToken: string): Promise<ObservedEntry>;
  update(ref: EntryRef, change: EntryUpdate): Promise<ObservedEntry>;
  tag(ref: EntryRef, accessEntryArn: string, tags: Record<string, string>): Promise<void>;
  untag(ref: EntryRef, accessEntryArn: string, tagKeys: string[]): Promise<void>;
  /** Resolves 'not-found' when there was nothing to delete: for a delete, that is success. */
  delete(ref: EntryRef): Promise<'deleted' | 'not-found'>;
  /** The cluster's authentication mode, to explain an InvalidRequestException. */
  authenticationMode(ref: ClusterRef): Promise<string | undefined>;
  /** The AWS account the credentials of this target belong to (STS, asked once per credential set). */
  callerAccount(target: AwsTarget): Promise<string>;
  /** Every access policy associated with the entry (all pages). */
  listAssociatedPolicies(ref: EntryRef): Promise<AssociatedPolicy[]>;
  /** Associates a policy, or replaces the scope of one already associated. */
  associatePolicy(ref: EntryRef, policy: DesiredPolicy): Promise<AssociatedPolicy>;
  disassociatePolicy(ref: EntryRef, policyArn: string): Promise<void>;
  /** The ARNs of the access policies EKS offers in the ref's region, to explain a refused association. */
  availablePolicies(ref: EntryRef): Promise<string[]>;
}

/**
 * AccessEntryGateway over the AWS SDK. Every call is logged with its AWS request id, and every
 * failure is rethrown as an AwsCallError naming the operation, so the reconciler classifies
 * errors in one place without knowing the SDK.
 */
export interface GatewayDeps {
  clients: AwsClients;
  callerAccounts: CallerAccounts;
  log: Logger;
  /** AWS calls, throttles and budget waits; none by default. */
  metrics?: AwsMetrics;
}

export class SdkAccessEntryGateway implements AccessEntryGateway {
  private readonly clients: AwsClients;
  private readonly callerAccounts: CallerAccounts;
  private readonly log: Logger;
  private readonly metrics: AwsMetrics;

  constructor(deps: GatewayDeps) {
    ({ clients: this.clients, callerAccounts: this.callerAccounts, log: this.log } = deps);
    this.metrics = deps.metrics ?? NOOP_METRICS;
  }

  async describe(ref: EntryRef): Promise<ObservedEntry | undefined> {
    try {
      const out = await this.#eks(ref, 'DescribeAccessEntry', (eks) => eks.send(new DescribeAccessEntryCommand(key(ref))));
      return toObserved(out.accessEntry);
    } catch (err) {
      if (err instanceof AwsCallError && err.awsName === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  }

  async create(desired: DesiredEntry, clientRequestToken: string): Promise<ObservedEntry> {
    const command = new CreateAccessEntryCommand({
      ...key(desired),
      type: desired.type,
      ...(desired.type === 'STANDARD' ? { kubernetesGroups: desired.kubernetesGroups } : {}),
      ...(desired.username !== undefined ? { username: desired.username } : {}),
      tags: desired.tags,
      clientRequestToken,
    });
    const out = await this.#eks(desired, 'CreateAccessEntry', (eks) => eks.send(command));
    return toObserved(out.accessEntry);
  }

  async update(ref: EntryRef, change: EntryUpdate): Promise<ObservedEntry> {
    const input = { ...key(ref), kubernetesGroups: change.kubernetesGroups, ...(change.username !== undefined ? { username: change.username } : {}) };
    const out = await this.#eks(ref, 'UpdateAccessEntry', (eks) => eks.send(new UpdateAccessEntryCommand(input)));
    return toObserved(out.accessEntry);
  }

  async tag(ref: EntryRef, accessEntryArn: string, tags: Record<string, string>): Promise<void> {
    await this.#eks(ref, 'TagResource', (eks) => eks.send(new TagResourceCommand({ resourceArn: accessEntryArn, tags })));
  }

  async untag(ref: EntryRef, accessEntryArn: string, tagKeys: string[]): Promise<void> {
    await this.#eks(ref, 'UntagResource', (eks) => eks.send(new UntagResourceCommand({ resourceArn: accessEntryArn, tagKeys })));
  }

  async delete(ref: EntryRef): Promise<'deleted' | 'not-found'> {
    try {
      await this.#eks(ref, 'DeleteAccessEntry', (eks) => eks.send(new DeleteAccessEntryCommand(key(ref))));
      return 'deleted';
    } catch (err) {
      if (err instanceof AwsCallError && err.awsName === 'ResourceNotFoundException') return 'not-found';
      throw err;
    }
  }

  async authenticationMode(ref: ClusterRef): Promise<string | undefined> {
    const out = await this.#eks(ref, 'DescribeCluster', (eks) => eks.send(new DescribeClusterCommand({ name: ref.clusterName })));
    return out.cluster?.accessConfig?.authenticationMode;
  }

  async listAssociatedPolicies(ref: EntryRef): Promise<AssociatedPolicy[]> {
    const policies: AssociatedPolicy[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#eks(ref, 'ListAssociatedAccessPolicies', (eks) =>
        eks.send(new ListAssociatedAccessPoliciesCommand({ ...key(ref), maxResults: 100, ...(nextToken ? { nextToken } : {}) })),
      );
      policies.push(...(page.associatedAccessPolicies ?? []).map(toAssociated));
      nextToken = page.nextToken;
    } while (nextToken);
    return policies;
  }

  async associatePolicy(ref: EntryRef, policy: DesiredPolicy): Promise<AssociatedPolicy> {
    const accessScope = policy.accessScope.type === 'cluster' ? { type: 'cluster' as const } : policy.accessScope;
    const command = new AssociateAccessPolicyCommand({ ...key(ref), policyArn: policy.policyArn, accessScope });
    const out = await this.#eks(ref, 'AssociateAccessPolicy', (eks) => eks.send(command), policy.policyArn);
    return out.associatedAccessPolicy ? toAssociated(out.associatedAccessPolicy) : policy;
  }

  /** A policy that is no longer associated counts as disassociated. */
  async disassociatePolicy(ref: EntryRef, policyArn: string): Promise<void> {
    const command = new DisassociateAccessPolicyCommand({ ...key(ref), policyArn });
    try {
      await this.#eks(ref, 'DisassociateAccessPolicy', (eks) => eks.send(command), policyArn);
    } catch (err) {
      if (!(err instanceof AwsCallError && err.awsName === 'ResourceNotFoundException')) throw err;
    }
  }

  async availablePolicies(ref: EntryRef): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#eks(ref, 'ListAccessPolicies', (eks) =>
        eks.send(new ListAccessPoliciesCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) })),
      );
      arns.push(...(page.accessPolicies ?? []).flatMap((policy) => (policy.arn ? [policy.arn] : [])));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  callerAccount(target: AwsTarget): Promise<string> {
    return this.callerAccounts.accountOf(this.clients.credentialSet(target), async () => {
      const out = await this.#call({ service: 'sts', operation: 'GetCallerIdentity' }, () => this.clients.sts(target).send(new GetCallerIdentityCommand({})));
      if (!out.Account) throw new Error('STS answered GetCallerIdentity without an account: the endpoint does not behave like STS');
      return out.Account;
    });
  }

  /** `policyArn` names the policy a failed association call was about, for its explanation. */
  #eks<Out extends Answer>(ref: ClusterRef, operation: string, send: (eks: EKSClient) => Promise<Out>, policyArn?: string): Promise<Out> {
    // The request budget is the client's (request-budget.ts): every attempt waits for a token.
    return this.#call({ service: 'eks', operation, ...(policyArn ? { policyArn } : {}) }, () => send(this.clients.eks(ref)));
  }

  #call<Out extends Answer>(call: AwsCall, send: () => Promise<Out>): Promise<Out> {
    return callAws(call, send, { metrics: this.metrics, log: this.log });
  }
}

function key(ref: EntryRef): { clusterName: string; principalArn: string } {
  return { clusterName: ref.clusterName, principalArn: ref.principalArn };
}

function toObserved(entry: SdkAccessEntry | undefined): ObservedEntry {
  if (!entry?.accessEntryArn || !entry.principalArn) {
    throw new Error('EKS answered without an access entry: the endpoint does not behave like EKS');
  }
  return {
    accessEntryArn: entry.accessEntryArn,
    principalArn: entry.principalArn,
    type: entry.type ?? 'STANDARD',
    kubernetesGroups: entry.kubernetesGroups ?? [],
    username: entry.username ?? '',
    tags: entry.tags ?? {},
    ...(entry.createdAt ? { createdAt: entry.createdAt } : {}),
    ...(entry.modifiedAt ? { modifiedAt: entry.modifiedAt } : {}),
  };
}

function toAssociated(policy: SdkAssociatedPolicy): AssociatedPolicy {
  const type = policy.accessScope?.type === 'namespace' ? 'namespace' : 'cluster';
  return {
    policyArn: policy.policyArn ?? '',
    accessScope: { type, namespaces: type === 'namespace' ? [...(policy.accessScope?.namespaces ?? [])].sort() : [] },
    ...(policy.associatedAt ? { associatedAt: policy.associatedAt } : {}),
    ...(policy.modifiedAt ? { modifiedAt: policy.modifiedAt } : {}),
  };
}
