// What the AccessEntry CRD and EKS refuse in the fields taken from elsewhere (aws-auth, EKS
// itself), checked before a document is written so that everything written is accepted. The
// CRD holds the same rules as CEL; these say what to do in a report line instead.
import { RESERVED_GROUP_PREFIX, RESERVED_USERNAME_PREFIXES } from '../../api/names.ts';

const MAX_NAME_FIELD_LENGTH = 256;
const MAX_GROUPS = 100;
const CONTROL_CHARACTER = /\p{Cc}/u;
const SESSION_NAME = '{{SessionName}}';

/** Why EKS or the CRD would refuse this username, or undefined when it is fine. */
export function usernameProblem(username: string): string | undefined {
  const reserved = RESERVED_USERNAME_PREFIXES.find((prefix) => username.toLowerCase().startsWith(prefix));
  if (reserved) return `username ${JSON.stringify(username)} starts with ${reserved}, a prefix EKS reserves`;
  const session = username.indexOf(SESSION_NAME);
  if (session >= 0 && !username.slice(0, session).includes(':')) {
    return `username ${JSON.stringify(username)} has ${SESSION_NAME} with no colon before it, which EKS refuses`;
  }
  if (CONTROL_CHARACTER.test(username)) return `username ${JSON.stringify(username)} holds a control character`;
  if (username.length > MAX_NAME_FIELD_LENGTH) return `username is longer than ${MAX_NAME_FIELD_LENGTH} characters`;
  return undefined;
}

/** Why EKS or the CRD would refuse this group (other than a system: group, which callers judge), or undefined. */
export function groupProblem(group: string): string | undefined {
  if (group === '') return 'a group name is empty';
  if (group.startsWith(RESERVED_GROUP_PREFIX)) return `group ${JSON.stringify(group)} starts with ${RESERVED_GROUP_PREFIX}, which EKS refuses`;
  if (CONTROL_CHARACTER.test(group)) return `group ${JSON.stringify(group)} holds a control character`;
  if (group.length > MAX_NAME_FIELD_LENGTH) return `group ${JSON.stringify(group.slice(0, 40))}… is longer than ${MAX_NAME_FIELD_LENGTH} characters`;
  return undefined;
}

export function groupsProblem(groups: readonly string[]): string | undefined {
  if (groups.length > MAX_GROUPS) return `it has ${groups.length} groups, more than the ${MAX_GROUPS} an AccessEntry takes`;
  return groups.map(groupProblem).find((problem) => problem !== undefined);
}
