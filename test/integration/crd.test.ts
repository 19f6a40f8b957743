// The AccessEntry CRD on a real API server: what kubectl users and the controller will meet.
import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { load as loadYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AccessEntry, AccessEntrySpec, AccessEntryStatus, Condition } from '../../src/api/accessentry.ts';
import {
  API_GROUP,
  API_GROUP_VERSION,
  API_VERSION,
  AWS_PARTITIONS,
  KIND,
  MAX_ACCESS_POLICIES,
  MAX_ACCESS_SCOPE_NAMESPACES,
  MAX_IAM_NAME_LENGTH,
  MAX_IAM_PATH_LENGTH,
  MAX_NAMESPACE_LENGTH,
  PLURAL,
  RESERVED_USERNAME_PREFIXES,
} from '../../src/api/names.ts';
import { CRD_FILE, installCrd } from '../testenv/crd.ts';
import { applyYaml, kubectl, testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';

const EXAMPLES_DIR = fileURLToPath(new URL('../../deploy/examples/', import.meta.url));
const INVALID_DIR = fileURLToPath(new URL('./fixtures/invalid/', import.meta.url));
const RESOURCE = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
const ROLE = 'arn:aws:iam::123456789012:role/admins';

let kubeConfig: KubeConfig;
let api: CustomObjectsApi;
const created: string[] = [];

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  api = kubeConfig.makeApiClient(CustomObjectsApi);
  await installCrd(kubeConfig);
});

afterAll(async () => {
  // Best effort: nothing here adds finalizers, so deletes complete at once.
  await Promise.allSettled(created.map((name) => api.deleteClusterCustomObject({ ...RESOURCE, name })));
});

/** An AccessEntry with a fresh name, on a cluster name of its own unless the spec says otherwise. */
function entry(spec: Partial<AccessEntrySpec>, prefix = 'crd-test'): AccessEntry {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: KIND,
    metadata: { name: uniqueName(prefix) },
    spec: { clusterName: uniqueName('cluster'), principalArn: ROLE, ...spec },
  };
}

async function create(obj: unknown): Promise<AccessEntry> {
  const stored = (await api.createClusterCustomObject({ ...RESOURCE, body: obj })) as AccessEntry;
  created.push(stored.metadata.name!);
  return stored;
}
const get = async (name: string): Promise<AccessEntry> =>
  (await api.getClusterCustomObject({ ...RESOURCE, name })) as AccessEntry;
const replace = async (obj: AccessEntry): Promise<AccessEntry> =>
  (await api.replaceClusterCustomObject({ ...RESOURCE, name: obj.metadata.name!, body: obj })) as AccessEntry;
const replaceStatus = async (obj: AccessEntry): Promise<AccessEntry> =>
  (await api.replaceClusterCustomObjectStatus({ ...RESOURCE, name: obj.metadata.name!, body: obj })) as AccessEntry;

interface Rejection {
  code: number;
  message: string;
  /** The fields and messages of each cause, one per rule or schema check that failed. */
  causes: string[];
}

/** The HTTP status, Status message and causes of a request the API server must refuse. */
async function rejection(call: Promise<unknown>): Promise<Rejection> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as {
      message?: string;
      details?: { causes?: { field?: string; message?: string }[] };
    };
    const causes = (body.details?.causes ?? []).map((cause) => `${cause.field ?? ''}: ${cause.message ?? ''}`);
    return { code: error.code, message: body.message ?? String(error.body), causes };
  }
  throw new Error('the API server accepted a request it should have rejected');
}

async function yamlFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((file) => file.endsWith('.yaml')).sort();
}

