// EKS's rules for a resource's tags (clusters and access entries alike).
import { MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH, MAX_TAGS, RESERVED_TAG_PREFIX } from '../../../api/names.ts';
import { invalidParameter } from '../../core/errors.ts';

/** Checks a complete tag set (after merging, for TagResource). */
export function validateTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw invalidParameter(`A resource can have at most ${MAX_TAGS} tags; this request would leave ${keys.length}.`);
  for (const key of keys) {
    if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH) {
      throw invalidParameter(`The tag key '${key}' must be 1 to ${MAX_TAG_KEY_LENGTH} characters long.`);
    }
    if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) {
      throw invalidParameter(`The tag key ${key} uses the reserved prefix ${RESERVED_TAG_PREFIX}; choose a key without it.`);
    }
    const value = tags[key] ?? '';
    if (value.length > MAX_TAG_VALUE_LENGTH) {
      throw invalidParameter(`The value of tag ${key} is ${value.length} characters long; the maximum is ${MAX_TAG_VALUE_LENGTH}.`);
    }
  }
}
