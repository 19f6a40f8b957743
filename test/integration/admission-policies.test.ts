// The ValidatingAdmissionPolicies in deploy/admission/, as shipped, on the real API server, with
// users of their own (client certificates signed by the test CA, so each has the groups its
// certificate names) and the RBAC to write AccessEntries. The controller runs beside them and must
// keep working: its finalizer and status writes change no spec, and pass.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AccessEntry, AccessEntrySpec } from '../../src/api/accessentry.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, FINALIZER, KIND, PLURAL } from '../../src/api/names.ts';
import { applyYaml, uniqueName, waitFor } from '../testenv/kube.ts';
import { Harness, role } from './support/harness.ts';
import { serviceAccountKubeconfig } from './support/service-account.ts';

const run = promisify(execFile);
const ADMISSION_DIR = fileURLToPath(new URL('../../deploy/admission/', import.meta.url));
const TARGET = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
const SELECTOR_LABEL = 'test.eksaccess.dev/run';
// The groups the shipped ConfigMaps name.
const PLATFORM_ADMINS = 'platform-admins';
const PAYMENTS_DEVELOPERS = 'payments-developers';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

let h: Harness;
let namespace: string;
let scratch: string;
let rbacName: string;
const bindings: string[] = [];
const created: string[] = [];

/** A person or GitOps identity writing AccessEntries, with a client certificate naming its groups. */
interface Requester {
  username: string;
  api: CustomObjectsApi;
}
let alice: Requester; // payments developer
let pat: Requester; // platform admin
let mallory: Requester; // authenticated, in no listed group
let noRbac: Requester; // a platform admin whom RBAC does not let write AccessEntries

/** A client certificate signed by the test API server's CA (it trusts that CA for clients). */
async function requester(name: string, groups: string[]): Promise<Requester> {
  const pki = join(dirname(inject('kubeconfigPath')), 'pki');
  const username = uniqueName(name);
  const [key, csr, cert, ext] = ['key', 'csr', 'crt', 'ext'].map((suffix) => join(scratch, `${username}.${suffix}`)) as [string, string, string, string];
  const subject = `${groups.map((group) => `/O=${group}`).join('')}/CN=${username}`;
  await writeFile(ext, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', subject, '-out', csr]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', join(pki, 'ca.crt'), '-CAkey', join(pki, 'ca.key'), '-CAserial', join(scratch, `${username}.srl`), '-CAcreateserial', '-days', '1', '-sha256', '-extfile', ext, '-out', cert]);
  const admin = h.kc.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'testenv', server: admin.server, caData: admin.caData, skipTLSVerify: false }],
    users: [{ name: username, certData: (await readFile(cert)).toString('base64'), keyData: (await readFile(key)).toString('base64') }],
    contexts: [{ name: username, cluster: 'testenv', user: username }],
    currentContext: username,
  });
  return { username, api: kc.makeApiClient(CustomObjectsApi) };
}

/** The shipped documents of deploy/admission/FILE, with the ConfigMaps in this file's namespace and the bindings limited to this file's AccessEntries. */
async function shipped(file: string, selector: Record<string, string>): Promise<Manifest[]> {
  const docs = loadAll(await readFile(join(ADMISSION_DIR, file), 'utf8')) as Manifest[];
  return docs.map((doc) => {
    if (doc.kind === 'ConfigMap') return { ...doc, metadata: { ...doc.metadata, namespace } };
    if (doc.kind !== 'ValidatingAdmissionPolicyBinding') return doc;
    const paramRef = { ...(doc.spec?.paramRef as object), namespace };
    // Every test file shares the API server: without a selector these would judge their AccessEntries too.
    return { ...doc, spec: { ...doc.spec, paramRef, matchResources: { objectSelector: { matchLabels: selector } } } };
  });
}

function entry(name: string, spec: Partial<AccessEntrySpec> & { clusterName: string }): AccessEntry {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: KIND,
    metadata: { name, labels: { [SELECTOR_LABEL]: h.runLabel } },
    spec: { principalArn: role(name), kubernetesGroups: ['viewers'], ...spec },
  };
}

async function createAs(who: Requester, spec: Partial<AccessEntrySpec> & { clusterName: string }, dryRun = false): Promise<AccessEntry> {
  const name = uniqueName('guarded');
  const stored = (await who.api.createClusterCustomObject({ ...TARGET, body: entry(name, spec), ...(dryRun ? { dryRun: 'All' } : {}) })) as AccessEntry;
  if (!dryRun) created.push(name);
  return stored;
}

