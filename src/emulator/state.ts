// Clusters, access entries, associated policies and tags, keyed by (region, cluster, principalArn).
// Pure logic: no HTTP here. The shortcut methods (seed, edit, remove, setAuthenticationMode)
// skip the EKS input rules on purpose: they stand for changes made by EKS itself or by a human.
import type { EntryType } from '../api/names.ts';
import { CLUSTER_ADMIN_POLICY_ARN, clusterArn, defaultUsername, groupsReportedByEks, parsePrincipalArn, type EksResourceArn } from './arn.ts';
import { Clock } from './clock.ts';
import { ClusterStore, type AccessEntryChanges, type NewAccessEntry } from './cluster-store.ts';
import { EksError, invalidRequest, resourceInUse, resourceNotFound } from './errors.ts';
import type { TokenLedger } from './idempotency.ts';
import type { AccessEntryRecord, AccessScope, AssociatedPolicyRecord, AuthenticationMode, ClusterRecord, RegionOption } from './model.ts';

export type { AccessEntryChanges, NewAccessEntry } from './cluster-store.ts';

export const DEFAULT_ENTRY_QUOTA = 3000;
const DEFAULT_KUBERNETES_VERSION = '1.33';

export interface EmulatorStateOptions {
  accountId: string;
  defaultRegion: string;
  now?: () => Date;
  newId?: () => string;
}

export interface CreateClusterOptions extends RegionOption {
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
  readonly accountId: string;
  readonly defaultRegion: string;
  private readonly clock: Clock;
  private readonly clusters = new Map<string, ClusterStore>();
  private entryQuota = DEFAULT_ENTRY_QUOTA;

  constructor(options: EmulatorStateOptions) {
    this.accountId = options.accountId;
    this.defaultRegion = options.defaultRegion;
    this.clock = new Clock(options.now, options.newId);
  }

  createCluster(name: string, options: CreateClusterOptions = {}): ClusterRecord {
    const region = this.regionOf(options);
    const key = clusterKey(region, name);
    if (this.clusters.has(key)) throw resourceInUse(`Cluster already exists with name: ${name}`, { clusterName: name });
    const creator = options.bootstrapCreatorPrincipalArn;
    const store = new ClusterStore(
      {
        name,
        region,
        accountId: this.accountId,
        arn: clusterArn(region, this.accountId, name),
        authenticationMode: options.authenticationMode ?? 'API_AND_CONFIG_MAP',
        bootstrapClusterCreatorAdminPermissions: creator !== undefined,
        createdAt: this.clock.now(),
        tags: { ...options.tags },
        version: DEFAULT_KUBERNETES_VERSION,
        ...(options.roleArn === undefined ? {} : { roleArn: options.roleArn }),
      },
      this.clock,
    );
    this.clusters.set(key, store);
    if (creator !== undefined) {
      this.seedAccessEntry(name, { principalArn: creator }, { region });
      store.associate(creator, CLUSTER_ADMIN_POLICY_ARN, { type: 'cluster', namespaces: [] });
    }
    return store.cluster();
  }

  getCluster(name: string, options: RegionOption = {}): ClusterRecord | undefined {
    return this.clusters.get(clusterKey(this.regionOf(options), name))?.cluster();
  }

  listClusters(): ClusterRecord[] {
    return [...this.clusters.values()].map((store) => store.cluster());
  }

  /** Sets the mode without EKS's forward-only rule (the API enforces that rule). */
  setAuthenticationMode(name: string, mode: AuthenticationMode, options: RegionOption = {}): ClusterRecord {
    const store = this.store(name, options);
    store.record.authenticationMode = mode;
    return store.cluster();
  }

  /** Deletes the cluster with its entries, associations and remembered tokens. */
  deleteCluster(name: string, options: RegionOption = {}): ClusterRecord {
    const store = this.store(name, options);
    this.clusters.delete(clusterKey(store.record.region, name));
    return store.cluster();
  }

