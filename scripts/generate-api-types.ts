// Generates the TypeScript types of the AccessEntry API from the CRD, so the CRD stays the one
// place the schema is written down. Run with `npm run generate`; a unit test fails when the
// committed output is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { compile } from 'json-schema-to-typescript';
import { API_VERSION, CRD_NAME } from '../src/api/names.ts';

const REPO_ROOT = join(import.meta.dirname, '..');
export const CRD_PATH = join(REPO_ROOT, 'crds', `${CRD_NAME}.yaml`);
export const GENERATED_TYPES_PATH = join(REPO_ROOT, 'src', 'api', `${API_VERSION}.generated.ts`);

const HEADER = `// Generated from crds/${CRD_NAME}.yaml by \`npm run generate\` (scripts/generate-api-types.ts).
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

/** Returns the TypeScript source generated from the CRD's text. */
export async function generateApiTypes(crdYaml: string): Promise<string> {
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
  const specTs = await compileAs(spec, 'AccessEntrySpec');
  const statusTs = await compileAs(statusWithNamedCondition, 'AccessEntryStatus');
  return `${HEADER}\n${specTs.trim()}\n\n${statusTs.trim()}\n`;
}

function versionSchema(crdYaml: string): SchemaNode {
  const crd = loadYaml(crdYaml) as {
    spec?: { versions?: { name: string; schema?: { openAPIV3Schema?: SchemaNode } }[] };
  };
  const version = crd.spec?.versions?.find((v) => v.name === API_VERSION);
  return requireNode(version?.schema?.openAPIV3Schema, `versions[${API_VERSION}].schema.openAPIV3Schema`);
}

function requireNode(node: SchemaNode | undefined, path: string): SchemaNode {
  if (!node) throw new Error(`CRD has no ${path}: is ${CRD_PATH} a complete AccessEntry CRD?`);
  return node;
}

async function main(): Promise<void> {
  const source = await generateApiTypes(await readFile(CRD_PATH, 'utf8'));
  await writeFile(GENERATED_TYPES_PATH, source);
  console.log(`wrote ${GENERATED_TYPES_PATH}`);
}

if (import.meta.main) await main();
