// Requests as IAM sees them when someone holding the controller role's credentials calls EKS, IAM
// or STS: for the decision tables of the shipped policies.
import { ACCESS_POLICY_ARN_RESOURCE_PREFIX, MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import type { ContextValues, IamRequest } from './simulate.ts';

export const HOME_ACCOUNT = '111111111111';
export const MANAGED_ACCOUNT = '222222222222';
export const OUTSIDE_ACCOUNT = '333333333333';
const REGION = 'eu-west-1';
const CLUSTER = 'demo';

/** The controller's own role, as IRSA hands it out: an assumed-role session. */
export const CONTROLLER_ROLE = `arn:aws:iam::${HOME_ACCOUNT}:role/eks-access-entry-controller`;
export const CONTROLLER_SESSION = `arn:aws:sts::${HOME_ACCOUNT}:assumed-role/eks-access-entry-controller/botocore-session-1`;

export const roleArn = (name: string, account = HOME_ACCOUNT): string => `arn:aws:iam::${account}:role/${name}`;
export const policyArn = (name: string): string => `arn:aws:${ACCESS_POLICY_ARN_RESOURCE_PREFIX}${name}`;
const clusterArn = `arn:aws:eks:${REGION}:${HOME_ACCOUNT}:cluster/${CLUSTER}`;

/** The tags IAM sees on an entry: both ownership tags of a controller id, one of them, or none. */
export const tags = {
  ownedBy: (controllerId: string, resource = 'team-a'): Record<string, string> => ({ [MANAGED_BY_TAG]: controllerId, [OWNER_TAG]: resource }),
  managedByOnly: (controllerId: string): Record<string, string> => ({ [MANAGED_BY_TAG]: controllerId }),
  none: {} as Record<string, string>,
};

export interface Entry {
  principal: string;
  tags: Record<string, string>;
  type?: string;
}

function entryArn(principal: string): string {
  const [, , , , account, resource] = principal.split(':');
  const [kind, ...name] = resource!.split('/');
  return `arn:aws:eks:${REGION}:${HOME_ACCOUNT}:access-entry/${CLUSTER}/${kind}/${account}/${name.at(-1)}/0ec8a1b2-5f31-4c2e-9d7a-0123456789ab`;
}

const prefixed = (prefix: string, values: Record<string, string>): ContextValues =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}/${key}`, value]));

const controllerCall = (action: string, resource: string, context: ContextValues, resourceAccount = HOME_ACCOUNT): IamRequest => ({
  principal: CONTROLLER_SESSION,
  action,
  resource,
  resourceAccount,
  context,
});

/** An action on an existing entry, with the entry's own keys (its tags, principal, type). */
export function onEntry(action: string, entry: Entry, extra: ContextValues = {}): IamRequest {
  return controllerCall(action, entryArn(entry.principal), {
    ...prefixed('aws:ResourceTag', entry.tags),
    'eks:principalArn': entry.principal,
    'eks:accessEntryType': entry.type ?? 'STANDARD',
    ...extra,
  });
}

export const tagEntry = (entry: Entry, requestTags: Record<string, string>): IamRequest =>
  onEntry('eks:TagResource', entry, { ...prefixed('aws:RequestTag', requestTags), 'aws:TagKeys': Object.keys(requestTags) });

export const untagEntry = (entry: Entry, keys: string[]): IamRequest => onEntry('eks:UntagResource', entry, { 'aws:TagKeys': keys });

export const associate = (entry: Entry, policy: string, scope: { type: 'cluster' } | { type: 'namespace'; namespaces: string[] }): IamRequest =>
  onEntry('eks:AssociateAccessPolicy', entry, {
    'eks:policyArn': policyArn(policy),
    'eks:accessScope': scope.type,
    ...(scope.type === 'namespace' ? { 'eks:namespaces': scope.namespaces } : {}),
  });

export function createEntry(principal: string, requestTags: Record<string, string>, type = 'STANDARD'): IamRequest {
  return controllerCall('eks:CreateAccessEntry', clusterArn, {
    ...prefixed('aws:RequestTag', requestTags),
    'aws:TagKeys': Object.keys(requestTags),
    'eks:principalArn': principal,
    'eks:accessEntryType': type,
  });
}

export const onCluster = (action: string): IamRequest => controllerCall(action, clusterArn, {});

export const onEverything = (action: string): IamRequest => controllerCall(action, '*', {});

/** An IAM action on a role, user or group of the controller's own account (IAM reads only the caller's). */
export const onIamResource = (action: string, resource: string): IamRequest => controllerCall(action, resource, {});

export const passRole = (role: string, service: string): IamRequest => controllerCall('iam:PassRole', role, { 'iam:PassedToService': service });

export function assumeRole(role: string, session: { name: string; externalId?: string }): IamRequest {
  const account = role.split(':')[4]!;
  return controllerCall(
    'sts:AssumeRole',
    role,
    { 'aws:ResourceAccount': account, 'sts:RoleSessionName': session.name, ...(session.externalId ? { 'sts:ExternalId': session.externalId } : {}) },
    account,
  );
}
