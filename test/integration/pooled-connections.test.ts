// The controller's shared connection pool to the API server, when every connection is reset with
// requests in flight (a load balancer dropping them, an API server restarting): the requests in
// flight fail, and the pool is whole again at once: no request hangs on a dead connection.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_VERSION, PLURAL } from '../../src/api/names.ts';
import { PooledKubeConfig } from '../../src/kube/pooled-kubeconfig.ts';
import { installCrd } from '../testenv/crd.ts';
import { testKubeConfig } from '../testenv/kube.ts';
import { Relay, withServer } from '../testenv/relay.ts';

const RESOURCE = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
const kubeConfig = testKubeConfig();
let relay: Relay;
let api: CustomObjectsApi;

/** 'ok', 'failed: <cause>' or 'hung': how a request ended within `ms`. */
async function outcome(request: Promise<unknown>, ms: number): Promise<string> {
  const ended = request.then(
    () => 'ok',
    (err: unknown) => `failed: ${String((err as Error).cause ?? err)}`,
  );
  return Promise.race([ended, sleep(ms).then(() => 'hung')]);
}

beforeAll(async () => {
  await installCrd(kubeConfig);
  relay = new Relay(new URL(kubeConfig.getCurrentCluster()!.server));
  api = PooledKubeConfig.from(withServer(kubeConfig, await relay.listen())).makeApiClient(CustomObjectsApi);
});

afterAll(async () => {
  await relay?.close();
});

describe('PooledKubeConfig across connection resets', () => {
  it('never hangs a request, and is whole again right after every connection was reset mid-request', async () => {
    const batch = (size: number): Promise<string[]> => Promise.all(Array.from({ length: size }, () => outcome(api.listClusterCustomObject(RESOURCE), 10_000)));
    for (let round = 0; round < 5; round++) {
      const inFlight = batch(16);
      await sleep(5 + round * 7);
      relay.sever();
      expect(await inFlight, `round ${round}: requests cut mid-flight end`).not.toContain('hung');
      // A pooled socket whose reset was not read yet fails the one request sent on it (as with
      // any keep-alive pool; the reconcile retries it); none may hang, and a moment later the
      // pool is whole.
      expect(await batch(8), `round ${round}: the first requests after the reset`).not.toContain('hung');
      await sleep(100);
      expect(await batch(8), `round ${round}: the requests a moment later`).toEqual(Array(8).fill('ok'));
    }
  });
});
