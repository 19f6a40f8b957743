// STS on the emulator's port: GetCallerIdentity, so a client can ask which account its
// credentials are in through the same endpoint override it uses for EKS. The SDK sends awsQuery:
// `POST /` with the form body `Action=GetCallerIdentity&Version=2011-06-15`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { partitionForRegion } from './arn.ts';
import type { ServiceCall } from './call-pipeline.ts';
import type { OperationContext } from './context.ts';
import { EksError } from './errors.ts';
import { readBodyText } from './http-io.ts';
import { isStsOperation } from './operations.ts';
import { sendStsError, stsProtocol } from './sts-wire.ts';

/** The IAM user every caller appears as; only its account changes. */
export const STS_CALLER_NAME = 'emulator';

/** STS requests are the ones for the root path; EKS has no operation there. */
export function isStsPath(rawPath: string): boolean {
  return rawPath === '/';
}

/** The call the request names, or undefined when it names no STS action the emulator has (already answered). */
export async function decodeStsCall(request: IncomingMessage, response: ServerResponse, query: URLSearchParams, requestId: string): Promise<ServiceCall | undefined> {
  let form: URLSearchParams;
  try {
    form = new URLSearchParams(await readBodyText(request));
  } catch (error) {
    const message = error instanceof EksError ? error.message : String(error);
    sendStsError(response, { status: 400, error: 'MalformedInput', message }, requestId);
    return undefined;
  }
  const action = form.get('Action') ?? query.get('Action');
  if (!isStsOperation(action)) {
    const message = `Could not find operation ${action ?? '(no Action)'} for version 2011-06-15; the emulator's STS has only GetCallerIdentity.`;
    sendStsError(response, { status: 400, error: 'InvalidAction', message }, requestId);
    return undefined;
  }
  return { operation: action, target: { operation: action }, protocol: stsProtocol(action, requestId), run: getCallerIdentity };
}

export function getCallerIdentity({ location }: OperationContext): Record<string, string> {
  return {
    Arn: `arn:${partitionForRegion(location.region)}:iam::${location.accountId}:user/${STS_CALLER_NAME}`,
    UserId: `AIDAEMULATOR${location.accountId}`,
    Account: location.accountId,
  };
}
