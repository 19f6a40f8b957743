// Clusters, access entries, associated policies and tags, keyed by (account, region, cluster,
// principalArn), and which account each access key belongs to. Pure logic: no HTTP here. The
// shortcut methods (seed, edit, remove, setAuthenticationMode) skip the EKS input rules on
// purpose: they stand for changes made by EKS itself or by a human.
import type { EntryType } from '../api/names.ts';
import {
  AccessPolicyCatalogue,
  accessPolicyArn,
  CLUSTER_ADMIN_POLICY_NAME,
  type AccessPolicy,
  type AccessPolicyDefinition,
  type AddAccessPolicyOptions,
} from './eks/policies/access-policies.ts';
import { AccountDirectory, assertAccountId } from './core/accounts.ts';
import type { AssumeRoleInput } from './sts/assume-role-input.ts';
import { defaultUsername, groupsReportedByEks, parsePrincipalArn, type EksResourceArn } from './eks/arn.ts';
import { partitionForRegion } from './core/arn.ts';
import {
  checkAssociationDelay,
  ENTRY_NOT_FOUND_FOR_ASSOCIATION,
  hiddenFromAssociation,
  type AssociationDelay,
  type AssociationOperation,
} from './eks/policies/association-delay.ts';
import { Clock } from './core/clock.ts';
import { ClusterRegistry } from './eks/clusters/cluster-registry.ts';
import { ClusterStore, type AccessEntryChanges, type NewAccessEntry } from './eks/clusters/cluster-store.ts';
import { EksError, invalidRequest, resourceInUse, resourceNotFound } from './core/errors.ts';
import type { TokenLedger } from './eks/idempotency.ts';
import type { AccessEntryRecord, AccessScope, AssociatedPolicyRecord, AuthenticationMode, ClusterRecord } from './eks/model.ts';
import type { Location, LocationOption } from './core/location.ts';
import { IamState } from './iam/iam-state.ts';
import { present } from './core/optional.ts';
import { RoleAssumption } from './sts/role-assumption.ts';
import { userPrincipal, type CallerPrincipal, type RoleSession } from './sts/role-sessions.ts';
import type { RoleTrust } from './sts/role-trust.ts';

export type { AccessEntryChanges, NewAccessEntry } from './eks/clusters/cluster-store.ts';

export const DEFAULT_ENTRY_QUOTA = 3000;

export interface EmulatorStateOptions {
  /** The default account: for unmapped access keys, unsigned requests and state calls without accountId. */
  accountId: string;
  defaultRegion: string;
  now?: () => Date;
  newId?: () => string;
  /** The not-yet-visible window for AssociateAccessPolicy after CreateAccessEntry; default 0 (off). reset() returns to it. */
  associationDelayMs?: number;
}

export interface CreateClusterOptions extends LocationOption {
  /** Shortcut default: API_AND_CONFIG_MAP (the SDK's CreateCluster defaults to CONFIG_MAP, as EKS does). */
  authenticationMode?: AuthenticationMode;
  /** Also creates the entry EKS makes for the cluster creator, with AmazonEKSClusterAdminPolicy. */
  bootstrapCreatorPrincipalArn?: string;
  tags?: Record<string, string>;
  roleArn?: string;
}

export interface SeedAccessEntryInput {
  principalArn: string;
  type?: EntryType;
  kubernetesGroups?: string[];
  username?: string;
  tags?: Record<string, string>;
}

export class EmulatorState {
  /** The default account. */
  readonly accountId: string;
  readonly defaultRegion: string;
  /** IAM's roles and users, per account. */
  readonly iam: IamState;
  private readonly clock: Clock;
  private readonly accounts: AccountDirectory;
  private readonly roles: RoleAssumption;
  private readonly clusters = new ClusterRegistry();
  private readonly policies = new AccessPolicyCatalogue();
  private entryQuota = DEFAULT_ENTRY_QUOTA;
  private readonly initialAssociationDelay: AssociationDelay;
  private delay: AssociationDelay;

  constructor(options: EmulatorStateOptions) {
    this.accounts = new AccountDirectory(options.accountId);
    this.accountId = options.accountId;
    this.defaultRegion = options.defaultRegion;
    this.clock = new Clock(options.now, options.newId);
    this.iam = new IamState({ defaults: { accountId: options.accountId, region: options.defaultRegion }, now: () => this.clock.now() });
    this.roles = new RoleAssumption(this.accounts, { now: () => this.clock.now(), roleIdOf: (roleArn) => this.iam.principalId(roleArn) });
    this.initialAssociationDelay = checkAssociationDelay(options.associationDelayMs ?? 0);
    this.delay = this.initialAssociationDelay;
  }

