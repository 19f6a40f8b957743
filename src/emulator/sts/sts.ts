// STS on the emulator's port: GetCallerIdentity, so a client can ask which account its
// credentials are in through the same endpoint override it uses for EKS, and AssumeRole, so it
// can act in another account's role. The SDK sends awsQuery: `POST /` with a form body such as
// `Action=GetCallerIdentity&Version=2011-06-15`, signed for the service `sts`.
import type { ServerResponse } from 'node:http';
import type { ServiceCall } from '../core/call-pipeline.ts';
import type { OperationContext } from '../core/context.ts';
import { present } from '../core/optional.ts';
import { queryProtocol, sendQueryError, type XmlMembers } from '../core/query-protocol.ts';
import { isStsOperation, STS_OPERATIONS, type StsOperation } from '../operations.ts';
import { assumeRole } from './assume-role.ts';
import { STS_SERVICE } from './sts-wire.ts';

export { STS_CALLER_NAME } from './role-sessions.ts';

/** The call the form names, or undefined when it names no STS action the emulator has (already answered). */
export function decodeStsCall(form: URLSearchParams, response: ServerResponse, requestId: string): ServiceCall | undefined {
  const action = form.get('Action');
  if (!isStsOperation(action)) {
    const message = `Could not find operation ${action ?? '(no Action)'} for version 2011-06-15; the emulator's STS has only ${STS_OPERATIONS.join(' and ')}.`;
    sendQueryError(response, STS_SERVICE, { status: 400, error: 'InvalidAction', message }, requestId);
    return undefined;
  }
  return { ...stsCall(action, form), protocol: queryProtocol(STS_SERVICE, action, requestId) };
}

function stsCall(action: StsOperation, form: URLSearchParams): Omit<ServiceCall, 'protocol'> {
  if (action === 'GetCallerIdentity') return { operation: action, target: { operation: action }, authorize: () => ({ resourceArn: '*' }), run: getCallerIdentity };
  const roleArn = form.get('RoleArn') ?? undefined;
  return {
    operation: action,
    target: { operation: action, ...present('roleArn', roleArn) },
    // Authorized on the role asked for, with the session name and external id as condition keys.
    authorize: () => ({
      resourceArn: roleArn ?? '*',
      ...present('roleSessionName', form.get('RoleSessionName') ?? undefined),
      ...present('externalId', form.get('ExternalId') ?? undefined),
    }),
    run: (context) => assumeRole(context, form),
  };
}

/** The caller's account, and its ARN: the assumed-role session for AssumeRole credentials, else the emulator's IAM user. */
export function getCallerIdentity({ principal }: OperationContext): XmlMembers {
  return { Arn: principal.arn, UserId: principal.userId, Account: principal.accountId };
}
