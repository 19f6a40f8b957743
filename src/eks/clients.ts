import { EKSClient } from '@aws-sdk/client-eks';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface AwsClientOptions {
  /** Overrides the EKS endpoint, e.g. the emulator's http://127.0.0.1:4566. */
  eksEndpoint?: string;
  /** Overrides the STS endpoint (the emulator serves STS on its EKS port too). */
  stsEndpoint?: string;
  /** SDK attempts per call; the work queue's backoff retries beyond that. */
  maxAttempts: number;
  requestTimeoutMs: number;
}

/**
 * One EKS and one STS client per region, created on first use. Credentials come from the SDK's
 * default chain, so IRSA and EKS Pod Identity work without code: all clients share that one
 * credential set (CREDENTIAL_SET). Later, clients per account (assumed roles) slot in here,
 * each under a credential set of its own, without the reconciler noticing.
 */
export class AwsClients {
  readonly #eks = new Map<string, EKSClient>();
  readonly #sts = new Map<string, STSClient>();

  constructor(private readonly options: AwsClientOptions) {}

  eks(region: string): EKSClient {
    return cached(this.#eks, region, () => new EKSClient(this.#config(region, this.options.eksEndpoint)));
  }

  sts(region: string): STSClient {
    return cached(this.#sts, region, () => new STSClient(this.#config(region, this.options.stsEndpoint)));
  }

  /** The credential set the clients of a region sign with; the key of the caller-identity cache. */
  credentialSet(_region: string): string {
    return CREDENTIAL_SET;
  }

  destroy(): void {
    for (const client of [...this.#eks.values(), ...this.#sts.values()]) client.destroy();
    this.#eks.clear();
    this.#sts.clear();
  }

  #config(region: string, endpoint: string | undefined): SharedClientConfig {
    return {
      region,
      maxAttempts: this.options.maxAttempts,
      // Adaptive: beside retrying, the SDK slows this client down while EKS throttles it.
      retryMode: 'adaptive',
      // Without throwOnRequestTimeout the SDK only warns and keeps waiting on a hung socket.
      requestHandler: new NodeHttpHandler({
        requestTimeout: this.options.requestTimeoutMs,
        connectionTimeout: this.options.requestTimeoutMs,
        throwOnRequestTimeout: true,
      }),
      ...(endpoint ? { endpoint } : {}),
    };
  }
}

/** What the EKS and STS clients are configured with alike. */
interface SharedClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: 'adaptive';
  requestHandler: NodeHttpHandler;
  endpoint?: string;
}

/** The SDK's default credential chain. */
const CREDENTIAL_SET = 'default';

function cached<T>(clients: Map<string, T>, region: string, create: () => T): T {
  let client = clients.get(region);
  if (!client) {
    client = create();
    clients.set(region, client);
  }
  return client;
}
