// The chart's guardrails with the example settings of deploy/admission/values/example.yaml, on the
// real API server, with the controller running beside them as the chart's ServiceAccount (its
// token, the chart's RBAC): a tenant's AccessEntry goes the whole way while the tenant cannot take
// the controller's finalizer away; the plain files of deploy/admission/ are what the chart renders;
// and the GitOps examples' identities (Flux Kustomizations, an Argo CD project) are held to their
// tenant's rules.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { load as loadYaml, loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessEntry } from '../../src/api/accessentry.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, CLUSTER_ACCESS_KIND, CLUSTER_ACCESS_PLURAL, FINALIZER, KIND, PLURAL } from '../../src/api/names.ts';
import { ADMISSION_DIR, ADMISSION_FILES, EXAMPLE_VALUES, renderAdmissionFiles } from '../../scripts/render-admission.ts';
import { ensureTool } from '../../scripts/tools/kubeconform-schemas.ts';
import { applyYaml, kubectl, uniqueName, waitFor } from '../testenv/kube.ts';
import { RUN_LABEL, TENANT_LABEL, denial, grantWrites, installGuardrails, person, refusal, serviceAccount, type Guardrails, type Requester } from './support/admission.ts';
import { Harness, role } from './support/harness.ts';
import { serviceAccountKubeconfig } from './support/service-account.ts';

const GITOPS_DIR = fileURLToPath(new URL('../../deploy/examples/gitops/', import.meta.url));
const AE = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
const CA = { group: API_GROUP, version: API_VERSION, plural: CLUSTER_ACCESS_PLURAL };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
// The example's settings name these groups.
const ADMINS = 'members of platform-admins and the ServiceAccounts flux-system/platform-access';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

let h: Harness;
let scratch: string;
let guardrails: Guardrails;
let revokeWrites: (() => Promise<void>) | undefined;
let developer: Requester; // payments-developers
let admin: Requester; // platform-admins
let outsider: Requester; // in no tenant
const created: string[] = [];
const examples = new Map<string, Manifest>();

const exampleAdmission = async (): Promise<Record<string, unknown>> => (loadYaml(await readFile(EXAMPLE_VALUES, 'utf8')) as { admission: Record<string, unknown> }).admission;
const gitops = async (file: string): Promise<Manifest[]> => loadAll(await readFile(join(GITOPS_DIR, file), 'utf8')) as Manifest[];

function entry(name: string, spec: Record<string, unknown>, tenant = 'payments'): object {
  return { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { [RUN_LABEL]: h.runLabel, [TENANT_LABEL]: tenant } }, spec };
}

async function createAs(who: Requester, spec: Record<string, unknown>, options: { tenant?: string; dryRun?: boolean } = {}): Promise<AccessEntry> {
  const name = uniqueName('guarded');
  const stored = (await who.api.createClusterCustomObject({ ...AE, body: entry(name, spec, options.tenant), ...(options.dryRun ? { dryRun: 'All' } : {}) })) as AccessEntry;
  if (!options.dryRun) created.push(name);
  return stored;
}

const clusterAccess = (): object => ({
  apiVersion: API_GROUP_VERSION,
  kind: CLUSTER_ACCESS_KIND,
  metadata: { name: uniqueName('access'), labels: { [RUN_LABEL]: h.runLabel } },
  spec: { clusterName: 'dev', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/eks-access' },
});

/** The kubeconfig of a ServiceAccount that GitOps examples create, from the example's own manifests. */
async function exampleIdentity(file: string, namespace: string, name: string): Promise<KubeConfig> {
  await h.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } }).catch((error: { code?: number }) => {
    if (error.code !== 409) throw error;
  });
  const identity = (await gitops(file)).filter((m) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(m.kind));
  for (const manifest of identity) {
    await applyYaml(h.kc, JSON.stringify(manifest));
    examples.set(`${manifest.kind}/${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`, manifest);
  }
  return serviceAccountKubeconfig(h.kc, namespace, name, join(scratch, `${namespace}-${name}.kubeconfig`));
}

