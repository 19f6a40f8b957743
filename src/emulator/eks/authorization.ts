// What IAM authorizes an EKS call on, as the Service Authorization Reference says: the cluster
// ARN for CreateAccessEntry and the cluster calls, the access entry's ARN for the calls on one
// entry, the resourceArn for the tag calls, nothing (`*`) for ListAccessPolicies; and the
// request context its condition keys read. Read from the state as the call arrives, before it
// changes anything, and never throwing: a request too malformed to say more gets what it has.
import type { Authorization } from '../core/audit.ts';
import type { OperationContext, OperationRequest } from '../core/context.ts';
import { isJsonObject, type JsonObject } from '../core/json.ts';
import { present } from '../core/optional.ts';
import type { EksOperation } from '../operations.ts';
import { accessEntryArn, clusterArn, parseEksResourceArn, parsePrincipalArn } from './arn.ts';

type Authorize = (context: OperationContext, request: OperationRequest) => Authorization;

const onCluster: Authorize = ({ state, location }, { params, body }) => {
  const name = params.name ?? params.cluster ?? text(body.name) ?? '*';
  const cluster = state.getCluster(name, location);
  return { resourceArn: clusterArn(location.region, location.accountId, name), ...(cluster === undefined ? {} : { resourceTags: cluster.tags }) };
};

/** The entry's ARN and its keys as they are; when it does not exist, its ARN with `*` for the id. */
const onEntry: Authorize = ({ state, location }, { params }) => {
  const cluster = params.cluster ?? '*';
  const principalArn = params.principal ?? '*';
  const entry = state.getAccessEntry(cluster, principalArn, location);
  const keys = { principalArn, clusterName: cluster };
  if (entry === undefined) return { resourceArn: missingEntryArn({ ...location, name: cluster }, principalArn), ...keys };
  const { accessEntryArn: resourceArn, tags, type, kubernetesGroups, username } = entry;
  return { resourceArn, ...keys, resourceTags: tags, accessEntryType: type, kubernetesGroups, username };
};

const onTaggedResource: Authorize = ({ state }, { params }) => {
  const resourceArn = params.resourceArn ?? '*';
  const resource = parseEksResourceArn(resourceArn);
  const tags = resource === undefined ? undefined : state.tagsOf(resourceArn, resource);
  return { resourceArn, ...(tags === undefined ? {} : { resourceTags: tags }) };
};

const AUTHORIZE: Record<EksOperation, Authorize> = {
  CreateCluster: (context, request) => ({ ...onCluster(context, request), ...requestTags(request.body.tags) }),
  DescribeCluster: onCluster,
  DeleteCluster: onCluster,
  UpdateClusterConfig: onCluster,
  CreateAccessEntry: (context, request) => ({
    ...onCluster(context, request),
    ...requestTags(request.body.tags),
    ...present('principalArn', text(request.body.principalArn)),
    ...present('accessEntryType', text(request.body.type)),
    ...requestedIdentity(request.body),
  }),
  ListAccessEntries: onCluster,
  DescribeAccessEntry: onEntry,
  UpdateAccessEntry: (context, request) => {
    const { kubernetesGroups: _groups, username: _username, ...entry } = onEntry(context, request);
    return { ...entry, ...requestedIdentity(request.body) };
  },
  DeleteAccessEntry: onEntry,
  AssociateAccessPolicy: (context, request) => ({
    ...onEntry(context, request),
    ...present('policyArn', text(request.body.policyArn)),
    ...present('accessScope', accessScope(request.body.accessScope)),
  }),
  DisassociateAccessPolicy: (context, request) => ({ ...onEntry(context, request), ...present('policyArn', request.params.policy) }),
  ListAssociatedAccessPolicies: onEntry,
  ListAccessPolicies: () => ({ resourceArn: '*' }),
  TagResource: (context, request) => ({ ...onTaggedResource(context, request), ...requestTags(request.body.tags) }),
  UntagResource: (context, request) => ({ ...onTaggedResource(context, request), tagKeys: request.query.getAll('tagKeys') }),
  ListTagsForResource: onTaggedResource,
};

export function authorizeEksCall(operation: EksOperation, context: OperationContext, request: OperationRequest): Authorization {
  return AUTHORIZE[operation](context, request);
}

function missingEntryArn(cluster: { region: string; accountId: string; name: string }, principalArn: string): string {
  try {
    return accessEntryArn(cluster, parsePrincipalArn(principalArn), '*');
  } catch {
    return `${clusterArn(cluster.region, cluster.accountId, cluster.name).replace(':cluster/', ':access-entry/')}/*`;
  }
}

/** aws:RequestTag/* and aws:TagKeys, when the body has a tag map. */
function requestTags(value: unknown): Pick<Authorization, 'requestTags' | 'tagKeys'> {
  if (!isJsonObject(value)) return {};
  const tags = Object.fromEntries(Object.entries(value).filter((pair): pair is [string, string] => typeof pair[1] === 'string'));
  return { requestTags: tags, tagKeys: Object.keys(tags) };
}

function requestedIdentity(body: JsonObject): Pick<Authorization, 'kubernetesGroups' | 'username'> {
  const groups = Array.isArray(body.kubernetesGroups) ? body.kubernetesGroups.filter((group): group is string => typeof group === 'string') : undefined;
  return { ...present('kubernetesGroups', groups), ...present('username', text(body.username)) };
}

function accessScope(value: unknown): Authorization['accessScope'] {
  if (!isJsonObject(value) || typeof value.type !== 'string') return undefined;
  const namespaces = Array.isArray(value.namespaces) ? value.namespaces.filter((name): name is string => typeof name === 'string') : undefined;
  return { type: value.type, ...present('namespaces', namespaces) };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
