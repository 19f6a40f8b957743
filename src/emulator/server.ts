// The HTTP server: EKS REST-JSON operations and, under /_emulator/, the admin API.
// An EKS call goes: count → rate limit → latency → fault rules → operation.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { handleAdmin } from './admin.ts';
import type { CallCounter } from './calls.ts';
import { EksError } from './errors.ts';
import type { CallTarget, FaultInjector, InjectedFault } from './faults.ts';
import { readJsonBody, sendEksError, sendJson, signingRegion } from './http-io.ts';
import { matchRoute, type MatchedRoute } from './routes.ts';
import type { EmulatorState } from './state.ts';
import type { JsonObject } from './validation.ts';

export interface EmulatorServices {
  state: EmulatorState;
  faults: FaultInjector;
  calls: CallCounter;
  logger?: Logger;
}

export interface EmulatorServer {
  server: Server;
  /** Stops listening and destroys every open socket, hung "Timeout" requests included. */
  close: () => Promise<void>;
}

/** What happened to one call, for the request log. */
interface Outcome {
  status: number;
  error?: string;
  fault?: string;
}

export function createEmulatorServer(services: EmulatorServices): EmulatorServer {
  const closing = new AbortController();
  const server = createServer((request, response) => {
    handleRequest(services, closing.signal, request, response).catch((error: unknown) => {
      services.logger?.error({ err: error }, 'EKS emulator failed to answer a request');
      if (!response.headersSent) sendEksError(response, new EksError('ServerException', 'The EKS emulator failed unexpectedly.'));
    });
  });
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing.abort();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return { server, close };
}

async function handleRequest(services: EmulatorServices, closing: AbortSignal, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  response.setHeader('x-amzn-requestid', requestId);
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
  if (rawPath === '/_emulator' || rawPath.startsWith('/_emulator/')) {
    await handleAdmin(services, request, response, { path: rawPath, query });
    return;
  }
  const method = request.method ?? 'GET';
  const route = matchRoute(method, rawPath);
  if (route === undefined) {
    request.resume();
    sendEksError(response, new EksError('UnknownOperationException', `The EKS emulator has no operation for ${method} ${rawPath}.`));
    services.logger?.info({ requestId, method, path: rawPath, status: 404 }, 'unknown EKS operation');
    return;
  }
  services.calls.record(route.operation);
  const started = performance.now();
  const region = signingRegion(request, query) ?? services.state.defaultRegion;
  const outcome = await runOperation(services, closing, { request, response, route, query, region });
  const ms = Math.round((performance.now() - started) * 10) / 10;
  services.logger?.info({ requestId, operation: route.operation, region, ...outcome, ms }, 'EKS call');
}

interface Call {
  request: IncomingMessage;
  response: ServerResponse;
  route: MatchedRoute;
  query: URLSearchParams;
  region: string;
}

async function runOperation(services: EmulatorServices, closing: AbortSignal, call: Call): Promise<Outcome> {
  const { response, route } = call;
  let body: JsonObject;
  try {
    body = await readJsonBody(call.request);
  } catch (error) {
    return answerWithError(response, error);
  }
  if (!services.faults.admit()) {
    return answerWithError(response, new EksError('ThrottlingException', 'Rate exceeded'));
  }
  const latency = services.faults.latencyFor(route.operation);
  if (latency > 0 && !(await pause(latency, closing))) return { status: 0, error: 'EmulatorClosed' };
  const fault = services.faults.pick(callTarget(route, body));
  if (fault !== undefined) return injectFault(call, fault);
  try {
    const result = route.handler({ state: services.state, region: call.region }, { params: route.params, query: call.query, body });
    sendJson(response, 200, result);
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof EksError)) services.logger?.error({ err: error, operation: route.operation }, 'EKS emulator bug');
    return answerWithError(response, error);
  }
}

function injectFault({ request, response, route }: Call, fault: InjectedFault): Outcome {
  if (fault.fault === 'Timeout') return { status: 0, fault: 'Timeout' };
  if (fault.fault === 'DropConnection') {
    request.socket.destroy();
    return { status: 0, fault: 'DropConnection' };
  }
  const clusterName = route.params.cluster ?? route.params.name;
  const error = new EksError(fault.fault, fault.message, clusterName === undefined ? {} : { clusterName });
  return { ...answerWithError(response, error), fault: fault.fault };
}

function answerWithError(response: ServerResponse, error: unknown): Outcome {
  const eksError = error instanceof EksError ? error : new EksError('ServerException', `The EKS emulator failed: ${String(error)}`);
  sendEksError(response, eksError);
  return { status: eksError.status, error: eksError.name };
}

/** The cluster and principal a call addresses, from its path or (for creates) its body. */
function callTarget(route: MatchedRoute, body: JsonObject): CallTarget {
  const clusterName = route.params.cluster ?? route.params.name ?? stringOrUndefined(body.name);
  const principalArn = route.params.principal ?? stringOrUndefined(body.principalArn);
  return {
    operation: route.operation,
    ...(clusterName === undefined ? {} : { clusterName }),
    ...(principalArn === undefined ? {} : { principalArn }),
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Waits; false when the emulator closed meanwhile (the socket is gone, so there is nobody to answer). */
async function pause(ms: number, closing: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: closing });
    return true;
  } catch {
    return false;
  }
}
