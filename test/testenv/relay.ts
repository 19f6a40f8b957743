// A TCP relay in front of the API server that a test (or the soak) can cut, and a KubeConfig
// that goes through it. TLS passes through untouched, so the API server's certificate for
// 127.0.0.1 still verifies.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * `sever()` resets every connection (as a load balancer or a restarting API server would),
 * `block()` makes it refuse new ones until `unblock()`, `stall()` makes it a black hole (new
 * connections accepted, nothing answered: requests hang as on a lost network) until `unblock()`.
 */
export class Relay {
  /** Client-side sockets of the connections open now; each has an upstream twin in `sockets`. */
  private readonly clients = new Set<Socket>();
  private readonly sockets = new Set<Socket>();
  private blocked = false;
  private stalled = false;
  /** Connections accepted while stalled: never forwarded, reset on unblock(). */
  private readonly held = new Set<Socket>();
  private readonly server: Server;

  constructor(private readonly target: URL) {
    this.server = createServer((client) => this.relay(client));
  }

  /** Starts listening on a free loopback port; resolves to the URL to use instead of the target's. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('relay has no TCP address');
    return `${this.target.protocol}//127.0.0.1:${address.port}`;
  }

  /** Resets every open connection; returns how many client connections were cut. */
  sever(): number {
    const cut = this.clients.size;
    for (const socket of this.sockets) socket.resetAndDestroy();
    return cut;
  }

  /** Cuts every connection and refuses new ones until unblock(); returns how many were cut. */
  block(): number {
    this.blocked = true;
    return this.sever();
  }

  /** Cuts every connection, then accepts new ones without ever answering, until unblock(); returns how many were cut. */
  stall(): number {
    this.stalled = true;
    return this.sever();
  }

  unblock(): void {
    this.blocked = false;
    this.stalled = false;
    for (const socket of this.held) socket.resetAndDestroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.unblock();
    this.sever();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    if (this.blocked) {
      client.resetAndDestroy();
      return;
    }
    if (this.stalled) {
      this.held.add(client);
      client.on('error', () => this.held.delete(client));
      return;
    }
    const upstream = connect(Number(this.target.port), this.target.hostname);
    this.clients.add(client);
    client.on('close', () => this.clients.delete(client));
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}

/** A copy of `kubeConfig` whose clusters are reached at `server` (a relay), credentials unchanged. */
export function withServer(kubeConfig: KubeConfig, server: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kubeConfig.clusters.map((cluster) => ({ ...cluster, server })),
    users: kubeConfig.users,
    contexts: kubeConfig.contexts,
    currentContext: kubeConfig.currentContext,
  });
  return copy;
}
