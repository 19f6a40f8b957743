// Who may drive the admin API: only a client on this machine that says so. A web page the
// developer has open can make the browser send requests to 127.0.0.1 too: by DNS rebinding (its
// own name resolving to 127.0.0.1, so the Host header carries that name) or by a cross-site form
// post or "simple" fetch (which can only send text/plain, form or multipart bodies without a CORS
// preflight, and the emulator answers no preflight). Refusing other Host names and writes that
// are not JSON shuts both doors.
import type { AdminAnswer } from './types.ts';

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);
const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The hostname of a Host header without its port, lower case; `[::1]` keeps its brackets. */
export function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  const colon = trimmed.lastIndexOf(':');
  return colon === -1 ? trimmed : trimmed.slice(0, colon);
}

/** The media type of a Content-Type header without its parameters, lower case. */
function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Why this request may not reach the admin API (403 or 415), or undefined when it may. */
export function adminRefusal(method: string, headers: { host?: string | undefined; 'content-type'?: string | undefined }): AdminAnswer | undefined {
  const host = headers.host ?? '';
  if (!LOOPBACK_HOSTS.has(hostnameOf(host))) {
    return {
      status: 403,
      body: {
        error: 'Forbidden',
        message: `The admin API answers only requests addressed to 127.0.0.1, localhost or [::1] (any port); this one's Host header is '${host}'.`,
      },
    };
  }
  const contentType = headers['content-type'];
  if (WRITE_METHODS.has(method) && (contentType === undefined || mediaTypeOf(contentType) !== 'application/json')) {
    return {
      status: 415,
      body: {
        error: 'UnsupportedMediaType',
        message: `Admin API writes (${[...WRITE_METHODS].join(', ')}) must be sent with Content-Type: application/json, even with no body; this one has ${contentType === undefined ? 'none' : `'${contentType}'`}.`,
      },
    };
  }
  return undefined;
}
