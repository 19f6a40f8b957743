import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../index.ts';
import { DEFAULT_KEEP_ALIVE_TIMEOUT_MS, serverTimeouts } from './keep-alive.ts';
import { useTestBed } from '../test-support.ts';

const t = useTestBed();

/** A client with its own keep-alive pool, so its connections are its own to count. */
function pooledClient(endpoint = t.bed.emulator.endpoint) {
  return t.bed.client({ endpoint, requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) }) });
}

describe('keep-alive', () => {
  it('keeps an idle connection open past Node’s 5 s default, so the SDK reuses it', async () => {
    const eks = pooledClient();
    const before = t.bed.emulator.connectionsAccepted();
    await eks.send(new DescribeClusterCommand({ name: 'demo' }));
    await sleep(6000);
    await expect(eks.send(new DescribeClusterCommand({ name: 'demo' }))).resolves.toBeDefined();
    expect(t.bed.emulator.connectionsAccepted() - before).toBe(1);
  });

  it('closes idle connections after keepAliveTimeoutMs', async () => {
    const emulator = await startEmulator({ keepAliveTimeoutMs: 1000 });
    try {
      emulator.state.createCluster('demo');
      const eks = pooledClient(emulator.endpoint);
      await eks.send(new DescribeClusterCommand({ name: 'demo' }));
      await sleep(1500);
      await expect(eks.send(new DescribeClusterCommand({ name: 'demo' }))).resolves.toBeDefined();
      expect(emulator.connectionsAccepted()).toBe(2);
    } finally {
      await emulator.close();
    }
  });

  it('sets headersTimeout beyond keepAliveTimeout and within requestTimeout', () => {
    expect(serverTimeouts()).toEqual({ keepAliveTimeout: DEFAULT_KEEP_ALIVE_TIMEOUT_MS, headersTimeout: 121_000, requestTimeout: 300_000 });
    expect(serverTimeouts(600_000)).toEqual({ keepAliveTimeout: 600_000, headersTimeout: 601_000, requestTimeout: 601_000 });
    expect(() => serverTimeouts(0)).toThrow(/keepAliveTimeoutMs must be a whole number/);
  });
});
