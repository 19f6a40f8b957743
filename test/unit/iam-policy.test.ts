// deploy/iam/controller-policy.json grants exactly the AWS actions the controller's code calls (and
// the one EKS implies), every write limited to entries this installation owns; every statement of
// every shipped file names only actions, resources and condition keys IAM has.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowedContextKeysForRequest } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import { Placeholder, type PolicyDocument, type Statement } from '../../scripts/iam/document.ts';
import { POLICY_FILES, type PolicyFileName } from '../../scripts/iam/policies.ts';
import { shippedPolicy } from '../iam/installation.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const policy = shippedPolicy('controller-policy');
const readTrust = (file: string): PolicyDocument => JSON.parse(readFileSync(join(ROOT, 'deploy/iam', file), 'utf8')) as PolicyDocument;

/**
 * The controller's own code: every module src/main.ts imports, directly or not. The emulator, the
 * command line (whose calls need other permissions: see plan-readonly-policy) and tests are not.
 */
function controllerModules(): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/from\s*'(\.{1,2}\/[^']+\.ts)'/g)) visit(resolve(dirname(file), spec!));
  };
  visit(join(ROOT, 'src', 'main.ts'));
  return [...seen];
}

/** Every SDK command the controller's own code sends, as service:Action. */
function actionsInCode(): Set<string> {
  const actions = new Set<string>();
  for (const file of controllerModules()) {
    const text = readFileSync(file, 'utf8');
    const imports = [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)].flatMap(([, names, service]) =>
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

const allowing = (action: string): Statement[] => policy.Statement.filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action));
const conditionsOf = (statement: Statement): Record<string, string | string[]> =>
  Object.fromEntries(Object.entries(statement.Condition ?? {}).flatMap(([operator, test]) => Object.entries(test).map(([key, value]) => [`${operator} ${key}`, value])));

describe('the controller IAM policy', () => {
  it('allows the AWS actions the code calls and iam:PassRole, which EKS checks on node entries; nothing else', () => {
    const granted = new Set(policy.Statement.flatMap((s) => list(s.Action)));
    const called = actionsInCode();
    called.delete('sts:GetCallerIdentity');
    expect([...granted].sort()).toEqual([...called, 'iam:PassRole'].sort());
    expect([...granted].sort()).toEqual(
      [
        'eks:AssociateAccessPolicy', 'eks:CreateAccessEntry', 'eks:DeleteAccessEntry', 'eks:DescribeAccessEntry', 'eks:DescribeCluster',
        'eks:DisassociateAccessPolicy', 'eks:ListAccessPolicies', 'eks:ListAssociatedAccessPolicies', 'eks:TagResource',
        'eks:UntagResource', 'eks:UpdateAccessEntry', 'iam:GetRole', 'iam:GetUser', 'iam:ListRoles', 'iam:PassRole', 'sts:AssumeRole',
      ].sort(),
    );
    expect(policy.Statement.every((s) => s.Effect === 'Allow' && !list(s.Action).some((a) => a.includes('*')))).toBe(true);
  });

  it('lets every change to an existing entry touch only entries carrying both ownership tags, managed-by this exact id', () => {
    for (const action of ['eks:UpdateAccessEntry', 'eks:DeleteAccessEntry', 'eks:TagResource', 'eks:UntagResource', 'eks:AssociateAccessPolicy', 'eks:DisassociateAccessPolicy']) {
      const [statement, ...others] = allowing(action);
      expect(others, action).toEqual([]);
      expect(conditionsOf(statement!), action).toMatchObject({
        [`StringEquals aws:ResourceTag/${MANAGED_BY_TAG}`]: Placeholder.controllerId,
        [`Null aws:ResourceTag/${OWNER_TAG}`]: 'false',
      });
      expect(list(statement!.Resource), action).toEqual(['arn:aws:eks:*:*:access-entry/*']);
    }
    expect(conditionsOf(allowing('eks:TagResource')[0]!)).toEqual({
      [`StringEquals aws:ResourceTag/${MANAGED_BY_TAG}`]: Placeholder.controllerId,
      [`Null aws:ResourceTag/${OWNER_TAG}`]: 'false',
      [`StringEqualsIfExists aws:RequestTag/${MANAGED_BY_TAG}`]: Placeholder.controllerId,
    });
  });

  it('lets CreateAccessEntry make only entries tagged with both ownership tags for this id (aws:RequestTag: the entry does not exist yet)', () => {
    const [create, ...others] = allowing('eks:CreateAccessEntry');
    expect(others).toEqual([]);
    expect(conditionsOf(create!)).toEqual({
      [`StringEquals aws:RequestTag/${MANAGED_BY_TAG}`]: Placeholder.controllerId,
      [`Null aws:RequestTag/${OWNER_TAG}`]: 'false',
    });
    expect(list(create!.Resource)).toEqual(['arn:aws:eks:*:*:cluster/*']);
  });

  it('compares the controller id exactly (StringEquals), never by pattern', () => {
    const operators = policy.Statement.flatMap((s) => Object.entries(s.Condition ?? {}).filter(([, test]) => JSON.stringify(test).includes(Placeholder.controllerId)).map(([op]) => op));
    expect(new Set(operators)).toEqual(new Set(['StringEquals', 'StringEqualsIfExists']));
  });
});

