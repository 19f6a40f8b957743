// One cluster's access entries, their associated policies and tags, and its token memory.
import type { EntryType } from '../../../api/names.ts';
import { accessEntryArn, clusterArn, type PrincipalArn } from '../arn.ts';
import type { Clock } from '../../core/clock.ts';
import { resourceInUse, resourceNotFound } from '../../core/errors.ts';
import { present } from '../../core/optional.ts';
import { TokenLedger } from '../idempotency.ts';
import { copyCluster, copyPolicy, type AccessEntryRecord, type AccessScope, type AssociatedPolicyRecord, type AuthenticationMode, type ClusterRecord } from '../model.ts';
import { type Location } from '../../core/location.ts';

/** An entry ready to store: validated, with EKS's defaults applied. */
export interface NewAccessEntry {
  principal: PrincipalArn;
  /** The principal's unique id, when IAM knows it. */
  principalId?: string;
  type: EntryType;
  kubernetesGroups: string[];
  username: string;
  tags: Record<string, string>;
}

/** Fields given are replaced (tags too); fields left out stay as they are. */
export interface AccessEntryChanges {
  kubernetesGroups?: string[];
  username?: string;
  tags?: Record<string, string>;
}

interface StoredEntry extends Omit<AccessEntryRecord, 'associatedPolicies'> {
  policies: Map<string, AssociatedPolicyRecord>;
}

const DEFAULT_KUBERNETES_VERSION = '1.33';

/** What a new cluster is made with. */
export interface ClusterSettings extends Location {
  authenticationMode: AuthenticationMode;
  tags: Record<string, string>;
  /** Whether EKS made an entry for the creator (bootstrapClusterCreatorAdminPermissions). */
  bootstrapped: boolean;
  roleArn?: string;
}

export class ClusterStore {
  readonly record: ClusterRecord;
  /** clientRequestToken memory; it goes away with the cluster. */
  readonly ledger = new TokenLedger();
  private readonly entries = new Map<string, StoredEntry>();
  private readonly clock: Clock;

  constructor(record: ClusterRecord, clock: Clock) {
    this.record = record;
    this.clock = clock;
  }

  /** A new, empty cluster, ACTIVE at once. */
  static create(name: string, { accountId, region, authenticationMode, tags, bootstrapped, roleArn }: ClusterSettings, clock: Clock): ClusterStore {
    const record: ClusterRecord = {
      name,
      region,
      accountId,
      arn: clusterArn(region, accountId, name),
      authenticationMode,
      bootstrapClusterCreatorAdminPermissions: bootstrapped,
      createdAt: clock.now(),
      tags,
      version: DEFAULT_KUBERNETES_VERSION,
      ...(roleArn === undefined ? {} : { roleArn }),
    };
    return new ClusterStore(record, clock);
  }

  get size(): number {
    return this.entries.size;
  }

  cluster(): ClusterRecord {
    return copyCluster(this.record);
  }

  /** Throws ResourceInUseException when the principal already has an entry here. */
  assertNew(principalArn: string): void {
    if (this.entries.has(principalArn)) {
      throw resourceInUse(`The specified access entry resource is already in use on this cluster: ${principalArn}`, {
        clusterName: this.record.name,
        principalArn,
      });
    }
  }

  insert(entry: NewAccessEntry): AccessEntryRecord {
    this.assertNew(entry.principal.arn);
    const now = this.clock.now();
    const stored: StoredEntry = {
      accountId: this.record.accountId,
      region: this.record.region,
      clusterName: this.record.name,
      principalArn: entry.principal.arn,
      type: entry.type,
      kubernetesGroups: [...entry.kubernetesGroups],
      username: entry.username,
      accessEntryArn: accessEntryArn(this.record, entry.principal, this.clock.newId()),
      ...present('principalId', entry.principalId),
      createdAt: now,
      modifiedAt: now,
      tags: { ...entry.tags },
      policies: new Map(),
    };
    this.entries.set(stored.principalArn, stored);
    return copyEntry(stored);
  }

  get(principalArn: string): AccessEntryRecord | undefined {
    const entry = this.entries.get(principalArn);
    return entry && copyEntry(entry);
  }

  /** Throws ResourceNotFoundException naming the cluster and principal when the entry is missing. */
  require(principalArn: string): AccessEntryRecord {
    return copyEntry(this.stored(principalArn));
  }

  /** In principalArn order, the order ListAccessEntries pages through. */
  list(): AccessEntryRecord[] {
    return [...this.entries.values()].map(copyEntry).sort((a, b) => compare(a.principalArn, b.principalArn));
  }

  edit(principalArn: string, changes: AccessEntryChanges): AccessEntryRecord {
    const entry = this.stored(principalArn);
    if (changes.kubernetesGroups !== undefined) entry.kubernetesGroups = [...changes.kubernetesGroups];
    if (changes.username !== undefined) entry.username = changes.username;
    if (changes.tags !== undefined) entry.tags = { ...changes.tags };
    entry.modifiedAt = this.clock.after(entry.modifiedAt);
    return copyEntry(entry);
  }

  /** Deletes the entry with its associations; false when there was none. */
  remove(principalArn: string): boolean {
    return this.entries.delete(principalArn);
  }

  /** Associates a policy, or replaces the scope of one already associated. */
  associate(principalArn: string, policyArn: string, scope: AccessScope): AssociatedPolicyRecord {
    const entry = this.stored(principalArn);
    const existing = entry.policies.get(policyArn);
    const now = this.clock.after(existing?.modifiedAt);
    const policy: AssociatedPolicyRecord = {
      policyArn,
      accessScope: { type: scope.type, namespaces: [...scope.namespaces] },
      associatedAt: existing?.associatedAt ?? now,
      modifiedAt: now,
    };
    entry.policies.set(policyArn, policy);
    return copyPolicy(policy);
  }

  disassociate(principalArn: string, policyArn: string): void {
    if (!this.stored(principalArn).policies.delete(policyArn)) {
      throw resourceNotFound(`The policy ${policyArn} is not associated with the access entry for ${principalArn}.`, {
        clusterName: this.record.name,
        principalArn,
      });
    }
  }

  /** The tag map of the cluster or of the entry with this ARN, with a way to record a change. */
  tagTarget(arn: string): { tags: Record<string, string>; replace(tags: Record<string, string>): void } | undefined {
    if (arn === this.record.arn) {
      return { tags: { ...this.record.tags }, replace: (tags): void => void (this.record.tags = { ...tags }) };
    }
    const entry = [...this.entries.values()].find((candidate) => candidate.accessEntryArn === arn);
    if (entry === undefined) return undefined;
    return {
      tags: { ...entry.tags },
      replace: (tags): void => {
        entry.tags = { ...tags };
        entry.modifiedAt = this.clock.after(entry.modifiedAt);
      },
    };
  }

  private stored(principalArn: string): StoredEntry {
    const entry = this.entries.get(principalArn);
    if (entry === undefined) {
      throw resourceNotFound(`The specified access entry for ${principalArn} could not be found on cluster ${this.record.name}.`, {
        clusterName: this.record.name,
        principalArn,
      });
    }
    return entry;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function copyEntry(entry: StoredEntry): AccessEntryRecord {
  const { policies, ...fields } = entry;
  return {
    ...fields,
    kubernetesGroups: [...fields.kubernetesGroups],
    createdAt: new Date(fields.createdAt),
    modifiedAt: new Date(fields.modifiedAt),
    tags: { ...fields.tags },
    associatedPolicies: [...policies.values()].map(copyPolicy),
  };
}
