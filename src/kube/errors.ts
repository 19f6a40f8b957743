import { ApiException } from '@kubernetes/client-node';

/**
 * A Kubernetes API call that failed, with a message that stays the same from one attempt to the
 * next. client-node's own message carries the response headers (Audit-Id, Date), which change on
 * every attempt: in a status condition that would make every retry a status write and an Event.
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  /** The HTTP status, when the API server answered. */
  readonly code: number | undefined;
  /** The Status reason (Conflict, NotFound, Forbidden, Invalid...), when the API server gave one. */
  readonly reason: string | undefined;

  constructor(action: string, cause: unknown) {
    const details = describeCause(cause);
    super(`${action}: ${details.summary}`, { cause });
    this.code = details.code;
    this.reason = details.reason;
  }
}

/** Runs a Kubernetes API call, rethrowing its failure as a KubeApiError that names `action`. */
export async function kubeCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new KubeApiError(action, err);
  }
}

interface CauseDetails {
  summary: string;
  code?: number;
  reason?: string;
}

function describeCause(cause: unknown): CauseDetails {
  if (cause instanceof ApiException) {
    const status = statusBody(cause.body);
    const code = cause.code;
    const summary = [String(code), status.reason, status.message].filter((part) => part !== undefined && part !== '').join(' ');
    return { summary, code, ...(status.reason ? { reason: status.reason } : {}) };
  }
  if (cause instanceof Error) {
    // fetch wraps socket errors: the code (ECONNREFUSED, UND_ERR_SOCKET) sits on its cause.
    const inner = (cause as { cause?: { code?: unknown } }).cause;
    const code = typeof inner?.code === 'string' ? inner.code : (cause as { code?: unknown }).code;
    return { summary: typeof code === 'string' ? `${code}: ${cause.message}` : cause.message };
  }
  return { summary: String(cause) };
}

function statusBody(body: unknown): { reason?: string; message?: string } {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { message: body.slice(0, 512) };
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const { reason, message } = parsed as { reason?: unknown; message?: unknown };
  return {
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}
