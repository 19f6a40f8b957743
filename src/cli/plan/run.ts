// plan from start to end: read the documents, judge each as the API server would, plan the valid
// ones with the controller's steps against EKS (reads only), add what --prune deletes, and sum up.
import type { AccessEntry } from '../../api/accessentry.ts';
import type { Failure } from '../../controller/failures.ts';
import { classifyFailure } from '../../controller/failures.ts';
import { AwsCallError } from '../../eks/errors.ts';
import type { ClusterRef } from '../../eks/types.ts';
import type { FieldValidation } from '../../validation/index.ts';
import type { EksReads } from '../shared/aws.ts';
import { mapConcurrently } from '../shared/concurrency.ts';
import type { CliIo } from '../shared/io.ts';
import type { ManagementView } from '../shared/management.ts';
import { Progress, type Reporter } from '../shared/report.ts';
import { asApplied, immutableChanges } from './applied.ts';
import { readSources, type SourceDocument } from './documents.ts';
import { Message } from './messages.ts';
import { PLAN_FORMAT_VERSION, PlanActions, PlanReason, type PlanError, type PlanReport, type ResourcePlan } from './model.ts';
import { planPrune } from './prune.ts';
import { blocked, planResource, type PlanDeps, type PlanReads, type Planned } from './resource-plan.ts';
import { offlineJudge, serverJudge, type Judge } from './validate.ts';

export interface PlanRequest {
  paths: string[];
  prune: boolean;
  serverDryRun: boolean;
  fieldValidation: FieldValidation;
  /** The controller's --region: where an AccessEntry that names none, on a cluster no ClusterAccess names, goes. */
  defaultRegion: string;
  requireClusterAccess: boolean;
}

export interface PlanEnvironment {
  io: Pick<CliIo, 'cwd' | 'readFile' | 'readStdin'>;
  management: ManagementView;
  eks: PlanReads & Pick<EksReads, 'listEntries'>;
  principals: PlanDeps['principals'];
  reporter: Reporter;
  now: Date;
}

const CONCURRENCY = 4;

interface Candidate {
  source: string;
  resource: AccessEntry;
  warnings: string[];
}

export async function runPlan(request: PlanRequest, env: PlanEnvironment): Promise<PlanReport> {
  const sources = await readSources(request.paths, env.io);
  const errors: PlanError[] = [...sources.errors];
  const judge: Judge = request.serverDryRun && env.management.kc ? serverJudge(env.management.kc, request.fieldValidation) : offlineJudge(request.fieldValidation);
  const { candidates, refused, declared } = await judgeAll(sources.accessEntries, judge, env, errors);
  const deps = planDeps(request, env, declared);
  const progress = new Progress(env.reporter, 'planning AccessEntries', candidates.length);
  const planned = await mapConcurrently(candidates, CONCURRENCY, async ({ source, resource, warnings }) => {
    const result = await planResource(resource, source, deps);
    progress.step();
    return 'action' in result && warnings.length > 0 ? { ...result, issues: warnings } : result;
  });
  const pruned = request.prune ? await planPrune({ declared, live: env.management.live, reachable: env.management.reachable, clusters: env.management.clusters, defaultRegion: request.defaultRegion, eks: env.eks, deps }) : [];
  const resources: ResourcePlan[] = [...refused];
  for (const result of [...planned, ...pruned]) {
    if ('action' in result) resources.push(result);
    else errors.push(result);
  }
  return report(request, env, { resources: withoutDuplicatePrincipals(resources), errors, skipped: sources.skipped });
}

/** Each document judged; those the API server would refuse are blocked (Invalid, or a field that cannot change). */
async function judgeAll(docs: readonly SourceDocument[], judge: Judge, env: PlanEnvironment, errors: PlanError[]) {
  const candidates: Candidate[] = [];
  const refused: ResourcePlan[] = [];
  const declared = new Map<string, Declared>();
  for (const { source, doc } of docs) {
    const identity = identityOf(doc, source);
    const first = declared.get(identity.name);
    if (first) {
      errors.push({ subject: `AccessEntry ${identity.name} in ${source}`, message: Message.duplicateName(first.source) });
      continue;
    }
    declared.set(identity.name, identity);
    const live = env.management.live.get(identity.name);
    const judged = await judge(doc, live).catch((err: unknown) => {
      errors.push({ subject: `AccessEntry ${identity.name} in ${source}`, message: `the API server could not judge it: ${(err as Error).message}` });
      return undefined;
    });
    if (!judged) continue;
    const immutable = live ? immutableChanges(live, doc.spec) : [];
    const base: ResourcePlan = { name: identity.name, source, cluster: identity.cluster, principalArn: identity.principalArn, type: identity.type, action: 'none', changes: [], calls: [] };
    if (immutable.length > 0) refused.push({ ...blocked(base, { reason: PlanReason.ImmutableFieldChanged, message: Message.immutable(immutable.join(', ')) }), issues: judged.refusals });
    else if (!judged.stored) refused.push({ ...blocked(base, { reason: PlanReason.Invalid, message: Message.invalid(judged.refusals.length) }), issues: judged.refusals });
    else candidates.push({ source, resource: asApplied(judged.stored, live), warnings: judged.warnings });
  }
  return { candidates, refused, declared };
}

