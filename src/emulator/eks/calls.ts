// Turns an EKS REST-JSON request into a call for the pipeline: the route names the operation,
// the path and (for creates) the body name the cluster and principal it addresses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceCall } from '../core/call-pipeline.ts';
import { EksError } from '../core/errors.ts';
import type { CallTarget } from '../faults/fault-rules.ts';
import { readJsonBody, sendEksError } from '../core/http-io.ts';
import { matchRoute, type MatchedRoute } from './routes.ts';
import type { JsonObject } from '../core/json.ts';
import { EKS_PROTOCOL } from '../core/wire-protocol.ts';
import { present } from '../core/optional.ts';
import { authorizeEksCall } from './authorization.ts';

/** The call, or undefined when no EKS operation has this method and path (already answered, 404). */
export async function decodeEksCall(
  request: IncomingMessage,
  response: ServerResponse,
  location: { rawPath: string; query: URLSearchParams },
): Promise<ServiceCall | undefined> {
  const method = request.method ?? 'GET';
  const route = matchRoute(method, location.rawPath);
  if (route === undefined) {
    request.resume();
    sendEksError(response, new EksError('UnknownOperationException', `The EKS emulator has no operation for ${method} ${location.rawPath}.`));
    return undefined;
  }
  let body: JsonObject;
  try {
    body = await readJsonBody(request);
  } catch (error) {
    return {
      operation: route.operation,
      target: callTarget(route, {}),
      protocol: EKS_PROTOCOL,
      rejection: asEksError(error),
      authorize: (context) => authorizeEksCall(route.operation, context, { params: route.params, query: location.query, body: {} }),
      run: () => undefined,
    };
  }
  const token = stringOrUndefined(body.clientRequestToken);
  return {
    operation: route.operation,
    target: callTarget(route, body),
    protocol: EKS_PROTOCOL,
    ...(token === undefined ? {} : { clientRequestToken: token }),
    authorize: (context) => authorizeEksCall(route.operation, context, { params: route.params, query: location.query, body }),
    run: (context) => route.handler(context, { params: route.params, query: location.query, body }),
  };
}

/** The cluster, principal and policy a call addresses, from its path or (for creates and Associate) its body. */
function callTarget(route: MatchedRoute, body: JsonObject): CallTarget {
  return {
    operation: route.operation,
    ...present('clusterName', route.params.cluster ?? route.params.name ?? stringOrUndefined(body.name)),
    ...present('principalArn', route.params.principal ?? stringOrUndefined(body.principalArn)),
    ...present('policyArn', route.params.policy ?? stringOrUndefined(body.policyArn)),
  };
}

function asEksError(error: unknown): EksError {
  return error instanceof EksError ? error : new EksError('SerializationException', String(error));
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
