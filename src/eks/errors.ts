export type AwsService = 'eks' | 'sts' | 'iam';

/**
 * An AWS call that failed, named by service and operation. Wraps whatever the SDK threw (a
 * modelled AWS exception, a timeout, a socket error, missing credentials) so the rest of the
 * controller sees one shape.
 */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  /** The AWS exception name (`x-amzn-errortype`), or the transport error's name. */
  readonly awsName: string;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(
    readonly operation: string,
    cause: unknown,
    readonly service: AwsService = 'eks',
    /** The access policy an association call was about. */
    readonly policyArn?: string,
  ) {
    const details = describeCause(cause);
    super(`${operation} failed: ${details.name}: ${details.message}`, { cause });
    this.awsName = details.name;
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
  }

  /** AWS's own message, stripped of what changes between attempts or leaks identities. */
  get awsMessage(): string {
    return sanitizeAwsMessage(describeCause(this.cause).message);
  }
}

interface CauseDetails {
  name: string;
  message: string;
  requestId?: string;
  httpStatus?: number;
}

function describeCause(cause: unknown): CauseDetails {
  if (!(cause instanceof Error)) return { name: 'UnknownError', message: String(cause) };
  const meta = (cause as { $metadata?: { requestId?: string; httpStatusCode?: number } }).$metadata;
  const code = (cause as { code?: unknown }).code;
  return {
    // Node socket errors carry their meaning in `code` (ECONNREFUSED), not in `name` (Error).
    name: cause.name === 'Error' && typeof code === 'string' ? code : cause.name,
    message: cause.message,
    ...(meta?.requestId ? { requestId: meta.requestId } : {}),
    ...(meta?.httpStatusCode ? { httpStatus: meta.httpStatusCode } : {}),
  };
}

const MAX_MESSAGE_LENGTH = 512;

/**
 * Messages end up in status conditions: one that changed on every attempt (request ids, session
 * names) would make every retry a status write, and a session name says more than a status should.
 */
export function sanitizeAwsMessage(message: string): string {
  const cleaned = message
    .replace(/(assumed-role\/[^/\s]+\/)[^\s:]+/g, '$1…')
    .replace(/\b(request ?id|requestid)\s*[:=]?\s*[0-9a-f-]{16,}/gi, '')
    .replace(/\bAKIA[0-9A-Z]{12,}\b/g, 'AKIA…')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > MAX_MESSAGE_LENGTH ? `${cleaned.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : cleaned;
}