beforeAll(async () => {
  h = await Harness.start();
  h.emulator.state.createCluster('dev', { authenticationMode: 'API' });
  scratch = await mkdtemp(join(tmpdir(), 'eaec-admission-'));
  [developer, admin, outsider] = await Promise.all([
    person(h.kc, scratch, 'payments-dev', ['payments-developers']),
    person(h.kc, scratch, 'platform-admin', ['platform-admins']),
    person(h.kc, scratch, 'outsider', []),
  ]);
  revokeWrites = await grantWrites(h.kc, [developer, admin, outsider]);
  guardrails = await installGuardrails(h.kc, { scratch, runLabel: h.runLabel, admission: await exampleAdmission(), outsider });
  // This file's controller runs as the chart's ServiceAccount, with the chart's RBAC: the identity the guardrails know.
  const controller = await serviceAccount(h.kc, scratch, guardrails.controller.namespace, guardrails.controller.name);
  await h.stopController();
  await h.startOtherController({}, {}, controller.kubeConfig);
}, 180_000);

afterAll(async () => {
  // AccessEntries first, while the controller is there to release their finalizers.
  const api = h?.kc.makeApiClient(CustomObjectsApi);
  await Promise.allSettled(created.map((name) => api?.deleteClusterCustomObject({ ...AE, name })));
  await Promise.allSettled(created.map((name) => h?.waitForGone(name)));
  await h?.close();
  const objects = KubernetesObjectApi.makeApiClient(h.kc);
  await Promise.allSettled([guardrails?.remove(), revokeWrites?.(), ...[...examples.values()].map((m) => objects.delete(m as KubernetesObject))]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a tenant, with the controller running as the chart ServiceAccount under the guardrails', () => {
  it("creates, edits and deletes its own AccessEntry end to end, and cannot take the controller's finalizer away", async () => {
    const spec = { clusterName: 'dev', principalArn: role(uniqueName('payments-ci')), kubernetesGroups: ['payments-viewers'], accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['payments-api'] } }] };
    const name = (await createAs(developer, spec)).metadata.name!;
    // The controller's finalizer and status writes pass: it is the identity the guardrails name.
    const ready = await h.waitForReady(name);
    expect(ready.metadata.finalizers).toContain(FINALIZER);
    expect(h.entry(spec.principalArn, 'dev')?.kubernetesGroups).toEqual(['payments-viewers']);

    await developer.api.patchClusterCustomObject({ ...AE, name, body: { spec: { kubernetesGroups: ['payments-viewers', 'payments-oncall'] } } }, mergePatch);
    await waitFor(() => h.entry(spec.principalArn, 'dev')?.kubernetesGroups.length === 2, { description: 'the edit to reach EKS' });

    // Without the finalizer, deleting the AccessEntry would leave the access in EKS: the Retain effect, for admins only.
    const refused = await refusal(developer.api.patchClusterCustomObject({ ...AE, name, body: { metadata: { finalizers: null } } }, mergePatch));
    expect(refused.message).toContain(`${denial(guardrails.accessEntryPolicy)}${developer.username} may not remove the finalizer eksaccess.dev/finalizer:`);
    await developer.api.deleteClusterCustomObject({ ...AE, name });
    await h.waitForGone(name);
    expect(h.entry(spec.principalArn, 'dev')).toBeUndefined();
  });

  it('is refused what its allowlist does not hold, saying who may', async () => {
    const refused = await refusal(createAs(developer, { clusterName: 'dev', principalArn: role('payments-ci'), accessPolicies: [{ policy: 'AmazonEKSEditPolicy', accessScope: { type: 'cluster' } }] }));
    expect(refused.code).toBe(403);
    expect(refused.message).toContain(
      `${denial(guardrails.accessEntryPolicy)}payments may not create an AccessEntry that grants access policies at cluster scope (AmazonEKSEditPolicy): ` +
        `payments may grant access policies only in its namespaces (accessScope type namespace); only ${ADMINS} may grant them cluster-wide`,
    );
  });

  it("lets an admin remove the controller's finalizer to un-stick an AccessEntry, which leaves the entry in EKS", async () => {
    const principalArn = role(uniqueName('stuck'));
    const name = (await createAs(admin, { clusterName: 'dev', principalArn })).metadata.name!;
    await h.waitForReady(name);
    await admin.api.patchClusterCustomObject({ ...AE, name, body: { metadata: { finalizers: null } } }, mergePatch);
    await admin.api.deleteClusterCustomObject({ ...AE, name });
    await h.waitForGone(name);
    expect(h.entry(principalArn, 'dev')).toBeDefined();
  });
});

