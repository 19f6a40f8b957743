import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../api/accessentry.ts';
import type { ClusterAccess } from '../api/clusteraccess.ts';
import { Reason } from '../api/reasons.ts';
import { ClusterDirectory } from './cluster-directory.ts';
import { accountMismatch, placeEntry, type PlacementContext } from './place.ts';

const OWN = '111111111111';
const EU_ROLE = 'arn:aws:iam::222222222222:role/eaec';
const OTHER_EU_ROLE = 'arn:aws:iam::444444444444:role/eaec';
const DEV_ROLE = 'arn:aws:iam::333333333333:role/eaec';

const access = (name: string, clusterName: string, region: string, roleArn?: string): ClusterAccess => ({
  apiVersion: 'eksaccess.dev/v1alpha1',
  kind: 'ClusterAccess',
  metadata: { name },
  spec: { clusterName, region, ...(roleArn ? { roleArn, externalId: 'x-1' } : {}) },
});

const directory = new ClusterDirectory(() => [
  access('prod-us', 'prod', 'us-east-1'),
  access('prod-eu', 'prod', 'eu-west-1', EU_ROLE),
  access('prod-eu-b', 'prod', 'eu-west-1', OTHER_EU_ROLE),
  access('dev', 'dev', 'eu-central-1', DEV_ROLE),
]);

function resource(clusterName: string, spec: Partial<AccessEntry['spec']> = {}, status?: AccessEntry['status']): AccessEntry {
  return {
    apiVersion: 'eksaccess.dev/v1alpha1',
    kind: 'AccessEntry',
    metadata: { name: 'x' },
    spec: { clusterName, principalArn: `arn:aws:iam::${OWN}:role/x`, ...spec },
    ...(status ? { status } : {}),
  };
}

const context = (clusterName: string, extra: Partial<PlacementContext> = {}): PlacementContext => ({
  defaultRegion: 'us-east-1',
  routes: directory.routesFor(clusterName),
  ...extra,
});
const place = (r: AccessEntry, extra?: Partial<PlacementContext>) => placeEntry(r, context(r.spec.clusterName, extra));

describe('ClusterDirectory', () => {
  it('lists the routes to a cluster by name, with the account of each role', () => {
    expect(directory.routesFor('dev')).toEqual([
      { name: 'dev', region: 'eu-central-1', credentials: { roleArn: DEV_ROLE, externalId: 'x-1' }, accountId: '333333333333' },
    ]);
    expect(directory.routesFor('other')).toEqual([]);
  });
});

describe('placing a new entry', () => {
  it.each([
    ['a cluster no ClusterAccess names: own credentials, default region', resource('other'), { region: 'us-east-1' }],
    ['... or spec.region', resource('other', { region: 'eu-west-2' }), { region: 'eu-west-2' }],
    ['the only ClusterAccess of the cluster', resource('dev'), { region: 'eu-central-1', credentials: { roleArn: DEV_ROLE, externalId: 'x-1' } }],
    ['the ClusterAccess of spec.region', resource('prod', { region: 'us-east-1' }), { region: 'us-east-1' }],
  ])('%s', (_name, r, expected) => {
    expect(place(r)).toEqual(expected);
  });

  it('never falls back to the controller’s own account for a cluster a ClusterAccess names (confused deputy)', () => {
    const failure = place(resource('dev', { region: 'us-east-1' }));
    expect(failure).toMatchObject({ reason: Reason.NoClusterAccess, retryable: false });
    expect(failure).toHaveProperty('message', expect.stringContaining('dev (eu-central-1)'));
  });

  it('refuses to guess between ClusterAccesses: by region when spec.region would choose, else asks to remove one', () => {
    expect(place(resource('prod'))).toMatchObject({ reason: Reason.AmbiguousClusterAccess, message: expect.stringContaining('set spec.region') });
    expect(place(resource('prod', { region: 'eu-west-1' }))).toMatchObject({
      reason: Reason.AmbiguousClusterAccess,
      message: expect.stringContaining('remove the extra ones'),
    });
  });

  it('with --require-cluster-access, refuses clusters no ClusterAccess names', () => {
    expect(place(resource('other'), { requireClusterAccess: true })).toMatchObject({ reason: Reason.NoClusterAccess });
    expect(place(resource('dev'), { requireClusterAccess: true })).toMatchObject({ region: 'eu-central-1' });
  });

  it('checks the partition of the principal against where the entry would land', () => {
    expect(place(resource('other', { principalArn: 'arn:aws-cn:iam::111111111111:role/x' }))).toMatchObject({
      reason: Reason.PartitionMismatch,
      message: expect.stringContaining("the controller's default region (--region) us-east-1"),
    });
  });
});

describe('placing an entry that exists', () => {
  const recorded = (region: string, accountId: string) => ({ region, accountId, accessEntryArn: `arn:aws:eks:${region}:${accountId}:access-entry/c/role/${OWN}/x/1` });

  it('is reached where it was recorded, whatever the default region or ClusterAccesses added later say', () => {
    // Recorded with the controller's own credentials in us-east-1; since then prod got two
    // ClusterAccesses, one of them in us-east-1 without a role, and the default region moved.
    expect(place(resource('prod', {}, recorded('us-east-1', OWN)), { defaultRegion: 'eu-west-1' })).toEqual({ region: 'us-east-1', accountId: OWN });
    expect(place(resource('other', {}, recorded('us-west-2', OWN)))).toEqual({ region: 'us-west-2', accountId: OWN });
  });

  it('through the ClusterAccess that reaches its region and account, among several of the cluster', () => {
    expect(place(resource('prod', {}, recorded('eu-west-1', '444444444444')))).toEqual({
      region: 'eu-west-1',
      accountId: '444444444444',
      credentials: { roleArn: OTHER_EU_ROLE, externalId: 'x-1' },
    });
  });

  it('with the controller’s own credentials when no ClusterAccess reaches it; STS then checks the account', () => {
    const placed = place(resource('dev', {}, recorded('eu-central-1', '999999999999')));
    expect(placed).toEqual({ region: 'eu-central-1', accountId: '999999999999' });
    const mismatch = accountMismatch(placed as { region: string; accountId: string }, OWN);
    expect(mismatch).toMatchObject({ reason: Reason.AccountMismatch, message: expect.stringContaining('add a ClusterAccess for account 999999999999') });
    // The controller's own account is never named: the message goes into Events.
    expect(mismatch?.message).not.toContain(OWN);
  });

  it('is a mismatch only when spec.region names another region than the recorded one', () => {
    expect(place(resource('other', { region: 'eu-west-2' }, recorded('us-east-1', OWN)))).toMatchObject({ reason: Reason.RegionMismatch });
    expect(place(resource('other', { region: 'us-east-1' }, recorded('us-east-1', OWN)))).toEqual({ region: 'us-east-1', accountId: OWN });
  });
});