function patchSpecAs(who: Requester, name: string, spec: Partial<AccessEntrySpec>): Promise<AccessEntry> {
  return who.api.patchClusterCustomObject({ ...TARGET, name, body: { spec } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)) as Promise<AccessEntry>;
}

/** The refusal of a request that must be refused: its HTTP code and the message the requester reads. */
async function refusal(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as { message?: string };
    return { code: error.code, message: body.message ?? String(error.body) };
  }
  throw new Error('the API server accepted a request the guardrails should have refused');
}

beforeAll(async () => {
  h = await Harness.start();
  for (const cluster of ['prod', 'staging', 'dev']) h.emulator.state.createCluster(cluster, { authenticationMode: 'API' });
  scratch = await mkdtemp(join(tmpdir(), 'eaec-admission-'));
  namespace = uniqueName('guardrails');
  await h.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });

  [alice, pat, mallory, noRbac] = await Promise.all([
    requester('alice', [PAYMENTS_DEVELOPERS]),
    requester('pat', [PLATFORM_ADMINS]),
    requester('mallory', []),
    requester('norbac', [PLATFORM_ADMINS]),
  ]);
  const rbac = h.kc.makeApiClient(RbacAuthorizationV1Api);
  rbacName = uniqueName('accessentry-writers');
  await rbac.createClusterRole({
    body: { metadata: { name: rbacName }, rules: [{ apiGroups: [API_GROUP], resources: ['accessentries'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] }] },
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: rbacName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rbacName },
      subjects: [alice, pat, mallory].map((who) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: who.username })),
    },
  });

  const files = (await readdir(ADMISSION_DIR)).filter((file) => file.endsWith('.yaml')).sort();
  for (const file of files) {
    const manifests = await shipped(file, { [SELECTOR_LABEL]: h.runLabel });
    // In file order: the policy, its ConfigMap, then its binding.
    for (const manifest of manifests) {
      await applyYaml(h.kc, JSON.stringify(manifest));
      if (manifest.kind === 'ValidatingAdmissionPolicyBinding') bindings.push(manifest.metadata.name);
    }
  }
  // Bindings take effect once the API server's policy caches have them: wait for each to bite.
  await waitFor(async () => (await refusal(createAs(mallory, { clusterName: 'staging' }, true))).message.includes('accessentry-allowed-clusters'), {
    description: 'the allowed-clusters binding to take effect',
  });
  await waitFor(async () => (await refusal(createAs(alice, { clusterName: 'staging', kubernetesGroups: ['cluster-admins'] }, true))).message.includes('accessentry-forbidden-grants'), {
    description: 'the forbidden-grants binding to take effect',
  });
  await waitFor(async () => (await refusal(createAs(alice, { clusterName: 'staging', adoptExisting: true }, true))).message.includes('accessentry-sensitive-options'), {
    description: 'the sensitive-options binding to take effect',
  });
});

