// Optional members under exactOptionalPropertyTypes: a key is either there with a value, or absent.

/** `{ [key]: value }`, or nothing when there is no value. */
export function present<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
