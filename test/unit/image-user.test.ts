// The kubelet starts a pod with runAsNonRoot only if it can see the user is not root: the image's
// USER must be numeric (a name such as "nonroot" cannot be checked, and the pod never starts).
import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { IMAGE_ENV, IMAGE_NODE_FLAGS } from '../../bench/controller-process.ts';

const root = new URL('../../', import.meta.url);

/** The USER of the last stage of a Dockerfile (the image that ships), undefined when it sets none. */
function finalStageUser(dockerfile: string): string | undefined {
  const lines = dockerfile.split('\n').map((line) => line.trim());
  const lastFrom = lines.findLastIndex((line) => /^FROM\s/i.test(line));
  return lines
    .slice(lastFrom)
    .filter((line) => /^USER\s/i.test(line))
    .map((line) => line.replace(/^USER\s+/i, ''))
    .at(-1);
}

describe('the image', () => {
  const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');

  it('runs as a numeric, non-root user the kubelet can verify', () => {
    const user = finalStageUser(dockerfile);
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user!.split(':')[0])).toBeGreaterThan(0);
  });

  it('is run by the shipped Deployment as that same user, with runAsNonRoot', () => {
    const deployment = loadYaml(readFileSync(new URL('deploy/controller/deployment.yaml', root), 'utf8')) as {
      spec: { template: { spec: { securityContext: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number } } } };
    };
    const context = deployment.spec.template.spec.securityContext;
    const [uid, gid] = finalStageUser(dockerfile)!.split(':').map(Number);
    expect(context).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid });
  });

  it('runs node with the flags the benchmarks measured it with', () => {
    const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
    const args = JSON.parse(entrypoint ?? '[]') as string[];
    expect(args.slice(1, -1)).toEqual(IMAGE_NODE_FLAGS);
  });

  it('sets the environment the benchmarks measured it with', () => {
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const env = Object.fromEntries([...finalStage.matchAll(/^ENV\s+(\w+)=(\S+)\s*$/gm)].map((match) => [match[1], match[2]]));
    expect(env).toEqual({ NODE_ENV: 'production', ...IMAGE_ENV });
  });

  it('reads the final stage only', () => {
    expect(finalStageUser('FROM a AS build\nUSER 0\nFROM b\nUSER nonroot\n')).toBe('nonroot');
    expect(finalStageUser('FROM a\nUSER 1000\nFROM b\n')).toBeUndefined();
  });
});
