// ListAccessPolicies: the catalogue of access policies, with the ARNs of the caller's partition.
// It addresses no cluster, so it works whatever clusters (and authentication modes) exist.
import type { OperationContext, OperationRequest } from '../../core/context.ts';
import { paginate } from '../../core/pagination.ts';
import { parseMaxResults } from '../paging.ts';

export function listAccessPolicies({ state, location }: OperationContext, request: OperationRequest): unknown {
  const maxResults = parseMaxResults(request.query.get('maxResults'));
  const page = paginate(state.listAccessPolicies(location), (policy) => policy.name, { maxResults, token: request.query.get('nextToken') });
  return { accessPolicies: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}