describe('the CRD', () => {
  it('installs and becomes Established, also when installed again', async () => {
    const crd = await installCrd(kubeConfig);
    const established = crd.status?.conditions?.find((c) => c.type === 'Established');
    expect(established?.status).toBe('True');
    expect(crd.spec.scope).toBe('Cluster');
  });

  it('explains in kubectl explain what listing access policies does to the others', async () => {
    const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();
    const explained = await waitFor(
      async () => {
        const result = await kubectl(['explain', 'accessentry.spec.accessPolicies']);
        return result.code === 0 && flat(result.stdout).includes('is the whole set') ? flat(result.stdout) : undefined;
      },
      { description: 'kubectl explain to show the accessPolicies description', timeoutMs: 30_000 },
    );
    expect(explained).toContain('the associations are not managed here');
    expect(explained).toContain('Present, even as an empty list, it is the whole set');
    expect(explained).toContain('an association made outside this object');
    expect(explained).toContain('is removed while this field is present');
  });

  it('feeds its descriptions to kubectl explain', async () => {
    const description = await principalArnDescription();
    const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();
    // The published OpenAPI document lags the CRD by a moment.
    const explained = await waitFor(
      async () => {
        const result = await kubectl(['explain', 'accessentry.spec.principalArn']);
        return result.code === 0 && flat(result.stdout).includes(flat(description)) ? result.stdout : undefined;
      },
      { description: 'kubectl explain to show the principalArn description', timeoutMs: 30_000 },
    );
    expect(explained).toContain('principalArn');
  });
});

describe('the examples in deploy/examples', async () => {
  const files = await yamlFiles(EXAMPLES_DIR);

  it('exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('%s applies and reads back with the defaults filled in', async (file) => {
    const example = loadYaml(await readFile(join(EXAMPLES_DIR, file), 'utf8')) as AccessEntry;
    const name = uniqueName(example.metadata.name!);
    const manifest = { ...example, metadata: { ...example.metadata, name } };
    await applyYaml(kubeConfig, JSON.stringify(manifest));
    created.push(name);
    const stored = await get(name);
    expect(stored.spec).toEqual({ type: 'STANDARD', deletionPolicy: 'Delete', adoptExisting: false, onPrincipalRecreated: 'Heal', ...example.spec });
  });
});