  /** Requests signed with this access key id act in this account; mapping a key again moves it. */
  setAccountForAccessKey(accessKeyId: string, accountId: string): void {
    this.accounts.set(accessKeyId, accountId);
  }

  /** Forgets a mapping, so the key is back in the default account; false when it was not mapped. */
  removeAccessKey(accessKeyId: string): boolean {
    return this.accounts.remove(accessKeyId);
  }

  /** The account of a caller's access key: its mapping, else the default account. */
  accountForAccessKey(accessKeyId: string | undefined): string {
    return this.accounts.accountFor(accessKeyId);
  }

  /** accessKeyId → accountId for every mapped key. */
  accessKeyAccounts(): Record<string, string> {
    return this.accounts.list();
  }

  /** The state's clock (a test's fake Date moves it): session expiry and the association window go by it. */
  now(): Date {
    return this.clock.now();
  }

  /**
   * STS AssumeRole: checks the input, the role's trust entry and the session limits, then issues
   * temporary credentials whose access key id acts in the role's account. The caller defaults to
   * the emulator's IAM user in the default account. Throws an EksError (ValidationException,
   * AccessDeniedException) that STS answers as ValidationError / AccessDenied.
   */
  assumeRole(input: AssumeRoleInput, caller: CallerPrincipal = userPrincipal(this.accountId, this.defaultRegion)): RoleSession {
    return this.roles.assume(input, caller);
  }

  /** The session an AssumeRole access key id stands for (expired ones included); undefined for other keys. */
  sessionForAccessKey(accessKeyId: string | undefined): RoleSession | undefined {
    return this.roles.sessions.find(accessKeyId);
  }

  /** Every session issued since the last reset, oldest first, expired ones included. */
  sessions(): RoleSession[] {
    return this.roles.sessions.list();
  }

  /** Ends the matching sessions now (every session without a filter); returns how many were still valid. */
  expireSessions(filter: { accessKeyId?: string; roleArn?: string } = {}): number {
    return this.roles.sessions.expire(filter, this.clock.now());
  }

  /** Sessions issued from now on last `seconds`, whatever DurationSeconds asked; undefined goes back to DurationSeconds. */
  setSessionLifetime(seconds: number | undefined): void {
    this.roles.setSessionLifetime(seconds);
  }

  sessionLifetime(): number | undefined {
    return this.roles.sessionLifetime();
  }

  /**
   * Who may assume the role (its trust policy, in short). Roles without an entry can be assumed by
   * anyone; with one, other callers and a missing or wrong ExternalId get AccessDenied.
   */
  setRoleTrust(roleArn: string, trust: RoleTrust): RoleTrust {
    return this.roles.trust.set(roleArn, trust);
  }

  /** Back to "anyone may assume it"; false when the role had no entry. */
  removeRoleTrust(roleArn: string): boolean {
    return this.roles.trust.remove(roleArn);
  }

  roleTrust(roleArn: string): RoleTrust | undefined {
    return this.roles.trust.get(roleArn);
  }

  /** roleArn → trust entry. */
  roleTrusts(): Record<string, RoleTrust> {
    return this.roles.trust.list();
  }

  createCluster(name: string, options: CreateClusterOptions = {}): ClusterRecord {
    const where = this.locate(options);
    if (this.clusters.has(where, name)) throw resourceInUse(`Cluster already exists with name: ${name}`, { clusterName: name });
    const creator = options.bootstrapCreatorPrincipalArn;
    const settings = {
      ...where,
      authenticationMode: options.authenticationMode ?? 'API_AND_CONFIG_MAP',
      tags: { ...options.tags },
      bootstrapped: creator !== undefined,
      ...(options.roleArn === undefined ? {} : { roleArn: options.roleArn }),
    };
    const store = ClusterStore.create(name, settings, this.clock);
    this.clusters.add(store);
    if (creator !== undefined) {
      this.seedAccessEntry(name, { principalArn: creator }, where);
      const policyArn = accessPolicyArn(partitionForRegion(where.region), CLUSTER_ADMIN_POLICY_NAME);
      store.associate(creator, policyArn, { type: 'cluster', namespaces: [] });
    }
    return store.cluster();
  }

  getCluster(name: string, options: LocationOption = {}): ClusterRecord | undefined {
    return this.clusters.find(this.locate(options), name)?.cluster();
  }

