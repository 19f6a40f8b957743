// CreateAccessEntry, DescribeAccessEntry, UpdateAccessEntry, DeleteAccessEntry, ListAccessEntries.
import { defaultUsername, groupsReportedByEks, parsePrincipalArn } from '../arn.ts';
import { param, type OperationContext, type OperationRequest } from '../../core/context.ts';
import { resourceNotFound } from '../../core/errors.ts';
import { runOnce } from '../idempotency.ts';
import { paginate } from '../../core/pagination.ts';
import { optionalString, optionalStringList, optionalStringMap, requiredString } from '../../core/json.ts';
import { parseEntryType, validateKubernetesGroups, validateNodeEntry, validateUsername } from './entry-rules.ts';
import { parseMaxResults } from '../paging.ts';
import { validatePolicyArn } from '../policies/policy-rules.ts';
import { validateTags } from '../tags/tag-rules.ts';
import { wireAccessEntry } from '../wire.ts';

export function createAccessEntry({ state, location }: OperationContext, request: OperationRequest): unknown {
  const cluster = param(request, 'cluster');
  state.requireAccessEntryCluster(cluster, location);
  const { body } = request;
  const input = {
    principalArn: requiredString(body, 'principalArn'),
    type: optionalString(body, 'type'),
    kubernetesGroups: optionalStringList(body, 'kubernetesGroups'),
    username: optionalString(body, 'username'),
    tags: optionalStringMap(body, 'tags'),
  };
  const token = optionalString(body, 'clientRequestToken');
  return runOnce({ ledger: state.ledger(cluster, location), operation: 'CreateAccessEntry', token }, input, () => {
    const principal = parsePrincipalArn(input.principalArn);
    const type = parseEntryType(input.type);
    validateNodeEntry(type, principal, input);
    if (input.kubernetesGroups !== undefined) validateKubernetesGroups(input.kubernetesGroups);
    if (input.username !== undefined) validateUsername(input.username);
    const tags = input.tags ?? {};
    validateTags(tags);
    const entry = state.createAccessEntry(
      cluster,
      {
        principal,
        type,
        kubernetesGroups: type === 'STANDARD' ? (input.kubernetesGroups ?? []) : groupsReportedByEks(type),
        username: input.username ?? defaultUsername(principal, type),
        tags,
      },
      location,
    );
    return { accessEntry: wireAccessEntry(entry) };
  });
}

export function describeAccessEntry({ state, location }: OperationContext, request: OperationRequest): unknown {
  const cluster = param(request, 'cluster');
  state.requireAccessEntryCluster(cluster, location);
  return { accessEntry: wireAccessEntry(state.requireAccessEntry(cluster, param(request, 'principal'), location)) };
}

/** Replaces groups and username: left out, the groups are cleared and the username goes back to EKS's default. */
export function updateAccessEntry({ state, location }: OperationContext, request: OperationRequest): unknown {
  const cluster = param(request, 'cluster');
  const principalArn = param(request, 'principal');
  state.requireAccessEntryCluster(cluster, location);
  const { body } = request;
  const input = {
    principalArn,
    kubernetesGroups: optionalStringList(body, 'kubernetesGroups'),
    username: optionalString(body, 'username'),
  };
  const token = optionalString(body, 'clientRequestToken');
  return runOnce({ ledger: state.ledger(cluster, location), operation: 'UpdateAccessEntry', token }, input, () => {
    const entry = state.requireAccessEntry(cluster, principalArn, location);
    const principal = parsePrincipalArn(principalArn);
    validateNodeEntry(entry.type, principal, input);
    if (input.kubernetesGroups !== undefined) validateKubernetesGroups(input.kubernetesGroups);
    if (input.username !== undefined) validateUsername(input.username);
    // Node entries keep the groups and username EKS gave them.
    const changes =
      entry.type === 'STANDARD'
        ? { kubernetesGroups: input.kubernetesGroups ?? [], username: input.username ?? defaultUsername(principal, 'STANDARD') }
        : {};
    return { accessEntry: wireAccessEntry(state.editAccessEntry(cluster, principalArn, changes, location)) };
  });
}

export function deleteAccessEntry({ state, location }: OperationContext, request: OperationRequest): unknown {
  const cluster = param(request, 'cluster');
  const principalArn = param(request, 'principal');
  state.requireAccessEntryCluster(cluster, location);
  if (!state.removeAccessEntry(cluster, principalArn, location)) {
    throw resourceNotFound(`The specified access entry for ${principalArn} could not be found on cluster ${cluster}.`, {
      clusterName: cluster,
      principalArn,
    });
  }
  return {};
}

export function listAccessEntries({ state, location }: OperationContext, request: OperationRequest): unknown {
  const cluster = param(request, 'cluster');
  state.requireAccessEntryCluster(cluster, location);
  const maxResults = parseMaxResults(request.query.get('maxResults'));
  const policyArn = request.query.get('associatedPolicyArn');
  if (policyArn !== null) validatePolicyArn(policyArn);
  const entries = state
    .listAccessEntries(cluster, location)
    .filter((entry) => policyArn === null || entry.associatedPolicies.some((policy) => policy.policyArn === policyArn));
  const page = paginate(entries, (entry) => entry.principalArn, { maxResults, token: request.query.get('nextToken') });
  return { accessEntries: page.items.map((entry) => entry.principalArn), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}