afterAll(async () => {
  // AccessEntries first, while the controller is there to release their finalizers.
  const admin = h?.kc.makeApiClient(CustomObjectsApi);
  await Promise.allSettled(created.map((name) => admin?.deleteClusterCustomObject({ ...TARGET, name })));
  await Promise.allSettled(created.map((name) => h?.waitForGone(name)));
  await h?.close();
  const rbac = h?.kc.makeApiClient(RbacAuthorizationV1Api);
  await Promise.allSettled([
    ...bindings.map((name) => h?.kc.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({ group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingadmissionpolicybindings', name })),
    rbac?.deleteClusterRoleBinding({ name: rbacName }),
    rbac?.deleteClusterRole({ name: rbacName }),
    h?.kc.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }),
  ]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const denial = (policy: string): string => `ValidatingAdmissionPolicy '${policy}' with binding '${policy}' denied request: `;

describe('allowed clusters', () => {
  it('let a developer grant access to a cluster open to their group, and the controller then works as before', async () => {
    const stored = await createAs(alice, { clusterName: 'staging' });
    const name = stored.metadata.name!;
    // The controller (in none of the listed groups) adds its finalizer and writes status: no spec change, not checked.
    const ready = await h.waitForReady(name);
    expect(ready.metadata.finalizers).toContain(FINALIZER);
    expect(h.entry(role(name), 'staging')?.kubernetesGroups).toEqual(['viewers']);
    await patchSpecAs(alice, name, { kubernetesGroups: ['viewers', 'payments-oncall'] });
    await waitFor(() => (h.entry(role(name), 'staging')?.kubernetesGroups.length === 2 ? true : undefined), { description: 'the edit to reach EKS' });
    await alice.api.deleteClusterCustomObject({ ...TARGET, name });
    await h.waitForGone(name);
    expect(h.entry(role(name), 'staging')).toBeUndefined();
  });

  it('refuse a developer on a cluster open only to the platform team, saying who may', async () => {
    const refused = await refusal(createAs(alice, { clusterName: 'prod' }));
    expect(refused.code).toBe(403);
    expect(refused.message).toContain(
      `${denial('accessentry-allowed-clusters')}${alice.username} may not grant access to EKS cluster prod: only members of platform-admins may ` +
        `(ConfigMap ${namespace}/accessentry-allowed-clusters). Ask one of them to apply this AccessEntry, or ask your platform team to add one of your groups to that ConfigMap`,
    );
    expect(await createAs(pat, { clusterName: 'prod' })).toMatchObject({ spec: { clusterName: 'prod' } });
  });

  it('refuse everyone on a cluster the ConfigMap does not list, saying where to add it', async () => {
    const refused = await refusal(createAs(pat, { clusterName: 'unlisted' }));
    expect(refused.message).toContain(
      `${denial('accessentry-allowed-clusters')}no one may grant access to EKS cluster unlisted through AccessEntries: ConfigMap ${namespace}/accessentry-allowed-clusters does not list it.`,
    );
  });

  it('refuse a user in none of the listed groups, even with RBAC to create AccessEntries', async () => {
    const refused = await refusal(createAs(mallory, { clusterName: 'dev' }));
    expect(refused.message).toContain(`${mallory.username} may not grant access to EKS cluster dev: only members of platform-admins, payments-developers, system:serviceaccounts:flux-system may`);
  });

  it('come on top of RBAC: a platform admin without RBAC is refused by RBAC first', async () => {
    const refused = await refusal(createAs(noRbac, { clusterName: 'prod' }));
    expect(refused.code).toBe(403);
    expect(refused.message).toContain(`User "${noRbac.username}" cannot create resource "accessentries"`);
  });
});

describe('forbidden grants', () => {
  it('refuse Kubernetes groups as strong as cluster-admin, and let the exempt platform team grant them', async () => {
    const refused = await refusal(createAs(alice, { clusterName: 'staging', kubernetesGroups: ['viewers', 'cluster-admins', 'eks-admins'] }));
    expect(refused.message).toContain(
      `${denial('accessentry-forbidden-grants')}spec.kubernetesGroups may not include cluster-admins, eks-admins: the EKS clusters make these groups as strong as cluster-admin. ` +
        'Use groups bound to narrower roles, or if this access is really needed, ask a member of platform-admins to apply it',
    );
    expect(await createAs(pat, { clusterName: 'staging', kubernetesGroups: ['cluster-admins'] })).toMatchObject({ spec: { kubernetesGroups: ['cluster-admins'] } });
  });

  it('refuse admin access policies, by short name or by ARN', async () => {
    const byName = await refusal(createAs(alice, { clusterName: 'staging', accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }] }));
    expect(byName.message).toContain(`${denial('accessentry-forbidden-grants')}spec.accessPolicies may not include AmazonEKSClusterAdminPolicy: these EKS access policies give (nearly) cluster-admin.`);
    const arn = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy';
    const byArn = await refusal(createAs(alice, { clusterName: 'staging', accessPolicies: [{ policyArn: arn, accessScope: { type: 'namespace', namespaces: ['payments'] } }] }));
    expect(byArn.message).toContain(`spec.accessPolicies may not include ${arn}:`);
    const view = await createAs(alice, { clusterName: 'staging', accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['payments'] } }] });
    expect(view.spec.accessPolicies).toHaveLength(1);
  });

  it('refuse an edit that adds a forbidden group to an existing AccessEntry', async () => {
    const stored = await createAs(alice, { clusterName: 'dev' });
    const refused = await refusal(patchSpecAs(alice, stored.metadata.name!, { kubernetesGroups: ['viewers', 'cluster-admins'] }));
    expect(refused.message).toContain('spec.kubernetesGroups may not include cluster-admins:');
  });
});

