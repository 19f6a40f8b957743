// The aws-auth ConfigMap, from a file (or stdin) or from a cluster, with a way to say where a
// line of its mapRoles or mapUsers text is.
import { basename } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { KubeApiError, kubeCall } from '../../kube/errors.ts';
import { CliError } from '../shared/exit.ts';
import type { CliIo } from '../shared/io.ts';
import { describeContext, loadKubeConfig, type KubeOptions } from '../shared/kube.ts';
import { dataLiteralBlocks } from './yaml-positions.ts';

export const AWS_AUTH_NAMESPACE = 'kube-system';
export const AWS_AUTH_NAME = 'aws-auth';
export const AWS_AUTH_FIELDS = ['mapRoles', 'mapUsers', 'mapAccounts'] as const;
export type AwsAuthField = (typeof AWS_AUTH_FIELDS)[number];

export interface AwsAuthConfigMap {
  /** Where it came from, for the header of the output: never a time, never an absolute path. */
  origin: string;
  data: Partial<Record<AwsAuthField, string>>;
  /** Where line `line` (1-based) of a field's text is, as a person would look for it. */
  locate(field: AwsAuthField, line: number): string;
}

/** `--from-file PATH`, or `-` for stdin (`kubectl get configmap aws-auth -o yaml | ...`). */
export async function readAwsAuthFile(path: string, io: Pick<CliIo, 'readFile' | 'readStdin'>): Promise<AwsAuthConfigMap> {
  const fromStdin = path === '-';
  let text: string;
  try {
    text = fromStdin ? await io.readStdin() : await io.readFile(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return awsAuthFromText(text, fromStdin ? 'stdin' : basename(path));
}

/** The ConfigMap in a YAML or JSON text: the document itself, or the one ConfigMap of a List or stream. */
export function awsAuthFromText(text: string, fileName: string): AwsAuthConfigMap {
  let documents: unknown[];
  try {
    documents = loadAll(text);
  } catch (err) {
    throw new CliError(`${fileName} is not YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const configMaps = documents.flatMap(listItems).filter(isConfigMap);
  const configMap = configMaps.length === 1 ? configMaps[0] : configMaps.find((item) => item.metadata?.name === AWS_AUTH_NAME);
  if (!configMap) {
    throw new CliError(
      `${fileName} holds ${configMaps.length === 0 ? 'no ConfigMap' : 'several ConfigMaps, none named aws-auth'}: give it the aws-auth ConfigMap, ` +
        `as kubectl -n ${AWS_AUTH_NAMESPACE} get configmap ${AWS_AUTH_NAME} -o yaml prints it`,
    );
  }
  // Lines of a literal block (`mapRoles: |`) are the file's lines, offset: name those.
  const blocks = documents.length === 1 && documents[0] === configMap ? dataLiteralBlocks(text) : new Map<string, { firstLine: number }>();
  return {
    origin: `file ${fileName}`,
    data: dataOf(configMap, fileName),
    locate: (field, line) => {
      const block = blocks.get(field);
      return block ? `${fileName} line ${block.firstLine + line - 1}` : `${field} line ${line}`;
    },
  };
}

/** `--from-cluster`: kube-system/aws-auth of the kubeconfig's cluster (the EKS cluster, not the management cluster). */
export async function readAwsAuthFromCluster(options: KubeOptions): Promise<AwsAuthConfigMap> {
  const kc = loadKubeConfig(options);
  const context = describeContext(kc);
  try {
    const configMap = await kubeCall(`get configmap ${AWS_AUTH_NAMESPACE}/${AWS_AUTH_NAME}`, () =>
      kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: AWS_AUTH_NAMESPACE, name: AWS_AUTH_NAME }),
    );
    return {
      origin: `ConfigMap ${AWS_AUTH_NAMESPACE}/${AWS_AUTH_NAME} of context ${context}`,
      data: dataOf(configMap, `${AWS_AUTH_NAMESPACE}/${AWS_AUTH_NAME}`),
      locate: (field, line) => `${field} line ${line}`,
    };
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) {
      throw new CliError(
        `context ${context} has no ConfigMap ${AWS_AUTH_NAMESPACE}/${AWS_AUTH_NAME}: nothing to migrate there; point --kubeconfig/--context at the EKS cluster itself`,
        { cause: err },
      );
    }
    throw new CliError(`cannot read ${AWS_AUTH_NAMESPACE}/${AWS_AUTH_NAME} through context ${context}: ${(err as Error).message}`, { cause: err });
  }
}

interface ConfigMapLike {
  kind?: unknown;
  metadata?: { name?: unknown };
  data?: unknown;
}

function listItems(document: unknown): unknown[] {
  const items = (document as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? items : [document];
}

function isConfigMap(document: unknown): document is ConfigMapLike {
  return typeof document === 'object' && document !== null && (document as ConfigMapLike).kind === 'ConfigMap';
}

function dataOf(configMap: ConfigMapLike, where: string): Partial<Record<AwsAuthField, string>> {
  const data = (configMap.data ?? {}) as Record<string, unknown>;
  const fields: Partial<Record<AwsAuthField, string>> = {};
  for (const field of AWS_AUTH_FIELDS) {
    const value = data[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new CliError(`data.${field} of ${where} is not text: a ConfigMap's data holds YAML as a string (mapRoles: |)`);
    fields[field] = value;
  }
  return fields;
}
