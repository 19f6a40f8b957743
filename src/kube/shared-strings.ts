/** Enough for every value the cached objects of a fleet repeat; unique ones are never offered. */
const DEFAULT_LIMIT = 2048;

/**
 * One copy of each string value that many cached objects hold word for word. JSON.parse gives
 * every object its own copy of each string longer than a few characters, so ten thousand cached
 * AccessEntries held ten thousand copies of the same apiVersion, finalizer, condition message
 * and managed tag keys: megabytes of the cache. Past `limit` distinct values the pool takes no
 * more (a fleet whose messages all differ gains nothing from it), and what it holds is only
 * ever shared, never changed.
 */
export class SharedStrings {
  readonly #pool = new Map<string, string>();

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /** The pooled copy of `value`, equal to it. */
  share<T extends string | undefined>(value: T): T {
    if (value === undefined) return value;
    const pooled = this.#pool.get(value);
    if (pooled !== undefined) return pooled as T;
    if (this.#pool.size < this.limit) this.#pool.set(value, value);
    return value;
  }

  get size(): number {
    return this.#pool.size;
  }
}

type Fields = Record<string, unknown>;

/**
 * Replaces, in place, the values that cached AccessEntries and ClusterAccesses repeat with their
 * pooled copies: the type, the finalizers, the cluster and its region, the Kubernetes groups,
 * each condition but its time, the managed tag keys and the account. The username EKS assigned
 * is, unless one was set, the same string as the username: the object keeps one copy of it. Only
 * fields that hold strings are touched, and each keeps an equal value.
 */
export function shareRepeatedStrings(object: object, strings: SharedStrings): void {
  const root = object as Fields;
  const spec = fieldsOf(root.spec);
  const status = fieldsOf(root.status);
  shareFields(root, ['apiVersion', 'kind'], strings);
  shareItems(fieldsOf(root.metadata)?.finalizers, strings);
  shareFields(spec, ['clusterName', 'region'], strings);
  shareItems(spec?.kubernetesGroups, strings);
  if (!status) return;
  for (const condition of Array.isArray(status.conditions) ? status.conditions : []) shareFields(fieldsOf(condition), ['type', 'status', 'reason', 'message'], strings);
  shareItems(status.managedTagKeys, strings);
  shareFields(status, ['accountId', 'region'], strings);
  if (typeof status.assignedUsername === 'string' && status.assignedUsername === status.username) status.assignedUsername = status.username;
}

function fieldsOf(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

function shareFields(fields: Fields | undefined, keys: readonly string[], strings: SharedStrings): void {
  if (!fields) return;
  for (const key of keys) {
    const value = fields[key];
    if (typeof value === 'string') fields[key] = strings.share(value);
  }
}

function shareItems(items: unknown, strings: SharedStrings): void {
  if (!Array.isArray(items)) return;
  items.forEach((item: unknown, i) => {
    if (typeof item === 'string') items[i] = strings.share(item);
  });
}