describe('invalid specs are rejected with a message that says what is wrong', async () => {
  const corpus = await Promise.all(
    (await yamlFiles(INVALID_DIR)).map(async (file) => {
      const text = await readFile(join(INVALID_DIR, file), 'utf8');
      const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!.trim());
      if (expected.length === 0) throw new Error(`${file} needs a "# expect: <message fragment>" line`);
      return { file, obj: loadYaml(text) as AccessEntry, expected };
    }),
  );

  const reject = (obj: AccessEntry): Promise<Rejection> =>
    rejection(create({ ...obj, metadata: { name: uniqueName('invalid') } }));

  it.each(corpus)('$file', async ({ obj, expected }) => {
    const { code, message } = await reject(obj);
    expect(code).toBe(422);
    for (const fragment of expected) expect(message).toContain(fragment);
  });

  it('each for one reason only, so every file tests the rule it is named after', async () => {
    // Schema errors stop the CEL rules, which the API server says in a cause of its own.
    const notice = /some validation rules were not checked because the object was invalid/;
    const several = await Promise.all(
      corpus.map(async ({ file, obj }) => ({ file, causes: (await reject(obj)).causes.filter((c) => !notice.test(c)) })),
    );
    expect(several.filter(({ causes }) => causes.length !== 1)).toEqual([]);
  });

  it('never with only a regular expression for a message', async () => {
    const messages = await Promise.all(corpus.map(async ({ file, obj }) => `${file}: ${(await reject(obj)).message}`));
    // What the API server says for a bare `pattern` ("in body should match '^[a-z]…$'") or for a
    // rule without a message ("failed rule: self.matches(…)").
    expect(messages.filter((message) => /should match '|failed rule:/.test(message))).toEqual([]);
  });

  it.each(RESERVED_USERNAME_PREFIXES)('a username starting with %s', async (prefix) => {
    const { code, message } = await rejection(create(entry({ username: `${prefix}someone` })));
    expect(code).toBe(422);
    expect(message).toContain('username must not start with');
    expect(message).toContain(prefix);
  });

  it.each(RESERVED_USERNAME_PREFIXES.map((prefix) => prefix.toUpperCase()))('a username starting with %s', async (prefix) => {
    const { code, message } = await rejection(create(entry({ username: `${prefix}someone` })));
    expect(code).toBe(422);
    expect(message).toContain('username must not start with');
    expect(message).toContain('in any letter case');
  });
});

describe('unusual but valid specs are accepted', () => {
  const tags = (count: number): Record<string, string> =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`tag-${i}`, `value-${i}`]));

  it.each<[string, Partial<AccessEntrySpec>]>([
    ['a role with a path', { principalArn: 'arn:aws:iam::123456789012:role/teams/platform/admins' }],
    ['a service-linked role', { principalArn: 'arn:aws:iam::123456789012:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS' }],
    ['a user with a path', { principalArn: 'arn:aws:iam::123456789012:user/people/alice.smith@example.com' }],
    ['a China region with an aws-cn role', { region: 'cn-north-1', principalArn: 'arn:aws-cn:iam::123456789012:role/admins' }],
    ['a GovCloud region with an aws-us-gov role', { region: 'us-gov-west-1', principalArn: 'arn:aws-us-gov:iam::123456789012:role/admins' }],
    ['a commercial region', { region: 'ap-southeast-2' }],
    ['a username with an EKS template', { username: 'admin:{{SessionName}}' }],
    ['a group that only looks like a system group', { kubernetesGroups: ['systems-team', 'team:system:x'] }],
    ['a node type with an empty group list', { type: 'HYBRID_LINUX', kubernetesGroups: [] }],
    ['48 tags, the most allowed', { tags: tags(48) }],
    ['a 128-character tag key and an empty value', { tags: { ['k'.repeat(128)]: '' } }],
    ['a tag key with aws: inside it', { tags: { 'team:aws:thing': 'x' } }],
    ['a 100-character cluster name with - and _', { clusterName: `c${'-_x'.repeat(33)}` }],
    ['letters, digits and spaces of other scripts in tags', { tags: { 'Kostenstelle 名前': 'värde 値 ١٢٣', 'équipe': 'Ünïcødé' } }],
    ['every punctuation mark AWS allows in tags', { tags: { '_.:/=+-@': '_.:/=+-@', 'path/to:key': 'a=b+c@d' } }],
    ['a non-breaking space in a tag value', { tags: { team: 'platform\u00a0team' } }],
    ['every character IAM allows in a role name', { principalArn: 'arn:aws:iam::123456789012:role/ci+deploy=prod,eu.bot@corp_1-x' }],
    [`a ${MAX_IAM_NAME_LENGTH}-character role name`, { principalArn: `arn:aws:iam::123456789012:role/${'r'.repeat(MAX_IAM_NAME_LENGTH)}` }],
    [`a ${MAX_IAM_NAME_LENGTH}-character user name`, { principalArn: `arn:aws:iam::123456789012:user/${'u'.repeat(MAX_IAM_NAME_LENGTH)}` }],
    [
      `a ${MAX_IAM_PATH_LENGTH}-character path, slashes included`,
      { principalArn: `arn:aws:iam::123456789012:role/${'p'.repeat(MAX_IAM_PATH_LENGTH - 2)}/admins` },
    ],
    ['a path with punctuation IAM allows', { principalArn: 'arn:aws:iam::123456789012:role/ops!~$(eu)/team:a/admins' }],
    ['a username with the EKS templates for session and account', { username: '{{AccountID}}:{{SessionName}}' }],
    ['a username with a reserved word later on', { username: 'team:system:alice' }],
    ['a group in another letter case than system:', { kubernetesGroups: ['System:team'] }],
    ['an empty list of access policies (manage the set: none)', { accessPolicies: [] }],
    ['an access policy by name alone', { accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'cluster' } }] }],
    ...AWS_PARTITIONS.map((partition): [string, Partial<AccessEntrySpec>] => {
      const region = { aws: 'eu-west-1', 'aws-cn': 'cn-northwest-1', 'aws-us-gov': 'us-gov-east-1' }[partition];
      return [
        `an ${partition} policy ARN with an ${partition} principal and region ${region}`,
        {
          region,
          principalArn: `arn:${partition}:iam::123456789012:role/admins`,
          accessPolicies: [{ policyArn: `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy`, accessScope: { type: 'cluster' } }],
        },
      ];
    }),
    [
      'an aws-cn policy ARN with an aws-cn principal and no region',
      {
        principalArn: 'arn:aws-cn:iam::123456789012:role/admins',
        accessPolicies: [{ policyArn: 'arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'cluster' } }],
      },
    ],
    [
      'a policy by name in a GovCloud region (the controller picks the partition)',
      {
        region: 'us-gov-west-1',
        principalArn: 'arn:aws-us-gov:iam::123456789012:role/admins',
        accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }],
      },
    ],
    [
      'a namespace scope with several namespaces, and a policy of each form',
      {
        accessPolicies: [
          { policy: 'AmazonEKSEditPolicy', accessScope: { type: 'namespace', namespaces: ['team-a', 'team-b', 'team-c'] } },
          { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'cluster' } },
        ],
      },
    ],
    [
      'namespaces with the wildcard suffix EKS documents (dev-*), next to plain ones',
      { accessPolicies: [{ policy: 'AmazonEKSEditPolicy', accessScope: { type: 'namespace', namespaces: ['dev-*', 'qa*', '0', 'a-b-c'] } }] },
    ],
    [
      `a ${MAX_NAMESPACE_LENGTH}-character namespace and a ${MAX_NAMESPACE_LENGTH}-character wildcard`,
      {
        accessPolicies: [
          {
            policy: 'AmazonEKSViewPolicy',
            accessScope: { type: 'namespace', namespaces: ['n'.repeat(MAX_NAMESPACE_LENGTH), `${'p'.repeat(MAX_NAMESPACE_LENGTH - 2)}-*`] },
          },
        ],
      },
    ],
    ['a cluster scope with an empty namespace list', { accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'cluster', namespaces: [] } }] }],
    [
      `${MAX_ACCESS_POLICIES} policies, the most allowed, one of them with ${MAX_ACCESS_SCOPE_NAMESPACES} namespaces`,
      {
        accessPolicies: Array.from({ length: MAX_ACCESS_POLICIES }, (_, i) =>
          i === 0
            ? {
                policy: 'Policy0',
                accessScope: {
                  type: 'namespace' as const,
                  namespaces: Array.from({ length: MAX_ACCESS_SCOPE_NAMESPACES }, (_, n) => `team-${n}`),
                },
              }
            : { policy: `Policy${i}`, accessScope: { type: 'cluster' as const } },
        ),
      },
    ],
    [
      'policies whose names only differ in letter case (EKS names are case-sensitive)',
      {
        accessPolicies: [
          { policy: 'AmazonEKSViewPolicy', accessScope: { type: 'cluster' } },
          { policy: 'amazonEKSViewPolicy', accessScope: { type: 'cluster' } },
        ],
      },
    ],
  ])('%s', async (_label, spec) => {
    const stored = await create(entry(spec));
    expect(stored.spec).toMatchObject(spec);
  });
});

