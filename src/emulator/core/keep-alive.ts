// Connection timeouts like an AWS endpoint's. A client that reuses a pooled socket the server
// has just closed as idle gets "socket hang up", and AWS keeps idle connections for minutes
// where Node's default is 5 s.

export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 120_000;

/** Node's default requestTimeout; hung "Timeout" faults end there at the latest. */
const NODE_REQUEST_TIMEOUT_MS = 300_000;

export interface ServerTimeouts {
  keepAliveTimeout: number;
  headersTimeout: number;
  requestTimeout: number;
}

/** headersTimeout outlasts keepAliveTimeout (so it can never cut an idle socket first), and Node refuses one above requestTimeout. */
export function serverTimeouts(keepAliveTimeoutMs: number = DEFAULT_KEEP_ALIVE_TIMEOUT_MS): ServerTimeouts {
  if (!Number.isInteger(keepAliveTimeoutMs) || keepAliveTimeoutMs < 1) {
    throw new Error(`keepAliveTimeoutMs must be a whole number of milliseconds ≥ 1, got ${keepAliveTimeoutMs}`);
  }
  const headersTimeout = keepAliveTimeoutMs + 1000;
  return { keepAliveTimeout: keepAliveTimeoutMs, headersTimeout, requestTimeout: Math.max(NODE_REQUEST_TIMEOUT_MS, headersTimeout) };
}
