// The chart's guardrails on the shared API server, and the people and ServiceAccounts that ask:
// `helm template` of the real chart with a test file's values (its objects only judging that file's
// AccessEntries and ClusterAccesses, by label), applied with the admin kubeconfig; requesters with
// client certificates signed by the test CA (each with the groups its certificate names) or
// ServiceAccount tokens (TokenRequest).
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, RbacAuthorizationV1Api, loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { dump as dumpYaml } from 'js-yaml';
import { inject } from 'vitest';
import { ensureTool, runCommand } from '../../../scripts/tools/kubeconform-schemas.ts';
import { applyYaml, uniqueName, waitFor } from '../../testenv/kube.ts';
import { serviceAccountKubeconfig } from './service-account.ts';

const run = promisify(execFile);
export const CHART = fileURLToPath(new URL('../../../deploy/helm/eks-access-entry-controller/', import.meta.url));
export const RUN_LABEL = 'test.eksaccess.dev/run';
export const TENANT_LABEL = 'eksaccess.dev/tenant';
/** The chart's templates that make the guardrails, and the controller's identity they know. */
const TEMPLATES = ['templates/admission-accessentries.yaml', 'templates/admission-clusteraccesses.yaml', 'templates/serviceaccount.yaml', 'templates/rbac.yaml'];
/** Rendered only with admission.maxLifetime (helm refuses to show a template that renders nothing). */
const LIFETIMES = 'templates/admission-lifetimes.yaml';

/** Someone writing AccessEntries or ClusterAccesses, as the API server knows them. */
export interface Requester {
  username: string;
  api: CustomObjectsApi;
  kubeConfig: KubeConfig;
}

function clientFor(admin: KubeConfig, user: { name: string; certData?: string; keyData?: string; token?: string }): KubeConfig {
  const cluster = admin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'testenv', server: cluster.server, caData: cluster.caData, skipTLSVerify: false }],
    users: [user],
    contexts: [{ name: user.name, cluster: 'testenv', user: user.name }],
    currentContext: user.name,
  });
  return kc;
}

/** A person: a client certificate signed by the test API server's CA, naming `groups` as its organisations. */
export async function person(admin: KubeConfig, scratch: string, name: string, groups: string[]): Promise<Requester> {
  const pki = join(dirname(inject('kubeconfigPath')), 'pki');
  const username = uniqueName(name);
  const [key, csr, cert, ext] = ['key', 'csr', 'crt', 'ext'].map((suffix) => join(scratch, `${username}.${suffix}`)) as [string, string, string, string];
  const subject = `${groups.map((group) => `/O=${group}`).join('')}/CN=${username}`;
  await writeFile(ext, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', subject, '-out', csr]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', join(pki, 'ca.crt'), '-CAkey', join(pki, 'ca.key'), '-CAserial', join(scratch, `${username}.srl`), '-CAcreateserial', '-days', '1', '-sha256', '-extfile', ext, '-out', cert]);
  const kubeConfig = clientFor(admin, { name: username, certData: (await readFile(cert)).toString('base64'), keyData: (await readFile(key)).toString('base64') });
  return { username, api: kubeConfig.makeApiClient(CustomObjectsApi), kubeConfig };
}

/** A ServiceAccount (created if missing) and a token of it: its groups are system:serviceaccounts and system:serviceaccounts:NAMESPACE. */
export async function serviceAccount(admin: KubeConfig, scratch: string, namespace: string, name: string): Promise<Requester> {
  await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }).catch((error: unknown) => {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  });
  const kubeConfig = await serviceAccountKubeconfig(admin, namespace, name, join(scratch, `${namespace}-${name}.kubeconfig`));
  return { username: `system:serviceaccount:${namespace}:${name}`, api: kubeConfig.makeApiClient(CustomObjectsApi), kubeConfig };
}

export interface Refusal {
  code: number;
  message: string;
}

/** The refusal of a request that must be refused: its HTTP code and the message the requester reads. */
export async function refusal(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as { message?: string };
    return { code: error.code, message: body.message ?? String(error.body) };
  }
  throw new Error('the API server accepted a request the guardrails should have refused');
}

/** What a refusal by the policy NAME (bound by a binding of the same name, as the chart does) starts with. */
export const denial = (policy: string): string => `ValidatingAdmissionPolicy '${policy}' with binding '${policy}' denied request: `;

export interface Render {
  release: string;
  namespace: string;
  values: object;
  /** Only these templates; all when empty. */
  templates?: string[];
}

