import { describe, expect, it } from 'vitest';
import { CliError } from '../shared/exit.ts';
import { parseAwsAuth } from './aws-auth-parse.ts';
import { awsAuthFromText, type AwsAuthConfigMap } from './aws-auth-source.ts';

const FILE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/nodes
      username: system:node:{{EC2PrivateDNSName}}
      groups:
        - system:bootstrappers
        - system:nodes
    - RoleARN: arn:aws:iam::111122223333:role/admins
      UserName: admin
      Groups: [system:masters]
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/alice
  mapAccounts: |
    - 012345678901
`;

function fromData(data: Record<string, string>): AwsAuthConfigMap {
  return { origin: 'test', data, locate: (field, line) => `${field} line ${line}` };
}

describe('reading aws-auth', () => {
  it('reads every mapping with the file line it starts on, keys in any letter case, account ids as text', () => {
    const contents = parseAwsAuth(awsAuthFromText(FILE, 'aws-auth.yaml'));
    expect(contents.items).toEqual([
      { field: 'mapRoles', where: 'aws-auth.yaml line 8', arn: 'arn:aws:iam::111122223333:role/nodes', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { field: 'mapRoles', where: 'aws-auth.yaml line 13', arn: 'arn:aws:iam::111122223333:role/admins', username: 'admin', groups: ['system:masters'] },
      { field: 'mapUsers', where: 'aws-auth.yaml line 17', arn: 'arn:aws:iam::111122223333:user/alice', groups: [] },
    ]);
    expect(contents.accounts).toEqual([{ where: 'aws-auth.yaml line 19', accountId: '012345678901' }]);
  });

  it('names the file line of malformed YAML inside mapRoles, and the line itself', () => {
    const broken = FILE.replace('      UserName: admin', '     UserName: admin');
    expect(() => parseAwsAuth(awsAuthFromText(broken, 'aws-auth.yaml'))).toThrow(CliError);
    expect(() => parseAwsAuth(awsAuthFromText(broken, 'aws-auth.yaml'))).toThrow(/^aws-auth\.yaml line 14: .*UserName: admin.*nothing was written/);
  });

  it('names the line within the field when the value is not a literal block (or came from a cluster)', () => {
    const data = { mapRoles: '- rolearn: arn:aws:iam::111122223333:role/a\n  username: a\n - rolearn: arn:aws:iam::111122223333:role/b\n' };
    expect(() => parseAwsAuth(fromData(data))).toThrow(/^mapRoles line 3: bad indentation/);
  });

  it.each([
    ['an item that is no mapping', { mapRoles: '- just-a-string\n' }, /mapRoles line 1: an item of mapRoles must be a mapping/],
    ['groups that are no list', { mapUsers: '- userarn: arn:aws:iam::111122223333:user/a\n  groups: admins\n' }, /mapUsers line 1: groups must be a list/],
    ['a list of lists in groups', { mapRoles: '- rolearn: arn:aws:iam::111122223333:role/a\n  groups: [[a]]\n' }, /groups must be a list/],
    ['a field that is no list', { mapRoles: 'rolearn: arn:aws:iam::111122223333:role/a\n' }, /mapRoles must be one YAML list/],
    ['a duplicated key', { mapRoles: '- rolearn: a\n  rolearn: b\n' }, /mapRoles line 2: .*duplicate/i],
  ])('refuses %s, naming where', (_, data, message) => {
    expect(() => parseAwsAuth(fromData(data))).toThrow(message);
  });

  it('reads empty and missing fields as nothing', () => {
    expect(parseAwsAuth(fromData({ mapRoles: '', mapUsers: '# none yet\n' }))).toEqual({ items: [], accounts: [] });
  });

  it('finds the ConfigMap in a List, as kubectl get -o yaml prints several, and refuses a file without one', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: other}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: aws-auth}\n    data:\n      mapUsers: "- userarn: arn:aws:iam::111122223333:user/a"\n`;
    expect(parseAwsAuth(awsAuthFromText(list, 'list.yaml')).items).toHaveLength(1);
    expect(() => awsAuthFromText('apiVersion: v1\nkind: Secret\n', 'secret.yaml')).toThrow(/no ConfigMap.*kubectl -n kube-system get configmap aws-auth -o yaml/);
    expect(() => awsAuthFromText('a: [', 'bad.yaml')).toThrow(/bad\.yaml is not YAML/);
    expect(() => awsAuthFromText('kind: ConfigMap\ndata:\n  mapRoles: [a]\n', 'x.yaml')).toThrow(/data\.mapRoles of x\.yaml is not text/);
  });
});
