// AssociateAccessPolicy, DisassociateAccessPolicy, ListAssociatedAccessPolicies.
import { param, type OperationContext, type OperationRequest } from './context.ts';
import { invalidRequest } from './errors.ts';
import type { AccessEntryRecord } from './model.ts';
import { paginate } from './pagination.ts';
import { parseAccessScope, parseMaxResults, requiredString, validatePolicyArn } from './validation.ts';
import { wireAssociatedPolicy } from './wire.ts';

/** Associates a policy; on a policy already associated, the new scope replaces the old one. */
export function associateAccessPolicy(context: OperationContext, request: OperationRequest): unknown {
  const entry = standardEntry(context, request, 'associated with');
  const policyArn = requiredString(request.body, 'policyArn');
  validatePolicyArn(policyArn);
  const scope = parseAccessScope(request.body.accessScope);
  const policy = context.state.associatePolicy(entry.clusterName, entry.principalArn, { policyArn, accessScope: scope }, context.location);
  return { clusterName: entry.clusterName, principalArn: entry.principalArn, associatedAccessPolicy: wireAssociatedPolicy(policy) };
}

export function disassociateAccessPolicy(context: OperationContext, request: OperationRequest): unknown {
  const entry = standardEntry(context, request, 'disassociated from');
  context.state.disassociatePolicy(entry.clusterName, entry.principalArn, param(request, 'policy'), context.location);
  return {};
}

export function listAssociatedAccessPolicies(context: OperationContext, request: OperationRequest): unknown {
  const entry = standardEntry(context, request, 'listed for');
  const maxResults = parseMaxResults(request.query.get('maxResults'));
  const policies = [...entry.associatedPolicies].sort((a, b) => (a.policyArn < b.policyArn ? -1 : 1));
  const page = paginate(policies, (policy) => policy.policyArn, maxResults, request.query.get('nextToken'));
  return {
    clusterName: entry.clusterName,
    principalArn: entry.principalArn,
    associatedAccessPolicies: page.items.map(wireAssociatedPolicy),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}

/** The addressed entry, which must be STANDARD: node entries take no access policies. */
function standardEntry({ state, location }: OperationContext, request: OperationRequest, verb: string): AccessEntryRecord {
  const cluster = param(request, 'cluster');
  state.requireAccessEntryCluster(cluster, location);
  const entry = state.requireAccessEntry(cluster, param(request, 'principal'), location);
  if (entry.type !== 'STANDARD') {
    throw invalidRequest(
      `Access policies can't be ${verb} access entries of type ${entry.type}; only STANDARD entries have access policies.`,
      { clusterName: cluster, principalArn: entry.principalArn },
    );
  }
  return entry;
}
