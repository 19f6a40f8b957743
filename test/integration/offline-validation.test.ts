// The offline validator (src/validation) against the real API server: for every document, both
// must accept or both refuse, and when they refuse they must give the same causes, word for word.
// The API server is asked with server-side dry-run, so nothing here is stored except the old
// objects of the update cases.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { load as loadYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_VERSION, CLUSTER_ACCESS_PLURAL, PLURAL } from '../../src/api/names.ts';
import {
  accessEntryValidator,
  clusterAccessValidator,
  formatIssue,
  isRefused,
  type CrdValidator,
  type ValidateOptions,
} from '../../src/validation/index.ts';
import { installCrds } from '../testenv/crd.ts';
import { testKubeConfig, uniqueName } from '../testenv/kube.ts';

const EXAMPLES_DIR = fileURLToPath(new URL('../../deploy/examples/', import.meta.url));
const INVALID_DIR = fileURLToPath(new URL('./fixtures/invalid/', import.meta.url));
const ROLE = 'arn:aws:iam::123456789012:role/admins';

type Doc = Record<string, unknown> & { metadata?: Record<string, unknown> };

interface Kind {
  plural: string;
  validator: CrdValidator;
}
const ACCESS_ENTRY: Kind = { plural: PLURAL, validator: accessEntryValidator() };
const CLUSTER_ACCESS: Kind = { plural: CLUSTER_ACCESS_PLURAL, validator: clusterAccessValidator() };

let api: CustomObjectsApi;
const created: { plural: string; name: string }[] = [];

beforeAll(async () => {
  const kubeConfig = testKubeConfig();
  api = kubeConfig.makeApiClient(CustomObjectsApi);
  await installCrds(kubeConfig);
});

afterAll(async () => {
  await Promise.allSettled(created.map(({ plural, name }) => api.deleteClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural, name })));
});

interface ServerVerdict {
  accepted: boolean;
  /** The Status message, which for a 400 (such as strict decoding) is all there is. */
  message: string;
  /** Each cause as the API server prints it: "field: message". */
  causes: string[];
  /** The object as the API server would store it. */
  stored?: Doc;
}

async function verdict(call: Promise<unknown>): Promise<ServerVerdict> {
  try {
    return { accepted: true, message: '', causes: [], stored: (await call) as Doc };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as {
      message?: string;
      details?: { causes?: { field?: string; message?: string }[] };
    };
    const causes = (body.details?.causes ?? []).map((cause) => `${cause.field ?? '<nil>'}: ${cause.message ?? ''}`);
    return { accepted: false, message: body.message ?? String(error.body), causes };
  }
}

const resource = (kind: Kind): { group: string; version: string; plural: string } => ({ group: API_GROUP, version: API_VERSION, plural: kind.plural });

/** A create, dry-run, with strict field validation (what kubectl apply asks for). */
function serverCreate(kind: Kind, doc: Doc): Promise<ServerVerdict> {
  return verdict(api.createClusterCustomObject({ ...resource(kind), body: doc, dryRun: 'All', fieldValidation: 'Strict' }));
}

/** Stores old for real, then asks for an update to doc, dry-run; returns the verdict and the stored old. */
async function serverUpdate(kind: Kind, old: Doc, doc: Doc): Promise<{ server: ServerVerdict; stored: Doc }> {
  const name = uniqueName('offline-update');
  const stored = (await api.createClusterCustomObject({ ...resource(kind), body: { ...old, metadata: { name } } })) as Doc;
  created.push({ plural: kind.plural, name });
  const body = { ...doc, metadata: { ...stored.metadata } };
  const server = await verdict(api.replaceClusterCustomObject({ ...resource(kind), name, body, dryRun: 'All', fieldValidation: 'Strict' }));
  return { server, stored };
}

/** The offline causes the API server would list: errors, and the note that rules were not run. */
function offline(kind: Kind, doc: Doc, options: ValidateOptions = {}): { refused: boolean; causes: string[] } {
  const issues = kind.validator.validate(doc, { fieldValidation: 'Strict', ...options });
  return { refused: isRefused(issues), causes: issues.filter((i) => i.severity !== 'warning').map(formatIssue) };
}

/** Both refuse with the same causes, or both accept. */
function expectAgreement(server: ServerVerdict, mine: { refused: boolean; causes: string[] }): void {
  expect(mine.refused).toBe(!server.accepted);
  if (server.causes.length > 0) expect([...mine.causes].sort()).toEqual([...server.causes].sort());
  // A 400 (strict decoding) has no causes: each offline error is in its message.
  else for (const cause of mine.causes) expect(server.message).toContain(cause.replace(/^[^:]*: /, ''));
}

const named = (doc: Doc, prefix: string): Doc => ({ ...doc, metadata: { ...doc.metadata, name: uniqueName(prefix) } });

const entry = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Doc => ({
  apiVersion: `${API_GROUP}/${API_VERSION}`,
  kind: 'AccessEntry',
  metadata: { name: uniqueName('offline') },
  spec: { clusterName: 'demo', principalArn: ROLE, ...spec },
  ...extra,
});

