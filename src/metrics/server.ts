import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a probe says: healthy, or not and why (the reason is the 500's body, for `kubectl describe pod`). */
export type CheckResult = { ok: true } | { ok: false; reason: string };
/** Must answer at once: kubelet times a probe out after a second. A check that throws fails. */
export type Check = () => CheckResult;

/** Where the text exposition comes from; PrometheusMetrics is one. */
export interface MetricsSource {
  readonly contentType: string;
  exposition(): Promise<string>;
}

/** A host to bind (unset: every interface, as a pod needs) and a port (0: any free one). */
export interface BindAddress {
  host?: string;
  port: number;
}

/** controller-runtime's defaults, as kubebuilder's manifests and the Prometheus Operator expect them. */
const METRICS_PORT = 8080;
const PROBE_PORT = 8081;
export const DEFAULT_METRICS_BIND_ADDRESS = `:${METRICS_PORT}`;
export const DEFAULT_PROBE_BIND_ADDRESS = `:${PROBE_PORT}`;

export interface EndpointsOptions {
  metrics: MetricsSource;
  /** /healthz, the liveness probe: 500 restarts the pod, so only for what a restart fixes (a dead watch). */
  healthz: Check;
  /** /readyz, the readiness probe: 200 once the caches have synced. */
  readyz: Check;
  /** Default :8080. The same address as probeAddress serves all three paths on one port. */
  metricsAddress?: BindAddress | 'disabled';
  /** Default :8081. */
  probeAddress?: BindAddress | 'disabled';
  /** Errors of a listening server (accept failures such as EMFILE); without a handler they would crash the process. */
  onError?: (error: Error) => void;
}

export interface RunningEndpoints {
  /** Where /metrics is served; undefined when disabled. */
  readonly metrics: AddressInfo | undefined;
  /** Where /healthz and /readyz are served; undefined when disabled. */
  readonly probes: AddressInfo | undefined;
  /** Stops listening and closes every connection (keep-alive ones too), so nothing keeps the process alive. */
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}
type Route = () => Answer | Promise<Answer>;
type Routes = ReadonlyMap<string, Route>;

const TEXT = 'text/plain; charset=utf-8';

/**
 * Parses a controller-runtime style bind address: ":8080" (every interface), "127.0.0.1:8080",
 * "[::1]:8080", or "0" to turn the endpoint off.
 */
export function parseBindAddress(text: string): BindAddress | 'disabled' {
  if (text === '0') return 'disabled';
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65_535) {
    throw new RangeError(`bind address "${text}" must be HOST:PORT or :PORT (e.g. :8080, 127.0.0.1:8080, [::1]:8080), or 0 to disable`);
  }
  const host = match[1] ?? match[2];
  return host ? { host, port } : { port };
}

/**
 * Serves /metrics on one port and /healthz, /readyz on another (controller-runtime's :8080 and
 * :8081), so a NetworkPolicy can open metrics to Prometheus alone. Resolves once listening;
 * rejects, with nothing left listening, if any address cannot be bound.
 */
export async function startEndpoints(options: EndpointsOptions): Promise<RunningEndpoints> {
  const metricsAt = options.metricsAddress ?? { port: METRICS_PORT };
  const probesAt = options.probeAddress ?? { port: PROBE_PORT };
  const servers: Server[] = [];
  const bound: AddressInfo[] = [];
  try {
    for (const { address, routes } of plan(options, metricsAt, probesAt)) {
      const server = createServer((req, res) => {
        // respond() answers every failure it knows; anything else only loses this one request.
        respond(routes, req, res).catch(() => res.destroy());
      });
      servers.push(server);
      bound.push(await listen(server, address));
      server.on('error', options.onError ?? ((): void => {}));
    }
  } catch (err) {
    await closeAll(servers);
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    // The plan lists the metrics server first and the probe server last (one server when shared).
    metrics: metricsAt === 'disabled' ? undefined : bound[0],
    probes: probesAt === 'disabled' ? undefined : bound.at(-1),
    stop: () => (stopped ??= closeAll(servers)),
  };
}

type Listener = { address: BindAddress; routes: Routes };

function plan(options: EndpointsOptions, metricsAt: BindAddress | 'disabled', probesAt: BindAddress | 'disabled'): Listener[] {
  const metricsRoutes = new Map([['/metrics', metricsRoute(options.metrics)]]);
  const probeRoutes = new Map([
    ['/healthz', checkRoute('healthz', options.healthz)],
    ['/readyz', checkRoute('readyz', options.readyz)],
  ]);
  if (metricsAt !== 'disabled' && probesAt !== 'disabled' && sameAddress(metricsAt, probesAt)) {
    return [{ address: metricsAt, routes: new Map([...metricsRoutes, ...probeRoutes]) }];
  }
  const listeners: Listener[] = [];
  if (metricsAt !== 'disabled') listeners.push({ address: metricsAt, routes: metricsRoutes });
  if (probesAt !== 'disabled') listeners.push({ address: probesAt, routes: probeRoutes });
  return listeners;
}

/** Port 0 twice means two free ports, not one shared. */
function sameAddress(a: BindAddress, b: BindAddress): boolean {
  return a.port !== 0 && a.port === b.port && (a.host ?? '') === (b.host ?? '');
}

function metricsRoute(source: MetricsSource): Route {
  return async () => {
    try {
      return { status: 200, contentType: source.contentType, body: await source.exposition() };
    } catch (err) {
      // As promhttp's HTTPErrorOnError: a failed scrape shows as up=0 with this reason, never as stale numbers.
      return { status: 500, contentType: TEXT, body: `metrics could not be gathered: ${messageOf(err)}\n` };
    }
  };
}

function checkRoute(name: string, check: Check): Route {
  return () => {
    let result: CheckResult;
    try {
      result = check();
    } catch (err) {
      result = { ok: false, reason: `the check threw: ${messageOf(err)}` };
    }
    return result.ok ? { status: 200, contentType: TEXT, body: 'ok\n' } : { status: 500, contentType: TEXT, body: `${name} check failed: ${result.reason}\n` };
  };
}

async function respond(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://endpoint').pathname;
  const route = routes.get(path);
  let answer: Answer;
  if (route === undefined) {
    answer = { status: 404, contentType: TEXT, body: `${path} is not served here; try ${[...routes.keys()].join(', ')}\n` };
  } else if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    answer = { status: 405, contentType: TEXT, body: `${req.method ?? ''} is not allowed on ${path}\n` };
  } else {
    answer = await route();
  }
  const body = Buffer.from(answer.body);
  res.writeHead(answer.status, { 'Content-Type': answer.contentType, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function listen(server: Server, address: BindAddress): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error): void => {
      reject(new Error(`cannot serve on ${address.host ?? ''}:${address.port}: ${err.message}`, { cause: err }));
    };
    server.once('error', failed);
    server.listen({ port: address.port, ...(address.host ? { host: address.host } : {}) }, () => {
      server.off('error', failed);
      resolve(server.address() as AddressInfo);
    });
  });
}

async function closeAll(servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
          // close() drops idle keep-alive connections but waits for any mid-request (a slow scrape, a hung client).
          server.closeAllConnections();
        }),
    ),
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
