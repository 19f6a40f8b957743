// The REST paths of the EKS operations (as in the SDK's operation schemas) and their handlers.
import { listAccessPolicies } from './policies/catalogue-ops.ts';
import { createCluster, deleteCluster, describeCluster, updateClusterConfig } from './clusters/cluster-ops.ts';
import type { OperationHandler } from '../core/context.ts';
import { createAccessEntry, deleteAccessEntry, describeAccessEntry, listAccessEntries, updateAccessEntry } from './entries/entry-ops.ts';
import type { EksOperation } from '../operations.ts';
import { matchPath } from '../core/path-match.ts';
import { associateAccessPolicy, disassociateAccessPolicy, listAssociatedAccessPolicies } from './policies/policy-ops.ts';
import { listTagsForResource, tagResource, untagResource } from './tags/tag-ops.ts';

interface Route {
  method: string;
  /** Literal segments, and `{label}` for one URL-encoded path segment. */
  path: string;
  operation: EksOperation;
  handler: OperationHandler;
}

const ENTRY = '/clusters/{cluster}/access-entries/{principal}';

const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/clusters', operation: 'CreateCluster', handler: createCluster },
  { method: 'GET', path: '/clusters/{name}', operation: 'DescribeCluster', handler: describeCluster },
  { method: 'DELETE', path: '/clusters/{name}', operation: 'DeleteCluster', handler: deleteCluster },
  { method: 'POST', path: '/clusters/{name}/update-config', operation: 'UpdateClusterConfig', handler: updateClusterConfig },
  { method: 'POST', path: '/clusters/{cluster}/access-entries', operation: 'CreateAccessEntry', handler: createAccessEntry },
  { method: 'GET', path: '/clusters/{cluster}/access-entries', operation: 'ListAccessEntries', handler: listAccessEntries },
  { method: 'GET', path: ENTRY, operation: 'DescribeAccessEntry', handler: describeAccessEntry },
  { method: 'POST', path: ENTRY, operation: 'UpdateAccessEntry', handler: updateAccessEntry },
  { method: 'DELETE', path: ENTRY, operation: 'DeleteAccessEntry', handler: deleteAccessEntry },
  { method: 'POST', path: `${ENTRY}/access-policies`, operation: 'AssociateAccessPolicy', handler: associateAccessPolicy },
  { method: 'GET', path: `${ENTRY}/access-policies`, operation: 'ListAssociatedAccessPolicies', handler: listAssociatedAccessPolicies },
  { method: 'DELETE', path: `${ENTRY}/access-policies/{policy}`, operation: 'DisassociateAccessPolicy', handler: disassociateAccessPolicy },
  { method: 'GET', path: '/access-policies', operation: 'ListAccessPolicies', handler: listAccessPolicies },
  { method: 'POST', path: '/tags/{resourceArn}', operation: 'TagResource', handler: tagResource },
  { method: 'DELETE', path: '/tags/{resourceArn}', operation: 'UntagResource', handler: untagResource },
  { method: 'GET', path: '/tags/{resourceArn}', operation: 'ListTagsForResource', handler: listTagsForResource },
];

export interface MatchedRoute {
  operation: EksOperation;
  handler: OperationHandler;
  params: Record<string, string>;
}

/** Finds the operation for a method and raw (still encoded) path; undefined when none matches. */
export function matchRoute(method: string, rawPath: string): MatchedRoute | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const params = matchPath(route.path, rawPath);
    if (params !== undefined) return { operation: route.operation, handler: route.handler, params };
  }
  return undefined;
}
