// Generates the TypeScript types of the API's kinds (AccessEntry, ClusterAccess) from their CRDs,
// so each CRD stays the one place its schema is written down. Run with `npm run generate`; a unit test fails when the
// committed output is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { compile } from 'json-schema-to-typescript';
import { API_VERSION, CLUSTER_ACCESS_CRD_NAME, CLUSTER_ACCESS_KIND, CRD_NAME, KIND } from '../src/api/names.ts';

const REPO_ROOT = join(import.meta.dirname, '..');
export const CRD_PATH = join(REPO_ROOT, 'crds', `${CRD_NAME}.yaml`);
export const GENERATED_TYPES_PATH = join(REPO_ROOT, 'src', 'api', `${API_VERSION}.generated.ts`);

/** Each kind: its CRD and the module generated from it. */
export const GENERATED_KINDS = [
  { kind: KIND, crdName: CRD_NAME, crdPath: CRD_PATH, outPath: GENERATED_TYPES_PATH },
  {
    kind: CLUSTER_ACCESS_KIND,
    crdName: CLUSTER_ACCESS_CRD_NAME,
    crdPath: join(REPO_ROOT, 'crds', `${CLUSTER_ACCESS_CRD_NAME}.yaml`),
    outPath: join(REPO_ROOT, 'src', 'api', `clusteraccess.${API_VERSION}.generated.ts`),
  },
] as const;

const header = (crdName: string): string => `// Generated from crds/${crdName}.yaml by \`npm run generate\` (scripts/generate-api-types.ts).
// Do not edit by hand: change the CRD and regenerate.
`;

const COMPILE_OPTIONS = {
  bannerComment: '',
  // Objects without additionalProperties in the CRD are closed: no index signature for them.
  additionalProperties: false,
  // Bounded arrays would otherwise become unions of tuples.
  ignoreMinAndMaxItems: true,
  unknownAny: true,
  style: { singleQuote: true, bracketSpacing: true, printWidth: 100, trailingComma: 'all' as const },
};

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  title?: string;
  [keyword: string]: unknown;
}

/** Returns the TypeScript source generated from a CRD's text: KIND + Spec, KIND + Status, Condition. */
export async function generateApiTypes(crdYaml: string, kind: string = KIND, crdName: string = CRD_NAME): Promise<string> {
  const root = versionSchema(crdYaml);
  const spec = requireNode(root.properties?.spec, 'properties.spec');
  const status = requireNode(root.properties?.status, 'properties.status');
  const conditions = requireNode(status.properties?.conditions, 'properties.status.properties.conditions');
  const conditionItem = requireNode(conditions.items, 'properties.status.properties.conditions.items');

  // Titles become the interface names.
  const statusWithNamedCondition: SchemaNode = {
    ...status,
    properties: { ...status.properties, conditions: { ...conditions, items: { ...conditionItem, title: 'Condition' } } },
  };
  const compileAs = (node: SchemaNode, title: string): Promise<string> =>
    compile({ ...node, title }, title, COMPILE_OPTIONS);
  const specTs = await compileAs(spec, `${kind}Spec`);
  const statusTs = await compileAs(statusWithNamedCondition, `${kind}Status`);
  return `${header(crdName)}\n${specTs.trim()}\n\n${statusTs.trim()}\n`;
}

function versionSchema(crdYaml: string): SchemaNode {
  const crd = loadYaml(crdYaml) as {
    spec?: { versions?: { name: string; schema?: { openAPIV3Schema?: SchemaNode } }[] };
  };
  const version = crd.spec?.versions?.find((v) => v.name === API_VERSION);
  return requireNode(version?.schema?.openAPIV3Schema, `versions[${API_VERSION}].schema.openAPIV3Schema`);
}

function requireNode(node: SchemaNode | undefined, path: string): SchemaNode {
  if (!node) throw new Error(`CRD has no ${path}: is it a complete CRD of this API?`);
  return node;
}

async function main(): Promise<void> {
  for (const { kind, crdName, crdPath, outPath } of GENERATED_KINDS) {
    await writeFile(outPath, await generateApiTypes(await readFile(crdPath, 'utf8'), kind, crdName));
    console.log(`wrote ${outPath}`);
  }
}

if (import.meta.main) await main();
