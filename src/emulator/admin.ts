// The admin API under /_emulator/: JSON over HTTP, a thin layer over the state, fault and call
// objects so another process (a demo's controller, a CI job with curl) can drive the emulator.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EksError } from './errors.ts';
import { parseFaultRule } from './faults.ts';
import { readJsonBody, sendJson } from './http-io.ts';
import { isEksOperation } from './operations.ts';
import { matchPath } from './path-match.ts';
import type { EmulatorServices } from './server.ts';
import {
  optionalString,
  optionalStringList,
  optionalStringMap,
  parseAuthenticationMode,
  parseEntryType,
  requiredString,
  type JsonObject,
} from './validation.ts';

interface AdminRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: JsonObject;
  /** body.region, else ?region=, else the emulator's default. */
  region: { region?: string };
}

interface AdminAnswer {
  status: number;
  body: unknown;
}

type AdminHandler = (services: EmulatorServices, request: AdminRequest) => AdminAnswer;

const ok = (body: unknown): AdminAnswer => ({ status: 200, body });
const created = (body: unknown): AdminAnswer => ({ status: 201, body });
const ENTRY = '/_emulator/clusters/{name}/access-entries/{principal}';

const ADMIN_ROUTES: ReadonlyArray<[method: string, path: string, handler: AdminHandler]> = [
  ['GET', '/_emulator/health', ({ state }) => ok({ status: 'ok', accountId: state.accountId, defaultRegion: state.defaultRegion })],
  ['GET', '/_emulator/state', ({ state }) => ok(stateDump(state))],
  ['POST', '/_emulator/clusters', createCluster],
  ['PATCH', '/_emulator/clusters/{name}', setAuthenticationMode],
  ['DELETE', '/_emulator/clusters/{name}', ({ state }, { params, region }) => ok({ cluster: state.deleteCluster(need(params.name), region) })],
  ['POST', '/_emulator/clusters/{name}/access-entries', seedEntry],
  ['PATCH', ENTRY, editEntry],
  ['DELETE', ENTRY, removeEntry],
  ['GET', '/_emulator/calls', ({ calls }) => ok({ total: calls.total(), writes: calls.writes(), reads: calls.reads(), byOperation: calls.snapshot() })],
  ['DELETE', '/_emulator/calls', ({ calls }) => (calls.reset(), ok({}))],
  ['GET', '/_emulator/faults', ({ faults }) => ok({ rules: faults.list() })],
  ['POST', '/_emulator/faults', ({ faults }, { body }) => created({ id: faults.add(parseFaultRule(body)) })],
  ['DELETE', '/_emulator/faults', ({ faults }) => (faults.clear(), ok({}))],
  ['DELETE', '/_emulator/faults/{id}', removeFault],
  ['PUT', '/_emulator/latency', setLatency],
  ['PUT', '/_emulator/rate-limit', setRateLimit],
  ['PUT', '/_emulator/quota', setQuota],
  ['POST', '/_emulator/reset', ({ state, calls, faults }) => (state.reset(), calls.reset(), faults.reset(), ok({}))],
];

export async function handleAdmin(
  services: EmulatorServices,
  request: IncomingMessage,
  response: ServerResponse,
  location: { path: string; query: URLSearchParams },
): Promise<void> {
  const method = request.method ?? 'GET';
  let answer: AdminAnswer;
  try {
    const body = await readJsonBody(request);
    answer = dispatch(services, method, location, body);
  } catch (error) {
    answer = adminError(error);
  }
  sendJson(response, answer.status, answer.body);
  services.logger?.debug({ method, path: location.path, status: answer.status }, 'admin call');
}

function dispatch(services: EmulatorServices, method: string, location: { path: string; query: URLSearchParams }, body: JsonObject): AdminAnswer {
  const { path: rawPath, query } = location;
  for (const [routeMethod, path, handler] of ADMIN_ROUTES) {
    const params = routeMethod === method ? matchPath(path, rawPath) : undefined;
    if (params === undefined) continue;
    const region = optionalString(body, 'region') ?? query.get('region') ?? undefined;
    return handler(services, { params, query, body, region: region === undefined ? {} : { region } });
  }
  return { status: 404, body: { error: 'NotFound', message: `No admin route ${method} ${rawPath}; see src/emulator/README.md.` } };
}

function adminError(error: unknown): AdminAnswer {
  if (error instanceof EksError) return { status: error.status, body: { error: error.name, message: error.message } };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 400, body: { error: 'BadRequest', message } };
}

