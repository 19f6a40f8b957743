// EKS input rules, each failing with InvalidParameterException and a message that says what to fix.
import {
  EntryTypes,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS,
  RESERVED_GROUP_PREFIX,
  RESERVED_TAG_PREFIX,
  RESERVED_USERNAME_PREFIXES,
  type EntryType,
} from '../../api/names.ts';
import { isAccessPolicyArn, type PrincipalArn } from './arn.ts';
import { invalidParameter } from '../core/errors.ts';
import { ACCESS_SCOPE_TYPES, AUTHENTICATION_MODES, type AccessScope, type AuthenticationMode } from './model.ts';

export type JsonObject = Record<string, unknown>;

export const MAX_PAGE_SIZE = 100;

export function requiredString(body: JsonObject, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === '') throw invalidParameter(`${field} is required.`);
  return value;
}

export function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${field} must be a string, got ${JSON.stringify(value)}.`);
  return value;
}

export function optionalStringList(body: JsonObject, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidParameter(`${field} must be a list of strings, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function optionalStringMap(body: JsonObject, field: string): Record<string, string> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    throw invalidParameter(`${field} must be a map of string to string, got ${JSON.stringify(value)}.`);
  }
  return value as Record<string, string>;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseEntryType(value: string | undefined): EntryType {
  if (value === undefined) return 'STANDARD';
  if (!(EntryTypes as readonly string[]).includes(value)) {
    throw invalidParameter(`The type ${value} is not valid; use one of ${EntryTypes.join(', ')}.`);
  }
  return value as EntryType;
}

export function validateKubernetesGroups(groups: string[]): void {
  for (const group of groups) {
    if (group.trim() === '') throw invalidParameter('kubernetesGroups must not contain empty names.');
    if (group.startsWith(RESERVED_GROUP_PREFIX)) {
      throw invalidParameter(
        `The kubernetesGroups value ${group} starts with the reserved prefix ${RESERVED_GROUP_PREFIX}. ` +
          'Use another group name; for cluster admin access associate AmazonEKSClusterAdminPolicy instead of system:masters.',
      );
    }
  }
}

export function validateUsername(username: string): void {
  if (username === '') throw invalidParameter('username must not be empty; leave it out to let EKS choose one.');
  const reserved = RESERVED_USERNAME_PREFIXES.find((prefix) => username.startsWith(prefix));
  if (reserved !== undefined) {
    throw invalidParameter(
      `The username ${username} starts with the reserved prefix ${reserved}; usernames may not start with ${RESERVED_USERNAME_PREFIXES.join(', ')}.`,
    );
  }
}

/** Checks a complete tag set (after merging, for TagResource). */
export function validateTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw invalidParameter(`A resource can have at most ${MAX_TAGS} tags; this request would leave ${keys.length}.`);
  for (const key of keys) {
    if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH) {
      throw invalidParameter(`The tag key '${key}' must be 1 to ${MAX_TAG_KEY_LENGTH} characters long.`);
    }
    if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) {
      throw invalidParameter(`The tag key ${key} uses the reserved prefix ${RESERVED_TAG_PREFIX}; choose a key without it.`);
    }
    const value = tags[key] ?? '';
    if (value.length > MAX_TAG_VALUE_LENGTH) {
      throw invalidParameter(`The value of tag ${key} is ${value.length} characters long; the maximum is ${MAX_TAG_VALUE_LENGTH}.`);
    }
  }
}

/** Node entries belong to EKS: roles only, and neither groups nor a username of the caller's choosing. */
export function validateNodeEntry(type: EntryType, principal: PrincipalArn, fields: { kubernetesGroups?: string[]; username?: string }): void {
  if (type === 'STANDARD') return;
  if (principal.kind !== 'role') {
    throw invalidParameter(`Access entries of type ${type} accept IAM role ARNs only; ${principal.arn} is an IAM user.`, {
      principalArn: principal.arn,
    });
  }
  if (fields.kubernetesGroups !== undefined && fields.kubernetesGroups.length > 0) {
    throw invalidParameter(`kubernetesGroups can't be set on an access entry of type ${type}; EKS manages the groups of node entries.`, {
      principalArn: principal.arn,
    });
  }
  if (fields.username !== undefined) {
    throw invalidParameter(`username can't be set on an access entry of type ${type}; EKS sets it to the node's name.`, {
      principalArn: principal.arn,
    });
  }
}

