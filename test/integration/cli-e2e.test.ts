// From what a team has to Git, with the controller running: migrate's output for aws-auth and
// import's for the entries made by hand and by EKS, applied to the real API server against the
// same emulator the command line read. Every resource becomes Ready; adopting what import wrote
// changes nothing in EKS but the ownership tags.
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { AccessEntry } from '../../src/api/accessentry.ts';
import { ADOPTED_TAG, MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import type { AccessEntryRecord } from '../../src/emulator/eks/model.ts';
import { WRITE_OPERATIONS } from '../../src/emulator/operations.ts';
import { kubectl, uniqueName } from '../testenv/kube.ts';
import { runCli, type CliRun } from './support/cli.ts';
import { AWS_AUTH_FILE, FARGATE_PROFILE, MANAGED_NODE_GROUP, MIGRATED, policyArn, role, seedEksNodeEntries, seedIam, user } from './support/cli-world.ts';
import { Harness } from './support/harness.ts';

const cluster = uniqueName('e2e');
const IMPORTED = [role('cluster-creator'), role('teams/platform/oncall'), user('carol'), role('ci/terraform-runner')];
let h: Harness;

const documents = (run: CliRun): AccessEntry[] => loadAll(run.stdout) as AccessEntry[];
const entries = (): AccessEntryRecord[] => h.emulator.state.listAccessEntries(cluster);

/** What decides who gets in: type, groups, username and policies with their scopes. */
function access(entry: AccessEntryRecord | undefined) {
  return {
    type: entry?.type,
    groups: [...(entry?.kubernetesGroups ?? [])].sort(),
    username: entry?.username,
    policies: (entry?.associatedPolicies ?? []).map((policy) => ({ policyArn: policy.policyArn, scope: policy.accessScope })),
  };
}

async function applyAndWait(run: CliRun): Promise<AccessEntry[]> {
  const applied = await kubectl(['apply', '--server-side', '--field-manager=cli-e2e-test', '-f', '-'], { input: run.stdout });
  expect(applied.code, applied.stderr).toBe(0);
  return Promise.all(documents(run).map((doc) => h.waitForReady(doc.metadata.name!, 60_000)));
}

beforeAll(async () => {
  h = await Harness.start();
  const state = h.emulator.state;
  state.createCluster(cluster, { authenticationMode: 'API_AND_CONFIG_MAP', bootstrapCreatorPrincipalArn: role('cluster-creator') });
  seedIam(h.emulator);
  seedEksNodeEntries(h.emulator, cluster);
  // Made by hand, by another tool and by EKS itself, beside aws-auth.
  state.seedAccessEntry(cluster, { principalArn: role('teams/platform/oncall'), kubernetesGroups: ['platform', 'oncall'], tags: { team: 'platform' } });
  state.associatePolicy(cluster, role('teams/platform/oncall'), { policyArn: policyArn('AmazonEKSAdminPolicy'), accessScope: { type: 'namespace', namespaces: ['platform', 'dev-*'] } });
  state.associatePolicy(cluster, role('teams/platform/oncall'), { policyArn: policyArn('AmazonEKSViewPolicy'), accessScope: { type: 'cluster', namespaces: [] } });
  state.seedAccessEntry(cluster, { principalArn: user('carol'), username: 'carol', kubernetesGroups: ['support'] });
  state.seedAccessEntry(cluster, { principalArn: role('ci/terraform-runner'), tags: { 'managed-by': 'terraform' } });
  state.associatePolicy(cluster, role('ci/terraform-runner'), { policyArn: policyArn('AmazonEKSEditPolicy'), accessScope: { type: 'cluster', namespaces: [] } });
  state.seedAccessEntry(cluster, { principalArn: role('other-team'), tags: { [MANAGED_BY_TAG]: 'another-installation', [OWNER_TAG]: 'theirs' } });
  state.seedAccessEntry(cluster, { principalArn: role('auto-mode-nodes'), type: 'EC2' });
  state.seedAccessEntry(cluster, { principalArn: role('aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS') });
}, 120_000);

afterAll(async () => {
  // Deleted while the controller runs, so its finalizers are released (migrated node entries are
  // retained, adopted entries handed back).
  await kubectl(['delete', 'accessentries', '-l', `test.eksaccess.dev/run=${h.runLabel}`, '--wait=true', '--timeout=60s']);
  await h?.close();
});

describe('from aws-auth and EKS to Git, with the controller running', () => {
  it('migrate: every AccessEntry becomes Ready, and EKS then grants what aws-auth granted, to the principals as IAM names them', async () => {
    const run = await runCli(
      ['migrate', '--cluster', cluster, '--region', 'us-east-1', '--from-file', AWS_AUTH_FILE, '-l', `test.eksaccess.dev/run=${h.runLabel}`],
      { endpoint: h.emulator.endpoint },
    );
    expect(run.code, run.stderr).toBe(2);
    const nodeEntriesBefore = [MANAGED_NODE_GROUP, FARGATE_PROFILE].map((arn) => h.entry(arn, cluster));
    const ready = await applyAndWait(run);
    expect(ready).toHaveLength(Object.keys(MIGRATED).length);
    for (const [arn, expected] of Object.entries(MIGRATED)) {
      const entry = h.entry(arn, cluster);
      expect(entry?.type, arn).toBe(expected.type);
      if (expected.type !== 'STANDARD') continue;
      expect(access(entry), arn).toEqual({
        type: 'STANDARD',
        groups: expected.groups,
        username: expected.username,
        policies: expected.clusterAdmin ? [{ policyArn: policyArn('AmazonEKSClusterAdminPolicy'), scope: { type: 'cluster', namespaces: [] } }] : [],
      });
    }
    // EKS's own node entries were left to EKS: not one tag or field changed.
    expect([MANAGED_NODE_GROUP, FARGATE_PROFILE].map((arn) => h.entry(arn, cluster))).toEqual(nodeEntriesBefore);
  });

  it('import: what it writes adopts every entry as it is; EKS sees only the ownership tags, and every AccessEntry is Ready', async () => {
    const run = await runCli(
      ['import', '--cluster', cluster, '--region', 'us-east-1', '--controller-id', h.config.controllerId!, '--kubeconfig', inject('kubeconfigPath'), '-l', `test.eksaccess.dev/run=${h.runLabel}`],
      { endpoint: h.emulator.endpoint },
    );
    expect(run.code, run.stderr).toBe(2);
    expect(documents(run).map((doc) => doc.spec.principalArn).sort()).toEqual([...IMPORTED].sort());
    // Left out: EKS's node entries (managed node group, Fargate profile, Auto Mode), the service-linked role's, another installation's.
    expect(run.skipped).toHaveLength(5);
    // What migrate wrote is managed here now, and in Git already.
    expect(run.stderr.split('\n').filter((line) => line.includes('is already managed by this controller'))).toHaveLength(Object.keys(MIGRATED).length);

    const before = new Map(entries().map((entry) => [entry.principalArn, { access: access(entry), tags: entry.tags }]));
    h.emulator.calls.reset();
    const ready = await applyAndWait(run);
    expect(ready.every((resource) => resource.status?.adopted === true)).toBe(true);

    // A new resource tries CreateAccessEntry first; EKS refuses it (the entry exists), which changes
    // nothing and is how the controller learns there is one to adopt. Every write that EKS took: a tag.
    const writes = h.emulator.calls.log().filter((call) => WRITE_OPERATIONS.has(call.operation));
    const refused = writes.filter((call) => call.status >= 400);
    expect(refused.map((call) => [call.operation, call.error, call.principalArn]).sort()).toEqual(
      IMPORTED.map((arn) => ['CreateAccessEntry', 'ResourceInUseException', arn]).sort(),
    );
    expect(writes.filter((call) => call.status < 400).map((call) => call.operation)).toEqual(IMPORTED.map(() => 'TagResource'));
    for (const entry of entries()) {
      expect(access(entry), entry.principalArn).toEqual(before.get(entry.principalArn)?.access);
      const added = Object.keys(entry.tags).filter((key) => !(key in (before.get(entry.principalArn)?.tags ?? {})));
      expect(added.sort(), entry.principalArn).toEqual(IMPORTED.includes(entry.principalArn) ? [ADOPTED_TAG, OWNER_TAG, MANAGED_BY_TAG].sort() : []);
    }
  });
});
