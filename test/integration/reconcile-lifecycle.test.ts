// Create, update, tags, status and deletion, end to end: real API server, emulator over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINALIZER, MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import { kubectl, uniqueName, waitFor } from '../testenv/kube.ts';
import { CLUSTER, Harness, role, user } from './support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h?.close();
});

describe('AccessEntry lifecycle', () => {
  it('creates the entry with every field of the spec and reports it Ready', async () => {
    const name = uniqueName('create');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['dev', 'view'], tags: { team: 'payments' } });

    const ready = await h.waitForReady(name);
    const entry = h.entry(principal);
    expect(entry).toMatchObject({ type: 'STANDARD', kubernetesGroups: ['dev', 'view'] });
    expect(entry?.tags).toEqual({ team: 'payments', [MANAGED_BY_TAG]: 'it-controller', [OWNER_TAG]: name });
    expect(ready.metadata.finalizers).toContain(FINALIZER);
    expect(ready.status).toMatchObject({
      accessEntryArn: entry?.accessEntryArn,
      username: `arn:aws:sts::123456789012:assumed-role/${name}/{{SessionName}}`,
      createdAt: expect.any(String),
      managedTagKeys: [MANAGED_BY_TAG, OWNER_TAG, 'team'].sort(),
    });
    expect(h.emulator.calls.count('CreateAccessEntry')).toBeGreaterThanOrEqual(1);
  });

  it('updates groups and username, and leaves an unset username to EKS', async () => {
    const name = uniqueName('update');
    const principal = user(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['a'] });
    await h.waitForReady(name);
    expect(h.entry(principal)?.username).toBe(principal);

    await h.patchSpec(name, { kubernetesGroups: ['b', 'c'] });
    await h.waitForReady(name);
    expect(h.entry(principal)).toMatchObject({ kubernetesGroups: ['b', 'c'], username: principal });

    await h.patchSpec(name, { username: 'alice' });
    const ready = await h.waitForReady(name);
    expect(h.entry(principal)).toMatchObject({ kubernetesGroups: ['b', 'c'], username: 'alice' });
    expect(ready.status?.username).toBe('alice');

    await h.patchSpec(name, { kubernetesGroups: [] });
    await h.waitForReady(name);
    expect(h.entry(principal)).toMatchObject({ kubernetesGroups: [], username: 'alice' });
  });

  it('adds, changes and removes its tags without touching tags someone else added', async () => {
    const name = uniqueName('tags');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, tags: { team: 'a', env: 'dev' } });
    await h.waitForReady(name);
    const { tags } = h.entry(principal)!;
    h.emulator.state.editAccessEntry(CLUSTER, principal, { tags: { ...tags, 'cost-center': '42' } });

    await h.patchSpec(name, { tags: { team: 'b', owner: 'ops', env: null } });
    await waitFor(() => (h.entry(principal)?.tags.team === 'b' ? true : undefined), { description: 'tags updated', timeoutMs: 20_000 });
    await h.waitForReady(name);
    expect(h.entry(principal)?.tags).toEqual({
      team: 'b',
      owner: 'ops',
      'cost-center': '42',
      [MANAGED_BY_TAG]: 'it-controller',
      [OWNER_TAG]: name,
    });
  });

  it('creates node entries without groups and never fights the groups EKS reports', async () => {
    const name = uniqueName('node');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, type: 'EC2_LINUX' });
    await h.waitForReady(name);
    expect(h.entry(principal)).toMatchObject({ type: 'EC2_LINUX', kubernetesGroups: ['system:nodes'] });
    const updates = h.emulator.calls.count('UpdateAccessEntry');
    await h.patchSpec(name, { tags: { pool: 'general' } });
    await h.waitForReady(name);
    expect(h.emulator.calls.count('UpdateAccessEntry')).toBe(updates);
  });

  it('deletes the entry with deletionPolicy Delete and keeps it with Retain', async () => {
    const deleted = uniqueName('delete');
    const retained = uniqueName('retain');
    await h.create(deleted, { clusterName: CLUSTER, principalArn: role(deleted) });
    await h.create(retained, { clusterName: CLUSTER, principalArn: role(retained), deletionPolicy: 'Retain' });
    await Promise.all([h.waitForReady(deleted), h.waitForReady(retained)]);

    await Promise.all([h.delete(deleted), h.delete(retained)]);
    await Promise.all([h.waitForGone(deleted), h.waitForGone(retained)]);
    expect(h.entry(role(deleted))).toBeUndefined();
    expect(h.entry(role(retained))).toBeDefined();
  });

  it('satisfies kubectl wait --for=condition=Ready and shows the printer columns', async () => {
    const name = uniqueName('kubectl');
    await h.create(name, { clusterName: CLUSTER, principalArn: role(name), kubernetesGroups: ['viewers'] });
    const wait = await kubectl(['wait', '--for=condition=Ready', `accessentry/${name}`, '--timeout=30s']);
    expect(wait.code, wait.stderr).toBe(0);
    const table = await kubectl(['get', 'accessentry', name]);
    expect(table.stdout).toMatch(/NAME\s+CLUSTER\s+PRINCIPAL\s+TYPE\s+POLICIES\s+READY\s+REASON\s+EXPIRES\s+AGE/);
    expect(table.stdout).toMatch(new RegExp(`${name}\\s+${CLUSTER}\\s+\\S+role/${name}\\s+STANDARD\\s+True\\s+Synced`));
  });
});
