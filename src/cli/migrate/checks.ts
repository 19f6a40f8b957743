// What migrate asks AWS, and only asks: each principal's real ARN from IAM (aws-auth cannot hold
// paths), and which principals EKS already has an access entry for.
import { AwsCallError } from '../../eks/errors.ts';
import type { IamPrincipals } from '../../eks/iam-principals.ts';
import type { AwsTarget } from '../../eks/types.ts';
import type { EksReads } from '../shared/aws.ts';
import { explainAwsFailure } from '../shared/aws-errors.ts';
import { mapConcurrently } from '../shared/concurrency.ts';
import { CliError } from '../shared/exit.ts';
import { isServiceLinkedRole, isSsoRole, parsePrincipalArn, principalArn, principalKey, type Principal } from '../shared/principals.ts';
import { Progress, type Reporter } from '../shared/report.ts';
import type { Candidate, Classified } from './classify.ts';
import { Comment, Skip, Warning } from './messages.ts';

export interface MigrateAws {
  target: AwsTarget;
  eks: Pick<EksReads, 'listEntries' | 'authenticationMode' | 'callerAccount'>;
  iam: IamPrincipals;
}

/** IAM answers a handful of reads per second per account; four at a time stays clear of throttling. */
const IAM_CONCURRENCY = 4;
const IAM_HINT = 'or pass --no-iam to write the ARNs as aws-auth gives them (paths unchecked)';
const EKS_HINT = 'or pass --no-eks to migrate without asking EKS which principals have an entry already';
const AWS_HINT = 'or pass --no-iam --no-eks to migrate without asking AWS anything (nothing is then checked)';

/**
 * Each candidate with its principal as IAM has it (path included), or skipped when IAM does not
 * know it. Principals of other accounts than the credentials' cannot be looked up: written as
 * given, with a warning.
 */
export async function resolvePaths(classified: readonly Classified[], aws: MigrateAws, reporter: Reporter): Promise<Classified[]> {
  const callerAccount = await ask(() => aws.eks.callerAccount(aws.target), AWS_HINT);
  const lookups = uniqueLookups(classified, callerAccount);
  const progress = new Progress(reporter, 'looking up principals in IAM', lookups.length);
  const found = new Map<string, string | undefined>();
  await mapConcurrently(lookups, IAM_CONCURRENCY, async (principal) => {
    const record = await ask(() => (principal.kind === 'role' ? aws.iam.role(aws.target, principal.name) : aws.iam.user(aws.target, principal.name)), IAM_HINT);
    found.set(principalKey(principal), record?.arn);
    progress.step();
  });
  return classified.map((entry) => {
    if (!('candidate' in entry)) return entry;
    const { candidate } = entry;
    if (candidate.principal.accountId !== callerAccount) {
      reporter.warning(Warning.otherAccount(candidate.item.where, principalArn(candidate.principal), callerAccount));
      return { candidate: withComment(candidate, Comment.pathNotChecked) };
    }
    return withIamArn(candidate, found.get(principalKey(candidate.principal)));
  });
}

/** Without IAM, an SSO role is known to have a path aws-auth could not hold: it would never match. */
export function skipSsoRolesWithoutPath(classified: readonly Classified[]): Classified[] {
  return classified.map((entry) =>
    'candidate' in entry && isSsoRole(entry.candidate.principal) && entry.candidate.principal.path === '/' ? { item: entry.candidate.item, skip: Skip.ssoWithoutPath() } : entry,
  );
}

/**
 * The principals (by principalKey) that have an access entry on the cluster now; undefined when
 * the cluster is still in CONFIG_MAP mode and can have none.
 */
export async function principalsWithEntries(aws: MigrateAws, clusterName: string, reporter: Reporter): Promise<Set<string> | undefined> {
  const cluster = { ...aws.target, clusterName };
  const mode = await ask(() => aws.eks.authenticationMode(cluster), AWS_HINT, clusterName);
  if (mode === 'CONFIG_MAP') {
    reporter.warning(Warning.configMapMode(clusterName));
    return undefined;
  }
  reporter.progress(`listing the access entries of cluster ${clusterName}`);
  const arns = await ask(() => aws.eks.listEntries(cluster), EKS_HINT, clusterName);
  return new Set(arns.flatMap((arn) => {
    const principal = parsePrincipalArn(arn);
    return principal ? [principalKey(principal)] : [];
  }));
}

/** Candidates whose principal has an entry already are left to it. */
export function skipExisting(classified: readonly Classified[], existing: ReadonlySet<string>): Classified[] {
  return classified.map((entry) => {
    if (!('candidate' in entry) || !existing.has(principalKey(entry.candidate.principal))) return entry;
    return { item: entry.candidate.item, skip: entry.candidate.type === 'STANDARD' ? Skip.hasEntry() : Skip.nodeHasEntry() };
  });
}

function uniqueLookups(classified: readonly Classified[], callerAccount: string): Principal[] {
  const byKey = new Map<string, Principal>();
  for (const entry of classified) {
    if ('candidate' in entry && entry.candidate.principal.accountId === callerAccount) byKey.set(principalKey(entry.candidate.principal), entry.candidate.principal);
  }
  return [...byKey.values()];
}

function withIamArn(candidate: Candidate, iamArn: string | undefined): Classified {
  const principal = iamArn === undefined ? undefined : parsePrincipalArn(iamArn);
  if (!principal) return { item: candidate.item, skip: Skip.unknownToIam(candidate.principal) };
  // The name is what aws-auth asked for; IAM found it under a service path aws-auth did not show.
  if (isServiceLinkedRole(principal)) return { item: candidate.item, skip: Skip.serviceLinked() };
  const written = principalArn(candidate.principal);
  const resolved = { ...candidate, principal };
  return { candidate: principalArn(principal) === written ? resolved : withComment(resolved, Comment.pathFromIam(written)) };
}

function withComment(candidate: Candidate, comment: string): Candidate {
  return { ...candidate, comments: [...(candidate.comments ?? []), comment] };
}

/** An AWS call whose failure ends the command, explained; a missing cluster named as such. */
async function ask<T>(call: () => Promise<T>, hint: string, clusterName?: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (clusterName !== undefined && err instanceof AwsCallError && err.awsName === 'ResourceNotFoundException') {
      throw new CliError(`EKS has no cluster ${clusterName} in this region for your credentials' account: check --cluster, --region and --profile, ${hint}`, {
        cause: err,
      });
    }
    throw explainAwsFailure(err, hint);
  }
}
