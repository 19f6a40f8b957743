import { createHash } from 'node:crypto';
import type { AgentOptions } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import { Agent } from 'undici';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** How long a request may wait for response headers before its connection is given up on. */
const HEADERS_TIMEOUT_MS = 60_000;

/**
 * A KubeConfig whose API calls share connections. client-node builds a new connection pool for
 * every request (a new TLS handshake each time, and sockets left open until they time out), which
 * made each AccessEntry cost milliseconds of CPU and the process hundreds of MiB. Here one pool is
 * kept per set of TLS credentials; headers (a rotated ServiceAccount token, an exec plugin's token)
 * are still applied per request by client-node itself. When the credentials change (a renewed
 * client certificate), the old pool is closed once its requests end.
 *
 * The pool speaks HTTP/1.1 only. undici's HTTP/2 session, once shared, could be left waiting
 * forever on a stream after its connection was reset (the soak found the controller idle with
 * every request hung); with HTTP/1.1 a reset fails the request on that socket and the next one
 * opens a new socket. Proxies keep client-node's own dispatcher.
 */
export class PooledKubeConfig extends KubeConfig {
  #pool: { key: string; dispatcher: Dispatcher } | undefined;

  /** A pooled copy of `kc`: the same clusters, users and contexts. */
  static from(kc: KubeConfig): PooledKubeConfig {
    if (kc instanceof PooledKubeConfig) return kc;
    const pooled = new PooledKubeConfig();
    pooled.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
    return pooled;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    // No TLS material (plain http behind a proxy, say): client-node's default dispatcher pools already.
    if (fresh === undefined) return;
    const tls: AgentOptions = {};
    await this.applyToHTTPSOptions(tls);
    const key = credentialsKey(tls);
    if (this.#pool?.key !== key) {
      const previous = this.#pool;
      this.#pool = { key, dispatcher: this.#dispatcherFor(tls) ?? fresh };
      void previous?.dispatcher.close().catch(() => undefined);
    }
    if (fresh !== this.#pool.dispatcher) void fresh.close().catch(() => undefined);
    context.setDispatcher(this.#pool.dispatcher);
  }

  /** An HTTP/1.1 pool with client-node's TLS and keep-alive settings; undefined behind a proxy. */
  #dispatcherFor(tls: AgentOptions): Dispatcher | undefined {
    const options = this.createDispatcherOptions(this.getCurrentCluster(), tls);
    if (options.type !== 'agent') return undefined;
    return new Agent({ connect: options.connect, allowH2: false, headersTimeout: HEADERS_TIMEOUT_MS });
  }
}

/** What a pool's connections are made with: CA, client certificate and key, server name. */
function credentialsKey(tls: AgentOptions): string {
  const hash = createHash('sha256');
  for (const part of [tls.ca, tls.cert, tls.key, tls.pfx, tls.servername, String(tls.rejectUnauthorized)]) {
    hash.update(part === undefined ? '-' : Buffer.isBuffer(part) || typeof part === 'string' ? part : JSON.stringify(part));
    hash.update('\0');
  }
  return hash.digest('hex');
}
