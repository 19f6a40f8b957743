// What an operation handler gets: the state, where and who the caller is, and the decoded request.
import type { Location } from './location.ts';
import type { CallerPrincipal } from '../sts/role-sessions.ts';
import type { EmulatorState } from '../state.ts';
import type { JsonObject } from './json.ts';

export interface OperationContext {
  state: EmulatorState;
  /** The account of the caller's access key (else the default account) and the SigV4 scope's region (else the default region). */
  location: Location;
  /** Who the caller is as STS names it (the assumed-role session, or the emulator's IAM user); STS operations use it. */
  principal: CallerPrincipal;
}

export interface OperationRequest {
  /** Path labels, already URL-decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  body: JsonObject;
}

/** Returns the response body, or throws an EksError. */
export type OperationHandler = (context: OperationContext, request: OperationRequest) => unknown;

/** A path label the route table guarantees; a missing one is a bug in the table, not bad input. */
export function param(request: OperationRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined) throw new Error(`route is missing the path label {${name}}`);
  return value;
}
