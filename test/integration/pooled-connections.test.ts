// The controller's shared connection pool to the API server, when every connection is reset with
// requests in flight (a load balancer dropping them, an API server restarting): the requests in
// flight fail, and the ones after them get through on new connections rather than hanging.
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

/** 'ok', 'failed' or 'hung': how a request ended within `ms`. */
async function outcome(request: Promise<unknown>, ms: number): Promise<string> {
  const ended = request.then(() => 'ok', () => 'failed');
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
  it('serves the next requests on new connections after every connection was reset mid-request', async () => {
    for (let round = 0; round < 5; round++) {
      const inFlight = Array.from({ length: 16 }, () => outcome(api.listClusterCustomObject(RESOURCE), 10_000));
      await sleep(5 + round * 7);
      relay.sever();
      expect(await Promise.all(inFlight), `round ${round}: requests cut mid-flight end`).not.toContain('hung');
      const after = await Promise.all(Array.from({ length: 8 }, () => outcome(api.listClusterCustomObject(RESOURCE), 10_000)));
      expect(after, `round ${round}: requests after the reset`).toEqual(Array(8).fill('ok'));
    }
  });
});
