// The AccessEntry specs the workload applies and the edits it makes to them: every field a user
// edits (groups, tags, username, access policies, deletion policy), always valid for the CRD.
import type { AccessEntrySpec } from '../../src/api/accessentry.ts';
import type { Random } from './random.ts';

type DeclaredPolicy = NonNullable<AccessEntrySpec['accessPolicies']>[number];
export type EditKind = 'groups' | 'tags' | 'username' | 'accessPolicies' | 'deletionPolicy';

export const POLICY_NAMES = ['AmazonEKSViewPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSAdminPolicy', 'AmazonEKSAdminViewPolicy', 'AmazonEKSClusterAdminPolicy'] as const;
export const policyArnOf = (name: string): string => `arn:aws:eks::aws:cluster-access-policy/${name}`;
const GROUPS = ['developers', 'oncall', 'auditors', 'viewers', 'sre', 'platform'];
const NAMESPACES = ['payments', 'dev-*', 'team-a', 'team-b', 'batch'];
const TAG_KEYS = ['team', 'env', 'cost-center', 'owner'];
const TAG_VALUES = ['payments', 'prod', 'dev', 'a1', 'platform team', 'x=y'];
/** Out-of-band tags use keys no spec declares, so they must survive every reconcile. */
export const OUT_OF_BAND_TAG_PREFIX = 'oob-';

export function newSpec(rng: Random, clusterName: string, principalArn: string, nodeShare = 0.06): AccessEntrySpec {
  const deletionPolicy = rng.weighted({ Retain: 35, Delete: 15, unset: 50 });
  const common = { clusterName, principalArn, ...(deletionPolicy === 'unset' ? {} : { deletionPolicy }) };
  const tags = randomTags(rng);
  if (rng.chance(nodeShare)) return { ...common, type: 'EC2_LINUX', ...(tags ? { tags } : {}) };
  const groups = rng.subset(GROUPS, 0, 3);
  return {
    ...common,
    ...(groups.length > 0 || rng.chance(0.5) ? { kubernetesGroups: groups } : {}),
    ...(rng.chance(0.3) ? { username: randomUsername(rng) } : {}),
    ...(tags ? { tags } : {}),
    ...(rng.chance(0.6) ? { accessPolicies: randomPolicies(rng) } : {}),
  };
}

/** A spec for a principal someone else's entry holds: it must stay NotOwned whatever it says. */
export function intruderSpec(rng: Random, clusterName: string, principalArn: string, otherControllerTagged: boolean): AccessEntrySpec {
  return {
    clusterName,
    principalArn,
    kubernetesGroups: rng.subset(GROUPS, 1, 2),
    // An entry of another controller is never adopted, even when asked to.
    adoptExisting: otherControllerTagged,
    deletionPolicy: 'Delete',
    ...(rng.chance(0.5) ? { accessPolicies: randomPolicies(rng) } : {}),
  };
}

/** One edit a user might make: the kind, and the merge patch of `spec` that makes it. */
export function randomEdit(rng: Random, spec: AccessEntrySpec): { kind: EditKind; patch: Record<string, unknown> } {
  const node = (spec.type ?? 'STANDARD') !== 'STANDARD';
  const kind: EditKind = node
    ? rng.weighted({ tags: 3, deletionPolicy: 1 })
    : rng.weighted({ groups: 3, tags: 3, username: 2, accessPolicies: 3, deletionPolicy: 1 });
  return { kind, patch: editPatch(rng, spec, kind) };
}

function editPatch(rng: Random, spec: AccessEntrySpec, kind: EditKind): Record<string, unknown> {
  switch (kind) {
    case 'groups':
      return { kubernetesGroups: differentFrom(spec.kubernetesGroups ?? [], () => rng.subset(GROUPS, 0, 3)) };
    case 'tags': {
      const next = differentFrom(spec.tags ?? {}, () => randomTags(rng) ?? {});
      // A merge patch merges maps: keys the new set drops are sent as null.
      const dropped = Object.keys(spec.tags ?? {}).filter((key) => !(key in next));
      return { tags: { ...Object.fromEntries(dropped.map((key) => [key, null])), ...next } };
    }
    case 'username':
      return { username: spec.username !== undefined && rng.chance(0.5) ? null : differentFrom(spec.username ?? '', () => randomUsername(rng)) };
    case 'accessPolicies':
      if (spec.accessPolicies !== undefined && rng.chance(0.25)) return { accessPolicies: null };
      return { accessPolicies: rng.chance(0.15) ? [] : differentFrom(spec.accessPolicies ?? [], () => randomPolicies(rng)) };
    case 'deletionPolicy':
      return { deletionPolicy: (spec.deletionPolicy ?? 'Delete') === 'Delete' ? 'Retain' : 'Delete' };
  }
}

function differentFrom<T>(current: T, make: () => T): T {
  for (let attempt = 0; attempt < 10; attempt++) {
    const next = make();
    if (JSON.stringify(next) !== JSON.stringify(current)) return next;
  }
  return make();
}

function randomTags(rng: Random): Record<string, string> | undefined {
  const keys = rng.subset(TAG_KEYS, 0, 3);
  return keys.length === 0 ? undefined : Object.fromEntries(keys.map((key) => [key, rng.pick(TAG_VALUES)]));
}

function randomUsername(rng: Random): string {
  return rng.pick(['soak-{{SessionName}}', 'alice', 'bob@example.com', `user-${rng.int(1, 999)}`]);
}

export function randomPolicies(rng: Random): DeclaredPolicy[] {
  return rng.subset(POLICY_NAMES, 0, 3).map((name) => {
    const scope: DeclaredPolicy['accessScope'] = rng.chance(0.5) ? { type: 'cluster' } : { type: 'namespace', namespaces: rng.subset(NAMESPACES, 1, 3) };
    return rng.chance(0.5) ? { policy: name, accessScope: scope } : { policyArn: policyArnOf(name), accessScope: scope };
  });
}

/** A scope other than `scope`, for re-scoping a policy out of band. */
export function otherScope(rng: Random, scope: { type: string; namespaces: readonly string[] }): { type: 'cluster' | 'namespace'; namespaces: string[] } {
  if (scope.type === 'namespace') return { type: 'cluster', namespaces: [] };
  return { type: 'namespace', namespaces: rng.subset(NAMESPACES, 1, 2) };
}
