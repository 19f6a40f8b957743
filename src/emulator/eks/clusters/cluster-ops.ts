// CreateCluster, DescribeCluster, DeleteCluster, UpdateClusterConfig: just enough cluster to
// carry an authentication mode. Clusters are ACTIVE at once and updates apply immediately.
import { randomUUID } from 'node:crypto';
import { parsePrincipalArn } from '../arn.ts';
import { param, type OperationContext, type OperationRequest } from '../../core/context.ts';
import { invalidParameter } from '../../core/errors.ts';
import { epochSeconds, wireCluster } from '../wire.ts';
import { isJsonObject, optionalStringMap, requiredString, type JsonObject } from '../../core/json.ts';
import { parseAuthenticationMode, validateClusterName, validateModeTransition } from './cluster-rules.ts';
import { validateTags } from '../tags/tag-rules.ts';

export function createCluster({ state, location }: OperationContext, request: OperationRequest): unknown {
  const { body } = request;
  const name = requiredString(body, 'name');
  validateClusterName(name);
  const roleArn = requiredString(body, 'roleArn');
  if (parsePrincipalArn(roleArn).kind !== 'role') throw invalidParameter(`roleArn must be an IAM role ARN, got ${roleArn}.`);
  const accessConfig = objectField(body, 'accessConfig');
  const tags = optionalStringMap(body, 'tags') ?? {};
  validateTags(tags);
  // EKS's own default: a cluster created without accessConfig has no access entries.
  const authenticationMode = parseAuthenticationMode(stringIn(accessConfig, 'authenticationMode'), 'accessConfig.authenticationMode') ?? 'CONFIG_MAP';
  const cluster = state.createCluster(name, { ...location, authenticationMode, tags, roleArn });
  return { cluster: wireCluster(cluster) };
}

export function describeCluster({ state, location }: OperationContext, request: OperationRequest): unknown {
  return { cluster: wireCluster(state.requireCluster(param(request, 'name'), location)) };
}

export function deleteCluster({ state, location }: OperationContext, request: OperationRequest): unknown {
  return { cluster: wireCluster(state.deleteCluster(param(request, 'name'), location), 'DELETING') };
}

/** Only accessConfig.authenticationMode is supported, moving forward as EKS allows. */
export function updateClusterConfig({ state, location }: OperationContext, request: OperationRequest): unknown {
  const name = param(request, 'name');
  const cluster = state.requireCluster(name, location);
  const unsupported = Object.keys(request.body).filter((key) => key !== 'accessConfig' && key !== 'clientRequestToken');
  if (unsupported.length > 0) {
    throw invalidParameter(`The emulator's UpdateClusterConfig supports only accessConfig.authenticationMode; remove ${unsupported.join(', ')}.`);
  }
  const mode = parseAuthenticationMode(stringIn(objectField(request.body, 'accessConfig'), 'authenticationMode'), 'accessConfig.authenticationMode');
  if (mode === undefined) throw invalidParameter('accessConfig.authenticationMode is required.', { clusterName: name });
  validateModeTransition(cluster.authenticationMode, mode);
  state.setAuthenticationMode(name, mode, location);
  return {
    update: {
      id: randomUUID(),
      status: 'Successful',
      type: 'AccessConfigUpdate',
      params: [{ type: 'AuthenticationMode', value: mode }],
      createdAt: epochSeconds(new Date()),
      errors: [],
    },
  };
}

function objectField(body: JsonObject, field: string): JsonObject | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidParameter(`${field} must be an object.`);
  return value;
}

function stringIn(object: JsonObject | undefined, field: string): string | undefined {
  const value = object?.[field];
  if (value === undefined || typeof value === 'string') return value;
  throw invalidParameter(`${field} must be a string.`);
}
