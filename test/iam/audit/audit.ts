// Evaluates the controller's recorded AWS calls against the shipped policies, as IAM would, and
// lists every call that would be denied.
//
// Rules (stated once, here):
// - Every controller call counts, whatever the emulator answered: a fault a test injected, a 404
//   or a throttle still means the controller would have made that call in production, where IAM
//   authorizes it before anything else. Left out, and counted in the summary: sts:GetCallerIdentity
//   (AWS answers it whatever the policies say), and calls on an entry that did not exist (404 with
//   the entry ARN's UUID `*`: IAM would deny a write there for want of tags, the controller
//   handles that as it handles "not found", and whether a race makes one depends on timing).
// - A call is the controller's when its user agent carries `eks-access-entry-controller/`; the
//   tests' own SDK calls do not.
// - Each call is judged under deploy/iam/controller-policy.json alone, except a claim (TagResource
//   writing ownership onto an entry that lacks it), judged with controller-adoption-policy.json
//   attached too: adoptExisting needs it. The log cannot say whether the AccessEntry asked for
//   adoption; the tests that adopt check that themselves.
// - AssumeRole into another account is judged with the ClusterAccess trust policy as the role's
//   resource policy: its Principal is the caller, its external id the one the call sent (each
//   ClusterAccess has its own), its session name pinned to the controller id.
import type { PolicyDocument } from '../../../scripts/iam/document.ts';
import type { PolicyFileName } from '../../../scripts/iam/policies.ts';
import { AWS_PARTITIONS, type AwsPartition } from '../../../src/api/names.ts';
import { type Installation, installedPolicy } from '../installation.ts';
import { decide, type Decision, type NamedPolicy } from '../simulate.ts';
import { type AuditedCall, CONTROLLER_USER_AGENT, type IdSource, type Selection } from './calls.ts';
import type { AuditLog } from './records.ts';

/** The placeholders as the integration suite's installation fills them (the unit tables test narrower values). */
export interface AuditedInstallation {
  /** Accounts of the ClusterAccess roles the suite assumes. */
  managedAccounts: string[];
  /** Node role names; the suite names its node roles freely. */
  nodeRoleName: string;
  /** Principals whose entries may be claimed; the suite adopts entries of any principal. */
  adoptablePrincipals: string[];
}

export const INTEGRATION_SUITE_INSTALLATION: AuditedInstallation = {
  // Every account a ClusterAccess of the suite reaches: a new one must be named here, as an
  // installation names its own.
  managedAccounts: ['222222222222', '333333333333', '444444444444', '666666666666'],
  nodeRoleName: '*',
  adoptablePrincipals: ['arn:*:iam::*:*'],
};

/** Stands for the id of a call that shows none: matches no tag, so a write it needs is denied. */
export const UNKNOWN_CONTROLLER_ID = 'no-controller-id-in-the-call';

export interface Denial {
  call: AuditedCall;
  /** How many calls made the same request. */
  count: number;
  decision: Decision;
  policies: string[];
}

export interface AuditResult {
  evaluated: number;
  distinct: number;
  denials: Denial[];
  idSources: Record<IdSource, number>;
  claims: number;
  implied: number;
}

/**
 * An audit of no controller call proves nothing: a producer that stopped writing, or a user agent
 * the filter no longer recognizes, must fail it rather than let it pass.
 */
export function requireControllerCalls(log: AuditLog, selection: Selection, dir: string): void {
  if (selection.calls.length > 0) return;
  throw new Error(
    `no controller call to audit in ${dir}: ${log.files.length} audit files, ${log.records.length} records, none with the user agent ` +
      `${CONTROLLER_USER_AGENT}... (other than sts:GetCallerIdentity). Does the emulator still write records (EKS_EMULATOR_AUDIT_DIR), ` +
      'and the controller still append its user agent?',
  );
}

export async function auditCalls(selection: Selection, suite: AuditedInstallation = INTEGRATION_SUITE_INSTALLATION): Promise<AuditResult> {
  const result: AuditResult = { evaluated: 0, distinct: 0, denials: [], idSources: { 'user-agent': 0, request: 0, entry: 0, none: 0 }, claims: 0, implied: 0 };
  const seen = new Map<string, Denial | undefined>();
  for (const call of selection.calls) {
    result.evaluated += 1;
    result.idSources[call.idSource] += 1;
    if (call.claim) result.claims += 1;
    if (call.impliedBy) result.implied += 1;
    const key = JSON.stringify([call.request, call.controllerId, call.claim]);
    if (seen.has(key)) {
      const known = seen.get(key);
      if (known) known.count += 1;
      continue;
    }
    const denial = await judge(call, suite);
    seen.set(key, denial);
    if (denial) result.denials.push(denial);
  }
  result.distinct = seen.size;
  return result;
}

async function judge(call: AuditedCall, suite: AuditedInstallation): Promise<Denial | undefined> {
  const installation: Installation = { ...suite, controllerId: call.controllerId ?? UNKNOWN_CONTROLLER_ID, protectedPrincipals: [] };
  const partition = partitionOf(call.request.resource === '*' ? call.request.principal : call.request.resource);
  const names: PolicyFileName[] = call.claim ? ['controller-policy', 'controller-adoption-policy'] : ['controller-policy'];
  const policies: NamedPolicy[] = names.map((name) => installedPolicy(name, installation, partition));
  const decision = await decide(call.request, policies, crossAccountTrust(call, installation, partition));
  return decision.result === 'Allowed' ? undefined : { call, count: 1, decision, policies: names };
}

function crossAccountTrust(call: AuditedCall, installation: Installation, partition: AwsPartition): PolicyDocument | undefined {
  const callerAccount = call.request.principal.split(':')[4];
  if (call.request.action !== 'sts:AssumeRole' || call.request.resourceAccount === callerAccount) return undefined;
  const trust = installedPolicy('cluster-access-role-trust-policy', installation, partition).policy;
  return {
    ...trust,
    Statement: trust.Statement.map((statement) => ({
      ...statement,
      Principal: { AWS: roleOfCaller(call.request.principal) },
      Condition: { StringEquals: withExternalId(statement.Condition?.StringEquals ?? {}, call.record.externalId) },
    })),
  };
}

/**
 * The external id as this role's trust policy would be filled: the one its ClusterAccess sends, or
 * no such condition at all for a ClusterAccess that sends none (the guide says to drop it then).
 */
function withExternalId(conditions: Record<string, string | string[]>, externalId: string | undefined): Record<string, string | string[]> {
  const { 'sts:ExternalId': _template, ...rest } = conditions;
  return externalId === undefined ? rest : { ...rest, 'sts:ExternalId': externalId };
}

/** A trust policy names roles, not their sessions: arn:aws:sts::A:assumed-role/R/S is role R. */
function roleOfCaller(caller: string): string {
  const session = /^arn:([\w-]+):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(caller);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : caller;
}

function partitionOf(arn: string): AwsPartition {
  const partition = arn.split(':')[1];
  const known = AWS_PARTITIONS.find((each) => each === partition);
  if (!known) throw new Error(`${arn} is in no AWS partition this project ships policies for`);
  return known;
}
