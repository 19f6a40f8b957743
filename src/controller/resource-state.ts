// What the metrics say of each resource, read from the watch cache at scrape time: counts by
// condition, and one sample per condition of each AccessEntry and ClusterAccess. Pure functions of
// the cached objects: nothing is kept between scrapes, and no watch event does any bookkeeping.
import type { Condition } from '../api/accessentry.ts';
import type { ClusterAccess } from '../api/clusteraccess.ts';
import { ConditionType } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import {
  CONDITION_STATUSES,
  RESOURCE_CONDITIONS,
  type AccessEntryConditionSample,
  type ClusterAccessConditionSample,
  type ConditionStatus,
  type ResourceCondition,
  type ResourceCounts,
} from '../metrics/index.ts';
import type { DeepReadonly, ReadonlyAccessEntry } from './watch.ts';

/** The `reason` label of a reason this controller never writes (someone else wrote the status). */
export const OTHER_REASON = 'Other';
const KNOWN_REASONS: ReadonlySet<string> = new Set(Object.values(Reason));

type ReadonlyCondition = DeepReadonly<Condition>;

export function countConditions(entries: readonly ReadonlyAccessEntry[]): ResourceCounts {
  const counts: Record<ResourceCondition, number> = { Ready: 0, Reconciling: 0, Stalled: 0 };
  for (const entry of entries) {
    for (const condition of entry.status?.conditions ?? []) {
      if (condition.status === 'True' && isResourceCondition(condition.type)) counts[condition.type]++;
    }
  }
  return counts;
}

/**
 * One sample per kstatus condition of each AccessEntry. An entry without a Ready condition (the
 * controller has not written its status yet, or never will: it is stuck behind others or the
 * controller is down) reads Ready Unknown, so "not Ready" counts it and an alert can name it.
 */
export function* accessEntryConditionSamples(entries: Iterable<ReadonlyAccessEntry>): Generator<AccessEntryConditionSample> {
  for (const entry of entries) {
    const resource = { name: entry.metadata.name ?? '', clusterName: entry.spec.clusterName };
    yield* conditionSamples(entry.status?.conditions ?? [], resource);
  }
}

/** The Ready condition of each ClusterAccess (the only one it has); Unknown until its status is written. */
export function* clusterAccessConditionSamples(accesses: Iterable<DeepReadonly<ClusterAccess>>): Generator<ClusterAccessConditionSample> {
  for (const access of accesses) {
    const ready = (access.status?.conditions ?? []).filter((condition) => condition.type === ConditionType.Ready);
    const resource = { name: access.metadata.name ?? '', clusterName: access.spec.clusterName, region: access.spec.region };
    yield* conditionSamples(ready, resource);
  }
}

function* conditionSamples<R extends { name: string; clusterName: string }>(
  conditions: readonly ReadonlyCondition[],
  resource: R,
): Generator<R & Omit<AccessEntryConditionSample, 'name' | 'clusterName'>> {
  let ready = false;
  for (const { type, status, reason } of conditions) {
    if (!isResourceCondition(type) || !isConditionStatus(status)) continue;
    ready ||= type === ConditionType.Ready;
    yield { ...resource, condition: type, status, reason: KNOWN_REASONS.has(reason) ? reason : OTHER_REASON };
  }
  if (!ready) yield { ...resource, condition: ConditionType.Ready, status: 'Unknown', reason: '' };
}

function isResourceCondition(type: string): type is ResourceCondition {
  return (RESOURCE_CONDITIONS as readonly string[]).includes(type);
}

function isConditionStatus(status: string): status is ConditionStatus {
  return (CONDITION_STATUSES as readonly string[]).includes(status);
}
