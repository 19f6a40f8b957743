import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './program.ts';
import { CLI_NAME, programNameOf, type CliIo } from './shared/io.ts';

const AWS_AUTH = `apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/nodes
      username: system:node:{{EC2PrivateDNSName}}
      groups: [system:bootstrappers, system:nodes]
    - rolearn: arn:aws:iam::111122223333:role/admins
      username: admin:{{SessionName}}
      groups: [system:masters]
    - rolearn: arn:aws:iam::111122223333:role/legacy
      groups: [system:authenticated]
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/admins
      groups: [ops]
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eaec-cli-'));
  await writeFile(join(dir, 'aws-auth.yaml'), AWS_AUTH);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line in this process, on strings; no AWS variables, so nothing can reach AWS. */
async function cli(args: string[], programName = CLI_NAME): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readStdin: () => Promise.resolve(AWS_AUTH),
    readFile: (path) => readFile(join(dir, path), 'utf8'),
    cwd: dir,
    programName,
  };
  const code = await runCli(args, io, {});
  return { code, stdout, stderr };
}

const OFFLINE = ['migrate', '--cluster', 'prod', '--no-iam', '--no-eks'];

describe('the command line', () => {
  it('has help for itself and each subcommand, with the kubectl and AWS CLI flags', async () => {
    const top = await cli(['--help']);
    expect(top).toMatchObject({ code: 0, stderr: '' });
    expect(top.stdout).toMatch(/migrate .*\n.*import /s);
    for (const command of ['migrate', 'import']) {
      const help = await cli([command, '--help']);
      expect(help.code).toBe(0);
      for (const flag of ['--cluster', '--region', '--profile', '--kubeconfig', '--context', '-o, --output', '--output-dir', '--force', '--label', '--quiet']) {
        expect(help.stdout).toContain(flag);
      }
      expect(help.stdout).toMatch(/Exit status: 0 .* 2 .*1 an error/s);
    }
    expect((await cli(['import', '--help'])).stdout).toContain('--controller-id');
    expect((await cli(['migrate', '--help'])).stdout).toMatch(/--no-iam[\s\S]*--no-eks/);
  });

  it('calls itself kubectl access-entries when kubectl runs it as a plugin', async () => {
    expect(programNameOf('/usr/local/bin/kubectl-access_entries')).toBe('kubectl access-entries');
    expect(programNameOf('/app/dist/cli/main.js')).toBe(CLI_NAME);
    expect((await cli(['migrate', '--help'], 'kubectl access-entries')).stdout).toMatch(/^Usage: kubectl access-entries migrate/);
  });

  it.each([
    ['an unknown flag', ['migrate', '--cluster', 'prod', '--clustr', 'x'], /unknown option '--clustr'/],
    ['no --cluster', ['migrate', '--from-file', 'aws-auth.yaml'], /required option '--cluster <name>'/],
    ['no source', [...OFFLINE], /either --from-file PATH or --from-cluster/],
    ['two sources', [...OFFLINE, '--from-file', 'aws-auth.yaml', '--from-cluster'], /not both/],
    ['a cluster ARN', ['migrate', '--cluster', 'arn:aws:eks:eu-west-1:111122223333:cluster/prod', '--from-file', 'aws-auth.yaml'], /not an EKS cluster name/],
    ['a bad label', [...OFFLINE, '--from-file', 'aws-auth.yaml', '-l', 'team'], /--label team: give it as key=value/],
    ['an unknown format', [...OFFLINE, '--from-file', 'aws-auth.yaml', '-o', 'toml'], /argument 'toml' is invalid/],
    ['a missing file', [...OFFLINE, '--from-file', 'nope.yaml'], /cannot read nope\.yaml/],
    ['a bad region', [...OFFLINE, '--from-file', 'aws-auth.yaml', '--region', 'eu-west-1a'], /not an AWS region code/],
    ['no region for the checks', ['migrate', '--cluster', 'prod', '--from-file', 'aws-auth.yaml'], /no AWS region: pass --region/],
  ])('exits 1 on %s, saying what is wrong, with nothing on stdout', async (_, args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('migrates a file offline: exit 2 with one line per item left out, the same bytes every time', async () => {
    const first = await cli([...OFFLINE, '--from-file', 'aws-auth.yaml']);
    expect(first.code).toBe(2);
    const documents = loadAll(first.stdout) as { metadata: { name: string }; spec: Record<string, unknown> }[];
    expect(documents.map((document) => document.metadata.name)).toEqual([
      expect.stringMatching(/^prod-admins-[0-9a-f]{6}$/),
      expect.stringMatching(/^prod-admins-[0-9a-f]{6}$/),
      'prod-nodes',
    ]);
    expect(first.stdout).toMatch(/^# Generated by eks-access-entries \S+ migrate from the aws-auth file aws-auth\.yaml, for EKS cluster prod\.\n/);
    expect(first.stdout).toContain('NOT checked against IAM (--no-iam)');
    const skipped = first.stderr.split('\n').filter((line) => line.startsWith('skipped '));
    expect(skipped).toEqual([expect.stringMatching(/^skipped item at aws-auth\.yaml line 14 \(arn:aws:iam::111122223333:role\/legacy\): group "system:authenticated"/)]);
    expect(first.stderr).toMatch(/note: arn:aws:iam::111122223333:role\/admins and arn:aws:iam::111122223333:user\/admins would all be named prod-admins/);
    expect(first.stderr).toMatch(/migrate: 3 AccessEntries written to stdout; 1 items left out\n$/);
    expect((await cli([...OFFLINE, '--from-file', 'aws-auth.yaml'])).stdout).toBe(first.stdout);
    expect((await cli([...OFFLINE, '--from-file', '-'])).stdout).toBe(first.stdout.replaceAll('aws-auth.yaml', 'stdin'));
  });

  it('is quiet with -q but for what was left out and the warnings', async () => {
    const run = await cli([...OFFLINE, '--from-file', 'aws-auth.yaml', '-q']);
    expect(run.stderr.split('\n').filter(Boolean).every((line) => line.startsWith('skipped ') || line.startsWith('warning: '))).toBe(true);
  });

  it('labels every AccessEntry, and writes one file each into --output-dir, never over a file without --force', async () => {
    const args = [...OFFLINE, '--from-file', 'aws-auth.yaml', '--output-dir', 'out', '-l', 'eksaccess.dev/tenant=platform'];
    expect((await cli(args)).code).toBe(2);
    const files = (await readdir(join(dir, 'out'))).sort();
    expect(files).toHaveLength(3);
    expect(await readFile(join(dir, 'out', 'prod-nodes.yaml'), 'utf8')).toContain('    eksaccess.dev/tenant: platform\n');
    const again = await cli(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/3 file\(s\) exist already .*--force/);
    expect((await cli([...args, '--force'])).code).toBe(2);
  });

  it('prints version', async () => {
    expect((await cli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
