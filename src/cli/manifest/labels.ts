// `-l key=value`: labels for every object written (a shard's --selector, a tenant, a team).
import { CliError } from '../shared/exit.ts';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_PREFIX_LENGTH = 253;

/** Parses `key=value` labels as Kubernetes validates them; throws a CliError naming a bad one. */
export function parseLabels(items: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of items) {
    const equals = item.indexOf('=');
    if (equals < 0) throw new CliError(`--label ${item}: give it as key=value, e.g. --label team=platform`);
    const key = item.slice(0, equals);
    const value = item.slice(equals + 1);
    const problem = labelKeyProblem(key) ?? (value === '' || NAME.test(value) ? undefined : 'the value must be at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit');
    if (problem) throw new CliError(`--label ${item}: ${problem}`);
    labels[key] = value;
  }
  return labels;
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > MAX_PREFIX_LENGTH || !PREFIX.test(prefix))) {
    return 'the key\'s prefix (before /) must be a DNS subdomain such as example.com';
  }
  return NAME.test(name) ? undefined : 'the key\'s name must be 1 to 63 letters, digits, -, _ or ., starting and ending with a letter or digit';
}
