// What is kept of a served call: a line in the call log, an info line for the logger, and, when
// the emulator writes one, the IAM audit record.
import { serviceOf } from '../operations.ts';
import type { Authorization } from './audit.ts';
import type { Outcome, ServiceCall } from './call-pipeline.ts';
import { principalOf, type Caller } from './caller.ts';
import { present } from './optional.ts';
import type { EmulatorServices } from './services.ts';

export interface ServedCall {
  requestId: string;
  time: Date;
  ms: number;
  caller: Caller;
  call: ServiceCall;
  /** Present when the emulator writes audit records. */
  authorization?: Authorization;
}

/** What IAM would authorize the call on; a bug in reading it is logged, and the record says `*`. */
export function authorize(services: EmulatorServices, call: ServiceCall, caller: Caller): Authorization {
  try {
    return call.authorize({ state: services.state, location: caller.location, principal: principalOf(caller) });
  } catch (error) {
    services.logger?.error({ err: error, operation: call.operation }, 'EKS emulator bug: could not tell what IAM would authorize');
    return { resourceArn: '*' };
  }
}

export function recordCall(services: EmulatorServices, served: ServedCall, outcome: Outcome): void {
  logCall(services, served, outcome);
  if (served.authorization !== undefined) audit(services, served, served.authorization, outcome);
}

/** Into the call log and, when there is a logger, one info line. */
function logCall(services: EmulatorServices, served: ServedCall, outcome: Outcome): void {
  const { caller, call } = served;
  // The cluster, principal, policy or role the call addressed, those it has.
  const { operation: _operation, ...addressed } = call.target;
  const assumedRole = present('assumedRole', caller.session?.arn);
  services.calls.logCall({
    time: served.time.toISOString(),
    requestId: served.requestId,
    operation: call.operation,
    ...caller.location,
    ...addressed,
    ...present('clientRequestToken', call.clientRequestToken),
    ...present('accessKeyId', caller.accessKeyId),
    ...assumedRole,
    ...outcome,
    ...present('userAgent', caller.userAgent),
    ms: served.ms,
  });
  const message = `${serviceOf(call.operation).toUpperCase()} call`;
  services.logger?.info({ requestId: served.requestId, operation: call.operation, ...caller.location, ...assumedRole, ...outcome, ms: served.ms }, message);
}

function audit(services: EmulatorServices, { time, caller, call }: ServedCall, authorization: Authorization, outcome: Outcome): void {
  const service = serviceOf(call.operation);
  const { resourceArn, ...context } = authorization;
  try {
    services.audit?.write({
      time: time.toISOString(),
      service,
      action: `${service}:${call.operation}`,
      resourceArn,
      ...caller.location,
      callerArn: principalOf(caller).arn,
      ...present('userAgent', caller.userAgent),
      status: outcome.status,
      ...present('error', outcome.error),
      ...context,
    });
  } catch (error) {
    // A lost record would let a policy test pass without seeing the call: say so loudly.
    const message = `EKS emulator could not write the audit record of ${call.operation} to ${services.audit?.file}: ${String(error)}`;
    if (services.logger === undefined) process.stderr.write(`${message}\n`);
    else services.logger.error({ err: error }, message);
  }
}
