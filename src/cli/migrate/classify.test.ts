import { describe, expect, it } from 'vitest';
import type { AwsAuthItem } from './aws-auth-parse.ts';
import { classifyItem, classifyItems, type Classified } from './classify.ts';
import { Skip } from './messages.ts';

const role = (name: string): string => `arn:aws:iam::111122223333:role/${name}`;
const item = (fields: Partial<AwsAuthItem>): AwsAuthItem => ({ field: 'mapRoles', where: 'line 1', groups: [], ...fields });
const NODE = 'system:node:{{EC2PrivateDNSName}}';
const FARGATE = 'system:node:{{SessionName}}';

function candidate(classified: Classified) {
  if (!('candidate' in classified)) throw new Error(`skipped: ${classified.skip.reason}`);
  return classified.candidate;
}

describe('classifying aws-auth items', () => {
  it.each([
    ['a Linux node role', { username: NODE, groups: ['system:bootstrappers', 'system:nodes'] }, 'EC2_LINUX'],
    ['a Windows node role', { username: NODE, groups: ['system:bootstrappers', 'system:nodes', 'eks:kube-proxy-windows'] }, 'EC2_WINDOWS'],
    ['a node role with no groups', { username: NODE }, 'EC2_LINUX'],
    ['a Fargate pod execution role', { username: FARGATE, groups: ['system:bootstrappers', 'system:nodes', 'system:node-proxier'] }, 'FARGATE_LINUX'],
  ])('makes %s a node entry: no groups, no username', (_, fields, type) => {
    expect(candidate(classifyItem(item({ arn: role('nodes'), ...fields })))).toMatchObject({ type, groups: [], clusterAdmin: false });
    expect(candidate(classifyItem(item({ arn: role('nodes'), ...fields }))).username).toBeUndefined();
  });

  it('keeps groups and username of everything else, and turns system:masters into the cluster admin policy', () => {
    expect(candidate(classifyItem(item({ arn: role('admins'), username: 'admin:{{SessionName}}', groups: ['system:masters', 'ops', 'ops'] })))).toMatchObject({
      type: 'STANDARD',
      groups: ['ops'],
      username: 'admin:{{SessionName}}',
      clusterAdmin: true,
    });
    expect(candidate(classifyItem(item({ field: 'mapUsers', arn: 'arn:aws:iam::111122223333:user/alice', groups: ['devs'] })))).toMatchObject({ type: 'STANDARD', groups: ['devs'], clusterAdmin: false });
  });

  it.each([
    ['no ARN', item({ username: 'x' }), Skip.noArn('rolearn')],
    ['no userarn', item({ field: 'mapUsers', username: 'x' }), Skip.noArn('userarn')],
    ['an ARN that is no principal', item({ arn: 'arn:aws:iam::111122223333:group/admins' }), Skip.notPrincipal('arn:aws:iam::111122223333:group/admins')],
    ['a service-linked role', item({ arn: role('aws-service-role/emr-containers.amazonaws.com/AWSServiceRoleForAmazonEMRContainers'), username: 'emr-containers' }), Skip.serviceLinked()],
    ['another system: group', item({ arn: role('legacy'), groups: ['system:authenticated', 'devs'] }), Skip.reservedGroup('system:authenticated')],
    ['a system: group beside system:masters', item({ arn: role('legacy'), groups: ['system:masters', 'system:bootstrappers'] }), Skip.reservedGroup('system:bootstrappers')],
    ['a reserved username', item({ arn: role('x'), username: 'eks:admin' }), Skip.badUsername('username "eks:admin" starts with eks:, a prefix EKS reserves')],
    ['a reserved username in capitals', item({ arn: role('x'), username: 'IAM:admin' }), { reason: expect.stringContaining('iam:') as string }],
    ['{{SessionName}} with no colon before it', item({ arn: role('x'), username: '{{SessionName}}' }), { reason: expect.stringContaining('no colon before it') as string }],
    ['a node username on a user', item({ field: 'mapUsers', arn: 'arn:aws:iam::111122223333:user/n', username: NODE }), Skip.nodeUser()],
    ['a node role with groups of its own', item({ arn: role('nodes'), username: NODE, groups: ['system:nodes', 'gpu-operators'] }), Skip.nodeExtraGroups(['gpu-operators'])],
    ['a hybrid node role (no node-proxier)', item({ arn: role('hybrid'), username: FARGATE, groups: ['system:bootstrappers', 'system:nodes'] }), { action: expect.stringContaining('HYBRID_LINUX') as string }],
    ['an empty group', item({ arn: role('x'), groups: [''] }), { reason: expect.stringContaining('empty') as string }],
  ])('leaves out %s, saying why and what to do', (_, input, skip) => {
    const classified = classifyItem(input);
    expect(classified).toMatchObject({ skip });
    if ('skip' in classified) expect(classified.skip.action).not.toBe('');
  });

  it('lets the first item for a principal win, whatever the path or letter case of the later ones', () => {
    const results = classifyItems([
      item({ where: 'line 1', arn: role('Admins'), groups: ['ops'] }),
      item({ where: 'line 5', arn: role('teams/admins'), groups: ['devs'] }),
      item({ where: 'line 9', field: 'mapUsers', arn: 'arn:aws:iam::111122223333:user/admins' }),
    ]);
    expect(candidate(results[0]!).groups).toEqual(['ops']);
    expect(results[1]).toMatchObject({ skip: Skip.duplicate('line 1') });
    expect(candidate(results[2]!).principal.kind).toBe('user');
  });
});
