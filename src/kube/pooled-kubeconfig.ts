import { createHash } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * A KubeConfig whose API calls share connections. client-node builds a new connection pool for
 * every request (a new TLS handshake each time, and sockets left open until they time out), which
 * made each AccessEntry cost milliseconds of CPU and the process hundreds of MiB. Here the first
 * pool made for a set of TLS credentials is kept and reused; headers (a rotated ServiceAccount
 * token, an exec plugin's token) are still applied per request by client-node itself. When the
 * credentials change (a renewed client certificate), the old pool is closed once its requests end.
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
    const key = await this.#credentialsKey();
    if (this.#pool?.key !== key) {
      const previous = this.#pool;
      this.#pool = { key, dispatcher: fresh };
      void previous?.dispatcher.close().catch(() => undefined);
    }
    context.setDispatcher(this.#pool.dispatcher);
  }

  /** What the pool's connections were made with: CA, client certificate and key, server name. */
  async #credentialsKey(): Promise<string> {
    const options: RequestOptions = {};
    await this.applyToHTTPSOptions(options);
    const hash = createHash('sha256');
    for (const part of [options.ca, options.cert, options.key, options.pfx, options.servername, String(options.rejectUnauthorized)]) {
      hash.update(part === undefined ? '-' : Buffer.isBuffer(part) || typeof part === 'string' ? part : JSON.stringify(part));
      hash.update('\0');
    }
    return hash.digest('hex');
  }
}