/** What a document declares, read before it is validated (it may be invalid). */
interface Declared {
  name: string;
  cluster: string;
  principalArn: string;
  type: string;
  region?: string;
  source: string;
}

function identityOf(doc: Record<string, unknown>, source: string): Declared {
  const spec = (typeof doc.spec === 'object' && doc.spec !== null ? doc.spec : {}) as Record<string, unknown>;
  const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  return {
    name: nameOf(doc),
    cluster: text(spec.clusterName, ''),
    principalArn: text(spec.principalArn, ''),
    type: text(spec.type, 'STANDARD'),
    ...(typeof spec.region === 'string' ? { region: spec.region } : {}),
    source,
  };
}

function planDeps(request: PlanRequest, env: PlanEnvironment, declared: ReadonlyMap<string, { cluster: string }>): PlanDeps {
  const { management } = env;
  const clusters = new Set([...declared.values()].map((item) => item.cluster));
  const checked = new Map<string, Promise<Failure | undefined>>();
  return {
    eks: env.eks,
    principals: env.principals,
    controllerId: management.controllerId,
    now: env.now,
    placement: (resource) => ({ defaultRegion: request.defaultRegion, routes: management.clusters.routesFor(resource.spec.clusterName), requireClusterAccess: request.requireClusterAccess }),
    // Once applied (and pruned), an AccessEntry exists if a file declares it, or it lives on and is not pruned. Without the management cluster nothing says an owner is gone.
    exists: (name) => {
      if (declared.has(name) || !management.reachable) return Promise.resolve(true);
      const live = management.live.get(name);
      return Promise.resolve(live !== undefined && !(request.prune && clusters.has(live.spec.clusterName)));
    },
    clusterFailure: (ref) => {
      const key = `${ref.clusterName}|${ref.region}|${ref.credentials?.roleArn ?? ''}`;
      if (!checked.has(key)) checked.set(key, clusterFailure(env.eks, ref));
      return checked.get(key) as Promise<Failure | undefined>;
    },
  };
}

/** A cluster EKS does not have in that region and account: what the controller's create would be told. */
async function clusterFailure(eks: PlanReads, ref: ClusterRef): Promise<Failure | undefined> {
  try {
    await eks.authenticationMode(ref);
    return undefined;
  } catch (err) {
    if (err instanceof AwsCallError && err.awsName === 'ResourceNotFoundException') return classifyFailure(err, { ...ref, principalArn: '' });
    // Anything else shows again on the entry's own reads, and is explained there.
    return undefined;
  }
}

/** Two documents creating an entry for one principal on one cluster: the first (by name) gets it, the others are refused. */
function withoutDuplicatePrincipals(resources: ResourcePlan[]): ResourcePlan[] {
  const creators = new Map<string, string>();
  return [...resources]
    .sort((a, b) => a.cluster.localeCompare(b.cluster) || a.name.localeCompare(b.name))
    .map((plan) => {
      if (plan.action !== 'create') return plan;
      const key = `${plan.cluster}|${plan.region ?? ''}|${plan.principalArn}`;
      const first = creators.get(key);
      if (first === undefined) {
        creators.set(key, plan.name);
        return plan;
      }
      return blocked(plan, { reason: PlanReason.DuplicatePrincipal, message: Message.duplicatePrincipal(first) });
    });
}

function report(request: PlanRequest, env: PlanEnvironment, found: { resources: ResourcePlan[]; errors: PlanError[]; skipped: Record<string, number> }): PlanReport {
  const summary = Object.fromEntries(PlanActions.map((action) => [action, found.resources.filter((plan) => plan.action === action).length])) as PlanReport['summary'];
  summary.invalid = found.resources.filter((plan) => plan.reason === PlanReason.Invalid || plan.reason === PlanReason.ImmutableFieldChanged).length;
  const { management } = env;
  const notes: string[] = [];
  if (management.reachable) notes.push(`ownership, placement and the live objects read from the management cluster (context ${management.context ?? ''}), with its ClusterAccesses`);
  else notes.push(`the management cluster was ${management.note ?? 'not read'}; no live object was compared, so a change to a field that cannot change is not caught here`);
  if (request.serverDryRun && !management.kc) notes.push('--server-dry-run needs the management cluster: validated offline instead');
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    controllerId: management.controllerId,
    managementCluster: { reachable: management.reachable, ...(management.context ? { context: management.context } : {}), ...(management.note ? { note: management.note } : {}) },
    validation: request.serverDryRun && management.kc ? 'server-dry-run' : 'offline',
    prune: request.prune,
    summary,
    resources: found.resources,
    skipped: { total: Object.values(found.skipped).reduce((a, b) => a + b, 0), byKind: found.skipped },
    notes,
    errors: found.errors,
  };
}

function nameOf(doc: Record<string, unknown>): string {
  const metadata = doc.metadata as { name?: unknown } | undefined;
  return typeof metadata?.name === 'string' ? metadata.name : '(no name)';
}

export type { Planned };
