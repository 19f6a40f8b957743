// How a call's answer is written: EKS speaks REST-JSON, STS speaks awsQuery (XML). The call
// pipeline works with EksError and leaves the wire shape to the protocol.
import type { ServerResponse } from 'node:http';
import type { EksError } from './errors.ts';
import { sendEksError, sendJson } from './http-io.ts';

/** The status and error name a client sees. */
export interface ErrorAnswer {
  status: number;
  error: string;
}

export interface WireProtocol {
  sendResult(response: ServerResponse, result: unknown): void;
  /** Writes the error in this protocol's shape. */
  sendError(response: ServerResponse, error: EksError): ErrorAnswer;
  /** What the client would see for this error, without writing anything. */
  errorAnswer(error: EksError): ErrorAnswer;
}

const eksErrorAnswer = (error: EksError): ErrorAnswer => ({ status: error.status, error: error.name });

export const EKS_PROTOCOL: WireProtocol = {
  sendResult: (response, result) => sendJson(response, 200, result),
  sendError: (response, error) => {
    sendEksError(response, error);
    return eksErrorAnswer(error);
  },
  errorAnswer: eksErrorAnswer,
};
