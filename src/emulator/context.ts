// What an operation handler gets: the state, the request's region, and the decoded request.
import type { EmulatorState } from './state.ts';
import type { JsonObject } from './validation.ts';

export interface OperationContext {
  state: EmulatorState;
  /** From the SigV4 credential scope, else the emulator's defaultRegion. */
  region: string;
}

export interface OperationRequest {
  /** Path labels, already URL-decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  body: JsonObject;
}

/** Returns the JSON response body, or throws an EksError. */
export type OperationHandler = (context: OperationContext, request: OperationRequest) => unknown;

/** A path label the route table guarantees; a missing one is a bug in the table, not bad input. */
export function param(request: OperationRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined) throw new Error(`route is missing the path label {${name}}`);
  return value;
}
