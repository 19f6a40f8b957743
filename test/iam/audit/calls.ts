// From the emulator's audit records to the requests IAM would authorize for the controller: which
// records are the controller's, under which controller id, with which context keys, and the
// iam:PassRole that EKS checks on top of a node entry's create.
import { MANAGED_BY_TAG, OWNER_TAG } from '../../../src/api/names.ts';
import type { ContextValues, IamRequest } from '../simulate.ts';
import type { AuditRecord, LocatedRecord } from './records.ts';

/** What the controller's AWS clients append to the SDK's user agent (src/controller/controller.ts). */
export const CONTROLLER_USER_AGENT = 'eks-access-entry-controller/';
/**
 * A user-agent token carrying the controller id, if the controller sends one: what the SDK writes
 * for a `['controller-id', id]` pair of customUserAgent (it escapes characters outside
 * [\w!$%&'*+.^`|~#-] to `-`, so an id with others would not match its tags).
 */
const USER_AGENT_ID = /(?:^|\s)controller-id\/(\S+)/;
/** AWS answers these whatever the caller's policies say. */
export const NEEDS_NO_PERMISSION: ReadonlySet<string> = new Set(['sts:GetCallerIdentity']);
/** Creating these entry types makes EKS check iam:PassRole on the node role, passed to EC2. */
const NODE_TYPES_PASSING_THE_ROLE: ReadonlySet<string> = new Set(['EC2_LINUX', 'EC2_WINDOWS']);
const EC2_SERVICE = 'ec2.amazonaws.com';

/**
 * Where the id the call is judged under came from, most trustworthy first: the controller's user
 * agent (its configuration), the call's own request (the managed-by tag it writes, the session
 * name it asks for), or the entry's managed-by tag (which can never show a write to another
 * controller's entry: the id is taken from that very entry).
 */
export type IdSource = 'user-agent' | 'request' | 'entry' | 'none';

export interface AuditedCall {
  at: string;
  record: AuditRecord;
  request: IamRequest;
  controllerId: string | undefined;
  idSource: IdSource;
  /** TagResource writing ownership onto an entry that lacks it: allowed only by the adoption policy. */
  claim: boolean;
  /** Set on a call EKS implies (iam:PassRole), naming the call that implies it. */
  impliedBy?: string;
}

export interface Selection {
  calls: AuditedCall[];
  /** Records of calls the tests made themselves (no controller user agent). */
  byTests: number;
  /** Of those, sts:AssumeRole: the SDK's credential provider sends the controller's user agent only if told to. */
  assumeRoleByTests: number;
  /** Controller calls AWS answers without any permission. */
  needingNoPermission: number;
  /** Controller calls on an entry that did not exist (404, the entry ARN's UUID `*`). */
  onMissingEntries: number;
}

export function isControllerCall(record: AuditRecord): boolean {
  return record.userAgent?.includes(CONTROLLER_USER_AGENT) ?? false;
}

/** The controller's calls among the records, each with the requests IAM authorizes for it. */
export function selectControllerCalls(records: readonly LocatedRecord[]): Selection {
  const selection: Selection = { calls: [], byTests: 0, assumeRoleByTests: 0, needingNoPermission: 0, onMissingEntries: 0 };
  for (const { record, at } of records) {
    if (!isControllerCall(record)) {
      selection.byTests += 1;
      if (record.action === 'sts:AssumeRole') selection.assumeRoleByTests += 1;
    } else if (NEEDS_NO_PERMISSION.has(record.action)) selection.needingNoPermission += 1;
    else if (isOnMissingEntry(record)) selection.onMissingEntries += 1;
    else selection.calls.push(...auditedCalls(record, at));
  }
  return selection;
}

/**
 * A call on an entry that did not exist: IAM finds no tags to match, so it answers a write with
 * AccessDenied where EKS would say "not found", and the controller does the same with either
 * answer (it looks the entry up again). Whether a race makes such a call depends on timing, so
 * counting it would make the audit depend on the machine's speed.
 */
function isOnMissingEntry(record: AuditRecord): boolean {
  return record.status === 404 && record.resourceArn.includes(':access-entry/') && record.resourceArn.endsWith('/*');
}

function auditedCalls(record: AuditRecord, at: string): AuditedCall[] {
  const { id, source } = controllerIdOf(record);
  const call: AuditedCall = { at, record, request: requestOf(record), controllerId: id, idSource: source, claim: isClaim(record) };
  const passed = record.action === 'eks:CreateAccessEntry' && NODE_TYPES_PASSING_THE_ROLE.has(record.accessEntryType ?? '') ? record.principalArn : undefined;
  if (!passed) return [call];
  const passRole: IamRequest = {
    principal: record.callerArn,
    action: 'iam:PassRole',
    resource: passed,
    resourceAccount: accountOf(passed),
    context: { 'iam:PassedToService': EC2_SERVICE },
  };
  return [call, { ...call, request: passRole, claim: false, impliedBy: `eks:CreateAccessEntry of a ${record.accessEntryType} entry` }];
}