describe('a maximum lifetime (admission.maxLifetime: break-glass-* at most 8h, cluster-admin at most 24h)', () => {
  const inHours = (hours: number): string => `${new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 19)}Z`;
  const breakGlass = (extra: Record<string, unknown> = {}) => ({ clusterName: 'dev', principalArn: role(uniqueName('oncall')), kubernetesGroups: ['break-glass-ops'], ...extra });

  it('refuses break-glass access without an end, or ending too late, even to an admin, saying until when it may last', async () => {
    // The binding takes effect a moment after it is written.
    const unending = await waitFor(async () => {
      const refused = await refusal(createAs(admin, breakGlass(), { dryRun: true })).catch(() => undefined);
      return refused?.message.includes(denial(guardrails.lifetimePolicy)) ? refused : undefined;
    }, { description: 'the lifetime rule to bite' });
    expect(unending.message).toContain('an AccessEntry that grants the Kubernetes groups break-glass-* must end: set spec.expiresAt');
    expect(unending.message).toMatch(/the Kubernetes groups break-glass-\* at most 8h \(until \d{4}-\d\d-\d\dT/);
    const late = await refusal(createAs(admin, breakGlass({ expiresAt: inHours(9) }), { dryRun: true }));
    expect(late.message).toContain(`${denial(guardrails.lifetimePolicy)}spec.expiresAt`);
    expect(late.message).toContain('is past the longest lifetime allowed for an AccessEntry that grants the Kubernetes groups break-glass-* (8h from its creation at');
    const admins = await refusal(createAs(admin, { clusterName: 'dev', principalArn: role('root'), accessPolicies: [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }] }, { dryRun: true }));
    expect(admins.message).toContain('the access policies AmazonEKSClusterAdminPolicy at most 24h');
  });

  it('lets it through within the lifetime, counts the lifetime from the creation on every change, and lets the controller work on it', async () => {
    const created = await createAs(admin, breakGlass({ expiresAt: inHours(7) }));
    const name = created.metadata.name!;
    await h.waitForReady(name);
    const extended = await refusal(admin.api.patchClusterCustomObject({ ...AE, name, body: { spec: { expiresAt: inHours(10) } } }, mergePatch));
    expect(extended.message).toContain('to extend access past it, create a new AccessEntry');
    expect((await refusal(admin.api.patchClusterCustomObject({ ...AE, name, body: { spec: { expiresAt: null } } }, mergePatch))).message).toContain('must end');
    await admin.api.patchClusterCustomObject({ ...AE, name, body: { spec: { expiresAt: inHours(6) } } }, mergePatch);
    await admin.api.patchClusterCustomObject({ ...AE, name, body: { metadata: { annotations: { note: 'not a grant' } } } }, mergePatch);
    await h.waitForReady(name);
  });
});

describe('deploy/admission/', () => {
  it('holds what the chart renders with values/example.yaml (npx tsx scripts/render-admission.ts writes it)', async () => {
    const rendered = await renderAdmissionFiles(await ensureTool('helm'));
    for (const file of Object.keys(ADMISSION_FILES)) {
      expect(await readFile(join(ADMISSION_DIR, file), 'utf8'), `deploy/admission/${file}: run npx tsx scripts/render-admission.ts`).toBe(rendered.get(file));
    }
  });

  it('is accepted by the API server as it is (kubectl apply -f deploy/admission/, server-side dry run)', async () => {
    const applied = await kubectl(['apply', '--dry-run=server', '-f', ADMISSION_DIR]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout.trim().split('\n').sort()).toEqual([
      'validatingadmissionpolicy.admissionregistration.k8s.io/eks-access-entry-controller-accessentries created (server dry run)',
      'validatingadmissionpolicy.admissionregistration.k8s.io/eks-access-entry-controller-accessentry-lifetimes created (server dry run)',
      'validatingadmissionpolicy.admissionregistration.k8s.io/eks-access-entry-controller-clusteraccesses created (server dry run)',
      'validatingadmissionpolicybinding.admissionregistration.k8s.io/eks-access-entry-controller-accessentries created (server dry run)',
      'validatingadmissionpolicybinding.admissionregistration.k8s.io/eks-access-entry-controller-accessentry-lifetimes created (server dry run)',
      'validatingadmissionpolicybinding.admissionregistration.k8s.io/eks-access-entry-controller-clusteraccesses created (server dry run)',
    ]);
  });
});

