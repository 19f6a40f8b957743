import { ConditionType } from '../api/names.ts';
import type { AccessEntryChange, ReadonlyAccessEntry } from './watch.ts';

interface Pending {
  uid: string;
  generation: number;
  /** performance.now() when this process first saw the generation. */
  since: number;
}

/**
 * Time to readiness, as Crossplane calls it: for each generation of an AccessEntry (created, or its
 * spec changed), the time from the moment this process first saw it in the watch to the moment the
 * watch shows it Ready for that generation. Queueing, the request budget, retries and backoff all
 * count: it is what the person who applied the change waits.
 *
 * Measured in this process, fed by every watch event, rather than read from the status: a
 * condition's lastTransitionTime moves only when its status flips (kstatus), so a new generation
 * arriving while the last one was still retrying keeps the older time. What it cannot see: a
 * generation whose work began under another process (before a restart or a leader hand-over) is
 * not observed; one that changed while no controller ran is timed from when this one listed it.
 * Only generations not yet Ready are held, one per resource at most.
 */
export class ReadinessClock {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly observe: (seconds: number) => void,
    private readonly now: () => number = (): number => performance.now(),
  ) {}

  seen(change: AccessEntryChange): void {
    const { object } = change;
    const name = object.metadata.name ?? '';
    // Deletion also moves the generation of a custom resource: that one never becomes Ready.
    if (change.type === 'deleted' || object.metadata.deletionTimestamp) {
      this.#pending.delete(name);
      return;
    }
    const uid = object.metadata.uid ?? '';
    const generation = object.metadata.generation ?? 0;
    const pending = this.#pending.get(name);
    const current = pending?.uid === uid && pending.generation === generation ? pending : undefined;
    if (readyFor(object, generation)) {
      if (current) this.observe((this.now() - current.since) / 1000);
      this.#pending.delete(name);
    } else if (!current) {
      this.#startUnlessBegunElsewhere(name, object, { uid, generation });
    }
  }

  /** How many generations are waiting to become Ready (for tests). */
  get waiting(): number {
    return this.#pending.size;
  }

  /** A generation the status already observed was started by another process: its start is unknown. */
  #startUnlessBegunElsewhere(name: string, object: ReadonlyAccessEntry, { uid, generation }: Omit<Pending, 'since'>): void {
    if (object.status?.observedGeneration === generation) this.#pending.delete(name);
    else this.#pending.set(name, { uid, generation, since: this.now() });
  }
}

/** Ready True, and for this generation (the condition's own observedGeneration when it has one). */
function readyFor(object: ReadonlyAccessEntry, generation: number): boolean {
  const ready = object.status?.conditions?.find((condition) => condition.type === ConditionType.Ready);
  return ready?.status === 'True' && (ready.observedGeneration ?? object.status?.observedGeneration) === generation;
}