describe('sensitive options', () => {
  it('keep adoptExisting: true to admins, saying what to do instead', async () => {
    const refused = await refusal(createAs(alice, { clusterName: 'staging', adoptExisting: true }));
    expect(refused.message).toContain(
      `${denial('accessentry-sensitive-options')}spec.adoptExisting: true takes over an EKS access entry this controller did not create, so only members of platform-admins may set it. ` +
        'Remove adoptExisting (the AccessEntry then reports the existing entry as NotOwned), or ask an admin to apply it',
    );
    const adopted = await createAs(pat, { clusterName: 'staging', adoptExisting: true });
    // Editing another field of an AccessEntry that already has it is not setting it.
    expect(await patchSpecAs(alice, adopted.metadata.name!, { kubernetesGroups: ['viewers', 'payments-oncall'] })).toMatchObject({ spec: { adoptExisting: true } });
  });

  it('keep deletionPolicy: Retain to admins, on create and on edit', async () => {
    const refused = await refusal(createAs(alice, { clusterName: 'staging', deletionPolicy: 'Retain' }));
    expect(refused.message).toContain(
      `${denial('accessentry-sensitive-options')}spec.deletionPolicy: Retain leaves the access entry in EKS after this AccessEntry is deleted, so only members of platform-admins may set it. ` +
        'Use deletionPolicy: Delete (the default), or ask an admin to apply it',
    );
    const own = await createAs(alice, { clusterName: 'staging' });
    expect((await refusal(patchSpecAs(alice, own.metadata.name!, { deletionPolicy: 'Retain' }))).message).toContain('spec.deletionPolicy: Retain leaves');
    expect(await patchSpecAs(pat, own.metadata.name!, { deletionPolicy: 'Retain' })).toMatchObject({ spec: { deletionPolicy: 'Retain' } });
  });
});

describe('the Flux example identity (deploy/examples/gitops/flux-kustomization.yaml)', () => {
  it('may grant access where the ConfigMap lists its ServiceAccount group, and nowhere else', async () => {
    const core = h.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'flux-system' } } }).catch((err: { code?: number }) => {
      if (err.code !== 409) throw err;
    });
    const example = loadAll(await readFile(fileURLToPath(new URL('../../deploy/examples/gitops/flux-kustomization.yaml', import.meta.url)), 'utf8')) as Manifest[];
    const identity = example.filter((m) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(m.kind));
    expect(identity).toHaveLength(3);
    for (const manifest of identity) await applyYaml(h.kc, JSON.stringify(manifest));
    const kc = await serviceAccountKubeconfig(h.kc, 'flux-system', 'access-applier', join(scratch, 'access-applier.kubeconfig'));
    const flux: Requester = { username: 'system:serviceaccount:flux-system:access-applier', api: kc.makeApiClient(CustomObjectsApi) };
    expect(await createAs(flux, { clusterName: 'dev' })).toMatchObject({ spec: { clusterName: 'dev' } });
    expect((await refusal(createAs(flux, { clusterName: 'prod' }))).message).toContain(`${flux.username} may not grant access to EKS cluster prod: only members of platform-admins may`);
  });
});

describe('a binding whose ConfigMap is missing', () => {
  it('refuses every AccessEntry write rather than checking none', async () => {
    const label = uniqueName('no-params');
    const name = uniqueName('accessentry-missing-params');
    const [binding] = (await shipped('allowed-clusters.yaml', { 'test.eksaccess.dev/no-params': label })).filter((m) => m.kind === 'ValidatingAdmissionPolicyBinding');
    const paramRef = { ...(binding!.spec!.paramRef as object), name: 'no-such-configmap' };
    await applyYaml(h.kc, JSON.stringify({ ...binding, metadata: { name }, spec: { ...binding!.spec, paramRef } }));
    bindings.push(name);
    const body = { ...entry(uniqueName('orphan'), { clusterName: 'staging' }), metadata: { name: uniqueName('orphan'), labels: { 'test.eksaccess.dev/no-params': label } } };
    const refused = await waitFor(async () => refusal(pat.api.createClusterCustomObject({ ...TARGET, body, dryRun: 'All' })), {
      description: 'the binding without its ConfigMap to refuse',
    });
    // The API server answers a binding it cannot configure with 422, not 403.
    expect(refused.code).toBe(422);
    expect(refused.message).toContain(`binding '${name}' denied request: failed to configure binding: no params found for policy binding with \`Deny\` parameterNotFoundAction`);
  });
});