export function validatePolicyArn(policyArn: string): void {
  if (!isAccessPolicyArn(policyArn)) {
    throw invalidParameter(
      `The policyArn ${policyArn} is not an access policy ARN; expected arn:aws:eks::aws:cluster-access-policy/NAME, for example arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy.`,
    );
  }
}

export function parseAccessScope(value: unknown): AccessScope {
  if (!isJsonObject(value)) throw invalidParameter('accessScope is required: {"type": "cluster"} or {"type": "namespace", "namespaces": [...]}.');
  const type = optionalString(value, 'type');
  const namespaces = optionalStringList(value, 'namespaces') ?? [];
  if (type === undefined || !(ACCESS_SCOPE_TYPES as readonly string[]).includes(type)) {
    throw invalidParameter(`accessScope.type must be one of ${ACCESS_SCOPE_TYPES.join(', ')}, got ${JSON.stringify(type)}.`);
  }
  if (type === 'namespace' && namespaces.length === 0) {
    throw invalidParameter('accessScope.namespaces must list at least one namespace when accessScope.type is namespace.');
  }
  if (type === 'cluster' && namespaces.length > 0) {
    throw invalidParameter('accessScope.namespaces must be empty when accessScope.type is cluster.');
  }
  namespaces.forEach(validateScopeNamespace);
  return { type: type as AccessScope['type'], namespaces };
}

const MAX_NAMESPACE_LENGTH = 63;
/** A Kubernetes namespace name: an RFC 1123 DNS label. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The one wildcard form the EKS user guide documents: a name prefix followed by `*`, like `dev-*`. */
const PREFIX_WILDCARD = /^[a-z0-9][-a-z0-9]*\*$/;

/** One entry of accessScope.namespaces: a namespace name, or a prefix ending in a single `*`. */
export function validateScopeNamespace(namespace: string): void {
  const problem = namespaceProblem(namespace);
  if (problem !== undefined) throw invalidParameter(`The accessScope namespace '${namespace}' is not valid: ${problem}`);
}

function namespaceProblem(namespace: string): string | undefined {
  if (namespace.length === 0 || namespace.length > MAX_NAMESPACE_LENGTH) return `it must be 1 to ${MAX_NAMESPACE_LENGTH} characters long.`;
  if (DNS_LABEL.test(namespace) || PREFIX_WILDCARD.test(namespace)) return undefined;
  if (namespace.includes('*')) {
    return "the only wildcard allowed is a single '*' at the end of a name prefix, like 'dev-*' (for every namespace, use an accessScope of type cluster).";
  }
  return 'use lowercase letters, digits and hyphens, starting and ending with a letter or digit (a Kubernetes namespace name).';
}

export function parseAuthenticationMode(value: string | undefined, field = 'authenticationMode'): AuthenticationMode | undefined {
  if (value === undefined) return undefined;
  if (!(AUTHENTICATION_MODES as readonly string[]).includes(value)) {
    throw invalidParameter(`${field} must be one of ${AUTHENTICATION_MODES.join(', ')}, got ${value}.`);
  }
  return value as AuthenticationMode;
}

/** The mode only moves toward API (CONFIG_MAP → API_AND_CONFIG_MAP → API, skipping allowed); access entries can't be turned off. */
export function validateModeTransition(from: AuthenticationMode, to: AuthenticationMode): void {
  const step = AUTHENTICATION_MODES.indexOf(to) - AUTHENTICATION_MODES.indexOf(from);
  if (step > 0) return;
  if (step === 0) throw invalidParameter(`The cluster already uses authentication mode ${to}; nothing to update.`);
  throw invalidParameter(
    `Unsupported authentication mode update from ${from} to ${to}: the mode can only move forward (CONFIG_MAP → API_AND_CONFIG_MAP → API).`,
  );
}

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

export function validateClusterName(name: string): void {
  if (!CLUSTER_NAME.test(name)) {
    throw invalidParameter(`The cluster name ${name} is not valid: use 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit.`);
  }
}

export function parseMaxResults(raw: string | null): number {
  if (raw === null) return MAX_PAGE_SIZE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw invalidParameter(`maxResults must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${raw}.`);
  }
  return value;
}
