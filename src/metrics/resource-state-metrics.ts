import { Gauge, Histogram, type Registry } from 'prom-client';
import type { AccessEntryConditionSample, ClusterAccessConditionSample, ResourceStateMetrics } from './controller-metrics.ts';

/**
 * From a loopback emulator (well under a second) through retries with backoff (minutes) to a
 * Stalled resource fixed by a person (hours).
 */
const TIME_TO_READY_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

type Labels<T extends string> = Partial<Record<T, string>>;

/**
 * A gauge whose series are read from their source at each scrape, each of value 1, and held
 * nowhere in between: at ten thousand resources a gauge that kept them would hold tens of
 * thousands of label sets from one scrape to the next, a second copy of what the watch cache
 * already says.
 */
class ScrapedGauge<T extends string> extends Gauge<T> {
  #read: () => Iterable<Labels<T>> = () => [];

  /** Replaces the source; until one is given, the family has no series. */
  readFrom(read: () => Iterable<Labels<T>>): void {
    this.#read = read;
  }

  override async get(): Promise<Awaited<ReturnType<Gauge<T>['get']>>> {
    // The family's name, help, type and aggregator; nothing is ever set, so no values.
    const family = await super.get();
    return { ...family, values: Array.from(this.#read(), (labels) => ({ labels, value: 1 })) };
  }
}

/**
 * The per-resource series: one per condition of each resource, value 1, read from the watch cache
 * at each scrape, so a resource that is gone or a condition that changed leaves no stale series.
 * The label is `cluster_name`, not `cluster`: monitoring stacks use `cluster` for the Kubernetes
 * cluster a series was scraped in (here the management cluster), and a target label of that name
 * would be renamed to `exported_cluster` or overwrite theirs.
 */
export class ResourceStateSeries implements ResourceStateMetrics {
  readonly #entries: ScrapedGauge<'name' | 'cluster_name' | 'condition' | 'status' | 'reason'>;
  readonly #clusterAccesses: ScrapedGauge<'name' | 'cluster_name' | 'region' | 'condition' | 'status' | 'reason'>;
  readonly #timeToReady: Histogram;

  constructor(registers: Registry[]) {
    this.#entries = new ScrapedGauge({
      name: 'eks_access_entry_status_condition',
      help: 'Conditions of each AccessEntry (1 per condition present): name, EKS cluster_name, condition (Ready, Reconciling, Stalled), status (True, False, Unknown) and reason; Ready status Unknown with no reason when the controller has not written one yet',
      labelNames: ['name', 'cluster_name', 'condition', 'status', 'reason'],
      registers,
    });
    this.#clusterAccesses = new ScrapedGauge({
      name: 'eks_access_entry_cluster_access_status_condition',
      help: 'The Ready condition of each ClusterAccess (1): name, EKS cluster_name, region, status (True, False, Unknown) and reason',
      labelNames: ['name', 'cluster_name', 'region', 'condition', 'status', 'reason'],
      registers,
    });
    this.#timeToReady = new Histogram({
      name: 'eks_access_entry_time_to_ready_seconds',
      help: 'Time from the moment the controller first saw a generation of an AccessEntry (created or changed) to the moment the watch showed it Ready for that generation',
      buckets: TIME_TO_READY_BUCKETS,
      registers,
    });
    this.#timeToReady.zero({});
  }

  accessEntryConditions(read: () => Iterable<AccessEntryConditionSample>): void {
    this.#entries.readFrom(function* () {
      for (const { name, clusterName, condition, status, reason } of read()) yield { name, cluster_name: clusterName, condition, status, reason };
    });
  }

  clusterAccessConditions(read: () => Iterable<ClusterAccessConditionSample>): void {
    this.#clusterAccesses.readFrom(function* () {
      for (const { name, clusterName, region, condition, status, reason } of read()) yield { name, cluster_name: clusterName, region, condition, status, reason };
    });
  }

  timeToReady(seconds: number): void {
    if (Number.isFinite(seconds)) this.#timeToReady.observe(Math.max(0, seconds));
  }
}
