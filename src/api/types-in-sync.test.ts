import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CRD_PATH, GENERATED_KINDS, generateApiTypes } from '../../scripts/generate-api-types.ts';

describe('generated API types', () => {
  it.each(GENERATED_KINDS)('of $kind match what its CRD generates today', async ({ kind, crdName, crdPath, outPath }) => {
    const fresh = await generateApiTypes(await readFile(crdPath, 'utf8'), kind, crdName);
    const committed = await readFile(outPath, 'utf8');
    expect(committed, `${outPath} is stale: run \`npm run generate\``).toBe(fresh);
    expect(committed).toContain(`export interface ${kind}Spec {`);
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
