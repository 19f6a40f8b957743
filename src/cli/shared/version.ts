import { readFileSync } from 'node:fs';

/** The package's version, read from package.json beside src/ and dist/ alike (both are two levels down). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
