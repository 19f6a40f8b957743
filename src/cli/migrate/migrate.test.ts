import { describe, expect, it } from 'vitest';
import type { IamPrincipals } from '../../eks/iam-principals.ts';
import { AwsCallError } from '../../eks/errors.ts';
import { CliError, ExitCode } from '../shared/exit.ts';
import { Reporter } from '../shared/report.ts';
import type { AwsAuthContents, AwsAuthItem } from './aws-auth-parse.ts';
import type { MigrateAws } from './checks.ts';
import { Skip, Warning } from './messages.ts';
import { migrate, type MigrateRequest } from './migrate.ts';

const ACCOUNT = '111122223333';
const role = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const item = (where: string, fields: Partial<AwsAuthItem>): AwsAuthItem => ({ field: 'mapRoles', where, groups: [], ...fields });
const request: MigrateRequest = { clusterName: 'prod', region: 'eu-west-1', iam: true, eks: true };

/** IAM and EKS as small tables: IAM's principals by name (ARN with path), EKS's entries and mode. */
function fakeAws(options: { iam?: string[]; entries?: string[]; mode?: string; callerAccount?: string; failIam?: string } = {}): MigrateAws & { lookups: string[] } {
  const lookups: string[] = [];
  const find = (kind: string, name: string) => {
    lookups.push(`${kind}/${name}`);
    if (options.failIam) throw new AwsCallError('GetRole', Object.assign(new Error('denied'), { name: options.failIam }), 'iam');
    const arn = (options.iam ?? []).find((candidate) => candidate.includes(`:${kind}/`) && candidate.toLowerCase().endsWith(`/${name.toLowerCase()}`));
    return Promise.resolve(arn ? { arn, id: 'AROAEXAMPLE' } : undefined);
  };
  const iam: IamPrincipals = { role: (_, name) => find('role', name), user: (_, name) => find('user', name) };
  return {
    lookups,
    target: { region: 'eu-west-1' },
    iam,
    eks: {
      callerAccount: () => Promise.resolve(options.callerAccount ?? ACCOUNT),
      authenticationMode: () => Promise.resolve(options.mode ?? 'API_AND_CONFIG_MAP'),
      listEntries: () => Promise.resolve(options.entries ?? []),
    },
  };
}

function reporter(): { reporter: Reporter; stderr: () => string } {
  let text = '';
  return { reporter: new Reporter({ stderr: (chunk) => (text += chunk) }, { quiet: true }), stderr: () => text };
}

const contents = (items: AwsAuthItem[], accounts: AwsAuthContents['accounts'] = []): AwsAuthContents => ({ items, accounts });

