// Fault rules: which calls fail, and how. Checked once when added (from code or the admin API's
// JSON), so a rule that could never be what the caller meant is refused with the field to fix.
import type { EksErrorName } from '../core/errors.ts';
import { OPERATIONS, isOperation, type Operation } from '../operations.ts';

/** EKS error answers, with the status of their class. */
export const ERROR_FAULT_KINDS = [
  'ServerException',
  'ThrottlingException',
  'AccessDeniedException',
  'InvalidParameterException',
  'InvalidRequestException',
  'ResourceNotFoundException',
  'ResourceLimitExceededException',
] as const satisfies readonly EksErrorName[];

/** What AWS answers when the credentials are bad (403); STS answers them with its own codes. */
export const CREDENTIAL_FAULT_KINDS = ['UnrecognizedClientException', 'ExpiredTokenException', 'InvalidSignatureException'] as const satisfies readonly EksErrorName[];

/**
 * No answer at all. Timeout: accepted, never answered. DropConnection: the socket is destroyed
 * before the call runs. LoseResponse: the call runs and changes the state, then the socket is
 * destroyed, so the client cannot know it succeeded.
 */
export const CONNECTION_FAULT_KINDS = ['Timeout', 'DropConnection', 'LoseResponse'] as const;

export const FAULT_KINDS = [...ERROR_FAULT_KINDS, ...CREDENTIAL_FAULT_KINDS, ...CONNECTION_FAULT_KINDS] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type CredentialFaultKind = (typeof CREDENTIAL_FAULT_KINDS)[number];
export type ConnectionFaultKind = (typeof CONNECTION_FAULT_KINDS)[number];
/** The kinds that answer with an error. */
export type ErrorAnswerFaultKind = Exclude<FaultKind, ConnectionFaultKind>;

export function isCredentialFault(kind: ErrorAnswerFaultKind): kind is CredentialFaultKind {
  return (CREDENTIAL_FAULT_KINDS as readonly string[]).includes(kind);
}

/** What a call addresses, those it has; a rule that names one matches only calls addressing it. */
export interface CallAddress {
  /** The cluster (path label or CreateCluster's name). */
  clusterName?: string;
  /** The access entry's principal (path label or CreateAccessEntry's body). */
  principalArn?: string;
  /** The policy of an association call (AssociateAccessPolicy's body, DisassociateAccessPolicy's path). */
  policyArn?: string;
  /** The role an AssumeRole call asks for (its RoleArn). */
  roleArn?: string;
  /** The role an IAM call names (RoleName: CreateRole, GetRole, DeleteRole). */
  roleName?: string;
  /** The user an IAM call names (UserName: CreateUser, GetUser, DeleteUser). */
  userName?: string;
}

const ADDRESS_FIELDS = ['clusterName', 'principalArn', 'policyArn', 'roleArn', 'roleName', 'userName'] as const satisfies readonly (keyof CallAddress)[];

export interface FaultRule extends CallAddress {
  /** Default '*': every operation, the STS and IAM ones included. */
  operation?: Operation | '*';
  fault: FaultKind;
  /** Fail the next n matching calls, then the rule goes away. */
  count?: number;
  /** Probability 0..1 that a matching call fails (instead of, or together with, count). */
  rate?: number;
  message?: string;
}

export interface ActiveFaultRule extends FaultRule {
  id: string;
  /** Failures left for a counted rule. */
  remaining?: number;
}

/** What a call is, for matching rules against it. */
export interface CallTarget extends CallAddress {
  operation: Operation;
}

export function ruleMatches(rule: FaultRule, target: CallTarget): boolean {
  const operationMatches = rule.operation === undefined || rule.operation === '*' || rule.operation === target.operation;
  return operationMatches && ADDRESS_FIELDS.every((field) => rule[field] === undefined || rule[field] === target[field]);
}

const TEXT_FIELDS = ['message', ...ADDRESS_FIELDS] as const;
const RULE_FIELDS = ['operation', 'fault', 'count', 'rate', ...TEXT_FIELDS] as const;

/** The reason a field's value is wrong, or undefined when it is fine (or absent). */
type FieldCheck = (value: unknown) => string | undefined;

const FIELD_CHECKS: Record<(typeof RULE_FIELDS)[number], FieldCheck> = {
  fault: (value) => ((FAULT_KINDS as readonly unknown[]).includes(value) ? undefined : `fault must be one of ${FAULT_KINDS.join(', ')}`),
  operation: (value) => (value === undefined || value === '*' || isOperation(value) ? undefined : `operation must be '*' or one of ${OPERATIONS.join(', ')}`),
  count: (value) => (value === undefined || (Number.isInteger(value) && (value as number) >= 1) ? undefined : 'count must be a whole number ≥ 1'),
  rate: (value) => (value === undefined || (typeof value === 'number' && value >= 0 && value <= 1) ? undefined : 'rate must be a probability from 0 to 1'),
  ...textChecks(TEXT_FIELDS),
};

/** Each field, if present, must be a string. */
function textChecks<K extends string>(fields: readonly K[]): Record<K, FieldCheck> {
  const check = (field: K): FieldCheck => (value) => (value === undefined || typeof value === 'string' ? undefined : `${field} must be a string`);
  return Object.fromEntries(fields.map((field) => [field, check(field)])) as Record<K, FieldCheck>;
}

/** Checks a rule from code or from the admin API's JSON; the error says which field to fix. */
export function parseFaultRule(value: unknown): FaultRule {
  if (typeof value !== 'object' || value === null) throw new Error('a fault rule must be an object like {"fault": "ServerException", "count": 1}');
  const rule = value as Record<string, unknown>;
  const checked: Record<string, unknown> = {};
  for (const field of RULE_FIELDS) {
    const problem = FIELD_CHECKS[field](rule[field]);
    if (problem !== undefined) throw new Error(`${problem}, got ${JSON.stringify(rule[field])}`);
    if (rule[field] !== undefined) checked[field] = rule[field];
  }
  return checked as unknown as FaultRule;
}
