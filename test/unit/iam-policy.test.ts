// deploy/iam/controller-policy.json grants exactly the AWS actions the controller's code calls, and
// every EKS write that can be limited to entries this controller manages is.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MANAGED_BY_TAG } from '../../src/api/names.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

const read = (file: string): PolicyDocument => JSON.parse(readFileSync(join(ROOT, 'deploy/iam', file), 'utf8')) as PolicyDocument;
const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);
const policy = read('controller-policy.json');

/** Every SDK command the controller's own code (not the emulator, not tests) sends, as service:Action. */
function actionsInCode(): Set<string> {
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.startsWith('emulator'));
  const actions = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, 'src', file), 'utf8');
    const imports = [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-(eks|sts)'/g)].flatMap(([, names, service]) =>
      names!.split(',').map((name) => [service!, name.trim().replace(/^type\s+/, '')] as const),
    );
    for (const [service, name] of imports) {
      const command = /^(\w+)Command$/.exec(name);
      if (command && new RegExp(`new ${name}\\(`).test(text)) actions.add(`${service}:${command[1]}`);
    }
    // A ClusterAccess role is assumed through the credential provider, not a command of ours.
    if (/fromTemporaryCredentials\(/.test(text)) actions.add('sts:AssumeRole');
  }
  return actions;
}

/** The statements allowing an action, and the condition keys each puts on it. */
const allowing = (action: string): Statement[] => policy.Statement.filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action));
const conditionKeys = (statement: Statement): string[] => Object.values(statement.Condition ?? {}).flatMap((test) => Object.keys(test));

describe('the controller IAM policy', () => {
  it('allows the AWS actions the code calls, and nothing else (GetCallerIdentity needs no permission)', () => {
    const granted = new Set(policy.Statement.flatMap((s) => list(s.Action)));
    const called = actionsInCode();
    called.delete('sts:GetCallerIdentity');
    expect([...granted].sort()).toEqual([...called].sort());
    expect([...granted].sort()).toEqual(
      [
        'eks:AssociateAccessPolicy', 'eks:CreateAccessEntry', 'eks:DeleteAccessEntry', 'eks:DescribeAccessEntry', 'eks:DescribeCluster',
        'eks:DisassociateAccessPolicy', 'eks:ListAccessPolicies', 'eks:ListAssociatedAccessPolicies', 'eks:TagResource',
        'eks:UntagResource', 'eks:UpdateAccessEntry', 'sts:AssumeRole',
      ].sort(),
    );
    expect(policy.Statement.every((s) => s.Effect === 'Allow' && !list(s.Action).some((a) => a.includes('*')))).toBe(true);
  });

  it('lets the changes to an existing entry touch only entries tagged as managed by this controller', () => {
    for (const action of ['eks:UpdateAccessEntry', 'eks:DeleteAccessEntry', 'eks:UntagResource', 'eks:AssociateAccessPolicy', 'eks:DisassociateAccessPolicy']) {
      const statements = allowing(action);
      expect(statements.length, action).toBe(1);
      expect(conditionKeys(statements[0]!), action).toEqual([`aws:ResourceTag/${MANAGED_BY_TAG}`]);
      expect(list(statements[0]!.Resource), action).toEqual(['arn:aws:eks:*:*:access-entry/*']);
    }
  });

  it('lets CreateAccessEntry make only entries carrying the ownership tag (aws:RequestTag: the entry does not exist yet)', () => {
    const [create, ...others] = allowing('eks:CreateAccessEntry');
    expect(others).toEqual([]);
    expect(conditionKeys(create!)).toEqual([`aws:RequestTag/${MANAGED_BY_TAG}`]);
    expect(list(create!.Resource)).toEqual(['arn:aws:eks:*:*:cluster/*']);
  });

  it('lets TagResource change tags of managed entries, or write the ownership tag itself (create, repair, adoption)', () => {
    expect(allowing('eks:TagResource').map(conditionKeys).sort()).toEqual([[`aws:RequestTag/${MANAGED_BY_TAG}`], [`aws:ResourceTag/${MANAGED_BY_TAG}`]]);
  });

  it('matches the default controller ids and the fixed id of earlier versions in every tag condition', () => {
    const patterns = policy.Statement.flatMap((s) => Object.values(s.Condition ?? {}).flatMap((test) => Object.values(test).flatMap(list)));
    expect(new Set(patterns)).toEqual(new Set(['eks-access-entry-controller*']));
    const like = (value: string): boolean => new RegExp(`^${'eks-access-entry-controller*'.replace('*', '.*')}$`).test(value);
    expect(like('eks-access-entry-controller')).toBe(true);
    expect(like('eks-access-entry-controller-0123456789ab')).toBe(true);
    expect(like('someone-else')).toBe(false);
  });
});

describe('the trust policies', () => {
  it('IRSA: only the controller ServiceAccount, through the cluster OIDC provider, for STS', () => {
    const [statement, ...rest] = read('irsa-trust-policy.json').Statement as Array<Statement & { Principal: { Federated: string } }>;
    expect(rest).toEqual([]);
    expect(statement!.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statement!.Principal.Federated).toMatch(/^arn:aws:iam::\d{12}:oidc-provider\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/\w+$/);
    const issuer = statement!.Principal.Federated.split('oidc-provider/')[1];
    expect(statement!.Condition).toEqual({
      StringEquals: { [`${issuer}:aud`]: 'sts.amazonaws.com', [`${issuer}:sub`]: 'system:serviceaccount:eks-access-entry-controller:eks-access-entry-controller' },
    });
  });

  it('EKS Pod Identity: the pods service, with session tags naming the cluster, namespace and ServiceAccount', () => {
    const [statement, ...rest] = read('pod-identity-trust-policy.json').Statement as Array<Statement & { Principal: { Service: string } }>;
    expect(rest).toEqual([]);
    expect(statement!.Principal.Service).toBe('pods.eks.amazonaws.com');
    expect(list(statement!.Action).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(statement!.Condition?.StringEquals).toMatchObject({
      'aws:RequestTag/kubernetes-namespace': 'eks-access-entry-controller',
      'aws:RequestTag/kubernetes-service-account': 'eks-access-entry-controller',
    });
  });

  it('ClusterAccess role: the controller own role, with an external id', () => {
    const [statement] = read('cluster-access-role-trust-policy.json').Statement as Array<Statement & { Principal: { AWS: string } }>;
    expect(statement!.Principal.AWS).toMatch(/^arn:aws:iam::\d{12}:role\/eks-access-entry-controller$/);
    expect(statement!.Action).toBe('sts:AssumeRole');
    expect(Object.keys(statement!.Condition?.StringEquals ?? {})).toEqual(['sts:ExternalId']);
  });
});
