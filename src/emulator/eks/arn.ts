// ARNs EKS reads (IAM principals, EKS resources, access policies) and writes (clusters, access
// entries), plus the values EKS derives from a principal.
import type { EntryType } from '../../api/names.ts';
import { parsePrincipalArn as parseIamPrincipalArn, PARTITIONS, partitionForRegion, type PrincipalArn } from '../core/arn.ts';
import { invalidParameter } from '../core/errors.ts';

export type { PrincipalArn } from '../core/arn.ts';

const STS_SESSION = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//;
const ANY_ARN = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/;

/** Parses an access-entry principal, or throws InvalidParameterException saying what to send instead. */
export function parsePrincipalArn(arn: string): PrincipalArn {
  const principal = parseIamPrincipalArn(arn);
  if (principal === undefined) throw invalidParameter(describeBadPrincipal(arn), { principalArn: arn });
  return principal;
}

function describeBadPrincipal(arn: string): string {
  const session = STS_SESSION.exec(arn);
  if (session) {
    const [, partition, accountId, role] = session;
    return (
      `The principalArn ${arn} is an STS assumed-role session, which access entries do not accept. ` +
      `Use the IAM role ARN instead, for example arn:${partition}:iam::${accountId}:role/${role}.`
    );
  }
  const parts = ANY_ARN.exec(arn);
  if (parts && !(PARTITIONS as readonly string[]).includes(parts[1] ?? '')) {
    return `The principalArn ${arn} has partition '${parts[1]}'; use one of ${PARTITIONS.join(', ')}.`;
  }
  if (parts?.[2] === 'iam' && !/^(role|user)\//.test(parts[5] ?? '')) {
    return `The principalArn ${arn} is not an IAM role or user; access entries take arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:user/NAME (paths allowed).`;
  }
  return `The principalArn '${arn}' is not a valid IAM role or user ARN; expected arn:aws:iam::123456789012:role/NAME or arn:aws:iam::123456789012:user/NAME.`;
}

export function clusterArn(region: string, accountId: string, clusterName: string): string {
  return `arn:${partitionForRegion(region)}:eks:${region}:${accountId}:cluster/${clusterName}`;
}

/** `arn:aws:eks:REGION:ACCOUNT:access-entry/CLUSTER/role/PRINCIPAL_ACCOUNT/NAME/UUID`, as EKS formats it. */
export function accessEntryArn(
  cluster: { region: string; accountId: string; name: string },
  principal: PrincipalArn,
  id: string,
): string {
  const prefix = `arn:${partitionForRegion(cluster.region)}:eks:${cluster.region}:${cluster.accountId}`;
  return `${prefix}:access-entry/${cluster.name}/${principal.kind}/${principal.accountId}/${principal.name}/${id}`;
}

export interface EksResourceArn {
  region: string;
  accountId: string;
  kind: 'cluster' | 'access-entry';
  clusterName: string;
}

const EKS_RESOURCE = /^arn:(?:aws|aws-cn|aws-us-gov):eks:([a-z0-9-]+):(\d{12}):(cluster|access-entry)\/([^/]+)(?:\/.*)?$/;

/** Reads a cluster or access-entry ARN (the resources TagResource works on here), or undefined. */
export function parseEksResourceArn(arn: string): EksResourceArn | undefined {
  const match = EKS_RESOURCE.exec(arn);
  if (!match) return undefined;
  const [, region, accountId, kind, clusterName] = match as unknown as [string, string, string, EksResourceArn['kind'], string];
  return { region, accountId, kind, clusterName };
}

const POLICY_ARN = /^arn:(?:aws|aws-cn|aws-us-gov):eks::aws:cluster-access-policy\/[A-Za-z0-9]+$/;

export function isAccessPolicyArn(arn: string): boolean {
  return POLICY_ARN.test(arn);
}

/** IAM puts every service-linked role under the path `/aws-service-role/`. */
const SERVICE_LINKED_ROLE = /^arn:[^:]+:iam::\d{12}:role\/aws-service-role\//;

export function isServiceLinkedRole(principalArn: string): boolean {
  return SERVICE_LINKED_ROLE.test(principalArn);
}

/** Node types whose kubelet authenticates with an STS session name rather than the EC2 private DNS name. */
const SESSION_NAMED_NODE_TYPES: ReadonlySet<EntryType> = new Set<EntryType>(['FARGATE_LINUX', 'HYBRID_LINUX']);

/** The username EKS picks when the caller gives none (and always, for node types). */
export function defaultUsername(principal: PrincipalArn, type: EntryType): string {
  if (type !== 'STANDARD') {
    return SESSION_NAMED_NODE_TYPES.has(type) ? 'system:node:{{SessionName}}' : 'system:node:{{EC2PrivateDNSName}}';
  }
  if (principal.kind === 'user') return principal.arn;
  return `arn:${principal.partition}:sts::${principal.accountId}:assumed-role/${principal.name}/{{SessionName}}`;
}

/** The groups EKS reports on entries it manages for nodes; STANDARD entries start with none. */
export function groupsReportedByEks(type: EntryType): string[] {
  switch (type) {
    case 'STANDARD':
      return [];
    case 'EC2_WINDOWS':
      return ['system:nodes', 'eks:kube-proxy-windows'];
    case 'FARGATE_LINUX':
      return ['system:node-proxier', 'system:nodes'];
    default:
      return ['system:nodes'];
  }
}
