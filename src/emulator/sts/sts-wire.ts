// STS's awsQuery protocol as @aws-sdk/client-sts reads it: results as
// <ActionResponse><ActionResult>…</ActionResult><ResponseMetadata><RequestId>, errors as
// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>, both text/xml.
import type { ServerResponse } from 'node:http';
import type { EksError, EksErrorName } from '../core/errors.ts';
import type { WireProtocol, ErrorAnswer } from '../core/wire-protocol.ts';

const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/**
 * STS's code and status for an error the emulator raises under its EKS name; the SDK names
 * the exception after the code. Errors without an STS counterpart keep their EKS name and status.
 */
const STS_ERRORS: Partial<Record<EksErrorName, ErrorAnswer>> = {
  ServerException: { error: 'InternalFailure', status: 500 },
  ServiceUnavailableException: { error: 'ServiceUnavailable', status: 503 },
  ThrottlingException: { error: 'Throttling', status: 400 },
  AccessDeniedException: { error: 'AccessDenied', status: 403 },
  InvalidParameterException: { error: 'InvalidParameterValue', status: 400 },
  UnrecognizedClientException: { error: 'InvalidClientTokenId', status: 403 },
  ExpiredTokenException: { error: 'ExpiredToken', status: 403 },
  InvalidSignatureException: { error: 'SignatureDoesNotMatch', status: 403 },
  ValidationException: { error: 'ValidationError', status: 400 },
};

export function stsErrorAnswer(error: EksError): ErrorAnswer {
  return STS_ERRORS[error.name] ?? { status: error.status, error: error.name };
}

/** A result's members: text, or a structure of further members (AssumeRole's Credentials). */
export interface XmlMembers {
  [name: string]: string | XmlMembers;
}

/** The protocol for one STS call: the action names the result element, the request id goes in the body too. */
export function stsProtocol(action: string, requestId: string): WireProtocol {
  return {
    sendResult: (response, result) => sendXml(response, 200, resultXml(action, result as XmlMembers, requestId)),
    sendError: (response, error) => {
      const answer = stsErrorAnswer(error);
      sendStsError(response, { ...answer, message: error.message }, requestId);
      return answer;
    },
    errorAnswer: stsErrorAnswer,
  };
}

export function sendStsError(response: ServerResponse, { status, error, message }: ErrorAnswer & { message: string }, requestId: string): void {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(error)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  sendXml(response, status, body);
}

function resultXml(action: string, result: XmlMembers, requestId: string): string {
  return (
    `<${action}Response xmlns="${STS_XMLNS}"><${action}Result>${membersXml(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function membersXml(members: XmlMembers): string {
  return Object.entries(members)
    .map(([name, value]) => `<${name}>${typeof value === 'string' ? escapeXml(value) : membersXml(value)}</${name}>`)
    .join('');
}

function sendXml(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}