describe('immutable fields', () => {
  it.each<[string, (spec: AccessEntrySpec) => void, string]>([
    ['clusterName', (s) => (s.clusterName = uniqueName('other')), 'clusterName is immutable: create a new AccessEntry'],
    ['principalArn', (s) => (s.principalArn = 'arn:aws:iam::123456789012:role/other'), 'principalArn is immutable'],
    ['type', (s) => ((s.type = 'EC2_LINUX'), delete s.kubernetesGroups), 'type is immutable'],
    ['region (changed)', (s) => (s.region = 'eu-west-1'), 'region is immutable'],
    ['region (removed)', (s) => delete s.region, 'region is immutable'],
    ['principalArn (swapped for a permission set)', (s) => ((s.principal = { ssoPermissionSet: 'Admin' }), delete s.principalArn), 'cannot switch between principalArn and principal'],
  ])('%s cannot change', async (_label, change, fragment) => {
    const stored = await create(entry({ region: 'us-east-1', kubernetesGroups: ['team'] }));
    change(stored.spec);
    const { code, message } = await rejection(replace(stored));
    expect(code).toBe(422);
    expect(message).toContain(fragment);
  });

  it.each<[string, (spec: AccessEntrySpec) => void, string]>([
    ['its permission set', (s) => (s.principal = { ssoPermissionSet: 'Other' }), 'principal is immutable'],
    ['principal, swapped for an ARN', (s) => ((s.principalArn = 'arn:aws:iam::123456789012:role/x'), delete s.principal), 'cannot switch between principalArn and principal'],
  ])('spec.principal: %s cannot change', async (_label, change, fragment) => {
    const { principalArn: _arn, ...spec } = entry({}).spec;
    const stored = await create({ ...entry({}), spec: { ...spec, principal: { ssoPermissionSet: 'Admin' } } });
    change(stored.spec);
    const { code, message } = await rejection(replace(stored));
    expect(code).toBe(422);
    expect(message).toContain(fragment);
  });

  describe('region, added after creation to pin an entry to the region it lives in', () => {
    const pinned = async (): Promise<AccessEntry> => {
      const stored = await create(entry({}));
      return replace({ ...stored, spec: { ...stored.spec, region: 'us-east-1' } });
    };

    it('can be added', async () => {
      const updated = await pinned();
      expect(updated.spec.region).toBe('us-east-1');
      expect(updated.metadata.generation).toBe(2);
    });

    it.each<[string, (spec: AccessEntrySpec) => void]>([
      ['changed', (s) => (s.region = 'eu-west-1')],
      ['removed', (s) => delete s.region],
    ])('cannot then be %s', async (_label, change) => {
      const updated = await pinned();
      change(updated.spec);
      const { code, message } = await rejection(replace(updated));
      expect(code).toBe(422);
      expect(message).toContain('spec.region');
      expect(message).toContain('region is immutable once set (it can be neither changed nor removed)');
    });
  });

  it('while groups, username, tags, access policies, deletionPolicy and adoptExisting can change', async () => {
    const stored = await create(
      entry({
        kubernetesGroups: ['a'],
        username: 'first',
        tags: { team: 'a' },
        accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'cluster' } }],
      }),
    );
    const changes: Partial<AccessEntrySpec> = {
      kubernetesGroups: ['b', 'c'],
      username: 'second',
      tags: { team: 'b', owner: 'x' },
      accessPolicies: [
        { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy', accessScope: { type: 'namespace', namespaces: ['team-b'] } },
      ],
      deletionPolicy: 'Retain',
      adoptExisting: true,
    };
    const updated = await replace({ ...stored, spec: { ...stored.spec, ...changes } });
    expect(updated.spec).toMatchObject(changes);
    expect(updated.metadata.generation).toBe(2);
  });

  it('and accessPolicies can be removed again, to stop managing the associations', async () => {
    const stored = await create(entry({ accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'cluster' } }] }));
    const { accessPolicies: _dropped, ...rest } = stored.spec;
    const updated = await replace({ ...stored, spec: rest });
    expect(updated.spec.accessPolicies).toBeUndefined();
    expect(updated.metadata.generation).toBe(2);
  });
});