function createCluster({ state }: EmulatorServices, { body, region }: AdminRequest): AdminAnswer {
  const bootstrap = optionalString(body, 'bootstrapCreatorPrincipalArn');
  const cluster = state.createCluster(requiredString(body, 'name'), {
    ...region,
    authenticationMode: parseAuthenticationMode(optionalString(body, 'authenticationMode')) ?? 'API_AND_CONFIG_MAP',
    tags: optionalStringMap(body, 'tags') ?? {},
    ...(bootstrap === undefined ? {} : { bootstrapCreatorPrincipalArn: bootstrap }),
  });
  return created({ cluster });
}

function setAuthenticationMode({ state }: EmulatorServices, { params, body, region }: AdminRequest): AdminAnswer {
  const mode = parseAuthenticationMode(requiredString(body, 'authenticationMode'));
  return ok({ cluster: state.setAuthenticationMode(need(params.name), mode ?? 'API_AND_CONFIG_MAP', region) });
}

function seedEntry({ state }: EmulatorServices, { params, body, region }: AdminRequest): AdminAnswer {
  const type = optionalString(body, 'type');
  const accessEntry = state.seedAccessEntry(
    need(params.name),
    {
      principalArn: requiredString(body, 'principalArn'),
      ...(type === undefined ? {} : { type: parseEntryType(type) }),
      ...entryFields(body),
    },
    region,
  );
  return created({ accessEntry });
}

function editEntry({ state }: EmulatorServices, { params, body, region }: AdminRequest): AdminAnswer {
  return ok({ accessEntry: state.editAccessEntry(need(params.name), need(params.principal), entryFields(body), region) });
}

function removeEntry({ state }: EmulatorServices, { params, region }: AdminRequest): AdminAnswer {
  const principalArn = need(params.principal);
  if (state.removeAccessEntry(need(params.name), principalArn, region)) return ok({ removed: principalArn });
  return { status: 404, body: { error: 'ResourceNotFoundException', message: `No access entry for ${principalArn} on cluster ${params.name}.` } };
}

function entryFields(body: JsonObject): { kubernetesGroups?: string[]; username?: string; tags?: Record<string, string> } {
  const kubernetesGroups = optionalStringList(body, 'kubernetesGroups');
  const username = optionalString(body, 'username');
  const tags = optionalStringMap(body, 'tags');
  return {
    ...(kubernetesGroups === undefined ? {} : { kubernetesGroups }),
    ...(username === undefined ? {} : { username }),
    ...(tags === undefined ? {} : { tags }),
  };
}

function removeFault({ faults }: EmulatorServices, { params }: AdminRequest): AdminAnswer {
  const id = need(params.id);
  if (faults.remove(id)) return ok({ removed: id });
  return { status: 404, body: { error: 'NotFound', message: `No fault rule with id ${id}.` } };
}

function setLatency({ faults }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  const ms = body.ms;
  if (typeof ms !== 'number') throw new Error('ms is required: {"ms": 200} or {"ms": 200, "operation": "CreateAccessEntry"}; {"ms": 0} removes it.');
  const operation = optionalString(body, 'operation');
  if (operation !== undefined && !isEksOperation(operation)) throw new Error(`operation ${operation} is not an EKS operation the emulator knows.`);
  faults.setLatency(ms, operation);
  return ok({ ms, operation: operation ?? '*' });
}

function setRateLimit({ faults }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  const { requestsPerSecond, burst } = body;
  if (requestsPerSecond === undefined || requestsPerSecond === null) {
    faults.setRateLimit(undefined);
    return ok({ rateLimit: null });
  }
  if (typeof requestsPerSecond !== 'number' || (burst !== undefined && typeof burst !== 'number')) {
    throw new Error('Send {"requestsPerSecond": 5, "burst": 10} (numbers) to set the rate limit, or {} to remove it.');
  }
  faults.setRateLimit({ requestsPerSecond, ...(burst === undefined ? {} : { burst }) });
  return ok({ rateLimit: { requestsPerSecond, burst } });
}

function setQuota({ state }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  if (typeof body.entriesPerCluster !== 'number') throw new Error('Send {"entriesPerCluster": 3000}.');
  state.setEntryQuota(body.entriesPerCluster);
  return ok({ entriesPerCluster: body.entriesPerCluster });
}

function stateDump(state: EmulatorServices['state']): unknown {
  return {
    accountId: state.accountId,
    defaultRegion: state.defaultRegion,
    clusters: state.listClusters().map((cluster) => ({
      ...cluster,
      entries: state.listAccessEntries(cluster.name, { region: cluster.region }),
    })),
  };
}

/** Path labels the matched template guarantees. */
function need(value: string | undefined): string {
  if (value === undefined) throw new Error('admin route is missing a path label');
  return value;
}
