// The validators of this project's own kinds, from the CRDs it ships. The integration test
// test/integration/offline-validation.test.ts proves the same answers against a real API server.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { formatIssue, isRefused } from './issues.ts';
import { accessEntryValidator, clusterAccessValidator, validateAccessEntry, validateClusterAccess, validatorFor } from './crds.ts';

const EXAMPLES = fileURLToPath(new URL('../../deploy/examples/', import.meta.url));
const ROLE = 'arn:aws:iam::123456789012:role/admins';

const entry = (spec: Record<string, unknown>, name = 'team-a'): Record<string, unknown> => ({
  apiVersion: 'eksaccess.dev/v1alpha1',
  kind: 'AccessEntry',
  metadata: { name },
  spec: { clusterName: 'demo', principalArn: ROLE, ...spec },
});

const messages = (issues: ReturnType<typeof validateAccessEntry>): string => issues.map(formatIssue).join('\n');

describe('the shipped CRDs', () => {
  // A rule that uses a CEL function the offline validator lacks would make plan say "could not
  // check" for every document: extend src/validation/cel/ when this fails.
  it('have no rule the offline validator cannot run', () => {
    expect(accessEntryValidator().uncheckableRules()).toEqual([]);
    expect(clusterAccessValidator().uncheckableRules()).toEqual([]);
  });
});

describe('validatorFor', () => {
  it('picks the validator by kind in this API group, and none for other kinds', () => {
    expect(validatorFor(entry({}))).toBe(accessEntryValidator());
    expect(validatorFor({ apiVersion: 'eksaccess.dev/v1alpha1', kind: 'ClusterAccess' })).toBe(clusterAccessValidator());
    expect(validatorFor({ apiVersion: 'v1', kind: 'ConfigMap' })).toBeUndefined();
    expect(validatorFor({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' })).toBeUndefined();
    expect(validatorFor('text')).toBeUndefined();
  });

  it('keeps a version the CRD does not serve, so that it is reported', () => {
    const doc = { ...entry({}), apiVersion: 'eksaccess.dev/v1beta1' };
    expect(messages(validatorFor(doc)!.validate(doc))).toBe('apiVersion: no matches for kind "AccessEntry" in version "eksaccess.dev/v1beta1"');
  });
});

describe('validateAccessEntry', () => {
  const examples = readdirSync(EXAMPLES).filter((file) => file.endsWith('.yaml'));

  it.each(examples)('accepts the example %s without a word', (file) => {
    expect(validateAccessEntry(load(readFileSync(`${EXAMPLES}${file}`, 'utf8')))).toEqual([]);
  });

  it('explains what to fix, with the rule message the API server gives', () => {
    const issues = validateAccessEntry(entry({ type: 'EC2_LINUX', kubernetesGroups: ['nodes'] }));
    expect(issues).toEqual([
      {
        field: 'spec.kubernetesGroups',
        message: 'Invalid value: kubernetesGroups must be empty for type EC2_LINUX: EKS assigns the groups of node entries itself; use type STANDARD to choose groups',
        kind: 'rule',
        severity: 'error',
      },
    ]);
  });

  it('reads the defaulted type, so a node-only rule does not fire for an entry that never names one', () => {
    expect(validateAccessEntry(entry({ kubernetesGroups: ['developers'], username: 'alice' }))).toEqual([]);
  });

  it('names the tag key at fault, found by a filter over the map', () => {
    expect(messages(validateAccessEntry(entry({ tags: { team: 'a', 'cost#center': '1' } })))).toContain(
      'spec.tags: Invalid value: tag key "cost#center" has characters AWS does not allow in tags',
    );
  });

  it('warns of a misspelt field the API server would drop', () => {
    const issues = validateAccessEntry(entry({ kubernetesGroup: ['admins'] }));
    expect(issues).toEqual([expect.objectContaining({ field: 'spec.kubernetesGroup', severity: 'warning', message: 'unknown field "spec.kubernetesGroup"' })]);
    expect(isRefused(validateAccessEntry(entry({ kubernetesGroup: ['admins'] }), { fieldValidation: 'Strict' }))).toBe(true);
  });

  describe('on update (with the stored object as old)', () => {
    const stored = entry({ region: 'us-east-1', kubernetesGroups: ['team'] });

    it.each<[string, Record<string, unknown>, string]>([
      ['clusterName', { clusterName: 'other' }, 'spec.clusterName: Invalid value: "other": clusterName is immutable: create a new AccessEntry'],
      ['principalArn', { principalArn: 'arn:aws:iam::123456789012:role/other' }, 'principalArn is immutable'],
      ['type', { type: 'EC2_LINUX', kubernetesGroups: undefined }, 'spec.type: Invalid value: "EC2_LINUX": type is immutable'],
      ['region (changed)', { region: 'eu-west-1' }, 'spec.region: Invalid value: region is immutable once set'],
      ['region (removed)', { region: undefined }, 'spec.region: Invalid value: region is immutable once set'],
    ])('refuses a change of %s', (_label, change, fragment) => {
      const issues = validateAccessEntry(entry({ ...(stored.spec as object), ...change }), { old: stored });
      expect(isRefused(issues)).toBe(true);
      expect(messages(issues)).toContain(fragment);
    });

    it('lets region be added, and every other field change', () => {
      const unpinned = entry({ kubernetesGroups: ['team'] });
      expect(validateAccessEntry(entry({ region: 'us-east-1', kubernetesGroups: ['team'] }), { old: unpinned })).toEqual([]);
      const changed = entry({ region: 'us-east-1', kubernetesGroups: ['other'], username: 'u', tags: { a: 'b' }, deletionPolicy: 'Retain', adoptExisting: true });
      expect(validateAccessEntry(changed, { old: stored })).toEqual([]);
    });

    it('does not run the transition rules on create', () => {
      expect(validateAccessEntry(entry({ region: 'eu-west-1' }))).toEqual([]);
    });
  });
});

describe('validateClusterAccess', () => {
  const access = (spec: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'eksaccess.dev/v1alpha1',
    kind: 'ClusterAccess',
    metadata: { name: 'prod' },
    spec: { clusterName: 'prod', region: 'eu-west-1', ...spec },
  });

  it('accepts a role in the partition of the region', () => {
    expect(validateClusterAccess(access({ roleArn: 'arn:aws:iam::123456789012:role/eks-access', externalId: 'abc-123' }))).toEqual([]);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ externalId: 'abc-123' }, 'spec.externalId: Invalid value: externalId is only used when assuming a role'],
    [{ roleArn: 'arn:aws-cn:iam::123456789012:role/eks-access' }, 'spec.roleArn: Invalid value: roleArn and region are in different AWS partitions'],
    [{ roleArn: 'arn:aws:iam::123456789012:user/eks-access' }, 'roleArn must be the ARN of an IAM role'],
    [{ region: undefined }, 'spec.region: Required value'],
  ])('refuses %j', (spec, fragment) => {
    const issues = validateClusterAccess(access(spec));
    expect(isRefused(issues)).toBe(true);
    expect(messages(issues)).toContain(fragment);
  });

  it('refuses a change of region on update', () => {
    expect(messages(validateClusterAccess(access({ region: 'eu-west-2' }), { old: access({}) }))).toContain('region is immutable');
  });
});
