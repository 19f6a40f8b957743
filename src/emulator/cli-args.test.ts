import { describe, expect, it } from 'vitest';
import { parseCli } from './cli-args.ts';

describe('parseCli', () => {
  it('has defaults for a local demo', () => {
    expect(parseCli([])).toEqual({
      kind: 'run',
      config: {
        port: 4566,
        host: '127.0.0.1',
        defaultRegion: 'us-east-1',
        accountId: '123456789012',
        accessKeys: [],
        clusters: [],
        keepAliveTimeoutMs: 120_000,
        associationDelayMs: 0,
        roleTrusts: [],
        iamPrincipals: [],
        implicitPrincipals: false,
        logLevel: 'info',
      },
    });
  });

  it('reads repeated --iam-principal ARNs, and refuses what is no IAM role or user', () => {
    const arns = ['arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1', 'arn:aws:iam::210987654321:user/alice'];
    expect(parseCli(arns.flatMap((arn) => ['--iam-principal', arn]))).toMatchObject({ kind: 'run', config: { iamPrincipals: arns } });
    expect(() => parseCli(['--iam-principal', 'arn:aws:sts::123456789012:assumed-role/a/b'])).toThrow(/--iam-principal .* must be an IAM role or user ARN/);
  });

  it('reads --implicit-principals', () => {
    expect(parseCli(['--implicit-principals'])).toMatchObject({ kind: 'run', config: { implicitPrincipals: true } });
  });

  it('reads --audit-file, and refuses an empty one', () => {
    expect(parseCli(['--audit-file', '/tmp/audit.jsonl'])).toMatchObject({ kind: 'run', config: { auditFile: '/tmp/audit.jsonl' } });
    expect(() => parseCli(['--audit-file', ''])).toThrow('--audit-file must name a file, got an empty value');
  });

  it('reads repeated --cluster specs with a mode and a region', () => {
    const command = parseCli(['--port', '0', '--cluster', 'demo', '--cluster', 'legacy:CONFIG_MAP', '--cluster', 'eu:API@eu-west-1', '--region', 'us-west-2']);
    expect(command).toMatchObject({
      kind: 'run',
      config: {
        port: 0,
        defaultRegion: 'us-west-2',
        clusters: [
          { name: 'demo', authenticationMode: 'API_AND_CONFIG_MAP' },
          { name: 'legacy', authenticationMode: 'CONFIG_MAP' },
          { name: 'eu', authenticationMode: 'API', region: 'eu-west-1' },
        ],
      },
    });
  });

  it('maps access keys to accounts and puts clusters in an account', () => {
    const command = parseCli([
      '--access-key', 'AKIDB=210987654321',
      '--access-key', 'AKIDC=333333333333',
      '--cluster', 'prod/210987654321',
      '--cluster', 'prod:API@eu-west-1/333333333333',
      '--keep-alive-timeout', '60000',
    ]);
    expect(command).toMatchObject({
      config: {
        accessKeys: [
          { accessKeyId: 'AKIDB', accountId: '210987654321' },
          { accessKeyId: 'AKIDC', accountId: '333333333333' },
        ],
        clusters: [
          { name: 'prod', authenticationMode: 'API_AND_CONFIG_MAP', accountId: '210987654321' },
          { name: 'prod', authenticationMode: 'API', region: 'eu-west-1', accountId: '333333333333' },
        ],
        keepAliveTimeoutMs: 60_000,
      },
    });
  });

  it('reads the association delay', () => {
    expect(parseCli(['--association-delay', '30000'])).toMatchObject({ config: { associationDelayMs: 30_000 } });
  });

  it('reads repeated --role-trust entries as JSON', () => {
    const manager = 'arn:aws:iam::210987654321:role/eks,manager=x';
    const command = parseCli([
      '--role-trust', JSON.stringify({ roleArn: manager, externalId: 'demo', allowedCallers: ['123456789012'] }),
      '--role-trust', '{"roleArn":"arn:aws:iam::210987654321:role/open","maxSessionDuration":7200}',
    ]);
    expect(command).toMatchObject({
      config: {
        roleTrusts: [
          { roleArn: manager, externalId: 'demo', allowedCallers: ['123456789012'] },
          { roleArn: 'arn:aws:iam::210987654321:role/open', maxSessionDuration: 7200 },
        ],
      },
    });
  });

  it('asks for help with -h', () => {
    expect(parseCli(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--account', '42'], /--account must be 12 digits/],
    [['--region', 'mars'], /--region must look like us-east-1/],
    [['--cluster', 'demo:OPEN'], /--cluster 'demo:OPEN': mode must be one of CONFIG_MAP/],
    [['--cluster', 'demo@moon'], /--cluster 'demo@moon': region must look like us-east-1/],
    [['--cluster', 'bad name'], /--cluster 'bad name': The cluster name bad name is not valid/],
    [['--log-level', 'loud'], /--log-level must be one of/],
    [['--access-key', 'AKID'], /--access-key 'AKID' must be ACCESS_KEY_ID=ACCOUNT/],
    [['--access-key', 'AKID=12'], /--access-key 'AKID=12': the account must be 12 digits/],
    [['--cluster', 'demo/12'], /--cluster 'demo\/12': account must be 12 digits/],
    [['--cluster', 'a/b/c'], /must be NAME\[:MODE\]\[@REGION\]\[\/ACCOUNT\]/],
    [['--keep-alive-timeout', '0'], /--keep-alive-timeout must be a whole number of milliseconds/],
    [['--association-delay=-5'], /--association-delay must be a whole number of milliseconds ≥ 0/],
    [['--association-delay', ''], /--association-delay must be a whole number/],
    [['--role-trust', 'arn:aws:iam::210987654321:role/x'], /--role-trust 'arn:aws:iam::210987654321:role\/x' must be JSON/],
    [['--role-trust', '{"externalId":"abc"}'], /roleArn must be an IAM role ARN/],
    [['--role-trust', '{"roleArn":"arn:aws:iam::210987654321:role/x","externalId":"a"}'], /--role-trust .*externalId must be 2 to 1224/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });
});
