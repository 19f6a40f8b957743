// What each aws-auth item becomes, decided from the item alone (pure): an access entry of some
// type, or a reason it cannot be one. eksctl's migrate-to-access-entry made the same calls.
import { RESERVED_GROUP_PREFIX } from '../../api/names.ts';
import { groupsProblem, usernameProblem } from '../shared/spec-rules.ts';
import { isServiceLinkedRole, parsePrincipalArn, principalKey, type Principal } from '../shared/principals.ts';
import type { AwsAuthItem } from './aws-auth-parse.ts';
import { Skip, type SkipReason } from './messages.ts';

export type MigratedType = 'STANDARD' | 'EC2_LINUX' | 'EC2_WINDOWS' | 'FARGATE_LINUX';

export interface Candidate {
  item: AwsAuthItem;
  principal: Principal;
  type: MigratedType;
  /** STANDARD only: the item's groups without system:masters, each once. */
  groups: string[];
  /** STANDARD only. */
  username?: string;
  /** The item had system:masters: AmazonEKSClusterAdminPolicy at cluster scope stands for it. */
  clusterAdmin: boolean;
  /** For the reviewer, above the document: what the checks changed or could not check. */
  comments?: string[];
}

export interface Skipped {
  item: AwsAuthItem;
  skip: SkipReason;
}

export type Classified = { candidate: Candidate } | Skipped;

export const NODE_USERNAME = 'system:node:{{EC2PrivateDNSName}}';
export const FARGATE_USERNAME = 'system:node:{{SessionName}}';
export const MASTERS_GROUP = 'system:masters';
const WINDOWS_GROUP = 'eks:kube-proxy-windows';
const NODE_PROXIER_GROUP = 'system:node-proxier';
/** What aws-auth gives nodes, which a node entry gets from EKS without asking. */
const NODE_GROUPS = new Set(['system:bootstrappers', 'system:nodes', WINDOWS_GROUP]);
const FARGATE_GROUPS = new Set(['system:bootstrappers', 'system:nodes', NODE_PROXIER_GROUP]);

/**
 * Every item in order: the first item for a principal wins, later ones are duplicates (by
 * account, kind and name: aws-auth holds no paths, and IAM names are unique in any case).
 */
export function classifyItems(items: readonly AwsAuthItem[]): Classified[] {
  const firstWhere = new Map<string, string>();
  return items.map((item) => {
    const principal = item.arn === undefined ? undefined : parsePrincipalArn(item.arn);
    if (principal) {
      const first = firstWhere.get(principalKey(principal));
      if (first !== undefined) return { item, skip: Skip.duplicate(first) };
      firstWhere.set(principalKey(principal), item.where);
    }
    return classifyItem(item);
  });
}

export function classifyItem(item: AwsAuthItem): Classified {
  if (item.arn === undefined) return { item, skip: Skip.noArn(item.field === 'mapRoles' ? 'rolearn' : 'userarn') };
  const principal = parsePrincipalArn(item.arn);
  if (!principal) return { item, skip: Skip.notPrincipal(item.arn) };
  if (isServiceLinkedRole(principal)) return { item, skip: Skip.serviceLinked() };
  if (item.username === NODE_USERNAME) return nodeRole(item, principal);
  if (item.username === FARGATE_USERNAME && item.groups.includes(NODE_PROXIER_GROUP)) return fargateRole(item, principal);
  return standard(item, principal);
}

function nodeRole(item: AwsAuthItem, principal: Principal): Classified {
  if (principal.kind !== 'role') return { item, skip: Skip.nodeUser() };
  const extra = item.groups.filter((group) => !NODE_GROUPS.has(group));
  if (extra.length > 0) return { item, skip: Skip.nodeExtraGroups(extra) };
  return node(item, principal, item.groups.includes(WINDOWS_GROUP) ? 'EC2_WINDOWS' : 'EC2_LINUX');
}

function fargateRole(item: AwsAuthItem, principal: Principal): Classified {
  if (principal.kind !== 'role') return { item, skip: Skip.nodeUser() };
  const extra = item.groups.filter((group) => !FARGATE_GROUPS.has(group));
  if (extra.length > 0) return { item, skip: Skip.nodeExtraGroups(extra) };
  return node(item, principal, 'FARGATE_LINUX');
}

function node(item: AwsAuthItem, principal: Principal, type: MigratedType): Classified {
  return { candidate: { item, principal, type, groups: [], clusterAdmin: false } };
}

function standard(item: AwsAuthItem, principal: Principal): Classified {
  if (item.username !== undefined) {
    const problem = usernameProblem(item.username);
    if (problem) return { item, skip: item.username === FARGATE_USERNAME ? Skip.hybridNodeUsername(problem) : Skip.badUsername(problem) };
  }
  const groups = [...new Set(item.groups.filter((group) => group !== MASTERS_GROUP))];
  const reserved = groups.find((group) => group.startsWith(RESERVED_GROUP_PREFIX));
  if (reserved !== undefined) return { item, skip: Skip.reservedGroup(reserved) };
  const problem = groupsProblem(groups);
  if (problem) return { item, skip: Skip.badGroup(problem) };
  return {
    candidate: {
      item,
      principal,
      type: 'STANDARD',
      groups,
      ...(item.username !== undefined ? { username: item.username } : {}),
      clusterAdmin: item.groups.includes(MASTERS_GROUP),
    },
  };
}