/** `helm template` of the chart, as objects (a region is given unless `values` has one). */
export async function renderChart(scratch: string, { release, namespace, values, templates = [] }: Render): Promise<KubernetesObject[]> {
  const helm = await ensureTool('helm');
  const file = join(scratch, `${release}-values.yaml`);
  await writeFile(file, dumpYaml({ region: 'us-east-1', ...values }));
  const home = join(scratch, 'helm-home');
  await mkdir(home, { recursive: true });
  const only = templates.flatMap((template) => ['--show-only', template]);
  const result = await runCommand(helm, ['template', release, CHART, '--namespace', namespace, '-f', file, ...only], {
    env: { PATH: process.env.PATH, HOME: home, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') },
  });
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return (loadAllYaml(result.stdout) as Array<KubernetesObject | null>).filter((o): o is KubernetesObject => o != null);
}

/**
 * RBAC that lets `requesters` write AccessEntries (and their status) and ClusterAccesses, so that
 * what refuses them is the guardrails, never RBAC. Returns its removal.
 */
export async function grantWrites(admin: KubeConfig, requesters: Requester[]): Promise<() => Promise<void>> {
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const name = uniqueName('eaec-guarded-writers');
  const verbs = ['get', 'list', 'create', 'update', 'patch', 'delete'];
  await rbac.createClusterRole({
    body: { metadata: { name }, rules: [{ apiGroups: ['eksaccess.dev'], resources: ['accessentries', 'accessentries/status', 'clusteraccesses'], verbs }] },
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: requesters.map((who) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: who.username })),
    },
  });
  return async () => {
    await Promise.allSettled([rbac.deleteClusterRoleBinding({ name }), rbac.deleteClusterRole({ name })]);
  };
}

/** The chart's guardrails as installed for one test file. */
export interface Guardrails {
  /** The controller's identity the policies know: the chart's ServiceAccount in `namespace`. */
  controller: { namespace: string; name: string };
  accessEntryPolicy: string;
  clusterAccessPolicy: string;
  /** The policy of admission.maxLifetime. */
  lifetimePolicy: string;
  remove: () => Promise<void>;
}

export interface GuardrailsSetup {
  scratch: string;
  /** Only objects labelled RUN_LABEL=runLabel are judged. */
  runLabel: string;
  /** The chart's admission values (enabled and objectSelector are set here). */
  admission: Record<string, unknown>;
  /** Someone RBAC lets write, in no tenant: the bindings are in force once they refuse them. */
  outsider: Requester;
}

/**
 * Renders the chart's guardrails, its ServiceAccount and RBAC, and applies them. Returns once both
 * bindings refuse the outsider: the API server's policy cache picks bindings up a moment after
 * they are written.
 */
export async function installGuardrails(admin: KubeConfig, { scratch, runLabel, admission, outsider }: GuardrailsSetup): Promise<Guardrails> {
  // Holding the chart's name, the release names every object as it is (no release-chart prefix).
  const release = uniqueName('eks-access-entry-controller');
  const namespace = uniqueName('eaec-guard');
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const values = { admission: { enabled: true, ...admission, objectSelector: { matchLabels: { [RUN_LABEL]: runLabel } } } };
  const templates = admission.maxLifetime ? [...TEMPLATES, LIFETIMES] : TEMPLATES;
  const objects = await renderChart(scratch, { release, namespace, values, templates });
  for (const object of objects) await applyYaml(admin, JSON.stringify(object));
  const guardrails: Guardrails = {
    controller: { namespace, name: release },
    accessEntryPolicy: `${release}-accessentries`,
    clusterAccessPolicy: `${release}-clusteraccesses`,
    lifetimePolicy: `${release}-accessentry-lifetimes`,
    remove: async () => {
      const client = KubernetesObjectApi.makeApiClient(admin);
      await Promise.allSettled([...objects.filter((o) => !o.metadata?.namespace).map((o) => client.delete(o)), admin.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace })]);
    },
  };
  const metadata = { name: uniqueName('probe'), labels: { [RUN_LABEL]: runLabel } };
  const probes: Array<[string, () => Promise<unknown>]> = [
    [guardrails.accessEntryPolicy, () => outsider.api.createClusterCustomObject({ group: 'eksaccess.dev', version: 'v1alpha1', plural: 'accessentries', dryRun: 'All', body: { apiVersion: 'eksaccess.dev/v1alpha1', kind: 'AccessEntry', metadata, spec: { clusterName: 'probe', principalArn: 'arn:aws:iam::123456789012:role/probe' } } })],
    [guardrails.clusterAccessPolicy, () => outsider.api.createClusterCustomObject({ group: 'eksaccess.dev', version: 'v1alpha1', plural: 'clusteraccesses', dryRun: 'All', body: { apiVersion: 'eksaccess.dev/v1alpha1', kind: 'ClusterAccess', metadata, spec: { clusterName: 'probe', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/probe' } } })],
  ];
  for (const [policy, probe] of probes) {
    let last = '';
    const bites = async (): Promise<boolean> => (last = (await refusal(probe())).message).includes(denial(policy));
    await waitFor(bites, { description: `the binding of ${policy} to take effect`, timeoutMs: 30_000 }).catch((error: unknown) => {
      throw new Error(`${String(error)}; the last refusal said: ${last}`);
    });
  }
  return guardrails;
}
