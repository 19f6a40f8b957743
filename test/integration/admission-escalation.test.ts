// The chart's guardrails against a corpus of escalation attempts (support/escalation-corpus.ts),
// on the real API server: people with client certificates of their own groups, GitOps
// ServiceAccounts that share one namespace (and so its groups), and the controller's ServiceAccount
// with the chart's own RBAC. Each attempt is refused with a message saying who may do it, while each
// tenant's own changes, the admins' and the controller's pass. Every request is a dry run, so the
// attempts stand alone; RBAC lets every requester write, so what refuses them is the guardrails.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_VERSION, CLUSTER_ACCESS_PLURAL, PLURAL } from '../../src/api/names.ts';
import { installCrds } from '../testenv/crd.ts';
import { testKubeConfig, uniqueName } from '../testenv/kube.ts';
import { denial, grantWrites, installGuardrails, person, refusal, serviceAccount, type Guardrails, type Requester } from './support/admission.ts';
import {
  ALLOWED,
  ALLOWLIST,
  CLUSTER_ACCESS,
  CLUSTER_ACCESSES,
  FIXTURES,
  GITOPS_NAMESPACE,
  POLICIES,
  TENANCY,
  TENANTS,
  clusterAccessBody,
  fixtureBody,
  type Attempt,
  type Who,
} from './support/escalation-corpus.ts';

const kc = testKubeConfig();
const admin = kc.makeApiClient(CustomObjectsApi);
const runLabel = uniqueName('escalation');
const AE = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
let scratch: string;
let guardrails: Guardrails;
let revokeWrites: (() => Promise<void>) | undefined;
const requesters = new Map<Who, Requester>();

beforeAll(async () => {
  await installCrds(kc);
  scratch = await mkdtemp(join(tmpdir(), 'eaec-escalation-'));
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: GITOPS_NAMESPACE } } });
  const people: Array<[Who, string[]]> = [['alice', ['team-a']], ['bob', ['team-b']], ['carol', ['team-a', 'team-b']], ['pat', ['platform-admins']], ['mallory', []]];
  for (const [who, groups] of people) requesters.set(who, await person(kc, scratch, who, groups));
  const gitops: Array<[Who, string]> = [['teamAGitops', 'team-a-gitops'], ['teamBGitops', 'team-b-gitops'], ['intruder', 'intruder'], ['platformGitops', 'platform-gitops']];
  for (const [who, name] of gitops) requesters.set(who, await serviceAccount(kc, scratch, GITOPS_NAMESPACE, name));
  revokeWrites = await grantWrites(kc, [...requesters.values()]);

  guardrails = await installGuardrails(kc, { scratch, runLabel, admission: TENANTS, outsider: requesters.get('mallory')! });
  // The controller is the chart's ServiceAccount with the chart's RBAC only.
  requesters.set('controller', await serviceAccount(kc, scratch, guardrails.controller.namespace, guardrails.controller.name));

  // A cluster administrator (system:masters) makes the objects the attempts act on: not judged.
  for (const fixture of Object.values(FIXTURES)) await admin.createClusterCustomObject({ ...AE, body: fixtureBody(fixture, runLabel) });
  await admin.createClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: CLUSTER_ACCESS_PLURAL, body: clusterAccessBody(CLUSTER_ACCESS, runLabel) });
});

afterAll(async () => {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const release = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  await Promise.allSettled(Object.values(FIXTURES).map(async ({ name }) => {
    await admin.patchClusterCustomObject({ ...AE, name, body: { metadata: { finalizers: null } } }, release);
    await admin.deleteClusterCustomObject({ ...AE, name });
  }));
  await Promise.allSettled([
    admin.deleteClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: CLUSTER_ACCESS_PLURAL, name: CLUSTER_ACCESS }),
    guardrails?.remove(),
    revokeWrites?.(),
    objects.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: GITOPS_NAMESPACE } }),
  ]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function policyOf(attempt: Attempt): string {
  if (attempt.refused?.by === 'clusteraccesses') return guardrails.clusterAccessPolicy;
  return guardrails.accessEntryPolicy;
}

async function refuses(attempt: Attempt): Promise<void> {
  const who = requesters.get(attempt.as)!;
  const controller = `system:serviceaccount:${guardrails.controller.namespace}:${guardrails.controller.name}`;
  const refused = await refusal(attempt.request(who, { runLabel }));
  const expected = attempt.refused!.message({ who, controller });
  if (attempt.refused!.by === 'crd') {
    // The CRD's own rules judge before admission does: what no one may do at all.
    expect(refused.code).toBe(422);
    expect(refused.message).toContain(expected);
    return;
  }
  expect(refused.code, refused.message).toBe(403);
  expect(refused.message).toContain(`${denial(policyOf(attempt))}${expected}`);
  // Every refusal says who may do it, and shows no rule text.
  expect(refused.message).toMatch(/\b[Oo]nly .+ may\b/);
  expect(refused.message).not.toMatch(/variables\.|expression|\bself\b|\[\^/);
}

describe('escalation attempts, each refused with a message saying who may', () => {
  describe('tenancy: who may write which AccessEntries', () => {
    it.each(TENANCY)('$title', refuses);
  });
  describe("a tenant's allowlist: clusters, groups, principals, username, node types, adoptExisting, Retain; deletes judged alike", () => {
    it.each(ALLOWLIST)('$title', refuses);
  });
  describe('access policies: names in any case, ARNs in any partition, scope, namespaces and wildcards', () => {
    it.each(POLICIES)('$title', refuses);
  });
  describe('ClusterAccesses: admins only', () => {
    it.each(CLUSTER_ACCESSES)('$title', refuses);
  });
});

describe('legitimate changes, which pass', () => {
  it.each(ALLOWED)('$title', async (attempt) => {
    await expect(attempt.request(requesters.get(attempt.as)!, { runLabel })).resolves.toBeDefined();
  });
});
