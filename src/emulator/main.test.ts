import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

const children: ReturnType<typeof spawn>[] = [];

/** Runs the CLI with the test's own Node (24) and tsx, as `npm run emulator` does. */
function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

// A failed assertion must not leave an emulator running.
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('emulator CLI', () => {
  it('logs its endpoint, serves the clusters it was given, and exits 0 on SIGTERM', async () => {
    const trust = { roleArn: 'arn:aws:iam::210987654321:role/eks-manager', externalId: 'demo' };
    const auditFile = path.join(mkdtempSync(path.join(tmpdir(), 'emulator-cli-')), 'audit.jsonl');
    const cli = runCli([
      '--port', '0', '--cluster', 'demo:API', '--access-key', 'AKIDB=210987654321', '--cluster', 'prod/210987654321', '--role-trust', JSON.stringify(trust),
      '--audit-file', auditFile, '--iam-principal', 'arn:aws:iam::210987654321:role/ci/deployer',
    ]);
    let output = '';
    cli.stdout.setEncoding('utf8');
    const endpoint = await new Promise<string>((resolve, reject) => {
      cli.stdout.on('data', (chunk: string) => {
        output += chunk;
        const match = /"endpoint":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      cli.once('exit', () => reject(new Error(`CLI exited early: ${output}`)));
    });
    const state = (await (await fetch(`${endpoint}/_emulator/state`)).json()) as {
      accessKeys: unknown;
      clusters: { name: string; authenticationMode: string }[];
      iam: { roles: { arn: string }[] };
    };
    expect(state.iam.roles).toEqual([expect.objectContaining({ arn: 'arn:aws:iam::210987654321:role/ci/deployer', accountId: '210987654321' })]);
    expect(state.clusters).toEqual([
      expect.objectContaining({ name: 'demo', authenticationMode: 'API', accountId: '123456789012' }),
      expect.objectContaining({ name: 'prod', accountId: '210987654321' }),
    ]);
    expect(state.accessKeys).toEqual({ AKIDB: '210987654321' });
    const roles: unknown = await (await fetch(`${endpoint}/_emulator/role-trust`)).json();
    expect(roles).toEqual({ roles: { [trust.roleArn]: { externalId: 'demo' } } });
    expect((await fetch(`${endpoint}/clusters/demo`)).status).toBe(200);
    const exited = once(cli, 'exit');
    cli.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(output).toContain('shutting down');
    expect(output).toContain(`"auditFile":"${auditFile}"`);
    const records = readFileSync(auditFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(records).toEqual([expect.objectContaining({ action: 'eks:DescribeCluster', resourceArn: 'arn:aws:eks:us-east-1:123456789012:cluster/demo', status: 200 })]);
    rmSync(path.dirname(auditFile), { recursive: true, force: true });
  });

  it('exits 2 with a clear message on a bad flag', async () => {
    const cli = runCli(['--port', 'many']);
    let stderr = '';
    cli.stderr.setEncoding('utf8');
    cli.stderr.on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(cli, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain("--port must be a whole number from 0 to 65535, got 'many'");
  });
});
