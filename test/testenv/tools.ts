// The real tools some integration tests run (helm, kubeconform, kstatus, the gopher-lua runner,
// promtool and prometheus, the Prometheus Operator's CRDs), built or installed into the cache
// before any test starts. A cold build takes minutes of both cores; done while timing-sensitive
// tests ran, it could starve them.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TOOLS_DIR = fileURLToPath(new URL('../../scripts/tools/', import.meta.url));
const TOOLS = ['promtool', 'prometheus-operator-crds', 'lua-health', 'kubeconform', 'kstatus', 'helm'] as const;

function runScript(name: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [`${TOOLS_DIR}${name}.sh`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      for (const line of chunk.split('\n')) if (line.startsWith('[tools]')) log(line);
    });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`scripts/tools/${name}.sh failed (exit ${code}):\n${stderr.slice(-4000)}`))));
  });
}

/** One after another: each build uses both cores already. Instant when all are cached. */
export async function prepareTools(log: (line: string) => void): Promise<void> {
  const startedAt = Date.now();
  for (const name of TOOLS) await runScript(name, log);
  log(`tools ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}