async function yamlFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((file) => file.endsWith('.yaml')).sort();
}

describe('the hostile-input corpus (test/integration/fixtures/invalid)', async () => {
  const corpus = await Promise.all(
    (await yamlFiles(INVALID_DIR)).map(async (file) => {
      const text = await readFile(join(INVALID_DIR, file), 'utf8');
      const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!.trim());
      return { file, doc: named(loadYaml(text) as Doc, 'invalid'), expected };
    }),
  );

  it('holds files', () => {
    expect(corpus.length).toBeGreaterThan(50);
  });

  it.each(corpus)('$file: refused offline with every expected fragment, and by the API server with the same causes', async ({ doc, expected }) => {
    const mine = offline(ACCESS_ENTRY, doc);
    expect(mine.refused).toBe(true);
    for (const fragment of expected) expect(mine.causes.join('\n')).toContain(fragment);
    const server = await serverCreate(ACCESS_ENTRY, doc);
    expect(server.accepted).toBe(false);
    expectAgreement(server, mine);
  });
});

describe('more hostile documents, for the API server checks around the schema', () => {
  it.each<[string, Doc]>([
    ['a name that is not a DNS-1123 subdomain', { ...entry({}), metadata: { name: 'Team_A' } }],
    ['no name at all', { ...entry({ clusterName: 'a b' }), metadata: {} }],
    ['bad labels and annotations', { ...entry({}), metadata: { name: uniqueName('labels'), labels: { 'bad label': 'x', ok: 'bad value!', 'a/b/c': 'x' }, annotations: { '-x': '1' } } }],
    ['a number for a string, and an unknown enum value', entry({ clusterName: 5, type: 'FOO', deletionPolicy: 7 })],
    ['a list for a map, and a map for a list', entry({ tags: ['a'], accessPolicies: {} })],
    ['a null in a list', entry({ kubernetesGroups: [null, 'a'] })],
    ['duplicates and an empty group in one list', entry({ kubernetesGroups: ['a', 'b', 'a', 'b', ''] })],
    ['expiresAt that is not a date-time', entry({ expiresAt: '2027-02-30T18:00:00Z' })],
    ['expiresAt without seconds', entry({ expiresAt: '2027-01-31T18:00Z' })],
    ['several rule failures at once', entry({ type: 'EC2_LINUX', region: 'bad', username: 'x', kubernetesGroups: ['system:a'], tags: { 'aws:x': 'é%', 'c%': 'd' } })],
    ['a policy without scope type next to a too-short name', entry({ accessPolicies: [{ policy: '', accessScope: {} }] })],
    ['an unknown field (strict)', entry({ kubernetesGroup: ['admins'] })],
    ['an unknown field in an access policy and in metadata (strict)', { ...entry({ accessPolicies: [{ policy: 'A', accessScope: { type: 'cluster' }, scope: 'x' }] }), metadata: { name: uniqueName('meta'), owner: 'me' } }],
    ['a spec of null', { ...entry({}), spec: null }],
    ['no spec', { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: 'AccessEntry', metadata: { name: uniqueName('nospec') } }],
  ])('%s', async (_label, doc) => {
    const mine = offline(ACCESS_ENTRY, doc);
    expect(mine.refused).toBe(true);
    expectAgreement(await serverCreate(ACCESS_ENTRY, doc), mine);
  });
});

