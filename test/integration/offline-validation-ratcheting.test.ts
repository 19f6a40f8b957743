// CRD validation ratcheting, offline and on the real API server: objects stored under a looser
// schema stay updatable where they did not change. A CRD of this test's own is tightened after
// an object was stored under it; both must then judge updates of that object alike.
import { ApiException, ApiextensionsV1Api, CustomObjectsApi, loadYaml, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrdValidator, formatIssue, isRefused } from '../../src/validation/index.ts';
import { testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';

const GROUP = 'ratchet.offline-validation.test';
const RESOURCE = { group: GROUP, version: 'v1', plural: 'gadgets' };
type Doc = Record<string, unknown> & { metadata: Record<string, unknown> };

/** The CRD as plain JSON, as it would be read from a file (and as the offline validator reads it). */
function definition(strict: boolean): Record<string, unknown> {
  const text = { type: 'string', ...(strict && { pattern: '^[a-z]*$' }) };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `gadgets.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget', listKind: 'GadgetList' },
      scope: 'Cluster',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    name: { type: 'string', ...(strict && { maxLength: 3 }) },
                    other: { type: 'string' },
                    size: { type: 'integer', ...(strict && { 'x-kubernetes-validations': [{ rule: 'self < 10', message: 'size must be under 10' }] }) },
                    items: {
                      type: 'array',
                      maxItems: 5,
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['k'],
                      items: { type: 'object', required: ['k'], properties: { k: { type: 'string', maxLength: 5 }, v: text } },
                    },
                    atomic: { type: 'array', items: text },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

let crds: ApiextensionsV1Api;
let api: CustomObjectsApi;
const strictValidator = CrdValidator.fromCrd(definition(true));
let stored: Doc;

async function apply(strict: boolean): Promise<void> {
  // Through client-node's own YAML loader: its typed client drops x-kubernetes-* keys it is handed raw.
  const body = loadYaml<V1CustomResourceDefinition>(JSON.stringify(definition(strict)));
  try {
    const current = await crds.readCustomResourceDefinition({ name: body.metadata!.name! });
    await crds.replaceCustomResourceDefinition({ name: body.metadata!.name!, body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } } });
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 404)) throw error;
    await crds.createCustomResourceDefinition({ body });
  }
}

/** The API server applies a new schema a moment after the CRD changes: wait until it refuses what only the strict one refuses. */
async function refusesUnderStrictSchema(): Promise<boolean> {
  try {
    await api.createClusterCustomObject({ ...RESOURCE, body: gadget({ name: 'toolong' }, uniqueName('probe')), dryRun: 'All' });
    return false;
  } catch (error) {
    return error instanceof ApiException && error.code === 422;
  }
}

function gadget(spec: Record<string, unknown>, name = 'g'): Doc {
  return { apiVersion: `${GROUP}/v1`, kind: 'Gadget', metadata: { name }, spec };
}

beforeAll(async () => {
  const kubeConfig = testKubeConfig();
  crds = kubeConfig.makeApiClient(ApiextensionsV1Api);
  api = kubeConfig.makeApiClient(CustomObjectsApi);
  await apply(false);
  const loose = gadget({ name: 'toolong', size: 12, items: [{ k: 'a', v: 'BAD' }], atomic: ['BAD'] }, uniqueName('gadget'));
  stored = await waitFor(
    async () => (await api.createClusterCustomObject({ ...RESOURCE, body: loose })) as Doc,
    { description: 'the Gadget CRD to serve', timeoutMs: 30_000 },
  );
  await apply(true);
  await waitFor(refusesUnderStrictSchema, { description: 'the strict Gadget schema to apply', timeoutMs: 30_000 });
});

afterAll(async () => {
  await crds.deleteCustomResourceDefinition({ name: `gadgets.${GROUP}` }).catch(() => undefined);
});

async function serverUpdate(spec: Record<string, unknown>): Promise<{ accepted: boolean; causes: string[] }> {
  try {
    await api.replaceClusterCustomObject({ ...RESOURCE, name: String(stored.metadata.name), body: { ...stored, spec }, dryRun: 'All' });
    return { accepted: true, causes: [] };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as { details?: { causes?: { field?: string; message?: string }[] } };
    return { accepted: false, causes: (body.details?.causes ?? []).map((c) => `${c.field ?? '<nil>'}: ${c.message ?? ''}`) };
  }
}

describe('updating an object stored before its schema was tightened', () => {
  it.each<[string, Record<string, unknown>]>([
    ['nothing changed but another field: every old error is let through', { name: 'toolong', size: 12, items: [{ k: 'a', v: 'BAD' }], atomic: ['BAD'], other: 'x' }],
    ['the too-long name changed', { name: 'toolong2', size: 12, items: [{ k: 'a', v: 'BAD' }], atomic: ['BAD'] }],
    ['the map-list item changed', { name: 'toolong', size: 12, items: [{ k: 'a', v: 'WORSE' }], atomic: ['BAD'] }],
    ['the atomic list changed elsewhere', { name: 'toolong', size: 12, items: [{ k: 'a', v: 'BAD' }], atomic: ['BAD', 'x'] }],
    ['the size the rule refuses changed', { name: 'toolong', size: 13, items: [{ k: 'a', v: 'BAD' }], atomic: ['BAD'] }],
    ['a new item before the bad one: the map list correlates it by key', { name: 'toolong', size: 12, items: [{ k: 'b', v: 'ok' }, { k: 'a', v: 'BAD' }], atomic: ['BAD'] }],
  ])('%s', async (_label, spec) => {
    const server = await serverUpdate(spec);
    const issues = strictValidator.validate({ ...stored, spec }, { old: stored });
    expect(isRefused(issues)).toBe(!server.accepted);
    const offlineCauses = issues.filter((i) => i.severity !== 'warning').map(formatIssue);
    expect(offlineCauses.sort()).toEqual(server.causes.sort());
  });
});