describe('the GitOps examples, each team with an identity of its own', () => {
  it('Flux: each Kustomization applies as its own ServiceAccount, and those of one namespace are told apart by name', async () => {
    const kustomizations = (await gitops('flux-kustomization.yaml')).filter((m) => m.kind === 'Kustomization');
    expect(kustomizations.map((k) => [k.metadata.name, k.spec?.serviceAccountName])).toEqual([['platform-access', 'platform-access'], ['payments-access', 'payments-access']]);
    const payments = (await exampleIdentity('flux-kustomization.yaml', 'flux-system', 'payments-access')).makeApiClient(CustomObjectsApi);
    const platform = (await exampleIdentity('flux-kustomization.yaml', 'flux-system', 'platform-access')).makeApiClient(CustomObjectsApi);
    const paymentsEntry = entry(uniqueName('payments-ci'), { clusterName: 'staging', principalArn: role('payments-ci'), kubernetesGroups: ['payments-deployers'] });
    await expect(payments.createClusterCustomObject({ ...AE, body: paymentsEntry, dryRun: 'All' })).resolves.toBeDefined();
    // Another team's entry: refused, though both ServiceAccounts share system:serviceaccounts:flux-system.
    const searchEntry = entry(uniqueName('search'), { clusterName: 'dev', principalArn: 'arn:aws:iam::111111111111:role/search-ci', kubernetesGroups: ['search-viewers'] }, 'search');
    expect((await refusal(payments.createClusterCustomObject({ ...AE, body: searchEntry, dryRun: 'All' }))).message).toContain(
      `system:serviceaccount:flux-system:payments-access may not create AccessEntries of tenant search (label eksaccess.dev/tenant): only ${ADMINS} and the requesters of search may`,
    );
    // ClusterAccesses: the platform's identity only (the team's has no RBAC for them at all).
    await expect(platform.createClusterCustomObject({ ...CA, body: clusterAccess(), dryRun: 'All' })).resolves.toBeDefined();
    expect((await refusal(payments.createClusterCustomObject({ ...CA, body: clusterAccess(), dryRun: 'All' }))).code).toBe(403);
  });

  it("Argo CD: the team's project allows AccessEntries only, and syncs as the team's ServiceAccount, whom the guardrails hold to the team's rules", async () => {
    const docs = await gitops('argocd-appproject.yaml');
    const project = docs.find((m) => m.kind === 'AppProject')!;
    expect(project.spec).toMatchObject({
      clusterResourceWhitelist: [{ group: API_GROUP, kind: KIND }],
      clusterResourceBlacklist: [{ group: API_GROUP, kind: CLUSTER_ACCESS_KIND }],
      namespaceResourceBlacklist: [{ group: '*', kind: '*' }],
      destinationServiceAccounts: [{ server: 'https://kubernetes.default.svc', namespace: '*', defaultServiceAccount: 'argocd:payments-access' }],
    });
    const application = (await gitops('argocd-application.yaml'))[0]!;
    expect(application.spec).toMatchObject({ project: project.metadata.name });
    // Argo CD's application controller impersonates the project's ServiceAccount: the example's RBAC lets it, for that one only.
    await exampleIdentity('argocd-appproject.yaml', 'argocd', 'payments-access');
    await h.kc.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: 'argocd', body: { metadata: { name: 'argocd-application-controller' } } }).catch((error: { code?: number }) => {
      if (error.code !== 409) throw error;
    });
    const argocd = await serviceAccountKubeconfig(h.kc, 'argocd', 'argocd-application-controller', join(scratch, 'argocd.kubeconfig'));
    const as = (user: string): CustomObjectsApi => {
      const impersonating = new KubeConfig();
      impersonating.loadFromOptions({
        clusters: argocd.clusters,
        users: [{ ...argocd.getCurrentUser()!, impersonateUser: user }],
        contexts: argocd.contexts,
        currentContext: argocd.currentContext,
      });
      return impersonating.makeApiClient(CustomObjectsApi);
    };
    const sync = as('system:serviceaccount:argocd:payments-access');
    await expect(sync.createClusterCustomObject({ ...AE, body: entry(uniqueName('payments'), { clusterName: 'dev', principalArn: role('payments-ci'), kubernetesGroups: ['payments-viewers'] }), dryRun: 'All' })).resolves.toBeDefined();
    const tooWide = entry(uniqueName('payments'), { clusterName: 'dev', principalArn: role('payments-ci'), kubernetesGroups: ['cluster-admins'] });
    expect((await refusal(sync.createClusterCustomObject({ ...AE, body: tooWide, dryRun: 'All' }))).message).toContain('payments may not create an AccessEntry that grants the Kubernetes groups cluster-admins: payments may grant only payments-*;');
    expect((await refusal(as('system:serviceaccount:flux-system:platform-access').createClusterCustomObject({ ...CA, body: clusterAccess(), dryRun: 'All' }))).message).toMatch(/cannot impersonate/);
  });
});
