// One call, EKS or STS, from arrival to answer: rate limit (per service, account, region) → latency → fault rules → credentials
// (temporary ones: token and expiry) → operation. (The server counts it first and logs it last.)
// Only LoseResponse lets a faulted call change state.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentialRefusal, principalOf, type Caller } from './caller.ts';
import type { Authorization } from './audit.ts';
import type { OperationContext } from './context.ts';
import { credentialFault } from '../faults/credential-faults.ts';
import { EksError } from './errors.ts';
import { isCredentialFault, type CallTarget, type ErrorAnswerFaultKind } from '../faults/fault-rules.ts';
import type { InjectedFault } from '../faults/faults.ts';
import { serviceOf, type Operation } from '../operations.ts';
import type { EmulatorServices } from './services.ts';
import type { WireProtocol } from './wire-protocol.ts';

export interface ServiceCall {
  operation: Operation;
  target: CallTarget;
  clientRequestToken?: string;
  protocol: WireProtocol;
  /** The request could not be decoded: counted and answered with this, never run. */
  rejection?: EksError;
  /** What IAM would authorize the call on, read from the state before the call changes it. */
  authorize: (context: OperationContext) => Authorization;
  /** Applies the call to the state; returns the result or throws an EksError. */
  run: (context: OperationContext) => unknown;
}

export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  /** Aborted when the emulator closes, to end waits early. */
  closing: AbortSignal;
}

/** What happened to one call, for the logs. */
export interface Outcome {
  /** 0 when nothing was answered. */
  status: number;
  error?: string;
  fault?: string;
}

type Applied = { result: unknown } | { error: EksError };

export async function serveCall(services: EmulatorServices, exchange: Exchange, caller: Caller, call: ServiceCall): Promise<Outcome> {
  const { response } = exchange;
  if (call.rejection !== undefined) return call.protocol.sendError(response, call.rejection);
  if (!services.faults.admit({ service: serviceOf(call.operation), ...caller.location })) return call.protocol.sendError(response, new EksError('ThrottlingException', 'Rate exceeded'));
  const latency = services.faults.latencyFor(call.operation);
  if (latency > 0 && !(await pause(latency, exchange.closing))) return { status: 0, error: 'EmulatorClosed' };
  const apply = (): Applied => applyCall(services, call, caller);
  const fault = services.faults.pick(call.target);
  if (fault !== undefined) return injectFault({ exchange, caller, call, fault }, apply);
  const applied = apply();
  if ('error' in applied) return call.protocol.sendError(response, applied.error);
  call.protocol.sendResult(response, applied.result);
  return { status: 200 };
}

function applyCall(services: EmulatorServices, call: ServiceCall, caller: Caller): Applied {
  const refused = credentialRefusal(caller, services.state.now());
  if (refused !== undefined) return { error: refused };
  try {
    return { result: call.run({ state: services.state, location: caller.location, principal: principalOf(caller) }) };
  } catch (error) {
    if (error instanceof EksError) return { error };
    services.logger?.error({ err: error, operation: call.operation }, 'EKS emulator bug');
    return { error: new EksError('ServerException', `The EKS emulator failed: ${String(error)}`) };
  }
}

interface Injection {
  exchange: Exchange;
  caller: Caller;
  call: ServiceCall;
  fault: InjectedFault;
}

function injectFault({ exchange, caller, call, fault }: Injection, apply: () => Applied): Outcome {
  const kind = fault.fault;
  switch (kind) {
    case 'Timeout':
      return { status: 0, fault: kind };
    case 'DropConnection':
      exchange.request.socket.destroy();
      return { status: 0, fault: kind };
    case 'LoseResponse': {
      // The state changes (and the token ledger remembers) exactly as on success; only the answer is lost.
      const applied = apply();
      exchange.request.socket.destroy();
      return { status: 0, fault: kind, ...('error' in applied ? { error: call.protocol.errorAnswer(applied.error).error } : {}) };
    }
    default: {
      const error = faultError(exchange.response, { caller, call, kind, fault });
      return { ...call.protocol.sendError(exchange.response, error), fault: kind };
    }
  }
}

function faultError(response: ServerResponse, { caller, call, kind, fault }: Omit<Injection, 'exchange'> & { kind: ErrorAnswerFaultKind }): EksError {
  if (isCredentialFault(kind)) {
    const { error, serverDate } = credentialFault(kind, caller.signedAt, fault.message);
    if (serverDate !== undefined) response.setHeader('date', serverDate.toUTCString());
    return error;
  }
  const clusterName = call.target.clusterName;
  const message = fault.message ?? `Injected ${kind} (EKS emulator fault rule ${fault.ruleId}).`;
  return new EksError(kind, message, clusterName === undefined ? {} : { clusterName });
}

/** Waits; false when the emulator closed meanwhile (the socket is gone, so there is nobody to answer). */
async function pause(ms: number, closing: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: closing });
    return true;
  } catch {
    return false;
  }
}
