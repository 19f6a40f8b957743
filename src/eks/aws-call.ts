// One AWS call, as every gateway makes it: timed, counted, logged with its request id, and any
// failure rethrown as an AwsCallError naming the service and operation, so failures are classified
// in one place whichever service (EKS, STS, IAM) answered.
import type { Logger } from 'pino';
import type { AwsMetrics } from '../metrics/index.ts';
import { AwsCallError, type AwsService } from './errors.ts';

export type Answer = { $metadata: { requestId?: string } };
export type AwsCall = { service: AwsService; operation: string; policyArn?: string };

export interface CallReporting {
  metrics: AwsMetrics;
  log: Logger;
}

export async function callAws<Out extends Answer>(call: AwsCall, send: () => Promise<Out>, { metrics, log }: CallReporting): Promise<Out> {
  const { operation } = call;
  const started = performance.now();
  try {
    const out = await send();
    metrics.awsCall(call.service, operation, undefined, elapsed(started) / 1000);
    log.debug({ operation, awsRequestId: out.$metadata.requestId, ms: elapsed(started) }, 'AWS call');
    return out;
  } catch (cause) {
    // A request that waited for its account's budget and found STS unable to name the account:
    // STS's failure, already logged and counted, is the one to explain.
    if (cause instanceof AwsCallError) throw cause;
    const err = new AwsCallError(operation, cause, call.service, call.policyArn);
    metrics.awsCall(call.service, operation, err.awsName, elapsed(started) / 1000);
    log.info({ operation, awsRequestId: err.requestId, awsError: err.awsName, ms: elapsed(started) }, 'AWS call failed');
    throw err;
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
