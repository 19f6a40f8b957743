// AWS's query protocol (awsQuery), as STS and IAM speak it and @aws-sdk/client-sts and
// client-iam read it: a form-encoded `POST /` (`Action=…&Version=…&…`), results as
// <ActionResponse xmlns=NS><ActionResult>…</ActionResult><ResponseMetadata><RequestId>, errors as
// <ErrorResponse xmlns=NS><Error><Type/><Code/><Message/></Error><RequestId/>, both text/xml.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EksError, type EksErrorName } from './errors.ts';
import { readBodyText } from './http-io.ts';
import type { ErrorAnswer, WireProtocol } from './wire-protocol.ts';

/** A result's members: text, a structure of further members, or a list (written as `<member>` items). */
export type XmlValue = string | XmlMembers | XmlValue[];

export interface XmlMembers {
  [name: string]: XmlValue;
}

/** One service's dialect: its XML namespace, and its codes and statuses for the errors the emulator raises. */
export interface QueryService {
  xmlns: string;
  /** The service's code and status for an error raised under its EKS name; errors not listed keep their name and status. */
  errors: Partial<Record<EksErrorName, ErrorAnswer>>;
}

export function queryErrorAnswer(service: QueryService, error: EksError): ErrorAnswer {
  return service.errors[error.name] ?? { status: error.status, error: error.name };
}

/**
 * The protocol for one call: the action names the result element, the request id goes in the
 * body too. A result of `undefined` (DeleteRole and the like) is an answer with no Result element.
 */
export function queryProtocol(service: QueryService, action: string, requestId: string): WireProtocol {
  return {
    sendResult: (response, result) => sendXml(response, 200, resultXml(service, action, result as XmlMembers | undefined, requestId)),
    sendError: (response, error) => {
      const answer = queryErrorAnswer(service, error);
      sendQueryError(response, service, { ...answer, message: error.message }, requestId);
      return answer;
    },
    errorAnswer: (error) => queryErrorAnswer(service, error),
  };
}

/** The form: the body, with the query string's members as a fallback (a presigned GET carries them there). */
export async function readQueryForm(request: IncomingMessage, query: URLSearchParams): Promise<URLSearchParams> {
  const form = new URLSearchParams(await readBodyText(request));
  for (const [name, value] of query) if (!form.has(name)) form.set(name, value);
  return form;
}

export function sendQueryError(
  response: ServerResponse,
  service: QueryService,
  { status, error, message }: ErrorAnswer & { message: string },
  requestId: string,
): void {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${service.xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(error)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  sendXml(response, status, body);
}

/** The message of an error met while reading the form (a body past 1 MiB). */
export function formErrorMessage(error: unknown): string {
  return error instanceof EksError ? error.message : String(error);
}

function resultXml(service: QueryService, action: string, result: XmlMembers | undefined, requestId: string): string {
  const body = result === undefined ? '' : `<${action}Result>${membersXml(result)}</${action}Result>`;
  return `<${action}Response xmlns="${service.xmlns}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

function membersXml(members: XmlMembers): string {
  return Object.entries(members)
    .map(([name, value]) => `<${name}>${valueXml(value)}</${name}>`)
    .join('');
}

function valueXml(value: XmlValue): string {
  if (typeof value === 'string') return escapeXml(value);
  if (Array.isArray(value)) return value.map((item) => `<member>${valueXml(item)}</member>`).join('');
  return membersXml(value);
}

function sendXml(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}
