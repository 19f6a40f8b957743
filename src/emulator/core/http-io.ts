// Reading request bodies, and writing responses the way EKS does on the wire (REST-JSON).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EksError } from './errors.ts';
import { isJsonObject, type JsonObject } from './json.ts';

const MAX_BODY_BYTES = 1024 * 1024;

/** The whole body as UTF-8; past 1 MiB a SerializationException. */
export async function readBodyText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new EksError('SerializationException', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON object body; an empty body is `{}`. Bad JSON is a SerializationException, as AWS answers. */
export async function readJsonBody(request: IncomingMessage): Promise<JsonObject> {
  const text = (await readBodyText(request)).trim();
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