  /** Every cluster of every account and region, or only those in the account and/or region given. */
  listClusters(filter: LocationOption = {}): ClusterRecord[] {
    return this.clusters.list(filter).map((store) => store.cluster());
  }

  /** Sets the mode without EKS's forward-only rule (the API enforces that rule). */
  setAuthenticationMode(name: string, mode: AuthenticationMode, options: LocationOption = {}): ClusterRecord {
    const store = this.store(name, options);
    store.record.authenticationMode = mode;
    return store.cluster();
  }

  /** Deletes the cluster with its entries, associations and remembered tokens. */
  deleteCluster(name: string, options: LocationOption = {}): ClusterRecord {
    const store = this.store(name, options);
    this.clusters.delete(store.record, name);
    return store.cluster();
  }

  /** An entry made outside the controller (by EKS or a human): no input rules, no quota, no mode check. */
  seedAccessEntry(cluster: string, input: SeedAccessEntryInput, options: LocationOption = {}): AccessEntryRecord {
    const principal = parsePrincipalArn(input.principalArn);
    const type = input.type ?? 'STANDARD';
    return this.store(cluster, options).insert({
      principal,
      ...present('principalId', this.iam.principalId(principal.arn)),
      type,
      kubernetesGroups: input.kubernetesGroups ?? groupsReportedByEks(type),
      username: input.username ?? defaultUsername(principal, type),
      tags: { ...input.tags },
    });
  }

  /** CreateAccessEntry's state change: the entry must be new and the cluster under its quota. */
  createAccessEntry(cluster: string, entry: NewAccessEntry, options: LocationOption = {}): AccessEntryRecord {
    const store = this.store(cluster, options);
    store.assertNew(entry.principal.arn);
    if (store.size >= this.entryQuota) {
      throw new EksError(
        'ResourceLimitExceededException',
        `Cluster ${cluster} already has ${store.size} access entries, the maximum per cluster. Delete unused entries first.`,
        { clusterName: cluster },
      );
    }
    // Bound to the principal as IAM has it now, as EKS binds an entry to the principal's id.
    return store.insert({ ...entry, ...present('principalId', this.iam.principalId(entry.principal.arn)) });
  }

  getAccessEntry(cluster: string, principalArn: string, options: LocationOption = {}): AccessEntryRecord | undefined {
    return this.clusters.find(this.locate(options), cluster)?.get(principalArn);
  }

  /** Entries in principalArn order; throws ResourceNotFoundException for a missing cluster. */
  listAccessEntries(cluster: string, options: LocationOption = {}): AccessEntryRecord[] {
    return this.store(cluster, options).list();
  }

  /** Replaces the fields given (out-of-band drift, or UpdateAccessEntry's resolved fields); bumps modifiedAt. */
  editAccessEntry(cluster: string, principalArn: string, changes: AccessEntryChanges, options: LocationOption = {}): AccessEntryRecord {
    return this.store(cluster, options).edit(principalArn, changes);
  }

  /** Deletes the entry and its associations; false when there was nothing to delete. */
  removeAccessEntry(cluster: string, principalArn: string, options: LocationOption = {}): boolean {
    return this.store(cluster, options).remove(principalArn);
  }

  /** Associates a policy, or replaces the scope of one already associated. */
  associatePolicy(
    cluster: string,
    principalArn: string,
    { policyArn, accessScope }: { policyArn: string; accessScope: AccessScope },
    options: LocationOption = {},
  ): AssociatedPolicyRecord {
    return this.store(cluster, options).associate(principalArn, policyArn, accessScope);
  }

  disassociatePolicy(cluster: string, principalArn: string, policyArn: string, options: LocationOption = {}): void {
    this.store(cluster, options).disassociate(principalArn, policyArn);
  }

  /**
   * The entry as an association call sees it: missing, or still inside the not-yet-visible window
   * for this operation, it is EKS's ResourceNotFoundException about the principalArn.
   */
  requireEntryForAssociation(cluster: string, principalArn: string, operation: AssociationOperation, options: LocationOption = {}): AccessEntryRecord {
    const entry = this.store(cluster, options).get(principalArn);
    if (entry === undefined || hiddenFromAssociation(this.delay, operation, entry.createdAt, this.clock.now())) {
      throw resourceNotFound(ENTRY_NOT_FOUND_FOR_ASSOCIATION, { clusterName: cluster, principalArn });
    }
    return entry;
  }

