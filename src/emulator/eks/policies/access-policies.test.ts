import { ListAccessPoliciesCommand, type AccessPolicy as SdkAccessPolicy } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { AccessPolicyCatalogue, BUILT_IN_ACCESS_POLICIES, accessPolicyArn } from './access-policies.ts';
import { failure, policy, useTestBed } from '../../test-support.ts';

const t = useTestBed();

const admin = (method: string, path: string, body?: unknown) => t.bed.admin(method, path, body);

async function allPolicies(region = 'us-east-1', maxResults?: number): Promise<SdkAccessPolicy[]> {
  const eks = region === 'us-east-1' ? t.eks : t.bed.client({ region });
  const policies: SdkAccessPolicy[] = [];
  let nextToken: string | undefined;
  do {
    const page = await eks.send(new ListAccessPoliciesCommand({ ...(maxResults ? { maxResults } : {}), ...(nextToken ? { nextToken } : {}) }));
    policies.push(...(page.accessPolicies ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return policies;
}

describe('the catalogue', () => {
  it('holds the AWS-managed policies, in name order, user-facing and Auto Mode ones included', () => {
    const names = new AccessPolicyCatalogue().list('aws').map((p) => p.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining([
      'AmazonEKSClusterAdminPolicy',
      'AmazonEKSAdminPolicy',
      'AmazonEKSAdminViewPolicy',
      'AmazonEKSEditPolicy',
      'AmazonEKSViewPolicy',
      'AmazonEKSSecretReaderPolicy',
      'AmazonEKSAutoNodePolicy',
      'AmazonEKSBlockStoragePolicy',
      'AmazonEKSComputePolicy',
      'AmazonEKSLoadBalancingPolicy',
      'AmazonEKSNetworkingPolicy',
      'AmazonEKSHybridPolicy',
    ]));
    expect(names).toHaveLength(BUILT_IN_ACCESS_POLICIES.length);
  });

  it('writes ARNs in the partition asked for, and finds a policy only by its exact ARN there', () => {
    const catalogue = new AccessPolicyCatalogue();
    expect(accessPolicyArn('aws-us-gov', 'AmazonEKSViewPolicy')).toBe('arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSViewPolicy');
    expect(catalogue.list('aws-cn').every((p) => p.arn === `arn:aws-cn:eks::aws:cluster-access-policy/${p.name}`)).toBe(true);
    expect(catalogue.find(policy('AmazonEKSViewPolicy'), 'aws')).toEqual({ name: 'AmazonEKSViewPolicy', serviceLinkedRolesOnly: false });
    expect(catalogue.find(policy('AmazonEKSViewPolicy'), 'aws-cn')).toBeUndefined();
    expect(catalogue.find(`${policy('AmazonEKSViewPolicy')}/x`, 'aws')).toBeUndefined();
    expect(catalogue.find(policy('AmazonEKSComputeClusterPolicy'), 'aws')?.serviceLinkedRolesOnly).toBe(true);
  });

  it('takes added policies, refuses names EKS could not have, and forgets additions on reset()', () => {
    const catalogue = new AccessPolicyCatalogue();
    expect(catalogue.add('AmazonEKSTomorrowPolicy', { serviceLinkedRolesOnly: true })).toEqual({ name: 'AmazonEKSTomorrowPolicy', serviceLinkedRolesOnly: true });
    expect(catalogue.find(policy('AmazonEKSTomorrowPolicy'), 'aws')?.serviceLinkedRolesOnly).toBe(true);
    expect(() => catalogue.add('Amazon EKS/Policy')).toThrow(/letters and digits/);
    expect(() => catalogue.add('')).toThrow(/letters and digits/);
    catalogue.reset();
    expect(catalogue.find(policy('AmazonEKSTomorrowPolicy'), 'aws')).toBeUndefined();
    expect(catalogue.list('aws')).toHaveLength(BUILT_IN_ACCESS_POLICIES.length);
  });
});

describe('ListAccessPolicies', () => {
  it('answers {name, arn} for every policy, in the partition of the caller region', async () => {
    const commercial = await allPolicies();
    expect(commercial).toContainEqual({ name: 'AmazonEKSClusterAdminPolicy', arn: policy('AmazonEKSClusterAdminPolicy') });
    expect(commercial.map((p) => p.name)).toEqual(t.bed.emulator.state.listAccessPolicies().map((p) => p.name));
    const china = await allPolicies('cn-northwest-1');
    expect(china[0]?.arn).toMatch(/^arn:aws-cn:eks::aws:cluster-access-policy\//);
    expect((await allPolicies('us-gov-east-1'))[0]?.arn).toMatch(/^arn:aws-us-gov:/);
  });

  it('pages with maxResults and an opaque nextToken, neither repeating nor skipping', async () => {
    const first = await t.eks.send(new ListAccessPoliciesCommand({ maxResults: 5 }));
    expect(first.accessPolicies).toHaveLength(5);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(await allPolicies('us-east-1', 5)).toEqual(await allPolicies());
    const whole = await t.eks.send(new ListAccessPoliciesCommand({}));
    expect(whole.nextToken).toBeUndefined();
  });

  it.each([0, 101])('refuses maxResults %i, and a forged nextToken', async (maxResults) => {
    expect((await failure(t.eks.send(new ListAccessPoliciesCommand({ maxResults })))).name).toBe('InvalidParameterException');
    expect((await failure(t.eks.send(new ListAccessPoliciesCommand({ nextToken: 'forged' })))).name).toBe('InvalidParameterException');
  });

  it('shows a policy added at run time, until reset', async () => {
    t.bed.emulator.state.addAccessPolicy('AmazonEKSTomorrowPolicy');
    expect(await allPolicies()).toContainEqual({ name: 'AmazonEKSTomorrowPolicy', arn: policy('AmazonEKSTomorrowPolicy') });
    t.bed.emulator.state.reset();
    expect((await allPolicies()).map((p) => p.name)).not.toContain('AmazonEKSTomorrowPolicy');
  });

  it('needs no cluster, is counted as a read, logged, and takes fault rules', async () => {
    t.bed.emulator.state.reset();
    await allPolicies();
    expect(t.bed.emulator.calls.count('ListAccessPolicies')).toBe(1);
    expect(t.bed.emulator.calls.reads()).toBe(1);
    expect(t.bed.emulator.calls.log()).toEqual([expect.objectContaining({ operation: 'ListAccessPolicies', status: 200 })]);
    t.bed.emulator.faults.add({ operation: 'ListAccessPolicies', fault: 'ServerException', count: 1 });
    expect((await failure(allPolicies())).name).toBe('ServerException');
  });
});

describe('admin routes for access policies', () => {
  it('lists the catalogue for a region and adds a policy', async () => {
    const listed = await admin('GET', '/access-policies?region=cn-north-1');
    expect(listed.status).toBe(200);
    expect((listed.json.accessPolicies as { arn: string }[])[0]?.arn).toMatch(/^arn:aws-cn:/);
    const added = await admin('POST', '/access-policies', { name: 'AmazonEKSTomorrowPolicy', serviceLinkedRolesOnly: false });
    expect(added).toEqual({ status: 201, json: { accessPolicy: { name: 'AmazonEKSTomorrowPolicy', serviceLinkedRolesOnly: false } } });
    expect(t.bed.emulator.state.findAccessPolicy(policy('AmazonEKSTomorrowPolicy'))).toBeDefined();
    expect((await admin('POST', '/access-policies', { name: 'bad name' })).status).toBe(400);
    expect((await admin('POST', '/access-policies', { name: 'AmazonEKSX', serviceLinkedRolesOnly: 'yes' })).status).toBe(400);
  });

  it('associates and disassociates out of band, without the API rules', async () => {
    const principal = 'arn:aws:iam::123456789012:role/node';
    t.bed.emulator.state.seedAccessEntry('demo', { principalArn: principal, type: 'EC2_LINUX' });
    const path = `/clusters/demo/access-entries/${encodeURIComponent(principal)}/access-policies`;
    const made = await admin('POST', path, { policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['a'] } });
    expect(made.status).toBe(201);
    expect(t.bed.emulator.state.getAccessEntry('demo', principal)?.associatedPolicies).toEqual([
      expect.objectContaining({ policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['a'] } }),
    ]);
    expect((await admin('POST', path, { policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'namespace' } })).status).toBe(400);
    expect((await admin('DELETE', `${path}/${encodeURIComponent(policy('AmazonEKSViewPolicy'))}`)).status).toBe(200);
    expect((await admin('DELETE', `${path}/${encodeURIComponent(policy('AmazonEKSViewPolicy'))}`)).status).toBe(404);
  });
});
