// The install guide's command that fills in the IAM placeholders (docs/install.md, "Fill in the
// placeholders") does to the shipped files what the tests' fillPlaceholders does, which the
// decision tables evaluate: run with jq on every shipped file, for the values the guide shows.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fillPlaceholders, unfilledPlaceholders, type PolicyDocument } from '../../scripts/iam/document.ts';
import { POLICY_FILES, type PolicyFileName } from '../../scripts/iam/policies.ts';
import { IAM_DIR, policyFileName } from '../../scripts/iam/render.ts';
import { AWS_PARTITIONS } from '../../src/api/names.ts';
import { shippedPolicy } from '../iam/installation.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const guide = readFileSync(join(ROOT, 'docs/install.md'), 'utf8');

/** The guide's `CONTROLLER_ID=...` line and its `fill` function, as written there. */
function fillCommand(): string {
  const match = /^(CONTROLLER_ID=\S+\nfill\(\) \{\n[\s\S]*?\n\}\n)/m.exec(guide);
  if (!match) throw new Error('docs/install.md has no CONTROLLER_ID=... line followed by a fill() { ... } function');
  return match[1]!;
}

/** The values the guide's example fills in. */
const GUIDE_VALUES = {
  CONTROLLER_ID: 'eks-access-entry-controller-0123456789ab',
  NODE_ROLE_NAME_PATTERN: 'eks-nodes/*',
  MANAGED_ACCOUNT_ID: ['222222222222'],
  ADOPTABLE_PRINCIPAL_ARN_PATTERN: ['arn:aws:iam::111111111111:role/legacy-*'],
  PROTECTED_PRINCIPAL_ARN_PATTERN: ['arn:aws:iam::111111111111:role/cluster-creator', 'arn:aws:iam::111111111111:role/eksctl-*'],
};

describe('the install guide fill command (needs jq)', () => {
  const files = (Object.keys(POLICY_FILES) as PolicyFileName[]).flatMap((name) => AWS_PARTITIONS.map((partition) => [name, partition] as const));

  it.each(files)('fills %s (%s) as the tests do, leaving no placeholder', (name, partition) => {
    const path = join(ROOT, IAM_DIR, policyFileName(name, partition));
    const output = execFileSync('bash', ['-c', `${fillCommand()}fill "$0"`, path], { encoding: 'utf8' });
    const filled = JSON.parse(output) as PolicyDocument;
    expect(filled).toEqual(fillPlaceholders(shippedPolicy(name, partition), GUIDE_VALUES));
    expect(unfilledPlaceholders(filled)).toEqual([]);
  });
});
