import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AccessEntry } from '../api/accessentry.ts';
import type { EventReason } from '../api/reasons.ts';
import type { EventSink } from '../controller/reconciler.ts';

/** Events on cluster-scoped objects live in the default namespace, as kubectl describe expects. */
const EVENT_NAMESPACE = 'default';
const COMPONENT = 'eks-access-entry-controller';

export interface EventRecorderOptions {
  /** The same event for the same object is not repeated within this window, so retries do not flood. */
  dedupeWindowMs: number;
  log: Logger;
  now?: () => number;
}

/** Records Kubernetes Events for `kubectl describe`. Failing to record one never fails a reconcile. */
export class EventRecorder implements EventSink {
  readonly #api: CoreV1Api;
  readonly #lastSent = new Map<string, number>();
  readonly #now: () => number;

  constructor(
    kc: KubeConfig,
    private readonly options: EventRecorderOptions,
  ) {
    this.#api = kc.makeApiClient(CoreV1Api);
    this.#now = options.now ?? Date.now;
  }

  async emit(resource: AccessEntry, type: 'Normal' | 'Warning', reason: EventReason, message: string): Promise<void> {
    const uid = resource.metadata.uid ?? '';
    const fingerprint = `${uid}/${reason}/${message}`;
    const now = this.#now();
    const last = this.#lastSent.get(fingerprint);
    if (last !== undefined && now - last < this.options.dedupeWindowMs) return;
    this.#forgetOlderThan(now - this.options.dedupeWindowMs);
    this.#lastSent.set(fingerprint, now);
    try {
      await this.#api.createNamespacedEvent({ namespace: EVENT_NAMESPACE, body: this.#event(resource, { type, reason, message }, now) });
    } catch (err) {
      this.options.log.warn({ err, reason, accessEntry: resource.metadata.name }, 'could not record event');
    }
  }

  #event(resource: AccessEntry, { type, reason, message }: { type: string; reason: string; message: string }, now: number): CoreV1Event {
    const time = new Date(now);
    return {
      metadata: { generateName: `${resource.metadata.name ?? 'accessentry'}.`, namespace: EVENT_NAMESPACE },
      involvedObject: {
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        name: resource.metadata.name,
        uid: resource.metadata.uid,
        resourceVersion: resource.metadata.resourceVersion,
      },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component: COMPONENT },
      reportingComponent: COMPONENT,
      reportingInstance: COMPONENT,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    };
  }

  #forgetOlderThan(cutoff: number): void {
    for (const [fingerprint, sentAt] of this.#lastSent) if (sentAt < cutoff) this.#lastSent.delete(fingerprint);
  }
}
