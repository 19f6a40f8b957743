import { describe, expect, it } from 'vitest';
import type { ClusterAccess } from '../api/clusteraccess.ts';
import { ClusterDirectory } from './cluster-directory.ts';

const access = (name: string, clusterName: string, region: string, roleArn?: string): ClusterAccess => ({
  apiVersion: 'eksaccess.dev/v1alpha1',
  kind: 'ClusterAccess',
  metadata: { name },
  spec: { clusterName, region, ...(roleArn ? { roleArn, externalId: 'x-1' } : {}) },
});

describe('ClusterDirectory', () => {
  const all = [
    access('prod-eu', 'prod', 'eu-west-1', 'arn:aws:iam::222222222222:role/eaec'),
    access('prod-us', 'prod', 'us-east-1'),
    access('dev', 'dev', 'eu-central-1', 'arn:aws:iam::333333333333:role/eaec'),
  ];
  const directory = new ClusterDirectory(() => all);

  it('maps a cluster name to its region and role', () => {
    expect(directory.resolve('dev', undefined)).toEqual({
      kind: 'mapped',
      name: 'dev',
      region: 'eu-central-1',
      credentials: { roleArn: 'arn:aws:iam::333333333333:role/eaec', externalId: 'x-1' },
    });
  });

  it('narrows by the region the entry names, and uses the own credentials for a mapping without a role', () => {
    expect(directory.resolve('prod', 'us-east-1')).toEqual({ kind: 'mapped', name: 'prod-us', region: 'us-east-1' });
  });

  it('refuses to guess between two mappings of one cluster name', () => {
    expect(directory.resolve('prod', undefined)).toEqual({ kind: 'ambiguous', names: ['prod-eu', 'prod-us'] });
  });

  it('leaves unmapped clusters to the controller’s own credentials and region', () => {
    expect(directory.resolve('other', undefined)).toEqual({ kind: 'default' });
    expect(directory.resolve('dev', 'us-east-1')).toEqual({ kind: 'default' });
  });
});
