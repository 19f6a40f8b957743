// What the emulator reads from a SigV4 signature: the credential scope (access key id, region,
// service) and the signing time. The signature itself is never checked, so any secret works.
import type { IncomingMessage } from 'node:http';

export interface SigningScope {
  accessKeyId?: string;
  region?: string;
  service?: string;
  /** X-Amz-Date, when present and well formed. */
  signedAt?: Date;
}

const CREDENTIAL_SCOPE = /Credential=([^/\s,]+)\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/i;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** From the Authorization header, else from a presigned URL's X-Amz-Credential; empty when unsigned. */
export function signingScope(request: IncomingMessage, query: URLSearchParams): SigningScope {
  const header = request.headers.authorization ?? '';
  const presigned = query.get('X-Amz-Credential');
  const match = CREDENTIAL_SCOPE.exec(header) ?? (presigned === null ? null : CREDENTIAL_SCOPE.exec(`Credential=${presigned}`));
  const signedAt = parseAmzDate(headerValue(request, 'x-amz-date') ?? query.get('X-Amz-Date') ?? undefined);
  const [, accessKeyId, region, service] = match ?? [];
  return {
    ...(accessKeyId === undefined ? {} : { accessKeyId }),
    ...(region === undefined ? {} : { region }),
    ...(service === undefined ? {} : { service }),
    ...(signedAt === undefined ? {} : { signedAt }),
  };
}

/** `20250101T120000Z` → Date; undefined for anything else. */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const parts = value === undefined ? null : AMZ_DATE.exec(value);
  if (parts === null) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/** The basic ISO 8601 form SigV4 uses: `20250101T120000Z`. */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