describe('migrate', () => {
  it('writes each principal with its ARN as IAM has it, path included, and says where aws-auth had it', async () => {
    const sso = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef';
    const aws = fakeAws({ iam: [sso, role('teams/devs')] });
    const { reporter: report } = reporter();
    const { manifests } = await migrate(
      contents([
        item('line 1', { arn: role('AWSReservedSSO_Admin_0123456789abcdef'), username: 'admin:{{SessionName}}', groups: ['system:masters'] }),
        item('line 5', { arn: role('devs'), groups: ['devs'] }),
      ]),
      request,
      aws,
      report,
    );
    expect(manifests.map((manifest) => manifest.spec)).toEqual([
      {
        clusterName: 'prod',
        region: 'eu-west-1',
        principalArn: sso,
        username: 'admin:{{SessionName}}',
        accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }],
      },
      { clusterName: 'prod', region: 'eu-west-1', principalArn: role('teams/devs'), kubernetesGroups: ['devs'], accessPolicies: [] },
    ]);
    expect(manifests[0]?.comments).toContain(`principalArn as IAM has it; aws-auth gives ${role('AWSReservedSSO_Admin_0123456789abcdef')}`);
    expect(report.finish('done')).toBe(ExitCode.Ok);
  });

  it('gives node entries deletionPolicy Retain, with the reason above it', async () => {
    const { manifests } = await migrate(
      contents([item('line 1', { arn: role('nodes'), username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:nodes'] })]),
      request,
      fakeAws({ iam: [role('nodes')] }),
      reporter().reporter,
    );
    expect(manifests[0]?.spec).toEqual({ clusterName: 'prod', region: 'eu-west-1', principalArn: role('nodes'), type: 'EC2_LINUX', deletionPolicy: 'Retain' });
    expect(manifests[0]?.fieldComments?.deletionPolicy?.join(' ')).toMatch(/never cut nodes off/);
  });

  it('leaves out principals IAM does not know, service-linked roles found by name, and those EKS has an entry for', async () => {
    const { reporter: report, stderr } = reporter();
    const aws = fakeAws({
      iam: [role('nodes'), role('admins'), role('aws-service-role/emr-containers.amazonaws.com/AWSServiceRoleForAmazonEMRContainers')],
      entries: [role('nodes'), role('other/ADMINS')],
    });
    const { manifests } = await migrate(
      contents([
        item('line 1', { arn: role('gone') }),
        item('line 2', { arn: role('AWSServiceRoleForAmazonEMRContainers'), username: 'emr-containers' }),
        item('line 3', { arn: role('nodes'), username: 'system:node:{{EC2PrivateDNSName}}' }),
        item('line 4', { arn: role('admins'), groups: ['ops'] }),
      ]),
      request,
      aws,
      report,
    );
    expect(manifests).toEqual([]);
    expect(report.finish('done')).toBe(ExitCode.Incomplete);
    const lines = stderr().trim().split('\n');
    expect(lines).toEqual([
      `skipped item at line 1 (${role('gone')}): ${Skip.unknownToIam({ partition: 'aws', accountId: ACCOUNT, kind: 'role', path: '/', name: 'gone' }).reason}; ${Skip.unknownToIam({ partition: 'aws', accountId: ACCOUNT, kind: 'role', path: '/', name: 'gone' }).action}`,
      `skipped item at line 2 (${role('AWSServiceRoleForAmazonEMRContainers')}): ${Skip.serviceLinked().reason}; ${Skip.serviceLinked().action}`,
      `skipped item at line 3 (${role('nodes')}): ${Skip.nodeHasEntry().reason}; ${Skip.nodeHasEntry().action}`,
      `skipped item at line 4 (${role('admins')}): ${Skip.hasEntry().reason}; ${Skip.hasEntry().action}`,
    ]);
  });

  it('writes principals of other accounts as given, with a warning that their path was not checked, and never asks IAM about them', async () => {
    const { reporter: report, stderr } = reporter();
    const aws = fakeAws({ iam: [role('local')] });
    const { manifests } = await migrate(
      contents([item('line 1', { arn: 'arn:aws:iam::444455556666:role/cross' }), item('line 2', { arn: role('local') })]),
      request,
      aws,
      report,
    );
    expect(manifests.map((manifest) => manifest.spec.principalArn)).toEqual(['arn:aws:iam::444455556666:role/cross', role('local')]);
    expect(aws.lookups).toEqual(['role/local']);
    report.finish('done');
    expect(stderr()).toContain('warning: line 1 (arn:aws:iam::444455556666:role/cross): path not checked');
  });

  it('without IAM, writes ARNs as aws-auth gives them but leaves out SSO roles, whose path it knows is missing, and warns', async () => {
    const { reporter: report, stderr } = reporter();
    const { manifests } = await migrate(
      contents([item('line 1', { arn: role('AWSReservedSSO_Admin_0123456789abcdef') }), item('line 2', { arn: role('devs') })]),
      { ...request, iam: false, eks: false },
      undefined,
      report,
    );
    expect(manifests.map((manifest) => manifest.spec.principalArn)).toEqual([role('devs')]);
    report.finish('done');
    expect(stderr()).toContain(`warning: ${Warning.noIam}`);
    expect(stderr()).toContain(`warning: ${Warning.noEks}`);
    expect(stderr()).toContain(Skip.ssoWithoutPath().reason);
  });

  it('warns that a CONFIG_MAP cluster has no entries yet, and does not list them', async () => {
    const { reporter: report, stderr } = reporter();
    const result = await migrate(contents([item('line 1', { arn: role('devs') })]), request, fakeAws({ iam: [role('devs')], mode: 'CONFIG_MAP' }), report);
    expect(result).toMatchObject({ eks: 'config-map', manifests: [{ spec: { principalArn: role('devs') } }] });
    report.finish('done');
    expect(stderr()).toContain(Warning.configMapMode('prod'));
  });

  it('reports mapAccounts and principals of another partition than the region', async () => {
    const { reporter: report, stderr } = reporter();
    await migrate(
      contents([item('line 1', { arn: 'arn:aws-cn:iam::111122223333:role/cn' })], [{ where: 'line 9', accountId: '012345678901' }]),
      { ...request, iam: false, eks: false },
      undefined,
      report,
    );
    expect(report.skippedCount).toBe(2);
    report.finish('done');
    expect(stderr()).toContain(Skip.partition('arn:aws-cn:iam::111122223333:role/cn', 'eu-west-1').reason);
    expect(stderr()).toContain(`skipped mapAccounts item at line 9 (012345678901): ${Skip.account('012345678901').reason}`);
  });

  it('stops with an error saying what to do when IAM refuses, so nothing is written', async () => {
    const failing = migrate(contents([item('line 1', { arn: role('devs') })]), request, fakeAws({ failIam: 'AccessDenied' }), reporter().reporter);
    await expect(failing).rejects.toThrow(CliError);
    await expect(migrate(contents([item('line 1', { arn: role('devs') })]), request, fakeAws({ failIam: 'AccessDenied' }), reporter().reporter)).rejects.toThrow(
      /may not call iam:GetRole.*--no-iam/,
    );
  });
});
