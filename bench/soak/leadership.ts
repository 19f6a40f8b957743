// The Lease the replicas elect their leader on, as the soak sees it from outside (admin access,
// never through the relay the replicas' connections go through): who holds it now, and how often
// that changed. The timings the replicas get are here, with why they are what they are.
import { ApiException, CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';

export interface LeaseRef {
  namespace: string;
  name: string;
}

/**
 * The replicas' --leader-election-* timings. The chaos refuses new API server connections for up
 * to 4 s (Chaos' blocks), and a healthy leader must ride that out. Its renew deadline runs from
 * the *sending* of its last successful renewal, which can be a retry period (plus a round trip)
 * before the block began; after the block ends, the next attempt starts up to a retry period
 * later and needs a GET and a PUT on fresh TLS connections. So the deadline must exceed
 * retry + 4 s + retry + two round trips, with room for a loaded 2-core machine:
 *
 * - retry 500 ms: a failed attempt (connection reset at once by the blocked relay) is tried
 *   again soon, so little of the deadline is lost on either side of a block;
 * - renew deadline 7 s: 4 s + 2 × 0.5 s = 5 s worst case, leaving 2 s of slack. (8 s / 6 s /
 *   1 s was tried first and lost leadership in blocks of 3-4 s, as this sum predicts: 6 s of
 *   deadline against 1 + 4 + 1 s plus round trips.)
 * - lease 9 s (whole seconds: the Lease records seconds): 2 s more than the deadline, so a leader
 *   whose timer fires late still steps down well before a standby may take over. A SIGKILLed
 *   leader is replaced within about 9.5 s, short enough for several hand-overs in a soak.
 */
export const LEASE_TIMINGS = { leaseDuration: '9s', renewDeadline: '7s', retryPeriod: '500ms' } as const;

/** `soak-a` of the holder identity `soak-a_1a2b3c4d` (POD_NAME, then a random suffix: see src/config.ts). */
export function replicaOf(identity: string): string {
  const at = identity.lastIndexOf('_');
  return at === -1 ? identity : identity.slice(0, at);
}

export class LeaseReader {
  readonly #api: CoordinationV1Api;

  constructor(
    kubeConfig: KubeConfig,
    readonly lease: LeaseRef,
  ) {
    this.#api = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** spec.holderIdentity now; '' when the Lease is released or not made yet. */
  async holder(): Promise<string> {
    try {
      const lease = await this.#api.readNamespacedLease(this.lease);
      return lease.spec?.holderIdentity ?? '';
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return '';
      throw err;
    }
  }

  /** Removes the run's Lease, so runs leave nothing behind in the namespace. */
  async delete(): Promise<void> {
    try {
      await this.#api.deleteNamespacedLease(this.lease);
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 404)) throw err;
    }
  }
}

export interface HandOver {
  from: string;
  to: string;
}

/**
 * The holders seen, sample by sample. A hand-over is a new holder after another one: the first
 * holder is not one, and neither is a released Lease (empty holder), which is only a pause.
 */
export class HolderHistory {
  handOvers = 0;
  /** Hand-overs to a process of another replica (not a restarted run of the same one). */
  toOtherReplica = 0;
  /** The last non-empty holder seen. */
  #holder = '';

  get holder(): string {
    return this.#holder;
  }

  /** Records a sample; returns the hand-over it shows, if it shows one. */
  sample(holder: string): HandOver | undefined {
    if (holder === '' || holder === this.#holder) return undefined;
    const from = this.#holder;
    this.#holder = holder;
    if (from === '') return undefined;
    this.handOvers++;
    if (replicaOf(from) !== replicaOf(holder)) this.toOtherReplica++;
    return { from, to: holder };
  }
}
