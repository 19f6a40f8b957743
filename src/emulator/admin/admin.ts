// The admin API under /_emulator/: JSON over HTTP, a thin layer over the state, fault and call
// objects so another process (a demo's controller, a CI job with curl) can drive the emulator.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AUTHENTICATE_ROUTES } from './authenticate.ts';
import { CLUSTER_ROUTES } from './clusters.ts';
import { CONTROL_ROUTES } from './controls.ts';
import { IAM_ROUTES } from './iam.ts';
import { POLICY_ROUTES } from './policies.ts';
import { ROLE_ROUTES } from './roles.ts';
import { adminRefusal } from './guard.ts';
import { ok, type AdminAnswer, type AdminRoute } from './types.ts';
import { EksError } from '../core/errors.ts';
import { readJsonBody, sendJson } from '../core/http-io.ts';
import { matchPath } from '../core/path-match.ts';
import type { EmulatorServices } from '../core/services.ts';
import { optionalString, type JsonObject } from '../core/json.ts';

const ADMIN_ROUTES: readonly AdminRoute[] = [
  ['GET', '/_emulator/health', ({ state }) => ok({ status: 'ok', accountId: state.accountId, defaultRegion: state.defaultRegion })],
  ...CLUSTER_ROUTES,
  ...CONTROL_ROUTES,
  ...POLICY_ROUTES,
  ...ROLE_ROUTES,
  ...IAM_ROUTES,
  ...AUTHENTICATE_ROUTES,
  ['POST', '/_emulator/reset', ({ state, calls, faults }) => (state.reset(), calls.reset(), faults.reset(), ok({}))],
];

export async function handleAdmin(
  services: EmulatorServices,
  request: IncomingMessage,
  response: ServerResponse,
  location: { path: string; query: URLSearchParams },
): Promise<void> {
  const method = request.method ?? 'GET';
  const refusal = adminRefusal(method, request.headers);
  if (refusal !== undefined) request.resume();
  const answer = refusal ?? (await answerAdmin(services, request, location));
  sendJson(response, answer.status, answer.body);
  services.logger?.debug({ method, path: location.path, status: answer.status }, 'admin call');
}

async function answerAdmin(services: EmulatorServices, request: IncomingMessage, location: { path: string; query: URLSearchParams }): Promise<AdminAnswer> {
  try {
    const body = await readJsonBody(request);
    return dispatch(services, request.method ?? 'GET', location, body);
  } catch (error) {
    return adminError(error);
  }
}

function dispatch(services: EmulatorServices, method: string, location: { path: string; query: URLSearchParams }, body: JsonObject): AdminAnswer {
  const { path: rawPath, query } = location;
  for (const [routeMethod, path, handler] of ADMIN_ROUTES) {
    const params = routeMethod === method ? matchPath(path, rawPath) : undefined;
    if (params === undefined) continue;
    const region = optionalString(body, 'region') ?? query.get('region') ?? undefined;
    const accountId = optionalString(body, 'accountId') ?? query.get('accountId') ?? undefined;
    return handler(services, { params, query, body, location: { ...(region === undefined ? {} : { region }), ...(accountId === undefined ? {} : { accountId }) } });
  }
  return { status: 404, body: { error: 'NotFound', message: `No admin route ${method} ${rawPath}; see src/emulator/README.md.` } };
}

function adminError(error: unknown): AdminAnswer {
  if (error instanceof EksError) return { status: error.status, body: { error: error.name, message: error.message } };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 400, body: { error: 'BadRequest', message } };
}
