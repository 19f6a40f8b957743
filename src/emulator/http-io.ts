// Reading requests and writing responses the way EKS does on the wire.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EksError } from './errors.ts';
import { isJsonObject, type JsonObject } from './validation.ts';

const MAX_BODY_BYTES = 1024 * 1024;

/** The JSON object body; an empty body is `{}`. Bad JSON is a SerializationException, as AWS answers. */
export async function readJsonBody(request: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new EksError('SerializationException', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EksError('SerializationException', 'The request body is not valid JSON.');
  }
  if (!isJsonObject(parsed)) throw new EksError('SerializationException', 'The request body must be a JSON object.');
  return parsed;
}

const CREDENTIAL_SCOPE = /Credential=[^/\s,]+\/\d{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request/i;

/** The region of the SigV4 credential scope (header or presigned query); the signature itself is not checked. */
export function signingRegion(request: IncomingMessage, query: URLSearchParams): string | undefined {
  const header = request.headers.authorization ?? '';
  const fromHeader = CREDENTIAL_SCOPE.exec(header)?.[1];
  if (fromHeader !== undefined) return fromHeader;
  const credential = query.get('X-Amz-Credential');
  return credential === null ? undefined : CREDENTIAL_SCOPE.exec(`Credential=${credential}`)?.[1];
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  response.end(payload);
}

/** Status, `x-amzn-errortype` (which the SDK maps to the exception class) and `{"message": ...}`. */
export function sendEksError(response: ServerResponse, error: EksError): void {
  sendJson(response, error.status, error.toBody(), { 'x-amzn-errortype': error.name });
}
