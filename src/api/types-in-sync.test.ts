import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CRD_PATH, GENERATED_TYPES_PATH, generateApiTypes } from '../../scripts/generate-api-types.ts';

describe('generated API types', () => {
  it('match what the CRD generates today', async () => {
    const fresh = await generateApiTypes(await readFile(CRD_PATH, 'utf8'));
    const committed = await readFile(GENERATED_TYPES_PATH, 'utf8');
    expect(committed, 'src/api/v1alpha1.generated.ts is stale: run `npm run generate`').toBe(fresh);
  });

  it('follow a change to the CRD', async () => {
    const crd = await readFile(CRD_PATH, 'utf8');
    const changed = crd.replace('adoptExisting:', 'adoptEverything:');
    expect(changed).not.toBe(crd);
    const source = await generateApiTypes(changed);
    expect(source).toContain('adoptEverything?: boolean;');
    expect(source).not.toContain('adoptExisting?:');
  });

  it('names the interfaces the rest of the code imports', async () => {
    const source = await generateApiTypes(await readFile(CRD_PATH, 'utf8'));
    for (const name of ['AccessEntrySpec', 'AccessEntryStatus', 'Condition']) {
      expect(source).toContain(`export interface ${name} {`);
    }
    expect(source).toMatch(/^\/\/ Generated from .* by `npm run generate`/);
  });

  it('explains what is wrong when given something that is not the CRD', async () => {
    await expect(generateApiTypes('kind: ConfigMap\n')).rejects.toThrow(/openAPIV3Schema/);
  });
});
