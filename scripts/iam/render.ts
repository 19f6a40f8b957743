// What `npm run generate:iam` writes: each policy of scripts/iam/policies.ts, once per partition.
import { AWS_PARTITIONS, type AwsPartition } from '../../src/api/names.ts';
import type { PolicyDocument } from './document.ts';
import { POLICY_FILES, type PolicyFileName } from './policies.ts';

/** Where the generated files live, relative to the repository root. */
export const IAM_DIR = 'deploy/iam';

/** `controller-policy.json` for aws, `controller-policy-aws-cn.json` for the others. */
export function policyFileName(name: PolicyFileName, partition: AwsPartition): string {
  return partition === 'aws' ? `${name}.json` : `${name}-${partition}.json`;
}

export function policyDocument(name: PolicyFileName, partition: AwsPartition): PolicyDocument {
  return POLICY_FILES[name](partition);
}

/** Every generated file's text, by its path relative to the repository root. */
export function renderPolicyFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of Object.keys(POLICY_FILES) as PolicyFileName[]) {
    for (const partition of AWS_PARTITIONS) {
      files.set(`${IAM_DIR}/${policyFileName(name, partition)}`, `${JSON.stringify(policyDocument(name, partition), null, 2)}\n`);
    }
  }
  return files;
}
