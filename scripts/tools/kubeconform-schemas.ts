// Writes JSON schemas that kubeconform can validate manifests with, offline, from a live API
// server's /openapi/v3: every kind it serves, CRDs included (install them first), as one
// standalone file per kind and version. kubeconform's default schemas are on the internet, and
// the ones published elsewhere refer to each other by absolute URLs it cannot follow here.
//
//   npx tsx scripts/tools/kubeconform-schemas.ts --kubeconfig PATH --out DIR
//   kubeconform -strict -schema-location 'DIR/{{ .ResourceKind }}{{ .KindSuffix }}.json' ...
//
// Each file holds its kind's schema with every schema it refers to copied under $defs (so
// recursive ones, such as a CRD's JSONSchemaProps, stay finite) and refs pointing there. It is
// strict: an object that lists its properties gets additionalProperties: false unless Kubernetes
// says it keeps unknown fields, so a misspelt field fails validation as the API server's
// strict field validation would. File names follow kubeconform's template variables:
// deployment-apps-v1.json, accessentry-eksaccess-v1alpha1.json, configmap-v1.json.
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';

type Schema = Record<string, unknown>;
interface OpenApiDocument {
  components?: { schemas?: Record<string, Schema> };
}
interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const COMPONENT_REF = '#/components/schemas/';
const DEFS_REF = '#/$defs/';
const GVK = 'x-kubernetes-group-version-kind';

/** Attempts at a GET: a busy API server sometimes ends a large response early. */
const GET_ATTEMPTS = 3;

/**
 * GET a path of the API server as JSON, with the kubeconfig's credentials and CA. A connection
 * lost or a body cut short is tried again; every failure is a rejection, never a throw from a
 * stream callback (which would take down the process that runs this).
 */
async function getJson<T>(kc: KubeConfig, path: string): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const options: Parameters<typeof request>[1] = { method: 'GET', headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  for (let attempt = 1; ; attempt++) {
    try {
      return JSON.parse(await getBody(url, options)) as T;
    } catch (error) {
      if (error instanceof HttpStatusError || attempt === GET_ATTEMPTS) throw new Error(`GET ${path}: ${String(error)}`, { cause: error });
    }
  }
}

class HttpStatusError extends Error {}

function getBody(url: URL, options: Parameters<typeof request>[1]): Promise<string> {
  return new Promise<string>((done, fail) => {
    const req = request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('error', fail);
      res.on('end', () => (res.statusCode === 200 ? done(body) : fail(new HttpStatusError(`HTTP ${String(res.statusCode)} ${body.slice(0, 200)}`))));
    });
    req.on('error', fail);
    req.end();
  });
}

/** kubeconform's file name for a kind: lower-case kind, then the group's first label (if any), then the version. */
export function schemaFileName({ group, version, kind }: GroupVersionKind): string {
  const groupLabel = group === '' ? '' : `-${group.split('.')[0]!.toLowerCase()}`;
  return `${kind.toLowerCase()}${groupLabel}-${version.toLowerCase()}.json`;
}

const refName = (ref: string): string | undefined => (ref.startsWith(COMPONENT_REF) ? ref.slice(COMPONENT_REF.length) : undefined);

/** Names of every component schema reachable from `schema`. */
function reachable(schema: unknown, components: Record<string, Schema>, seen = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) reachable(item, components, seen);
  } else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') follow(value, components, seen);
      else reachable(value, components, seen);
    }
  }
  return seen;
}

function follow(ref: string, components: Record<string, Schema>, seen: Set<string>): void {
  const name = refName(ref);
  if (name === undefined || seen.has(name)) return;
  const target = components[name];
  if (!target) throw new Error(`dangling $ref ${ref}`);
  seen.add(name);
  reachable(target, components, seen);
}

/** OpenAPI's extensions in JSON Schema terms, refs pointed at $defs, and objects closed. */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = `${DEFS_REF}${refName(value) ?? value}`;
    // Maps of schemas, not schemas: their keys are names, not keywords.
    else if (key === 'properties' || key === 'patternProperties' || key === '$defs') {
      out[key] = Object.fromEntries(Object.entries(value as Schema).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else if (key === 'nullable' || key.startsWith('x-kubernetes-')) continue;
    else out[key] = toJsonSchema(value);
  }
  return withKubernetesExtensions(schema as Schema, out);
}