  /** An entry made outside the controller (by EKS or a human): no input rules, no quota, no mode check. */
  seedAccessEntry(cluster: string, input: SeedAccessEntryInput, options: RegionOption = {}): AccessEntryRecord {
    const principal = parsePrincipalArn(input.principalArn);
    const type = input.type ?? 'STANDARD';
    return this.store(cluster, options).insert({
      principal,
      type,
      kubernetesGroups: input.kubernetesGroups ?? groupsReportedByEks(type),
      username: input.username ?? defaultUsername(principal, type),
      tags: { ...input.tags },
    });
  }

  /** CreateAccessEntry's state change: the entry must be new and the cluster under its quota. */
  createAccessEntry(cluster: string, entry: NewAccessEntry, options: RegionOption = {}): AccessEntryRecord {
    const store = this.store(cluster, options);
    store.assertNew(entry.principal.arn);
    if (store.size >= this.entryQuota) {
      throw new EksError(
        'ResourceLimitExceededException',
        `Cluster ${cluster} already has ${store.size} access entries, the maximum per cluster. Delete unused entries first.`,
        { clusterName: cluster },
      );
    }
    return store.insert(entry);
  }

  getAccessEntry(cluster: string, principalArn: string, options: RegionOption = {}): AccessEntryRecord | undefined {
    return this.clusters.get(clusterKey(this.regionOf(options), cluster))?.get(principalArn);
  }

  /** Entries in principalArn order; throws ResourceNotFoundException for a missing cluster. */
  listAccessEntries(cluster: string, options: RegionOption = {}): AccessEntryRecord[] {
    return this.store(cluster, options).list();
  }

  /** Replaces the fields given (out-of-band drift, or UpdateAccessEntry's resolved fields); bumps modifiedAt. */
  editAccessEntry(cluster: string, principalArn: string, changes: AccessEntryChanges, options: RegionOption = {}): AccessEntryRecord {
    return this.store(cluster, options).edit(principalArn, changes);
  }

  /** Deletes the entry and its associations; false when there was nothing to delete. */
  removeAccessEntry(cluster: string, principalArn: string, options: RegionOption = {}): boolean {
    return this.store(cluster, options).remove(principalArn);
  }

  /** Associates a policy, or replaces the scope of one already associated. */
  associatePolicy(
    cluster: string,
    principalArn: string,
    { policyArn, accessScope }: { policyArn: string; accessScope: AccessScope },
    options: RegionOption = {},
  ): AssociatedPolicyRecord {
    return this.store(cluster, options).associate(principalArn, policyArn, accessScope);
  }

  disassociatePolicy(cluster: string, principalArn: string, policyArn: string, options: RegionOption = {}): void {
    this.store(cluster, options).disassociate(principalArn, policyArn);
  }

  /** Throws ResourceNotFoundException when the cluster is missing: EKS's answer to every call on it. */
  requireCluster(name: string, options: RegionOption = {}): ClusterRecord {
    return this.store(name, options).cluster();
  }

  /** Like requireCluster, and also rejects clusters whose authentication mode has no access entries. */
  requireAccessEntryCluster(name: string, options: RegionOption = {}): ClusterRecord {
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
  requireAccessEntry(cluster: string, principalArn: string, options: RegionOption = {}): AccessEntryRecord {
    return this.store(cluster, options).require(principalArn);
  }

  /** The cluster's clientRequestToken memory. */
  ledger(cluster: string, options: RegionOption = {}): TokenLedger {
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

  reset(): void {
    this.clusters.clear();
    this.entryQuota = DEFAULT_ENTRY_QUOTA;
  }

  private tagTarget(arn: string, resource: EksResourceArn): ReturnType<ClusterStore['tagTarget']> {
    if (resource.accountId !== this.accountId) return undefined;
    return this.clusters.get(clusterKey(resource.region, resource.clusterName))?.tagTarget(arn);
  }

  private store(name: string, options: RegionOption): ClusterStore {
    const region = this.regionOf(options);
    const store = this.clusters.get(clusterKey(region, name));
    if (store === undefined) throw resourceNotFound(`No cluster found for name: ${name} in region ${region}.`, { clusterName: name });
    return store;
  }

  private regionOf(options: RegionOption): string {
    return options.region ?? this.defaultRegion;
  }
}

function clusterKey(region: string, name: string): string {
  return `${region}/${name}`;
}
