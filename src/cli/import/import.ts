// import: a cluster's access entries, as AccessEntries that adopt them unchanged. It only reads.
import type { AccessEntry } from '../../api/accessentry.ts';
import { API_GROUP_VERSION, KIND } from '../../api/names.ts';
import { takesPolicies } from '../../controller/desired.ts';
import { resolveOwnership } from '../../controller/ownership.ts';
import { AwsCallError } from '../../eks/errors.ts';
import type { AwsTarget, ObservedEntry } from '../../eks/types.ts';
import type { EntryManifest } from '../manifest/document.ts';
import type { EksReads } from '../shared/aws.ts';
import { explainAwsFailure } from '../shared/aws-errors.ts';
import { mapConcurrently } from '../shared/concurrency.ts';
import { compare } from '../manifest/names.ts';
import { CliError } from '../shared/exit.ts';
import { isServiceLinkedRole, parsePrincipalArn } from '../shared/principals.ts';
import { Progress, type Reporter } from '../shared/report.ts';
import { Note, Skip, type SkipReason } from './messages.ts';
import { entryType, importDecision } from './to-spec.ts';

export interface ImportRequest {
  clusterName: string;
  region: string;
  controllerId: string;
  includeNodeEntries: boolean;
}

export interface ImportDeps {
  target: AwsTarget;
  eks: EksReads;
  /**
   * Whether an AccessEntry of that name exists in the management cluster: an entry this
   * controller tagged for one that is gone is adoptable again. Undefined: not known (no kubeconfig).
   */
  resourceExists?: (name: string) => Promise<boolean>;
  reporter: Reporter;
}

export interface ImportResult {
  manifests: EntryManifest[];
  accountId: string;
}

/** EKS answers a few dozen reads per second per account; four entries at a time (two calls each) stay well below. */
const CONCURRENCY = 4;

/** Never a name of an object: ownership read against it finds every tagged owner another resource. */
const NO_RESOURCE: AccessEntry = { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: {}, spec: { clusterName: '', principalArn: '' } };

type Outcome = { manifest: EntryManifest; warnings: string[] } | { skip: SkipReason } | { note: string };

export async function importEntries(request: ImportRequest, deps: ImportDeps): Promise<ImportResult> {
  const cluster = { ...deps.target, clusterName: request.clusterName };
  const mode = await ask(() => deps.eks.authenticationMode(cluster), request);
  if (mode === 'CONFIG_MAP') {
    throw new CliError(`cluster ${request.clusterName} is in CONFIG_MAP mode, so it has no access entries: migrate its aws-auth ConfigMap instead`);
  }
  const accountId = await ask(() => deps.eks.callerAccount(deps.target), request);
  const arns = [...(await ask(() => deps.eks.listEntries(cluster), request))].sort(compare);
  const progress = new Progress(deps.reporter, `reading the access entries of ${request.clusterName}`, arns.length);
  const outcomes = await mapConcurrently(arns, CONCURRENCY, async (arn) => {
    const outcome = await ask(() => examine(arn, request, deps), request);
    progress.step();
    return outcome;
  });
  const manifests: EntryManifest[] = [];
  outcomes.forEach((outcome, index) => {
    if ('manifest' in outcome) {
      outcome.warnings.forEach((warning) => deps.reporter.warning(warning));
      manifests.push(outcome.manifest);
    } else if ('skip' in outcome) deps.reporter.skipped(arns[index] ?? '', outcome.skip.reason, outcome.skip.action);
    else deps.reporter.note(outcome.note);
  });
  return { manifests, accountId };
}

async function examine(arn: string, request: ImportRequest, deps: ImportDeps): Promise<Outcome> {
  const ref = { ...deps.target, clusterName: request.clusterName, principalArn: arn };
  const observed = await deps.eks.describe(ref);
  if (observed === undefined) return { note: Note.gone(arn) };
  const principal = parsePrincipalArn(observed.principalArn);
  if (!principal) return { skip: Skip.notPrincipal(observed.principalArn) };
  if (isServiceLinkedRole(principal)) return { skip: Skip.serviceLinked() };
  const owned = await ownedElsewhere(observed, request.controllerId, deps.resourceExists);
  if (owned) return owned;
  if (observed.type !== 'STANDARD' && !request.includeNodeEntries) return { skip: Skip.nodeEntry(observed.type) };
  const type = entryType(observed.type);
  // EKS refuses to list the policies of node types other than EC2 (Auto Mode).
  const policies = type !== undefined && takesPolicies(type) ? await deps.eks.listAssociatedPolicies(ref) : undefined;
  return importDecision(observed, principal, policies, request);
}

/** The controller's own ownership rule, read from the entry's tags: what it would refuse to adopt. */
async function ownedElsewhere(observed: ObservedEntry, controllerId: string, exists: ImportDeps['resourceExists']): Promise<Outcome | undefined> {
  const ownership = await resolveOwnership(observed, NO_RESOURCE, controllerId, exists ?? (() => Promise.resolve(true)));
  switch (ownership.owner) {
    case 'other-controller':
      return { skip: Skip.otherController(ownership.controllerId) };
    case 'other-resource':
      return { note: exists ? Note.managed(observed.principalArn, ownership.name) : Note.managedUnchecked(observed.principalArn, ownership.name) };
    default:
      // Nobody's, unclaimed, or tagged for an AccessEntry that is gone: the controller adopts those on request.
      return undefined;
  }
}

async function ask<T>(call: () => Promise<T>, request: ImportRequest): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof AwsCallError && err.awsName === 'ResourceNotFoundException' && err.operation === 'DescribeCluster') {
      throw new CliError(`EKS has no cluster ${request.clusterName} in ${request.region} for your credentials' account: check --cluster, --region and --profile`, { cause: err });
    }
    throw explainAwsFailure(err);
  }
}
