import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { adminRefusal, hostnameOf } from './guard.ts';
import { useTestBed } from '../test-support.ts';

const t = useTestBed();

/** A raw request, so the test can send the Host and Content-Type a browser on a hostile page would. */
function send(method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const call = request(`${t.bed.emulator.endpoint}/_emulator${path}`, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

describe('the admin API refuses what a web page could send', () => {
  it('refuses a Host that is not loopback (DNS rebinding), reads and writes alike, and changes nothing', async () => {
    const read = await send('GET', '/state', { host: 'attacker.example:4566' });
    expect(read.status).toBe(403);
    expect(read.json).toEqual({ error: 'Forbidden', message: expect.stringContaining("Host header is 'attacker.example:4566'") as unknown });
    const write = await send('POST', '/faults', { host: 'rebound.example', 'content-type': 'application/json' }, JSON.stringify({ fault: 'ServerException' }));
    expect(write.status).toBe(403);
    expect(t.bed.emulator.faults.list()).toEqual([]);
  });

  it.each(['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'refuses a write sent as %s (a cross-site form or simple fetch), and changes nothing',
    async (contentType) => {
      const answer = await send('POST', '/reset', { 'content-type': contentType }, '{}');
      expect(answer.status).toBe(415);
      expect(answer.json.error).toBe('UnsupportedMediaType');
      expect(String(answer.json.message)).toContain(`'${contentType}'`);
      expect(t.bed.emulator.state.getCluster('demo')).toBeDefined();
    },
  );

  it('refuses a write with no Content-Type, even a DELETE without a body', async () => {
    t.bed.emulator.faults.add({ fault: 'ServerException' });
    const answer = await send('DELETE', '/faults', {});
    expect(answer).toEqual({ status: 415, json: { error: 'UnsupportedMediaType', message: expect.stringContaining('has none') as unknown } });
    expect(t.bed.emulator.faults.list()).toHaveLength(1);
  });

  it('serves loopback names with any port, and JSON writes with parameters', async () => {
    expect((await send('GET', '/health', { host: 'localhost:4566' })).status).toBe(200);
    expect((await send('GET', '/health', { host: 'LOCALHOST' })).status).toBe(200);
    expect((await send('PUT', '/latency', { host: '[::1]:80', 'content-type': 'Application/JSON; charset=utf-8' }, '{"ms": 0}')).status).toBe(200);
  });
});

describe('adminRefusal', () => {
  it.each([
    { host: '127.0.0.1:4566', method: 'GET', contentType: undefined, status: undefined },
    { host: 'localhost', method: 'POST', contentType: 'application/json', status: undefined },
    { host: '[::1]:1', method: 'DELETE', contentType: 'application/json', status: undefined },
    { host: '127.0.0.2', method: 'GET', contentType: undefined, status: 403 },
    { host: 'localhost.attacker.example', method: 'GET', contentType: undefined, status: 403 },
    { host: '[::2]', method: 'GET', contentType: undefined, status: 403 },
    { host: undefined, method: 'GET', contentType: undefined, status: 403 },
    { host: '127.0.0.1', method: 'PATCH', contentType: 'text/json', status: 415 },
    { host: '127.0.0.1', method: 'PUT', contentType: 'application/jsonp', status: 415 },
  ])('$method with Host $host and Content-Type $contentType → $status', ({ host, method, contentType, status }) => {
    expect(adminRefusal(method, { host, 'content-type': contentType })?.status).toBe(status);
  });

  it('reads a hostname without its port', () => {
    expect([hostnameOf('127.0.0.1:80'), hostnameOf('[::1]:80'), hostnameOf('[::1]'), hostnameOf('Example.COM')]).toEqual(['127.0.0.1', '[::1]', '[::1]', 'example.com']);
  });
});
