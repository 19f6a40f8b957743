// Admin routes over the emulator's controls: call counts and log, fault rules, latency, the
// rate limit, the entry quota, and which account each access key belongs to.
import type { AdminAnswer, AdminRequest, AdminRoute } from './types.ts';
import { created, need, ok } from './types.ts';
import { parseFaultRule } from '../faults/faults.ts';
import { isOperation, OPERATIONS } from '../operations.ts';
import type { EmulatorServices } from '../core/services.ts';
import { optionalString, requiredString } from '../core/json.ts';

export const CONTROL_ROUTES: readonly AdminRoute[] = [
  ['GET', '/_emulator/calls', callCounts],
  ['GET', '/_emulator/calls/log', callLog],
  ['DELETE', '/_emulator/calls', resetCalls],
  ['GET', '/_emulator/faults', listFaults],
  ['POST', '/_emulator/faults', addFault],
  ['DELETE', '/_emulator/faults', clearFaults],
  ['DELETE', '/_emulator/faults/{id}', removeFault],
  ['PUT', '/_emulator/latency', setLatency],
  ['PUT', '/_emulator/rate-limit', setRateLimit],
  ['PUT', '/_emulator/quota', setQuota],
  ['GET', '/_emulator/credentials', listAccessKeys],
  ['PUT', '/_emulator/credentials/{accessKeyId}', mapAccessKey],
  ['DELETE', '/_emulator/credentials/{accessKeyId}', unmapAccessKey],
];

function callCounts({ calls }: EmulatorServices): AdminAnswer {
  return ok({ total: calls.total(), writes: calls.writes(), reads: calls.reads(), byOperation: calls.snapshot(), outcomes: calls.outcomes() });
}

function resetCalls({ calls }: EmulatorServices): AdminAnswer {
  calls.reset();
  return ok({});
}

/** The recent calls, oldest first; ?operation= keeps one operation, ?limit= the newest n. */
function callLog({ calls }: EmulatorServices, { query }: AdminRequest): AdminAnswer {
  const operation = query.get('operation');
  if (operation !== null && !isOperation(operation)) throw new Error(`operation ${operation} is not one the emulator knows; use one of ${OPERATIONS.join(', ')}.`);
  const limit = query.get('limit');
  const count = limit === null ? undefined : Number(limit);
  if (count !== undefined && !(Number.isInteger(count) && count >= 1)) throw new Error(`limit must be a whole number ≥ 1, got '${limit}'.`);
  const entries = calls.log().filter((entry) => operation === null || entry.operation === operation);
  return ok({ calls: count === undefined ? entries : entries.slice(-count) });
}

function listFaults({ faults }: EmulatorServices): AdminAnswer {
  return ok({ rules: faults.list() });
}

function addFault({ faults }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  return created({ id: faults.add(parseFaultRule(body)) });
}

function clearFaults({ faults }: EmulatorServices): AdminAnswer {
  faults.clear();
  return ok({});
}

function removeFault({ faults }: EmulatorServices, { params }: AdminRequest): AdminAnswer {
  const id = need(params.id);
  if (faults.remove(id)) return ok({ removed: id });
  return { status: 404, body: { error: 'NotFound', message: `No fault rule with id ${id}.` } };
}

function setLatency({ faults }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  const ms = body.ms;
  if (typeof ms !== 'number') throw new Error('ms is required: {"ms": 200} or {"ms": 200, "operation": "CreateAccessEntry"}; {"ms": 0} removes it.');
  const operation = optionalString(body, 'operation');
  if (operation !== undefined && !isOperation(operation)) throw new Error(`operation ${operation} is not an operation the emulator knows.`);
  faults.setLatency(ms, operation);
  return ok({ ms, operation: operation ?? '*' });
}

function setRateLimit({ faults }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  const { requestsPerSecond, burst } = body;
  if (requestsPerSecond === undefined || requestsPerSecond === null) {
    faults.setRateLimit(undefined);
    return ok({ rateLimit: null });
  }
  if (typeof requestsPerSecond !== 'number' || (burst !== undefined && typeof burst !== 'number')) {
    throw new Error('Send {"requestsPerSecond": 5, "burst": 10} (numbers) to set the rate limit, or {} to remove it.');
  }
  faults.setRateLimit({ requestsPerSecond, ...(burst === undefined ? {} : { burst }) });
  return ok({ rateLimit: { requestsPerSecond, burst } });
}

function setQuota({ state }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  if (typeof body.entriesPerCluster !== 'number') throw new Error('Send {"entriesPerCluster": 3000}.');
  state.setEntryQuota(body.entriesPerCluster);
  return ok({ entriesPerCluster: body.entriesPerCluster });
}

function listAccessKeys({ state }: EmulatorServices): AdminAnswer {
  return ok({ defaultAccountId: state.accountId, accessKeys: state.accessKeyAccounts() });
}

function mapAccessKey({ state }: EmulatorServices, { params, body }: AdminRequest): AdminAnswer {
  const accessKeyId = need(params.accessKeyId);
  const accountId = requiredString(body, 'accountId');
  state.setAccountForAccessKey(accessKeyId, accountId);
  return ok({ accessKeyId, accountId });
}

function unmapAccessKey({ state }: EmulatorServices, { params }: AdminRequest): AdminAnswer {
  const accessKeyId = need(params.accessKeyId);
  if (state.removeAccessKey(accessKeyId)) return ok({ removed: accessKeyId });
  return { status: 404, body: { error: 'NotFound', message: `The access key ${accessKeyId} is not mapped; it already uses the default account ${state.accountId}.` } };
}