describe('every shipped policy file', () => {
  const documents = (Object.keys(POLICY_FILES) as PolicyFileName[]).map((name) => [name, shippedPolicy(name)] as const);

  it.each(documents)('%s names only actions, resources and condition keys IAM has for each other', async (_, document) => {
    for (const statement of document.Statement.filter((s) => s.Resource !== undefined)) {
      for (const action of list(statement.Action)) {
        const [service, name] = action.split(':') as [string, string];
        const keysByResource = await Promise.all(list(statement.Resource).map((resource) => allowedContextKeysForRequest(service, name, resource, false, undefined).catch(() => undefined)));
        const applicable = keysByResource.filter((keys) => keys !== undefined);
        expect(applicable.length, `${statement.Sid}: ${action} applies to none of ${list(statement.Resource).join(', ')}`).toBeGreaterThan(0);
        for (const key of Object.values(statement.Condition ?? {}).flatMap((test) => Object.keys(test))) {
          expect(applicable.some((keys) => hasKey(keys, key)), `${statement.Sid}: ${action} has no condition key ${key}`).toBe(true);
        }
      }
    }
  });
});

/** IAM key names are case-insensitive; `aws:RequestTag/${TagKey}` stands for every tag key. */
function hasKey(allowed: string[], key: string): boolean {
  const lower = key.toLowerCase();
  return allowed.some((candidate) => candidate === lower || (candidate.includes('${') && lower.startsWith(candidate.slice(0, candidate.indexOf('${')))));
}

describe('the trust policies', () => {
  it('IRSA: only the controller ServiceAccount, through the cluster OIDC provider, for STS', () => {
    const [statement, ...rest] = readTrust('irsa-trust-policy.json').Statement as Array<Statement & { Principal: { Federated: string } }>;
    expect(rest).toEqual([]);
    expect(statement!.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statement!.Principal.Federated).toMatch(/^arn:aws:iam::\d{12}:oidc-provider\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/\w+$/);
    const issuer = statement!.Principal.Federated.split('oidc-provider/')[1];
    expect(statement!.Condition).toEqual({
      StringEquals: { [`${issuer}:aud`]: 'sts.amazonaws.com', [`${issuer}:sub`]: 'system:serviceaccount:eks-access-entry-controller:eks-access-entry-controller' },
    });
  });

  it('EKS Pod Identity: the pods service, with session tags naming the cluster, namespace and ServiceAccount', () => {
    const [statement, ...rest] = readTrust('pod-identity-trust-policy.json').Statement as Array<Statement & { Principal: { Service: string } }>;
    expect(rest).toEqual([]);
    expect(statement!.Principal.Service).toBe('pods.eks.amazonaws.com');
    expect(list(statement!.Action).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(statement!.Condition?.StringEquals).toMatchObject({
      'aws:RequestTag/kubernetes-namespace': 'eks-access-entry-controller',
      'aws:RequestTag/kubernetes-service-account': 'eks-access-entry-controller',
    });
  });

  it('ClusterAccess role: the controller own role, with an external id, in a session named by the controller id', () => {
    const [statement, ...rest] = shippedPolicy('cluster-access-role-trust-policy').Statement;
    expect(rest).toEqual([]);
    expect(statement!.Principal!.AWS).toMatch(/^arn:aws:iam::\d{12}:role\/eks-access-entry-controller$/);
    expect(statement!.Action).toBe('sts:AssumeRole');
    expect(statement!.Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'platform-team', 'sts:RoleSessionName': Placeholder.controllerId } });
  });
});
