// The CI examples of deploy/examples/ci/: valid YAML of each platform's shape, running plan with
// -o markdown on a pull (merge) request and posting it with the platform's documented mechanism.
// GitHub Actions and GitLab themselves cannot run here: this checks what can be checked offline.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../src/cli/plan/render-markdown.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): { text: string; doc: Record<string, unknown> } => {
  const text = readFileSync(join(ROOT, 'deploy/examples/ci', file), 'utf8');
  return { text, doc: load(text) as Record<string, unknown> };
};

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}

describe('the GitHub Actions example', () => {
  const { doc } = read('github-actions-plan.yaml');
  const job = (doc.jobs as Record<string, { steps: Step[]; 'runs-on': string }>).plan!;

  it('runs on pull requests, with the permissions it uses and no more', () => {
    expect(Object.keys(doc.on as object)).toEqual(['pull_request']);
    expect(doc.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    expect(job['runs-on']).toBe('ubuntu-latest');
  });

  it('runs plan as markdown, keeping exit 2 (changes pending) from failing the job, then comments with the job token', () => {
    const plan = job.steps.find((step) => step.run?.includes('eks-access-entries plan'))!;
    expect(plan.run).toMatch(/-o markdown/);
    expect(plan.run).toMatch(/set \+e/);
    const comment = job.steps.find((step) => step.run?.includes('gh pr comment'))!;
    expect(comment.env).toMatchObject({ GH_TOKEN: '${{ github.token }}' });
    expect(comment.run).toContain(COMMENT_MARKER);
    expect(job.steps.every((step) => step.uses === undefined || /^[\w-]+\/[\w-]+@v\d+$/.test(step.uses))).toBe(true);
  });
});

describe('the GitLab CI example', () => {
  const { doc } = read('gitlab-ci-plan.yaml');
  const job = doc['access-entry-plan'] as { rules: { if: string }[]; script: string[]; image: string };

  it('runs on merge requests and posts a note through the notes API with a project token', () => {
    expect(job.rules[0]?.if).toBe('$CI_PIPELINE_SOURCE == "merge_request_event"');
    const script = job.script.join('\n');
    expect(script).toMatch(/eks-access-entries plan .*-o markdown/s);
    expect(script).toContain('/merge_requests/$CI_MERGE_REQUEST_IID/notes');
    expect(script).toContain('PRIVATE-TOKEN: $PLAN_NOTE_TOKEN');
    expect(script).toContain(COMMENT_MARKER);
    expect(job.image).toBe('node:24');
  });
});