describe('the status subresource', () => {
  const status = (generation: number): AccessEntryStatus => ({
    observedGeneration: generation,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Synced', message: 'the entry matches the spec', lastTransitionTime: '2026-01-02T03:04:05Z', observedGeneration: generation },
    ],
    accessEntryArn: 'arn:aws:eks:us-east-1:123456789012:access-entry/demo/role/123456789012/admins/abcd',
    username: 'arn:aws:sts::123456789012:assumed-role/admins/{{SessionName}}',
    createdAt: '2026-01-02T03:04:05Z',
    modifiedAt: '2026-01-02T03:04:05Z',
    managedTagKeys: ['eksaccess.dev/managed-by', 'team'],
    adopted: false,
    accessPolicies: [
      {
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
        accessScope: { type: 'namespace', namespaces: ['team-a', 'dev-*'] },
        associatedAt: '2026-01-02T03:04:05Z',
        modifiedAt: '2026-01-03T04:05:06Z',
      },
      {
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
        accessScope: { type: 'cluster', namespaces: [] },
        associatedAt: '2026-01-02T03:04:05Z',
        modifiedAt: '2026-01-02T03:04:05Z',
      },
    ],
    policies: 'AmazonEKSViewPolicy,AmazonEKSEditPolicy',
  });

  it('takes status writes without bumping generation, and spec writes bump it', async () => {
    const stored = await create(entry({}));
    const withStatus = await replaceStatus({ ...stored, status: status(1) });
    expect(withStatus.status).toEqual(status(1));
    expect(withStatus.metadata.generation).toBe(1);

    // Through the main resource, spec changes count and status changes are ignored.
    const respec = await replace({ ...withStatus, spec: { ...withStatus.spec, username: 'changed' }, status: status(7) });
    expect(respec.metadata.generation).toBe(2);
    expect(respec.status).toEqual(status(1));
  });

  it('round-trips the observed access policies, and an emptied list', async () => {
    const stored = await create(entry({}));
    const written = await replaceStatus({ ...stored, status: status(1) });
    expect((await get(stored.metadata.name!)).status).toEqual(status(1));
    const emptied = await replaceStatus({ ...written, status: { ...status(1), accessPolicies: [], policies: '' } });
    expect(emptied.status?.accessPolicies).toEqual([]);
    expect(emptied.status?.policies).toBe('');
  });

  it('keys the observed access policies by ARN: one association per policy', async () => {
    const stored = await create(entry({}));
    const twice = status(1);
    twice.accessPolicies = [twice.accessPolicies![0]!, { ...twice.accessPolicies![0]!, accessScope: { type: 'cluster' } }];
    const { code, message } = await rejection(replaceStatus({ ...stored, status: twice }));
    expect(code).toBe(422);
    expect(message).toContain('status.accessPolicies[1]: Duplicate value');
  });

  it.each<[string, Partial<Condition>, string]>([
    ['an unknown condition status', { status: 'Maybe' as 'True' }, 'Unsupported value: "Maybe"'],
    ['a reason that is not CamelCase', { reason: 'not a reason' }, 'reason in body should match'],
  ])('rejects %s', async (_label, override, fragment) => {
    const stored = await create(entry({}));
    const bad = status(1);
    bad.conditions = [{ ...bad.conditions![0]!, ...override }];
    const { code, message } = await rejection(replaceStatus({ ...stored, status: bad }));
    expect(code).toBe(422);
    expect(message).toContain(fragment);
  });

  it('lets kubectl wait for the Ready condition', async () => {
    const stored = await create(entry({}));
    const waiting = kubectl(['wait', '--for=condition=Ready', `accessentry/${stored.metadata.name!}`, '--timeout=20s']);
    await replaceStatus({ ...stored, status: status(1) });
    const result = await waiting;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('shows up in the server-side table kubectl prints', async () => {
    const stored = await create(entry({ region: 'eu-central-1' }));
    await replaceStatus({
      ...stored,
      status: { ...status(1), principalArn: ROLE, conditions: [{ ...status(1).conditions![0]!, status: 'False', reason: 'ClusterNotFound' }] },
    });
    const table = await getTable(`/apis/${API_GROUP_VERSION}/${PLURAL}/${stored.metadata.name!}`);
    const columns = table.columnDefinitions.map((c) => c.name);
    expect(columns).toEqual(['Name', 'Cluster', 'Principal', 'Type', 'Policies', 'Region', 'Ready', 'Reason', 'Expires', 'Age']);
    expect(table.columnDefinitions.find((c) => c.name === 'Region')?.priority).toBe(1);
    const cells = Object.fromEntries(columns.map((name, i) => [name, table.rows[0]!.cells[i]]));
    expect(cells).toMatchObject({
      Name: stored.metadata.name,
      Cluster: stored.spec.clusterName,
      Principal: ROLE,
      Type: 'STANDARD',
      Policies: 'AmazonEKSViewPolicy,AmazonEKSEditPolicy',
      Region: 'eu-central-1',
      Ready: 'False',
      Reason: 'ClusterNotFound',
    });
  });
});

describe('selectable fields', () => {
  it('let clients list the entries of one cluster on the server', async () => {
    const mine = await create(entry({}));
    await create(entry({ type: 'EC2_LINUX', principalArn: 'arn:aws:iam::123456789012:role/nodes' }));
    const list = (await api.listClusterCustomObject({
      ...RESOURCE,
      fieldSelector: `spec.clusterName=${mine.spec.clusterName}`,
    })) as { items: AccessEntry[] };
    expect(list.items.map((item) => item.metadata.name)).toEqual([mine.metadata.name]);
  });
});

async function principalArnDescription(): Promise<string> {
  interface Node {
    description?: string;
    properties?: Record<string, Node>;
  }
  const crd = loadYaml(await readFile(CRD_FILE, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
  const root = crd.spec.versions[0]!.schema.openAPIV3Schema;
  return root.properties!.spec!.properties!.principalArn!.description!;
}

interface Table {
  columnDefinitions: { name: string; priority: number }[];
  rows: { cells: unknown[] }[];
}

/** GETs path as a meta.k8s.io Table, the form kubectl get asks for. */
async function getTable(path: string): Promise<Table> {
  const options = { method: 'GET', headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } };
  await kubeConfig.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(`${inject('serverUrl')}${path}`, options, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${path} as Table: HTTP ${res.statusCode}: ${body}`));
        else resolve(JSON.parse(body) as Table);
      });
    });
    req.on('error', reject);
    req.end();
  });
}
