import { describe, expect, it } from 'vitest';
import { ADOPTED_TAG, MANAGED_BY_TAG, OWNER_TAG } from '../../api/names.ts';
import type { AssociatedPolicy, ObservedEntry } from '../../eks/types.ts';
import { parsePrincipalArn } from '../shared/principals.ts';
import { Skip } from './messages.ts';
import { importDecision } from './to-spec.ts';

const target = { clusterName: 'prod', region: 'eu-west-1' };
const ROLE = 'arn:aws:iam::111122223333:role/teams/devs';

function entry(fields: Partial<ObservedEntry> = {}): ObservedEntry {
  return {
    accessEntryArn: 'arn:aws:eks:eu-west-1:111122223333:access-entry/prod/role/111122223333/devs/x',
    principalArn: ROLE,
    type: 'STANDARD',
    kubernetesGroups: [],
    username: 'arn:aws:sts::111122223333:assumed-role/devs/{{SessionName}}',
    tags: {},
    ...fields,
  };
}

const decide = (observed: ObservedEntry, policies: AssociatedPolicy[] | undefined = []) => importDecision(observed, parsePrincipalArn(observed.principalArn)!, policies, target);

function spec(observed: ObservedEntry, policies?: AssociatedPolicy[]) {
  const decision = decide(observed, policies);
  if (!('manifest' in decision)) throw new Error(`skipped: ${decision.skip.reason}`);
  return decision.manifest.spec;
}

describe('an access entry as an AccessEntry that adopts it', () => {
  it('keeps groups and leaves an EKS-default username unset, so EKS keeps its own', () => {
    expect(spec(entry({ kubernetesGroups: ['ops', 'devs'] }))).toEqual({
      clusterName: 'prod',
      region: 'eu-west-1',
      principalArn: ROLE,
      kubernetesGroups: ['ops', 'devs'],
      accessPolicies: [],
      adoptExisting: true,
    });
  });

  it('writes a username only where it is not the one EKS would give', () => {
    expect(spec(entry({ username: 'devs:{{SessionName}}' })).username).toBe('devs:{{SessionName}}');
    const user = 'arn:aws:iam::111122223333:user/people/alice';
    expect(spec(entry({ principalArn: user, username: user })).username).toBeUndefined();
    expect(spec(entry({ principalArn: user, username: 'alice' })).username).toBe('alice');
  });

  it('names AWS policies by name in the cluster\'s partition, with their scopes', () => {
    const policies: AssociatedPolicy[] = [
      { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['dev-*', 'team-a'] } },
      { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy', accessScope: { type: 'cluster', namespaces: [] } },
    ];
    expect(spec(entry(), policies).accessPolicies).toEqual([
      { policy: 'AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['dev-*', 'team-a'] } },
      { policy: 'AmazonEKSAdminPolicy', accessScope: { type: 'cluster' } },
    ]);
  });

  it('keeps the entry\'s own tags, less the controller\'s and AWS\'s, and says which it could not keep', () => {
    const decision = decide(
      entry({ tags: { team: 'devs', [MANAGED_BY_TAG]: 'old', [OWNER_TAG]: 'x', [ADOPTED_TAG]: 'true', 'aws:cloudformation:stack-name': 's', 'eksaccess.dev/other': 'y', 'bad#key': 'z' } }),
    );
    if (!('manifest' in decision)) throw new Error('skipped');
    expect(decision.manifest.spec.tags).toEqual({ team: 'devs' });
    expect(decision.warnings).toHaveLength(2);
    expect(decision.warnings.join('\n')).toMatch(/"eksaccess.dev\/other".*stays on the entry in EKS/);
    expect(decision.warnings.join('\n')).toMatch(/"bad#key"/);
  });

  it('writes node entries with their type, deletionPolicy Retain and no policies field; an Auto Mode entry with its node policy', () => {
    expect(spec(entry({ type: 'EC2_LINUX', kubernetesGroups: ['system:nodes'], username: 'system:node:{{EC2PrivateDNSName}}' }), undefined)).toEqual({
      clusterName: 'prod',
      region: 'eu-west-1',
      principalArn: ROLE,
      type: 'EC2_LINUX',
      deletionPolicy: 'Retain',
      adoptExisting: true,
    });
    const autoNode = [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy', accessScope: { type: 'cluster' as const, namespaces: [] } }];
    expect(spec(entry({ type: 'EC2' }), autoNode)).toMatchObject({ type: 'EC2', accessPolicies: [{ policy: 'AmazonEKSAutoNodePolicy', accessScope: { type: 'cluster' } }] });
    expect(spec(entry({ type: 'EC2' }), [])).not.toHaveProperty('accessPolicies');
  });

  it.each([
    ['too many tags for the controller\'s three', entry({ tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`t${i}`, 'v'])) }), [], Skip.tooManyTags(48, 47)],
    ['more policies than an AccessEntry takes', entry(), Array.from({ length: 21 }, (_, i) => ({ policyArn: `arn:aws:eks::aws:cluster-access-policy/P${i}`, accessScope: { type: 'cluster' as const, namespaces: [] } })), Skip.tooManyPolicies(21)],
    ['a policy of another partition', entry(), [{ policyArn: 'arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'cluster' as const, namespaces: [] } }], { reason: expect.stringContaining('arn:aws-cn') as string }],
    ['a namespace the CRD refuses', entry(), [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace' as const, namespaces: ['*'] } }], { reason: expect.stringContaining('"*"') as string }],
    ['a reserved username', entry({ username: 'EKS:admin' }), [], { reason: expect.stringContaining('eks:') as string }],
    ['an unknown type', entry({ type: 'EC2_MARS' }), undefined, { reason: expect.stringContaining('EC2_MARS') as string }],
  ])('leaves out an entry with %s', (_, observed, policies, skip) => {
    expect(decide(observed, policies)).toMatchObject({ skip });
  });
});
