// The etcd, kube-apiserver and kubectl binaries, built once by scripts/testenv/build.sh.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/testenv/build.sh', import.meta.url));
export const REQUIRED_BINARIES = ['etcd', 'kube-apiserver', 'kubectl'] as const;
const KEPT_BUILD_LINES = 30;

/**
 * Runs build.sh (a no-op when everything is cached) and returns the directory holding the
 * binaries. The script's own progress lines go to log; the Go tool's chatter is kept back and
 * only shown if the build fails.
 */
export async function ensureBinaries(log: (line: string) => void = () => {}): Promise<string> {
  const child = spawn('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  const recent: string[] = [];
  createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
    if (line.startsWith('[testenv]')) log(line);
    recent.push(line);
    if (recent.length > KEPT_BUILD_LINES) recent.shift();
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`could not run ${BUILD_SCRIPT}: ${error.message}`)));
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`${BUILD_SCRIPT} failed (exit code ${String(code)}); its last lines:\n${recent.join('\n')}`);
  }
  const binDir = stdout.trim().split('\n').at(-1) ?? '';
  for (const binary of REQUIRED_BINARIES) {
    try {
      await access(join(binDir, binary), constants.X_OK);
    } catch {
      throw new Error(
        `${BUILD_SCRIPT} reported "${binDir}" but ${binary} is not an executable there; ` +
          'delete that directory and run the script again',
      );
    }
  }
  return binDir;
}
