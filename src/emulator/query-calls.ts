// The calls for `/`: STS and IAM both speak the query protocol there (EKS has no operation on
// the root path). The SigV4 credential scope names the service the client signed for (`sts`,
// `iam`); an unsigned request is told apart by the form's Version (IAM's 2010-05-08).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceCall } from './core/call-pipeline.ts';
import { formErrorMessage, readQueryForm, sendQueryError } from './core/query-protocol.ts';
import { signingScope } from './core/sigv4.ts';
import { decodeIamCall } from './iam/calls.ts';
import { IAM_SERVICE, IAM_VERSION } from './iam/wire.ts';
import { decodeStsCall } from './sts/sts.ts';
import { STS_SERVICE } from './sts/sts-wire.ts';

export function isQueryPath(rawPath: string): boolean {
  return rawPath === '/';
}

/** The call the request names, or undefined when it names none the emulator has (already answered). */
export async function decodeQueryCall(request: IncomingMessage, response: ServerResponse, query: URLSearchParams, requestId: string): Promise<ServiceCall | undefined> {
  const signedFor = signingScope(request, query).service;
  let form: URLSearchParams;
  try {
    form = await readQueryForm(request, query);
  } catch (error) {
    const service = signedFor === 'iam' ? IAM_SERVICE : STS_SERVICE;
    sendQueryError(response, service, { status: 400, error: 'MalformedInput', message: formErrorMessage(error) }, requestId);
    return undefined;
  }
  const isIam = signedFor === 'iam' || (signedFor === undefined && form.get('Version') === IAM_VERSION);
  return isIam ? decodeIamCall(form, response, requestId) : decodeStsCall(form, response, requestId);
}