export function controllerIdOf(record: AuditRecord): { id: string | undefined; source: IdSource } {
  const fromAgent = USER_AGENT_ID.exec(record.userAgent ?? '')?.[1];
  if (fromAgent) return { id: fromAgent, source: 'user-agent' };
  const fromRequest = record.requestTags?.[MANAGED_BY_TAG] ?? (record.action === 'sts:AssumeRole' ? record.roleSessionName : undefined);
  if (fromRequest) return { id: fromRequest, source: 'request' };
  const fromEntry = record.resourceArn.includes(':access-entry/') ? record.resourceTags?.[MANAGED_BY_TAG] : undefined;
  return fromEntry ? { id: fromEntry, source: 'entry' } : { id: undefined, source: 'none' };
}

function isClaim(record: AuditRecord): boolean {
  if (record.action !== 'eks:TagResource') return false;
  const existing = record.resourceTags ?? {};
  return existing[MANAGED_BY_TAG] === undefined ? record.requestTags?.[MANAGED_BY_TAG] !== undefined : existing[OWNER_TAG] === undefined;
}

/** The request as IAM's authorizer sees it: the call's resource and the context keys the action has there. */
export function requestOf(record: AuditRecord): IamRequest {
  return {
    principal: record.callerArn,
    action: record.action,
    resource: record.resourceArn,
    resourceAccount: record.action === 'sts:AssumeRole' ? accountOf(record.resourceArn) : record.accountId,
    context: contextOf(record),
  };
}

type Field = keyof AuditRecord;
/** The keys of the access-entry resource type besides its tags (Service Authorization Reference). */
const ENTRY_FIELDS: Field[] = ['principalArn', 'accessEntryType', 'kubernetesGroups', 'username', 'clusterName'];
/** The keys each action adds to its resource's. */
const ACTION_FIELDS: Record<string, Field[]> = {
  'eks:CreateAccessEntry': ['requestTags', 'tagKeys', 'principalArn', 'accessEntryType', 'kubernetesGroups', 'username'],
  'eks:TagResource': ['requestTags', 'tagKeys'],
  'eks:UntagResource': ['tagKeys'],
  'eks:AssociateAccessPolicy': ['policyArn', 'accessScope'],
  'eks:DisassociateAccessPolicy': ['policyArn', 'accessScope'],
  'sts:AssumeRole': ['roleSessionName', 'externalId'],
};

/** The addressed resource's tags (an entry's, a cluster's, a role's), its type's keys, and the action's. */
function contextOf(record: AuditRecord): ContextValues {
  const fields = new Set<Field>(['resourceTags', ...(record.resourceArn.includes(':access-entry/') ? ENTRY_FIELDS : []), ...(ACTION_FIELDS[record.action] ?? [])]);
  const context: ContextValues = {};
  for (const field of fields) Object.assign(context, contextKeysOf(record, field));
  // IAM knows the account of every resource; the simulator is told.
  if (record.action === 'sts:AssumeRole') context['aws:ResourceAccount'] = accountOf(record.resourceArn);
  return context;
}

function contextKeysOf(record: AuditRecord, field: Field): ContextValues {
  const prefixed = (prefix: string, tags: Record<string, string> | undefined): ContextValues =>
    Object.fromEntries(Object.entries(tags ?? {}).map(([key, value]) => [`${prefix}/${key}`, value]));
  const single = (key: string, value: string | string[] | undefined): ContextValues => (value === undefined ? {} : { [key]: value });
  switch (field) {
    case 'resourceTags': return prefixed('aws:ResourceTag', record.resourceTags);
    case 'requestTags': return prefixed('aws:RequestTag', record.requestTags);
    case 'tagKeys': return single('aws:TagKeys', record.tagKeys);
    case 'principalArn': return single('eks:principalArn', record.principalArn);
    case 'accessEntryType': return single('eks:accessEntryType', record.accessEntryType);
    case 'kubernetesGroups': return single('eks:kubernetesGroups', record.kubernetesGroups);
    case 'username': return single('eks:username', record.username);
    case 'clusterName': return single('eks:clusterName', record.clusterName);
    case 'policyArn': return single('eks:policyArn', record.policyArn);
    case 'accessScope': return { ...single('eks:accessScope', record.accessScope?.type), ...single('eks:namespaces', record.accessScope?.namespaces) };
    case 'roleSessionName': return single('sts:RoleSessionName', record.roleSessionName);
    case 'externalId': return single('sts:ExternalId', record.externalId);
    default: throw new Error(`no IAM context key for the audit record field ${field}`);
  }
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}
