// Writes the IAM policy files of deploy/iam/ from their one source, scripts/iam/policies.ts, one
// per AWS partition. Run with `npm run generate:iam`; a unit test fails when a committed file
// differs from what this writes (so a hand edit is caught: change the source and regenerate).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderPolicyFiles } from './iam/render.ts';

const REPO_ROOT = join(import.meta.dirname, '..');

for (const [path, text] of renderPolicyFiles()) {
  await writeFile(join(REPO_ROOT, path), text);
  process.stdout.write(`wrote ${path}\n`);
}
