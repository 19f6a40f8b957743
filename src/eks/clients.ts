import { EKSClient } from '@aws-sdk/client-eks';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface EksClientOptions {
  /** Overrides the EKS endpoint, e.g. the emulator's http://127.0.0.1:4566. */
  endpoint?: string;
  /** SDK attempts per call; the work queue's backoff retries beyond that. */
  maxAttempts: number;
  requestTimeoutMs: number;
}

/**
 * One EKS client per region, created on first use. Credentials come from the SDK's default
 * chain, so IRSA and EKS Pod Identity work without code. Later, clients per account (assumed
 * roles) slot in here without the reconciler noticing.
 */
export class EksClientPool {
  readonly #clients = new Map<string, EKSClient>();

  constructor(private readonly options: EksClientOptions) {}

  forRegion(region: string): EKSClient {
    let client = this.#clients.get(region);
    if (!client) {
      client = new EKSClient({
        region,
        maxAttempts: this.options.maxAttempts,
        // Without throwOnRequestTimeout the SDK only warns and keeps waiting on a hung socket.
        requestHandler: new NodeHttpHandler({
          requestTimeout: this.options.requestTimeoutMs,
          connectionTimeout: this.options.requestTimeoutMs,
          throwOnRequestTimeout: true,
        }),
        ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
      });
      this.#clients.set(region, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }
}