function withKubernetesExtensions(source: Schema, out: Schema): Schema {
  let result = out;
  if (source['x-kubernetes-int-or-string'] === true && result.type === undefined) {
    result = { ...result, anyOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  const open = source['x-kubernetes-preserve-unknown-fields'] === true;
  if (result.properties !== undefined && result.additionalProperties === undefined && !open) {
    result = { ...result, additionalProperties: false };
  }
  if (source.nullable === true) {
    result = typeof result.type === 'string' ? { ...result, type: [result.type, 'null'] } : { anyOf: [{ type: 'null' }, result] };
  }
  return result;
}

/** One kind's schema as a file of its own: no refs leave it. */
export function standaloneSchema(name: string, components: Record<string, Schema>): Schema {
  const root = components[name];
  if (!root) throw new Error(`no schema ${name}`);
  const defs = Object.fromEntries([...reachable(root, components)].sort().map((dep) => [dep, toJsonSchema(components[dep])]));
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...(toJsonSchema(root) as Schema), $defs: defs };
}

/** The kinds a group-version document defines itself (not the shared meta types it also lists under other groups). */
function ownKinds(gvPath: string, components: Record<string, Schema>): Array<[string, GroupVersionKind]> {
  const [group, version] = gvPath.startsWith('api/') ? ['', gvPath.slice('api/'.length)] : gvPath.slice('apis/'.length).split('/') as [string, string];
  const kinds: Array<[string, GroupVersionKind]> = [];
  for (const [name, schema] of Object.entries(components)) {
    const gvks = (schema[GVK] as GroupVersionKind[] | undefined) ?? [];
    for (const gvk of gvks) if (gvk.group === group && gvk.version === version) kinds.push([name, gvk]);
  }
  return kinds;
}

export interface SchemaSet {
  dir: string;
  /** File name → schema name, e.g. deployment-apps-v1.json → io.k8s.api.apps.v1.Deployment. */
  files: Map<string, string>;
}

/** Fetches /openapi/v3 and writes one standalone strict schema per served kind into `dir`. */
export async function writeKubeconformSchemas(kc: KubeConfig, dir: string): Promise<SchemaSet> {
  const index = await getJson<{ paths: Record<string, { serverRelativeURL: string }> }>(kc, '/openapi/v3');
  const groupVersions = Object.entries(index.paths).filter(([path]) => path === 'api/v1' || /^apis\/[^/]+\/[^/]+$/.test(path));
  const documents = await Promise.all(
    groupVersions.map(async ([path, { serverRelativeURL }]) => [path, await getJson<OpenApiDocument>(kc, serverRelativeURL)] as const),
  );
  await mkdir(dir, { recursive: true });
  const files = new Map<string, string>();
  for (const [path, document] of documents) {
    const components = document.components?.schemas ?? {};
    for (const [name, gvk] of ownKinds(path, components)) {
      const file = schemaFileName(gvk);
      const previous = files.get(file);
      if (previous !== undefined && previous !== name) throw new Error(`${file} would hold both ${previous} and ${name}: two groups share a first label`);
      files.set(file, name);
      await writeFile(join(dir, file), `${JSON.stringify(standaloneSchema(name, components))}\n`);
    }
  }
  return { dir, files };
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never throws on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; onStderrLine?: (line: string) => void } = {},
): Promise<CommandResult> {
  return new Promise((done, fail) => {
    const stdin: 'ignore' | 'pipe' = options.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, stdio: [stdin, 'pipe', 'pipe'] as const });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', (line) => {
      stderr += `${line}\n`;
      options.onStderrLine?.(line);
    });
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
    // A command that exits without reading all of its input is its own failure, reported by its exit code.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  });
}

const TOOLS_DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * Builds (first run only) or finds a tool with scripts/tools/NAME.sh and returns the path of its
 * binary. The script's progress lines ([tools] ...) are passed on, so a cold build shows it is alive.
 */
export async function ensureTool(name: 'helm' | 'kubeconform', log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<string> {
  const script = join(TOOLS_DIR, `${name}.sh`);
  const result = await runCommand('bash', [script], { timeoutMs: 60 * 60_000, onStderrLine: (line) => line.startsWith('[tools]') && log(line) });
  if (result.code !== 0) throw new Error(`${script} failed (exit ${String(result.code)}):\n${result.stderr.split('\n').slice(-30).join('\n')}`);
  const dir = result.stdout.trim().split('\n').at(-1) ?? '';
  return join(dir, name);
}

/** kubeconform's -schema-location for a directory written by writeKubeconformSchemas. */
export const schemaLocation = (dir: string): string => join(dir, '{{ .ResourceKind }}{{ .KindSuffix }}.json');

export interface KubeconformReport {
  code: number | null;
  /** One line per resource: "stdin - Deployment x is invalid: ...". */
  output: string;
  summary: { resources: number; valid: number; invalid: number; errors: number; skipped: number };
}

/**
 * Validates a multi-document YAML text strictly: unknown fields and duplicate keys are errors, and
 * so is a kind without a schema (no -ignore-missing-schemas), so nothing passes unchecked.
 */
export async function kubeconform(bin: string, schemaDir: string, yaml: string): Promise<KubeconformReport> {
  const result = await runCommand(bin, ['-strict', '-summary', '-verbose', '-schema-location', schemaLocation(schemaDir), '-'], { input: yaml });
  const match = /(\d+) resources? found.*Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)/.exec(result.stdout);
  if (!match) throw new Error(`kubeconform printed no summary (exit ${String(result.code)}): ${result.stdout}${result.stderr}`);
  const [resources, valid, invalid, errors, skipped] = match.slice(1).map(Number) as [number, number, number, number, number];
  return { code: result.code, output: result.stdout, summary: { resources, valid, invalid, errors, skipped } };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, out: { type: 'string' } }, strict: true });
  if (!values.out) {
    process.stderr.write('usage: kubeconform-schemas.ts [--kubeconfig PATH] --out DIR\n');
    process.exit(2);
  }
  const kc = new KubeConfig();
  if (values.kubeconfig) kc.loadFromFile(values.kubeconfig);
  else kc.loadFromDefault();
  const { files } = await writeKubeconformSchemas(kc, resolve(values.out));
  process.stderr.write(`wrote ${files.size} schemas into ${resolve(values.out)}\n`);
  process.stdout.write(`${resolve(values.out)}/{{ .ResourceKind }}{{ .KindSuffix }}.json\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
