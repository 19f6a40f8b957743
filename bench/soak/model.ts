// What the soak did, as the checks need it: every resource it made (uid, principal, generations,
// how it was deleted), the out-of-band tags it put on entries, and the foreign entries as seeded.
import type { AccessEntry, AccessEntrySpec } from '../../src/api/accessentry.ts';
import type { AccessEntryRecord, AssociatedPolicyRecord } from '../../src/emulator/index.ts';

export interface TrackedResource {
  name: string;
  uid: string;
  principalArn: string;
  /** Names a foreign entry's principal: must stay Stalled/NotOwned and leave the entry alone. */
  intruder: boolean;
  /** Every generation its spec had, from the API server's answers. */
  generations: Set<number>;
  /** The spec as the API server last stored it. */
  spec: AccessEntrySpec;
  /** Set when the soak deleted it, with the deletion policy its last spec had. */
  deleted?: { deletionPolicy: NonNullable<AccessEntry['spec']['deletionPolicy']> };
  /** Tags put on its EKS entry out of band under keys no spec uses: they must survive. */
  outOfBandTags: Record<string, string>;
  /** Whether any generation declared spec.accessPolicies. */
  policiesEverDeclared: boolean;
  /**
   * While no generation declared accessPolicies, the associations as the soak's own out-of-band
   * changes left them (undefined: none made): the controller must not touch them.
   */
  unmanagedAssociations?: AssociatedPolicyRecord[];
  /**
   * The soak changed the username while no status had recorded the one EKS assigned (the write of
   * the create's answer lost to a kill, say): nothing then tells EKS's answer from the change, so
   * the controller may take the changed one as EKS's.
   */
  usernameDriftedUnrecorded?: boolean;
}

export interface ForeignEntry {
  principalArn: string;
  /** The entry, associations included, as seeded: it must never change. */
  seeded: AccessEntryRecord;
  /** The other controller id it is tagged with, if any. */
  managedBy?: string;
}

/** Counts of what the workload did, by kind. */
export type WorkloadCounts = Record<string, number>;

export class SoakModel {
  readonly resources = new Map<string, TrackedResource>();
  readonly foreign = new Map<string, ForeignEntry>();
  readonly counts: WorkloadCounts = {};
  /** Failed workload operations (the API server refusing a write the soak made), with why. */
  readonly workloadErrors: string[] = [];

  count(kind: string, by = 1): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + by;
  }

  /** Records a resource as the API server stored it after a create or a patch. */
  track(stored: AccessEntry, intruder: boolean): TrackedResource {
    const name = stored.metadata.name!;
    const existing = this.resources.get(name);
    const tracked: TrackedResource = existing ?? {
      name,
      uid: stored.metadata.uid!,
      principalArn: stored.spec.principalArn ?? '',
      intruder,
      generations: new Set(),
      spec: stored.spec,
      outOfBandTags: {},
      policiesEverDeclared: false,
    };
    tracked.spec = stored.spec;
    if (stored.spec.accessPolicies !== undefined) tracked.policiesEverDeclared = true;
    tracked.generations.add(stored.metadata.generation ?? 1);
    this.resources.set(name, tracked);
    return tracked;
  }

  live(): TrackedResource[] {
    return [...this.resources.values()].filter((r) => r.deleted === undefined);
  }

  deleted(): TrackedResource[] {
    return [...this.resources.values()].filter((r) => r.deleted !== undefined);
  }

  byPrincipal(principalArn: string): TrackedResource[] {
    return [...this.resources.values()].filter((r) => r.principalArn === principalArn);
  }
}
