// The AWS request budget: many resources applied at once queue in the controller instead of
// storming EKS with throttled calls, and one account's quota sees one budget, whichever of its
// roles the calls are made with. (How fast it converges is measured by npm run bench.)
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, CLUSTER_ACCESS_KIND, CLUSTER_ACCESS_PLURAL } from '../../src/api/names.ts';
import { EKS_OPERATIONS, type CallLogEntry } from '../../src/emulator/index.ts';
import { uniqueName, waitFor } from '../testenv/kube.ts';
import { ACCOUNT, CLUSTER, Harness, role } from './support/harness.ts';

let h: Harness;
const accesses: string[] = [];
const clusterAccesses = { group: API_GROUP, version: API_VERSION, plural: CLUSTER_ACCESS_PLURAL };

beforeAll(async () => {
  h = await Harness.start();
  await h.stopController();
  await h.startController({ concurrency: 16, awsRateLimit: { requestsPerSecond: 20, burst: 5 } });
});
afterAll(async () => {
  h?.emulator.faults.setRateLimit(undefined);
  const api = h?.kc.makeApiClient(CustomObjectsApi);
  await Promise.allSettled(accesses.map((name) => api.deleteClusterCustomObject({ ...clusterAccesses, name })));
  await h?.close();
});

/** Creates `count` AccessEntries on `cluster` at once and waits for all of them to be Ready. */
async function burst(prefix: string, count: number, cluster = CLUSTER, principal = role): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => uniqueName(`${prefix}-${i}`));
  await Promise.all(names.map((name) => h.create(name, { clusterName: cluster, principalArn: principal(name) })));
  return names;
}

describe('the AWS request budget', () => {
  it('keeps a burst of new entries under an EKS rate limit it shares, with few throttles, and all converge', async () => {
    // EKS allows 25 requests per second here; the controller budgets 20 for itself.
    h.emulator.faults.setRateLimit({ requestsPerSecond: 25, burst: 5 });
    const names = await burst('budget', 60);
    await Promise.all(names.map((name) => h.waitForReady(name, 60_000)));
    const { calls } = h.emulator;
    const throttled = calls.countResult('ThrottlingException');
    const answered = Object.values(calls.outcomes()).reduce((sum, byResult) => sum + Object.values(byResult ?? {}).reduce((a, b) => a + b, 0), 0);
    expect(answered).toBeGreaterThanOrEqual(names.length);
    expect(throttled).toBeLessThanOrEqual(Math.ceil(answered * 0.05));
    h.emulator.faults.setRateLimit(undefined);
  });

  it('without a budget, a burst goes straight into EKS: every request beyond what EKS admits is throttled', async () => {
    await h.stopController();
    await h.startController({ concurrency: 16, awsRateLimit: { requestsPerSecond: 0, burst: 1 } });
    h.emulator.calls.reset();
    // EKS admits a burst of 10, and its bucket cannot refill while the test runs: how many of the
    // burst's requests it refuses does not depend on how fast this machine sends them.
    const admitted = 10;
    h.emulator.faults.setRateLimit({ requestsPerSecond: 0.001, burst: admitted });
    const names = await burst('storm', 30);
    // Each new entry makes its CreateAccessEntry at once; with no budget to queue them in, all
    // but the admitted ones meet the throttle (their retries meet it again).
    await waitFor(() => (h.emulator.calls.countResult('ThrottlingException') >= names.length - admitted ? true : undefined), {
      description: `at least ${names.length - admitted} throttles`,
      timeoutMs: 30_000,
    });
    h.emulator.faults.setRateLimit(undefined);
    await Promise.all(names.map((name) => h.waitForReady(name, 60_000)));
  });

  it('gives one account one budget: two roles of one account together stay within it', async () => {
    const account = '333333333333';
    const region = 'eu-west-1';
    const rate = { requestsPerSecond: 4, burst: 2 };
    await h.stopController();
    await h.startController({ concurrency: 16, awsRateLimit: rate });
    // Two clusters of one account, reached with a role each (as two teams' ClusterAccesses would be).
    const clusters = [uniqueName('team-a'), uniqueName('team-b')];
    for (const [i, cluster] of clusters.entries()) {
      const roleArn = `arn:aws:iam::${account}:role/eks-access-entry-controller-${i}`;
      h.emulator.state.setRoleTrust(roleArn, { allowedCallers: [ACCOUNT] });
      h.emulator.state.createCluster(cluster, { region, accountId: account, authenticationMode: 'API' });
      const name = uniqueName(`access-${i}`);
      await h.kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
        ...clusterAccesses,
        body: { apiVersion: API_GROUP_VERSION, kind: CLUSTER_ACCESS_KIND, metadata: { name }, spec: { clusterName: cluster, region, roleArn } },
      });
      accesses.push(name);
    }
    h.emulator.calls.reset();
    const inAccount = (name: string): string => `arn:aws:iam::${account}:role/${name}`;
    const names = (await Promise.all(clusters.map((cluster, i) => burst(`shared-${i}`, 12, cluster, inAccount)))).flat();
    await Promise.all(names.map((name) => h.waitForReady(name, 60_000)));

    const sent = h.emulator.calls.log().filter((c) => c.accountId === account && c.region === region && EKS_OPERATIONS.includes(c.operation as never));
    expect(new Set(sent.map((c) => c.assumedRole?.split('/')[1])), 'both roles made calls').toEqual(new Set(['eks-access-entry-controller-0', 'eks-access-entry-controller-1']));
    // A token bucket lets at most burst + rate × W requests go in any window of W seconds. Two
    // requests whose tokens were due apart can be sent together when this process was busy, so
    // the bound allows two more; one bucket per role (2 × burst + 2 × rate × W) would far exceed it.
    const windowSeconds = 2;
    const bound = rate.burst + rate.requestsPerSecond * windowSeconds + 2;
    expect(busiestWindow(sent, windowSeconds * 1000), `EKS requests of account ${account} in the busiest ${windowSeconds}-second window`).toBeLessThanOrEqual(bound);
  });
});

/** The most calls that arrived within any `windowMs` (counted from each call's arrival). */
function busiestWindow(calls: CallLogEntry[], windowMs: number): number {
  const times = calls.map((c) => Date.parse(c.time)).sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j]! < times[i]! + windowMs) j++;
    busiest = Math.max(busiest, j - i);
  }
  return busiest;
}
