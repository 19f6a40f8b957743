// The IAM files in deploy/iam/ are generated, one per partition, from scripts/iam/policies.ts:
// a hand edit, or a source change not regenerated, fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderPolicyFiles } from '../../scripts/iam/render.ts';
import { AWS_PARTITIONS } from '../../src/api/names.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const generated = renderPolicyFiles();

describe('deploy/iam', () => {
  it.each([...generated.keys()])('%s is what npm run generate:iam writes', (path) => {
    const committed = readFileSync(join(ROOT, path), 'utf8');
    expect(committed === generated.get(path), `${path} differs from scripts/iam/policies.ts: run npm run generate:iam`).toBe(true);
  });

  it('holds the generated files and the two hand-written trust policies of the controller role, nothing else', () => {
    const present = readdirSync(join(ROOT, 'deploy/iam')).filter((file) => file.endsWith('.json')).map((file) => `deploy/iam/${file}`);
    expect(present.sort()).toEqual([...generated.keys(), 'deploy/iam/irsa-trust-policy.json', 'deploy/iam/pod-identity-trust-policy.json'].sort());
  });

  it('gives each partition the same statements, differing only in the partition of their ARNs', () => {
    for (const [path, text] of generated) {
      if (AWS_PARTITIONS.some((partition) => partition !== 'aws' && path.endsWith(`-${partition}.json`))) continue;
      for (const partition of AWS_PARTITIONS.filter((p) => p !== 'aws')) {
        const variant = generated.get(path.replace(/\.json$/, `-${partition}.json`))!;
        expect(variant, path).toBeDefined();
        // EC2 may be named with the .cn suffix in China regions: the only other difference.
        const normalized = variant.replaceAll(`arn:${partition}:`, 'arn:aws:').replace(/\[\s*"ec2\.amazonaws\.com",\s*"ec2\.amazonaws\.com\.cn"\s*\]/, '"ec2.amazonaws.com"');
        expect(normalized, `${path} and its ${partition} variant`).toBe(text);
        expect(variant, path).not.toContain('arn:aws:');
      }
    }
  });
});