  /**
   * Makes the chosen association calls (default: AssociateAccessPolicy) answer
   * ResourceNotFoundException until `ms` have passed since the entry's createdAt; 0 turns it off.
   */
  setAssociationDelay(ms: number, options: { operations?: readonly AssociationOperation[] } = {}): AssociationDelay {
    this.delay = checkAssociationDelay(ms, options.operations);
    return this.associationDelay();
  }

  associationDelay(): AssociationDelay {
    return { ms: this.delay.ms, operations: [...this.delay.operations] };
  }

  /** Adds a policy to the catalogue (one EKS has just published), in every partition. */
  addAccessPolicy(name: string, options: AddAccessPolicyOptions = {}): AccessPolicyDefinition {
    return this.policies.add(name, options);
  }

  /** The catalogue with the ARNs of the region's partition (default region: the emulator's), in name order. */
  listAccessPolicies(options: { region?: string } = {}): AccessPolicy[] {
    return this.policies.list(partitionForRegion(options.region ?? this.defaultRegion));
  }

  /** The catalogue policy this ARN names in the region's partition; undefined for unknown names and other partitions. */
  findAccessPolicy(policyArn: string, options: { region?: string } = {}): AccessPolicyDefinition | undefined {
    return this.policies.find(policyArn, partitionForRegion(options.region ?? this.defaultRegion));
  }

  /** Throws ResourceNotFoundException when the cluster is missing: EKS's answer to every call on it. */
  requireCluster(name: string, options: LocationOption = {}): ClusterRecord {
    return this.store(name, options).cluster();
  }

  /** Like requireCluster, and also rejects clusters whose authentication mode has no access entries. */
  requireAccessEntryCluster(name: string, options: LocationOption = {}): ClusterRecord {
    const cluster = this.requireCluster(name, options);
    if (cluster.authenticationMode === 'CONFIG_MAP') {
      throw invalidRequest(
        `The cluster ${name} has authentication mode CONFIG_MAP, which does not support access entries. ` +
          'Switch it to API_AND_CONFIG_MAP or API with UpdateClusterConfig (accessConfig.authenticationMode).',
        { clusterName: name },
      );
    }
    return cluster;
  }

  /** Throws ResourceNotFoundException naming the cluster and principal when the entry is missing. */
  requireAccessEntry(cluster: string, principalArn: string, options: LocationOption = {}): AccessEntryRecord {
    return this.store(cluster, options).require(principalArn);
  }

  /** The cluster's clientRequestToken memory. */
  ledger(cluster: string, options: LocationOption = {}): TokenLedger {
    return this.store(cluster, options).ledger;
  }

  /** Tags of the cluster or access entry with this ARN; undefined when there is none. */
  tagsOf(arn: string, resource: EksResourceArn): Record<string, string> | undefined {
    return this.tagTarget(arn, resource)?.tags;
  }

  /** Replaces the tags of the resource with this ARN; an access entry's modifiedAt moves. */
  replaceTags(arn: string, resource: EksResourceArn, tags: Record<string, string>): void {
    const target = this.tagTarget(arn, resource);
    if (target === undefined) throw new EksError('NotFoundException', `No resource found with ARN ${arn}.`);
    target.replace(tags);
  }

  setEntryQuota(quota: number): void {
    if (!Number.isInteger(quota) || quota < 0) throw new Error(`Entry quota must be a whole number ≥ 0, got ${quota}`);
    this.entryQuota = quota;
  }

  /**
   * Forgets every cluster, access-key mapping, issued session, role trust entry, added access
   * policy and IAM role and user, restores the default quota, the session lifetime and the association delay the
   * emulator started with; the default account and region stay.
   */
  reset(): void {
    this.clusters.clear();
    this.accounts.clear();
    this.roles.clear();
    this.iam.reset();
    this.policies.reset();
    this.entryQuota = DEFAULT_ENTRY_QUOTA;
    this.delay = this.initialAssociationDelay;
  }

  /** The account and region in the ARN say where the resource is. */
  private tagTarget(arn: string, resource: EksResourceArn): ReturnType<ClusterStore['tagTarget']> {
    return this.clusters.find(resource, resource.clusterName)?.tagTarget(arn);
  }

  private store(name: string, options: LocationOption): ClusterStore {
    return this.clusters.require(this.locate(options), name);
  }

  private locate(options: LocationOption): Location {
    const accountId = options.accountId === undefined ? this.accountId : assertAccountId(options.accountId);
    return { accountId, region: options.region ?? this.defaultRegion };
  }
}
