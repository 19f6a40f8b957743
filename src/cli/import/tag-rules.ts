// The CRD's rules for spec.tags, for tags found on an entry in EKS.
import { MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH, RESERVED_CONTROLLER_TAG_PREFIX, TAG_CHARACTER_CLASS } from '../../api/names.ts';

const TAG_TEXT = new RegExp(`^${TAG_CHARACTER_CLASS}*$`, 'u');

/** Why the CRD would refuse this tag in a spec, or undefined. */
export function tagProblem(key: string, value: string): string | undefined {
  if (key.toLowerCase().startsWith(RESERVED_CONTROLLER_TAG_PREFIX)) return `keys starting with ${RESERVED_CONTROLLER_TAG_PREFIX} are the controller's`;
  if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) return `keys are 1 to ${MAX_TAG_KEY_LENGTH} characters`;
  if (value.length > MAX_TAG_VALUE_LENGTH) return `values are at most ${MAX_TAG_VALUE_LENGTH} characters`;
  if (!TAG_TEXT.test(key) || !TAG_TEXT.test(value)) return 'it holds characters AWS does not allow in tags';
  return undefined;
}
