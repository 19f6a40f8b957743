// The command line as users run it: its own process, from source through tsx (npm run cli), with
// AWS endpoints only from the SDK's standard variables and a HOME of its own (no ~/.aws, no
// ~/.kube), so what it reads is exactly what a test gives it.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const CLI = join(ROOT, 'src/cli/main.ts');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stderr's lines starting with `skipped `. */
  skipped: string[];
}

export interface CliRunOptions {
  /** The emulator's endpoint, given as AWS_ENDPOINT_URL_EKS, _IAM and _STS; none: AWS itself (never reached in tests). */
  endpoint?: string;
  /** Credentials are the integration project's dummies unless a test takes them away. */
  credentials?: boolean;
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

let home: Promise<string> | undefined;

export async function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  home ??= mkdtemp(join(tmpdir(), 'eaec-cli-home-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: await home,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(options.credentials === false ? {} : { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }),
    ...(options.endpoint
      ? { AWS_ENDPOINT_URL_EKS: options.endpoint, AWS_ENDPOINT_URL_IAM: options.endpoint, AWS_ENDPOINT_URL_STS: options.endpoint }
      : {}),
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args], { cwd: options.cwd ?? ROOT, env, timeout: options.timeoutMs ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, skipped: stderr.split('\n').filter((line) => line.startsWith('skipped ')) }));
    child.stdin.end(options.input ?? '');
  });
}
