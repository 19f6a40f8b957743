// The tool build scripts on a machine whose Go is older than a tool needs: they fetch the
// toolchain it needs through the module proxy (GOTOOLCHAIN) instead of failing. Built into a
// cache of its own, so the suite's tools are untouched; the toolchain itself stays in Go's
// module cache, so only a machine's first run downloads it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/tools/lua-health.sh', import.meta.url));
/** A patch release the module proxy serves, newer than the Go these machines ship (1.26.8). */
const NEEDED = '1.26.9';
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function machineGo(): Promise<string> {
  const { stdout } = await run('go', ['env', 'GOVERSION'], { env: { ...process.env, GOTOOLCHAIN: 'local' } });
  return stdout.trim().replace(/^go/, '');
}

const older = (a: string, b: string): boolean => a.localeCompare(b, undefined, { numeric: true }) < 0;

describe('tool builds', () => {
  it('fetch the Go toolchain a tool needs through the module proxy when the machine\'s Go is older', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'eaec-toolchain-'));
    dirs.push(cache);
    const { stdout, stderr } = await run('bash', [SCRIPT], { env: { ...process.env, ACCESS_ENTRY_TOOLS_CACHE: cache, ACCESS_ENTRY_MIN_GO: NEEDED }, maxBuffer: 16 * 1024 * 1024 });
    const binary = stdout.trim().split('\n').at(-1)!;
    const { stdout: built } = await run('go', ['version', binary], { env: { ...process.env, GOTOOLCHAIN: 'local' } });
    if (older(await machineGo(), NEEDED)) {
      expect(stderr).toContain(`using go${NEEDED} from the Go module proxy (GOTOOLCHAIN)`);
      expect(built).toContain(`go${NEEDED}`);
    } else {
      // This machine's Go is new enough: it is used as it is.
      expect(stderr).not.toContain('from the Go module proxy (GOTOOLCHAIN)');
      expect(built).toContain(`go${await machineGo()}`);
    }
  }, 600_000);
});