describe('valid documents: both accept, and default them alike', async () => {
  const examples = await Promise.all(
    (await yamlFiles(EXAMPLES_DIR)).map(async (file) => [file, named(loadYaml(await readFile(join(EXAMPLES_DIR, file), 'utf8')) as Doc, 'example')] as const),
  );

  const variants: [string, Doc][] = [
    ...['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'EC2', 'HYBRID_LINUX', 'HYPERPOD_LINUX'].map(
      (type): [string, Doc] => [`type ${type}`, entry({ type, principalArn: 'arn:aws:iam::123456789012:role/nodes' })],
    ),
    ['every field of a STANDARD entry', entry({
      region: 'eu-west-1',
      kubernetesGroups: ['developers', 'System:team'],
      username: 'admin:{{SessionName}}',
      accessPolicies: [
        { policy: 'AmazonEKSEditPolicy', accessScope: { type: 'namespace', namespaces: ['team-a', 'dev-*'] } },
        { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'cluster', namespaces: [] } },
      ],
      tags: { team: 'platform', 'Kostenstelle 名前': 'värde 値 ١٢٣', '_.:/=+-@': 'a=b+c@d' },
      deletionPolicy: 'DeleteEvenIfAdopted',
      expiresAt: '2027-01-31T18:00:00Z',
      adoptExisting: true,
    })],
    ['expiresAt with an offset and nanoseconds, in lower case', entry({ expiresAt: '2027-01-31t18:00:00.123456789+01:00' })],
    ['a GovCloud entry with a policy by name', entry({ region: 'us-gov-west-1', principalArn: 'arn:aws-us-gov:iam::123456789012:role/admins', accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }] })],
    ['a China entry with an aws-cn policy ARN and no region', entry({ principalArn: 'arn:aws-cn:iam::123456789012:role/admins', accessPolicies: [{ policyArn: 'arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'cluster' } }] })],
    ['a role with a long path and an emoji-free 64-character name', entry({ principalArn: `arn:aws:iam::123456789012:role/${'p'.repeat(200)}/${'r'.repeat(64)}` })],
    ['nulls the schema drops, and a status a create ignores', entry({ username: null, type: null, tags: { a: 'b' } }, { status: { conditions: 5 } })],
    ['labels and annotations', { ...entry({}), metadata: { name: uniqueName('labelled'), labels: { 'app.kubernetes.io/name': 'x' }, annotations: { 'eksaccess.dev/reconcile-requested-at': 'now' } } }],
  ];

  it.each([...examples, ...variants])('%s', async (_label, doc) => {
    const mine = ACCESS_ENTRY.validator.validate(doc, { fieldValidation: 'Strict' });
    expect(mine.map(formatIssue)).toEqual([]);
    const server = await serverCreate(ACCESS_ENTRY, doc);
    expect(server).toMatchObject({ accepted: true, causes: [] });
    expect((ACCESS_ENTRY.validator.withDefaults(doc) as Doc).spec).toEqual(server.stored?.spec);
  });
});

describe('updates: transition rules offline with the stored object as old', () => {
  const old = entry({ region: 'us-east-1', kubernetesGroups: ['team'] });
  const unpinned = entry({ kubernetesGroups: ['team'] });
  const spec = old.spec as Record<string, unknown>;

  it.each<[string, Doc, Record<string, unknown>]>([
    ['clusterName changed', old, { ...spec, clusterName: 'other' }],
    ['principalArn changed', old, { ...spec, principalArn: 'arn:aws:iam::123456789012:role/other' }],
    ['type changed', old, { ...spec, type: 'EC2_LINUX', kubernetesGroups: [] }],
    ['region changed', old, { ...spec, region: 'eu-west-1' }],
    ['region removed', old, { clusterName: 'demo', principalArn: ROLE, kubernetesGroups: ['team'] }],
    ['region added', unpinned, { ...spec }],
    ['groups, username, tags, policies, deletionPolicy and adoptExisting changed', old, {
      ...spec,
      kubernetesGroups: ['b'],
      username: 'second',
      tags: { team: 'b' },
      accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'cluster' } }],
      deletionPolicy: 'Retain',
      adoptExisting: true,
    }],
    ['clusterName and type changed, and an invalid username', old, { ...spec, clusterName: 'other', type: 'FARGATE_LINUX', kubernetesGroups: [], username: 'eks:x' }],
  ])('%s', async (_label, before, afterSpec) => {
    const after: Doc = { ...before, spec: afterSpec };
    const { server, stored } = await serverUpdate(ACCESS_ENTRY, before, after);
    const doc = { ...after, metadata: { ...stored.metadata } };
    expectAgreement(server, offline(ACCESS_ENTRY, doc, { old: stored }));
  });
});

describe('ClusterAccess', () => {
  const access = (spec: Record<string, unknown>): Doc => ({
    apiVersion: `${API_GROUP}/${API_VERSION}`,
    kind: 'ClusterAccess',
    metadata: { name: uniqueName('access') },
    spec: { clusterName: 'prod', region: 'eu-west-1', ...spec },
  });

  it.each<[string, Doc]>([
    ['a role and an external id', access({ roleArn: 'arn:aws:iam::123456789012:role/eks-access', externalId: 'abc-123' })],
    ['the controller own credentials', access({})],
    ['an external id without a role', access({ externalId: 'abc-123' })],
    ['a role of another partition', access({ roleArn: 'arn:aws-cn:iam::123456789012:role/eks-access' })],
    ['a user for a role', access({ roleArn: 'arn:aws:iam::123456789012:user/eks-access' })],
    ['no region', access({ region: undefined })],
    ['a region that is an availability zone', access({ region: 'eu-west-1a' })],
    ['an external id with a space', access({ roleArn: 'arn:aws:iam::123456789012:role/eks-access', externalId: 'a b' })],
  ])('%s', async (_label, doc) => {
    const body = JSON.parse(JSON.stringify(doc)) as Doc;
    expectAgreement(await serverCreate(CLUSTER_ACCESS, body), offline(CLUSTER_ACCESS, body));
  });

  it('a region change on update', async () => {
    const before = access({});
    const after = { ...before, spec: { clusterName: 'prod', region: 'eu-west-2' } };
    const { server, stored } = await serverUpdate(CLUSTER_ACCESS, before, after);
    expect(server.accepted).toBe(false);
    expectAgreement(server, offline(CLUSTER_ACCESS, { ...after, metadata: { ...stored.metadata } }, { old: stored }));
  });
});
