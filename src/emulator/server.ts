// The HTTP server: EKS REST-JSON operations, STS and IAM (query protocol) on `/`, and, under
// /_emulator/, the admin API. A call is counted, served by the call pipeline, then recorded (call
// log, logger, audit record).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handleAdmin } from './admin/admin.ts';
import { serveCall } from './core/call-pipeline.ts';
import { identifyCaller } from './core/caller.ts';
import { decodeEksCall } from './eks/calls.ts';
import { EksError } from './core/errors.ts';
import { sendEksError } from './core/http-io.ts';
import { serverTimeouts } from './core/keep-alive.ts';
import { authorize, recordCall } from './core/call-records.ts';
import type { EmulatorServices } from './core/services.ts';
import { serviceOf } from './operations.ts';
import { decodeQueryCall, isQueryPath } from './query-calls.ts';

export type { EmulatorServices } from './core/services.ts';

export interface EmulatorServerOptions {
  /** How long an idle keep-alive connection stays open; default 120 s. */
  keepAliveTimeoutMs?: number;
}

export interface EmulatorServer {
  server: Server;
  /** TCP connections accepted since the server started. */
  connectionsAccepted: () => number;
  /** Stops listening and destroys every open socket, hung "Timeout" requests included. */
  close: () => Promise<void>;
}

export function createEmulatorServer(services: EmulatorServices, options: EmulatorServerOptions = {}): EmulatorServer {
  const closing = new AbortController();
  const server = createServer(serverTimeouts(options.keepAliveTimeoutMs), (request, response) => {
    handleRequest(services, closing.signal, request, response).catch((error: unknown) => {
      services.logger?.error({ err: error }, 'EKS emulator failed to answer a request');
      if (!response.headersSent) sendEksError(response, new EksError('ServerException', 'The EKS emulator failed unexpectedly.'));
    });
  });
  let connections = 0;
  server.on('connection', () => (connections += 1));
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing.abort();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return { server, connectionsAccepted: () => connections, close };
}

async function handleRequest(services: EmulatorServices, closing: AbortSignal, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const arrived = { time: new Date(), at: performance.now() };
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
  const call = isQueryPath(rawPath) ? await decodeQueryCall(request, response, query, requestId) : await decodeEksCall(request, response, { rawPath, query });
  if (call === undefined) {
    services.logger?.info({ requestId, method: request.method, path: rawPath, status: response.statusCode }, 'unknown operation');
    return;
  }
  services.calls.record(call.operation);
  const caller = identifyCaller(services.state, request, query, serviceOf(call.operation));
  // What IAM would authorize, read as the call arrives: before it changes anything.
  const authorization = services.audit === undefined ? undefined : authorize(services, call, caller);
  const outcome = await serveCall(services, { request, response, closing }, caller, call);
  const ms = Math.round((performance.now() - arrived.at) * 10) / 10;
  recordCall(services, { requestId, time: arrived.time, ms, caller, call, ...(authorization === undefined ? {} : { authorization }) }, outcome);
}
