// EKS's rules for access-policy associations: the policy ARN's form and the access scope.
import { invalidParameter } from '../../core/errors.ts';
import { isAccessPolicyArn } from '../arn.ts';
import { ACCESS_SCOPE_TYPES, type AccessScope } from '../model.ts';
import { isJsonObject, optionalString, optionalStringList } from '../../core/json.ts';

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
