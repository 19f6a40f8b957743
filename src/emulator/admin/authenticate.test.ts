import { AssociateAccessPolicyCommand, CreateAccessEntryCommand } from '@aws-sdk/client-eks';
import { CreateRoleCommand, DeleteRoleCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, policy, role, useTestBed } from '../test-support.ts';

const t = useTestBed();
const ask = (cluster: string, principalArn: string, extra = '') =>
  t.bed.admin('GET', `/authenticate?cluster=${cluster}&principalArn=${encodeURIComponent(principalArn)}${extra}`);
const TRUST = '{"Version":"2012-10-17","Statement":[]}';

describe("the authenticator (what EKS would answer at sign-in)", () => {
  it('admits the principal its entry is bound to, as whom, with which groups and policies', async () => {
    await t.bed.iam().send(new CreateRoleCommand({ RoleName: 'dev', AssumeRolePolicyDocument: TRUST }));
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), kubernetesGroups: ['devs'], username: 'dev-user' }));
    await t.eks.send(new AssociateAccessPolicyCommand({ clusterName: 'demo', principalArn: role('dev'), policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'cluster' } }));
    const { status, json } = await ask('demo', role('dev'));
    expect(status).toBe(200);
    expect(json).toEqual({
      allowed: true,
      username: 'dev-user',
      groups: ['devs'],
      policies: [{ policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'cluster', namespaces: [] } }],
      principalId: t.bed.emulator.state.iam.principalId(role('dev')),
      accessEntryArn: expect.stringContaining(':access-entry/demo/role/') as unknown,
    });
  });

  it('refuses a role deleted and made again under the same ARN (401), and the same answer in process', async () => {
    const iam = t.bed.iam();
    await iam.send(new CreateRoleCommand({ RoleName: 'dev', AssumeRolePolicyDocument: TRUST }));
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    const bound = t.bed.emulator.state.getAccessEntry('demo', role('dev'))?.principalId;
    await iam.send(new DeleteRoleCommand({ RoleName: 'dev' }));
    expect((await ask('demo', role('dev'))).json).toEqual({ allowed: false, reason: `IAM has no principal ${role('dev')}: nobody can sign in as it` });
    await iam.send(new CreateRoleCommand({ RoleName: 'dev', AssumeRolePolicyDocument: TRUST }));
    const now = t.bed.emulator.state.iam.principalId(role('dev'));
    expect(now).not.toBe(bound);
    const answer = t.bed.emulator.state.authenticate('demo', role('dev'));
    expect(answer).toEqual({ allowed: false, reason: expect.stringContaining(`bound to id ${bound}, but the principal of that ARN is now ${now}`) as unknown });
    expect((await ask('demo', role('dev'))).json).toEqual(answer);
  });

  it('refuses a principal without an entry, and an entry made for a principal IAM never had', async () => {
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('ghost') }));
    t.bed.emulator.state.iam.createRole({ roleName: 'ghost' });
    expect((await ask('demo', role('ghost'))).json).toMatchObject({ allowed: false, reason: expect.stringContaining('bound to no principal') as unknown });
    expect((await ask('demo', role('nobody'))).json).toMatchObject({ allowed: false, reason: expect.stringContaining('no access entry') as unknown });
  });

  it('says which cluster is missing, and what to ask', async () => {
    expect(await ask('nowhere', role('dev'))).toMatchObject({ status: 404, json: { error: 'ResourceNotFoundException' } });
    expect(await t.bed.admin('GET', '/authenticate?cluster=demo')).toMatchObject({ status: 400, json: { message: expect.stringContaining('?cluster=NAME&principalArn=ARN') as unknown } });
    expect((await ask('demo', role('dev'), `&accountId=${ACCOUNT}&region=us-east-1`)).status).toBe(200);
  });
});

describe('implicit principals', () => {
  const implicit = useTestBed({ implicitPrincipals: true });

  it('make the principal an entry names, when IAM lacks it, so the entry admits it', async () => {
    await implicit.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('made-on-demand') }));
    const seeded = implicit.bed.emulator.state.seedAccessEntry('demo', { principalArn: `arn:aws:iam::${ACCOUNT}:user/ops/alice` });
    expect(implicit.bed.emulator.state.iam.getRole('made-on-demand')).toBeDefined();
    expect(seeded.principalId).toBe(implicit.bed.emulator.state.iam.getUser('alice')?.userId);
    expect(implicit.bed.emulator.state.authenticate('demo', role('made-on-demand'))).toMatchObject({ allowed: true });
  });
});
