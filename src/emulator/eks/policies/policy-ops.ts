// AssociateAccessPolicy, DisassociateAccessPolicy, ListAssociatedAccessPolicies.
import type { EntryType } from '../../../api/names.ts';
import { isServiceLinkedRole } from '../arn.ts';
import type { AssociationOperation } from './association-delay.ts';
import { param, type OperationContext, type OperationRequest } from '../../core/context.ts';
import { invalidParameter, resourceNotFound } from '../../core/errors.ts';
import type { AccessEntryRecord, AccessScope } from '../model.ts';
import { partitionForRegion } from '../../core/arn.ts';
import { accessPolicyArn, AUTO_NODE_POLICY_NAME } from './access-policies.ts';
import { paginate } from '../../core/pagination.ts';
import { parseAccessScope } from './policy-rules.ts';
import { parseMaxResults } from '../paging.ts';
import { requiredString } from '../../core/json.ts';
import { wireAssociatedPolicy } from '../wire.ts';

/**
 * STANDARD entries, and EC2 (EKS Auto Mode node) entries: the EKS user guide has those associate
 * AmazonEKSAutoNodePolicy (and only that, at cluster scope). Other node types take none.
 */
const TYPES_WITH_ACCESS_POLICIES: ReadonlySet<EntryType> = new Set<EntryType>(['STANDARD', 'EC2']);

/** Associates a policy; on a policy already associated, the new scope replaces the old one. */
export function associateAccessPolicy(context: OperationContext, request: OperationRequest): unknown {
  const entry = entryWithPolicies(context, request, 'AssociateAccessPolicy');
  const policyArn = requiredString(request.body, 'policyArn');
  requireAssociable(context, entry, policyArn);
  const scope = parseAccessScope(request.body.accessScope);
  requireFitsAutoModeNode(context, entry, { policyArn, scope });
  const policy = context.state.associatePolicy(entry.clusterName, entry.principalArn, { policyArn, accessScope: scope }, context.location);
  return { clusterName: entry.clusterName, principalArn: entry.principalArn, associatedAccessPolicy: wireAssociatedPolicy(policy) };
}

export function disassociateAccessPolicy(context: OperationContext, request: OperationRequest): unknown {
  const entry = entryWithPolicies(context, request, 'DisassociateAccessPolicy');
  context.state.disassociatePolicy(entry.clusterName, entry.principalArn, param(request, 'policy'), context.location);
  return {};
}

export function listAssociatedAccessPolicies(context: OperationContext, request: OperationRequest): unknown {
  const entry = entryWithPolicies(context, request, 'ListAssociatedAccessPolicies');
  const maxResults = parseMaxResults(request.query.get('maxResults'));
  const policies = [...entry.associatedPolicies].sort((a, b) => (a.policyArn < b.policyArn ? -1 : 1));
  const page = paginate(policies, (policy) => policy.policyArn, { maxResults, token: request.query.get('nextToken') });
  return {
    clusterName: entry.clusterName,
    principalArn: entry.principalArn,
    associatedAccessPolicies: page.items.map(wireAssociatedPolicy),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}

/**
 * The addressed entry, as the operation sees it (a new one may not be visible yet), and of a type
 * that has access policies. The refusal is EKS's own, as users of the ACK controller met it.
 */
function entryWithPolicies({ state, location }: OperationContext, request: OperationRequest, operation: AssociationOperation): AccessEntryRecord {
  const cluster = param(request, 'cluster');
  state.requireAccessEntryCluster(cluster, location);
  const entry = state.requireEntryForAssociation(cluster, param(request, 'principal'), operation, location);
  if (!TYPES_WITH_ACCESS_POLICIES.has(entry.type)) {
    throw invalidParameter('This operation can only be performed on Access Entries with a type of "STANDARD".', {
      clusterName: cluster,
      principalArn: entry.principalArn,
    });
  }
  return entry;
}

/**
 * The policy must be in the catalogue for the caller's partition. EKS looks the ARN up without
 * checking its form, so a typo, a malformed ARN and another partition's ARN all get the same 404.
 */
function requireAssociable({ state, location }: OperationContext, entry: AccessEntryRecord, policyArn: string): void {
  const policy = state.findAccessPolicy(policyArn, location);
  if (policy === undefined) {
    throw resourceNotFound('The specified policyArn could not be found.', { clusterName: entry.clusterName, principalArn: entry.principalArn });
  }
  if (policy.serviceLinkedRolesOnly && !isServiceLinkedRole(entry.principalArn)) {
    throw invalidParameter('The specified policyArn can only be associated with service-linked roles.', {
      clusterName: entry.clusterName,
      principalArn: entry.principalArn,
    });
  }
}

/**
 * An EKS Auto Mode node entry (type EC2) takes AmazonEKSAutoNodePolicy at cluster scope, and
 * nothing else: any other policy would give a node identity more than a node needs.
 */
function requireFitsAutoModeNode(
  { location }: OperationContext,
  entry: AccessEntryRecord,
  { policyArn, scope }: { policyArn: string; scope: AccessScope },
): void {
  if (entry.type !== 'EC2') return;
  const fields = { clusterName: entry.clusterName, principalArn: entry.principalArn };
  const nodePolicyArn = accessPolicyArn(partitionForRegion(location.region), AUTO_NODE_POLICY_NAME);
  if (policyArn !== nodePolicyArn) {
    throw invalidParameter(`Access entries of type EC2 can only be associated with the access policy ${nodePolicyArn}; ${policyArn} is not allowed.`, fields);
  }
  if (scope.type !== 'cluster') {
    throw invalidParameter(`${AUTO_NODE_POLICY_NAME} can only be associated with an accessScope of type cluster on an access entry of type EC2.`, fields);
  }
}
