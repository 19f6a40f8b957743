import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusMetrics } from './prometheus-metrics.ts';
import { parseBindAddress, startEndpoints, type CheckResult, type EndpointsOptions, type RunningEndpoints } from './server.ts';

const LOOPBACK = { host: '127.0.0.1', port: 0 };
const HEALTHY = (): CheckResult => ({ ok: true });

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(address: AddressInfo | undefined, path: string, method = 'GET', agent?: Agent): Promise<Reply> {
  if (!address) throw new Error('endpoint not served');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: address.port, path, method, ...(agent ? { agent } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

const running: RunningEndpoints[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((endpoints) => endpoints.stop()));
});

async function start(options: Partial<EndpointsOptions> = {}): Promise<RunningEndpoints> {
  const endpoints = await startEndpoints({
    metrics: new PrometheusMetrics({ maxConcurrentReconciles: 4, processMetrics: false }),
    healthz: HEALTHY,
    readyz: HEALTHY,
    metricsAddress: LOOPBACK,
    probeAddress: LOOPBACK,
    ...options,
  });
  running.push(endpoints);
  return endpoints;
}

describe('metrics endpoint', () => {
  it('serves the exposition with the Prometheus text content type', async () => {
    const metrics = new PrometheusMetrics({ maxConcurrentReconciles: 4, processMetrics: false });
    metrics.driftCorrected('tags');
    const { metrics: at } = await start({ metrics });
    const reply = await call(at, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(reply.body).toMatch(/^eks_access_entry_drift_corrections_total\{field="tags"\} 1$/m);
    expect(reply.body).toMatch(/^controller_runtime_reconcile_total\{controller="accessentry",result="success"\} 0$/m);
  });

  it('answers 500 with the reason when the metrics cannot be gathered', async () => {
    const { metrics: at } = await start({ metrics: { contentType: 'text/plain', exposition: () => Promise.reject(new Error('cache gone')) } });
    const reply = await call(at, '/metrics');
    expect(reply.status).toBe(500);
    expect(reply.body).toBe('metrics could not be gathered: cache gone\n');
  });

  it('answers HEAD without a body, other methods 405, other paths 404', async () => {
    const endpoints = await start();
    const head = await call(endpoints.metrics, '/metrics', 'HEAD');
    expect([head.status, head.body, Number(head.headers['content-length'])]).toEqual([200, '', expect.any(Number)]);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    const post = await call(endpoints.metrics, '/metrics', 'POST');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    expect((await call(endpoints.metrics, '/healthz')).status).toBe(404);
    expect((await call(endpoints.probes, '/metrics')).status).toBe(404);
    expect((await call(endpoints.metrics, '/metrics?x=1')).status).toBe(200);
  });
});

describe('probe endpoints', () => {
  it('answers /healthz and /readyz with 200 ok while their checks pass', async () => {
    const { probes } = await start();
    for (const path of ['/healthz', '/readyz']) {
      const reply = await call(probes, path);
      expect([reply.status, reply.body, reply.headers['content-type']]).toEqual([200, 'ok\n', 'text/plain; charset=utf-8']);
    }
  });

  it('answers 500 with the reason a check gives, and 200 again once it passes', async () => {
    let synced = false;
    const { probes } = await start({
      healthz: () => ({ ok: false, reason: 'watch of accessentries failed 7 times in a row: 403 Forbidden' }),
      readyz: () => (synced ? { ok: true } : { ok: false, reason: 'caches not synced yet' }),
    });
    const health = await call(probes, '/healthz');
    expect([health.status, health.body]).toEqual([500, 'healthz check failed: watch of accessentries failed 7 times in a row: 403 Forbidden\n']);
    expect(await call(probes, '/readyz')).toMatchObject({ status: 500, body: 'readyz check failed: caches not synced yet\n' });
    synced = true;
    expect(await call(probes, '/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('answers 500 when a check throws', async () => {
    const { probes } = await start({
      readyz: () => {
        throw new Error('boom');
      },
    });
    expect(await call(probes, '/readyz')).toMatchObject({ status: 500, body: 'readyz check failed: the check threw: boom\n' });
  });
});

describe('listening', () => {
  it('serves metrics and probes on separate ports by default', async () => {
    const { metrics, probes } = await start();
    expect(metrics?.port).not.toBe(probes?.port);
  });

  it('serves all three paths on one port when both addresses are the same', async () => {
    const port = await freePort();
    const endpoints = await start({ metricsAddress: { host: '127.0.0.1', port }, probeAddress: { host: '127.0.0.1', port } });
    expect(endpoints.metrics?.port).toBe(port);
    expect(endpoints.probes?.port).toBe(port);
    for (const path of ['/metrics', '/healthz', '/readyz']) expect((await call(endpoints.metrics, path)).status).toBe(200);
  });

  it('serves no metrics when they are disabled', async () => {
    const endpoints = await start({ metricsAddress: 'disabled' });
    expect(endpoints.metrics).toBeUndefined();
    expect((await call(endpoints.probes, '/healthz')).status).toBe(200);
  });

  it('rejects naming the address when a port is taken, leaving nothing listening', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as AddressInfo).port;
    const metricsPort = await freePort();
    try {
      await expect(start({ metricsAddress: { host: '127.0.0.1', port: metricsPort }, probeAddress: { host: '127.0.0.1', port: takenPort } })).rejects.toThrow(
        `cannot serve on 127.0.0.1:${takenPort}: listen EADDRINUSE`,
      );
      // The metrics server that did start was closed again: its port is free.
      const again = await start({ metricsAddress: { host: '127.0.0.1', port: metricsPort } });
      expect(again.metrics?.port).toBe(metricsPort);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('closes keep-alive connections on stop, and stop can be called twice', async () => {
    const endpoints = await startEndpoints({ metrics: new PrometheusMetrics({ maxConcurrentReconciles: 1, processMetrics: false }), healthz: HEALTHY, readyz: HEALTHY, metricsAddress: LOOPBACK, probeAddress: LOOPBACK });
    const agent = new Agent({ keepAlive: true });
    try {
      await call(endpoints.metrics, '/metrics', 'GET', agent);
      await call(endpoints.probes, '/healthz', 'GET', agent);
      const idle = Object.values(agent.freeSockets).flat();
      expect(idle).toHaveLength(2);
      const closed = Promise.all(idle.map((socket) => new Promise((resolve) => socket!.once('close', resolve))));
      const startedAt = Date.now();
      await endpoints.stop();
      await endpoints.stop();
      await closed;
      // Node's keep-alive timeout is 5 s: stop did not wait for it.
      expect(Date.now() - startedAt).toBeLessThan(2_000);
      await expect(call(endpoints.metrics, '/metrics')).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it('lets the process exit once stopped, even after a keep-alive client scraped it', async () => {
    const script = `
      import { startEndpoints } from ${JSON.stringify(fileURLToPath(new URL('./server.ts', import.meta.url)))};
      import { PrometheusMetrics } from ${JSON.stringify(fileURLToPath(new URL('./prometheus-metrics.ts', import.meta.url)))};
      const at = { host: '127.0.0.1', port: 0 };
      const ok = () => ({ ok: true });
      const endpoints = await startEndpoints({ metrics: new PrometheusMetrics({ maxConcurrentReconciles: 1 }), healthz: ok, readyz: ok, metricsAddress: at, probeAddress: at });
      await (await fetch('http://127.0.0.1:' + endpoints.metrics.port + '/metrics')).text();
      await (await fetch('http://127.0.0.1:' + endpoints.probes.port + '/readyz')).text();
      await endpoints.stop();
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
    try {
      expect(await exited, stderr).toBe(0);
    } finally {
      clearTimeout(timeout);
    }
  });
});

describe('parseBindAddress', () => {
  it('reads controller-runtime style addresses', () => {
    expect(parseBindAddress(':8080')).toEqual({ port: 8080 });
    expect(parseBindAddress('127.0.0.1:8081')).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(parseBindAddress('[::1]:9090')).toEqual({ host: '::1', port: 9090 });
    expect(parseBindAddress('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseBindAddress('0')).toBe('disabled');
  });

  it('rejects what is not HOST:PORT, saying what it must be', () => {
    for (const text of ['8080', ':', ':99999', '::1:8080', 'host:port', '']) {
      expect(() => parseBindAddress(text), text).toThrow(/must be HOST:PORT or :PORT/);
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
