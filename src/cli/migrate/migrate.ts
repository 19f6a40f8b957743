// migrate: aws-auth's mappings as AccessEntries, after asking IAM for each principal's real ARN
// and EKS which principals have an entry already. It only reads; nothing changes in the cluster.
import type { AccessEntrySpec } from '../../api/accessentry.ts';
import { partitionOfRegion } from '../../eks/arn.ts';
import type { EntryManifest } from '../manifest/document.ts';
import { principalArn } from '../shared/principals.ts';
import type { Reporter } from '../shared/report.ts';
import type { AwsAuthContents } from './aws-auth-parse.ts';
import { principalsWithEntries, resolvePaths, skipExisting, skipSsoRolesWithoutPath, type MigrateAws } from './checks.ts';
import { classifyItems, type Candidate, type Classified } from './classify.ts';
import { Comment, Skip, Warning } from './messages.ts';

export const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';

export interface MigrateRequest {
  clusterName: string;
  /** Written into each spec when known: the region the checks ran in. */
  region?: string;
  /** Ask IAM for each principal's ARN (its path). */
  iam: boolean;
  /** Ask EKS which principals have an entry already. */
  eks: boolean;
}

export interface MigrateResult {
  manifests: EntryManifest[];
  /** Whether EKS was asked which principals have an entry, for the header of the output. */
  eks: 'asked' | 'not-asked' | 'config-map';
}

/** The AccessEntries to write; what is left out, and why, goes to the reporter. */
export async function migrate(contents: AwsAuthContents, request: MigrateRequest, aws: MigrateAws | undefined, reporter: Reporter): Promise<MigrateResult> {
  let eks: MigrateResult['eks'] = 'not-asked';
  let classified = checkPartitions(classifyItems(contents.items), request.region);
  if (request.iam && aws) classified = await resolvePaths(classified, aws, reporter);
  else {
    reporter.warning(Warning.noIam);
    classified = skipSsoRolesWithoutPath(classified);
  }
  if (request.eks && aws) {
    const existing = await principalsWithEntries(aws, request.clusterName, reporter);
    if (existing) classified = skipExisting(classified, existing);
    eks = existing ? 'asked' : 'config-map';
  } else reporter.warning(Warning.noEks);
  for (const entry of classified) {
    if ('skip' in entry) reporter.skipped(subject(entry.item), ...reasonOf(entry.skip));
  }
  for (const account of contents.accounts) reporter.skipped(`mapAccounts item at ${account.where} (${account.accountId})`, ...reasonOf(Skip.account(account.accountId)));
  return { manifests: classified.flatMap((entry) => ('candidate' in entry ? [manifestOf(entry.candidate, request)] : [])), eks };
}

function manifestOf(candidate: Candidate, request: MigrateRequest): EntryManifest {
  const node = candidate.type !== 'STANDARD';
  const arn = principalArn(candidate.principal);
  const spec: AccessEntrySpec = {
    clusterName: request.clusterName,
    ...(request.region !== undefined ? { region: request.region } : {}),
    principalArn: arn,
    ...(node ? { type: candidate.type, deletionPolicy: 'Retain' } : standardFields(candidate)),
  };
  return {
    key: arn,
    principalName: candidate.principal.name,
    spec,
    comments: [Comment.source(candidate.item.where), ...(candidate.comments ?? [])],
    fieldComments: {
      ...(node ? { deletionPolicy: [...Comment.nodeRetain] } : {}),
      ...(candidate.clusterAdmin ? { accessPolicies: [...Comment.clusterAdmin] } : {}),
    },
  };
}

/**
 * Groups and username as aws-auth gives them; the access policies are the whole set (so one
 * granted outside Git later shows up and is removed): cluster admin for system:masters, else none.
 */
function standardFields(candidate: Candidate): Partial<AccessEntrySpec> {
  return {
    ...(candidate.groups.length > 0 ? { kubernetesGroups: candidate.groups } : {}),
    ...(candidate.username !== undefined ? { username: candidate.username } : {}),
    accessPolicies: candidate.clusterAdmin ? [{ policy: CLUSTER_ADMIN_POLICY, accessScope: { type: 'cluster' } }] : [],
  };
}

function checkPartitions(classified: Classified[], region: string | undefined): Classified[] {
  if (region === undefined) return classified;
  return classified.map((entry) =>
    'candidate' in entry && entry.candidate.principal.partition !== partitionOfRegion(region)
      ? { item: entry.candidate.item, skip: Skip.partition(principalArn(entry.candidate.principal), region) }
      : entry,
  );
}

function subject(item: { where: string; arn?: string }): string {
  return item.arn === undefined ? `item at ${item.where}` : `item at ${item.where} (${item.arn})`;
}

function reasonOf(skip: { reason: string; action: string }): [string, string] {
  return [skip.reason, skip.action];
}
