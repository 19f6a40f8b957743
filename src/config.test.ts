import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('takes flags over the environment and parses durations', () => {
    const config = loadConfig(['--region', 'eu-west-1', '--resync', '30s', '--concurrency', '8'], { AWS_REGION: 'us-east-1' });
    expect(config).toMatchObject({ region: 'eu-west-1', resyncMs: 30_000, concurrency: 8 });
  });

  it('leaves the controller id unset unless given, so it is derived from the management cluster', () => {
    expect(loadConfig(['--region', 'x'], {})).not.toHaveProperty('controllerId');
    expect(loadConfig(['--region', 'x'], { CONTROLLER_ID: 'ctl-a' })).toMatchObject({ controllerId: 'ctl-a' });
  });

  it('budgets AWS requests at 10 per second with bursts of 20 unless told otherwise, 0 meaning no limit', () => {
    expect(loadConfig(['--region', 'x'], {})).toMatchObject({ awsRateLimit: { requestsPerSecond: 10, burst: 20 } });
    expect(loadConfig(['--region', 'x', '--aws-rate-limit', '0'], { AWS_BURST: '5' })).toMatchObject({ awsRateLimit: { requestsPerSecond: 0, burst: 5 } });
    expect(() => loadConfig(['--region', 'x', '--aws-rate-limit', 'fast'], {})).toThrow(/--aws-rate-limit fast is not a number/);
  });

  it('elects a leader only when asked, on a Lease named per shard, with client-go timings', () => {
    expect(loadConfig(['--region', 'x'], {})).not.toHaveProperty('leaderElection');
    expect(loadConfig(['--region', 'x', '--leader-elect'], { POD_NAMESPACE: 'ops' })).toMatchObject({
      leaderElection: { namespace: 'ops', leaseName: 'eks-access-entry-controller', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    });
    const shard = loadConfig(['--region', 'x', '--selector', 'team=a'], { LEADER_ELECT: 'true', POD_NAMESPACE: 'ops' });
    expect(shard).toMatchObject({ leaderElection: { leaseName: expect.stringMatching(/^eks-access-entry-controller-[0-9a-f]{8}$/) } });
    expect(() => loadConfig(['--region', 'x', '--leader-elect'], {})).toThrow(/POD_NAMESPACE/);
    expect(() => loadConfig(['--region', 'x', '--leader-elect', '--leader-election-renew-deadline', '20s'], { POD_NAMESPACE: 'ops' })).toThrow(/lease duration > renew deadline/);
  });

  it('names this replica after its pod, uniquely', () => {
    const a = loadConfig(['--region', 'x'], { POD_NAME: 'ctl-7d9' }) as { identity: string };
    const b = loadConfig(['--region', 'x'], { POD_NAME: 'ctl-7d9' }) as { identity: string };
    expect(a.identity).toMatch(/^ctl-7d9_[0-9a-f]{8}$/);
    expect(a.identity).not.toBe(b.identity);
  });

  it('sends STS calls to the EKS endpoint override unless told otherwise', () => {
    expect(loadConfig(['--region', 'x', '--aws-endpoint', 'http://127.0.0.1:4566'], {})).toMatchObject({ stsEndpoint: 'http://127.0.0.1:4566' });
    expect(loadConfig(['--region', 'x', '--aws-endpoint', 'https://a:1', '--sts-endpoint', 'http://localhost:2'], {})).toMatchObject({ stsEndpoint: 'http://localhost:2' });
    expect(loadConfig(['--region', 'x'], {})).not.toHaveProperty('stsEndpoint');
  });

  it('refuses plain http to anything but loopback unless told the network is trusted', () => {
    expect(loadConfig(['--region', 'x', '--aws-endpoint', 'http://127.0.0.1:4566'], {})).toMatchObject({ awsEndpoint: 'http://127.0.0.1:4566' });
    expect(loadConfig(['--region', 'x', '--aws-endpoint', 'http://[::1]:4566'], {})).toMatchObject({ awsEndpoint: 'http://[::1]:4566' });
    expect(() => loadConfig(['--region', 'x', '--aws-endpoint', 'http://emulator.ci:4566'], {})).toThrow(/--allow-insecure-endpoint/);
    expect(() => loadConfig(['--region', 'x', '--sts-endpoint', 'http://10.0.0.1'], {})).toThrow(/--sts-endpoint http:\/\/10.0.0.1: plain http/);
    expect(() => loadConfig(['--region', 'x', '--aws-endpoint', 'http://127.0.0.1.evil.example'], {})).toThrow(/plain http/);
    expect(loadConfig(['--region', 'x', '--aws-endpoint', 'http://emulator.ci:4566', '--allow-insecure-endpoint'], {})).toMatchObject({ awsEndpoint: 'http://emulator.ci:4566' });
    expect(loadConfig(['--region', 'x'], { EKS_ENDPOINT: 'http://emulator.ci:4566', ALLOW_INSECURE_ENDPOINT: 'true' })).toMatchObject({ awsEndpoint: 'http://emulator.ci:4566' });
    expect(() => loadConfig(['--region', 'x', '--aws-endpoint', 'ftp://127.0.0.1'], {})).toThrow(/must be an https/);
  });

  it('lets one shard own the ClusterAccess status, and can require a ClusterAccess for every cluster', () => {
    expect(loadConfig(['--region', 'x'], {})).toMatchObject({ clusterAccessStatusOwner: true, requireClusterAccess: false });
    expect(loadConfig(['--region', 'x', '--selector', 'team=a'], {})).toMatchObject({ clusterAccessStatusOwner: false });
    expect(loadConfig(['--region', 'x', '--selector', 'team=a', '--cluster-access-status-owner', 'true'], {})).toMatchObject({ clusterAccessStatusOwner: true });
    expect(loadConfig(['--region', 'x', '--require-cluster-access'], {})).toMatchObject({ requireClusterAccess: true });
    expect(loadConfig(['--region', 'x'], { REQUIRE_CLUSTER_ACCESS: 'true', CLUSTER_ACCESS_STATUS_OWNER: 'false' })).toMatchObject({
      requireClusterAccess: true,
      clusterAccessStatusOwner: false,
    });
    expect(() => loadConfig(['--region', 'x', '--cluster-access-status-owner', 'yes'], {})).toThrow(/is not true or false/);
  });

  it("leaves STS to the SDK when it is pointed the SDK's way (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL)", () => {
    const args = ['--region', 'x', '--aws-endpoint', 'http://127.0.0.1:1'];
    expect(loadConfig(args, { AWS_ENDPOINT_URL_STS: 'http://sts:2' })).not.toHaveProperty('stsEndpoint');
    expect(loadConfig(args, { AWS_ENDPOINT_URL: 'http://all:3' })).not.toHaveProperty('stsEndpoint');
    expect(loadConfig([...args, '--sts-endpoint', 'http://localhost:2'], { AWS_ENDPOINT_URL_STS: 'http://sts:2' })).toMatchObject({ stsEndpoint: 'http://localhost:2' });
  });

  it('sends IAM calls to the EKS endpoint override unless told otherwise, with the same rule on plain http, and budgets them apart', () => {
    const args = ['--region', 'x', '--aws-endpoint', 'http://127.0.0.1:1'];
    expect(loadConfig(args, {})).toMatchObject({ iamEndpoint: 'http://127.0.0.1:1', iamRateLimit: { requestsPerSecond: 5, burst: 10 } });
    expect(loadConfig([...args, '--iam-endpoint', 'https://iam.example:443'], {})).toMatchObject({ iamEndpoint: 'https://iam.example:443' });
    expect(loadConfig(args, { IAM_ENDPOINT: 'http://localhost:7' })).toMatchObject({ iamEndpoint: 'http://localhost:7' });
    expect(loadConfig(args, { AWS_ENDPOINT_URL_IAM: 'http://iam:2' })).not.toHaveProperty('iamEndpoint');
    expect(loadConfig(args, { AWS_ENDPOINT_URL: 'http://all:3' })).not.toHaveProperty('iamEndpoint');
    expect(loadConfig(['--region', 'x'], {})).not.toHaveProperty('iamEndpoint');
    expect(() => loadConfig(['--region', 'x', '--iam-endpoint', 'http://10.0.0.1'], {})).toThrow(/--iam-endpoint http:\/\/10.0.0.1: plain http/);
    expect(loadConfig(['--region', 'x', '--iam-rate-limit', '0', '--iam-burst', '3'], {})).toMatchObject({ iamRateLimit: { requestsPerSecond: 0, burst: 3 } });
    expect(() => loadConfig(['--region', 'x', '--iam-rate-limit', 'fast'], {})).toThrow(/--iam-rate-limit fast/);
    expect(loadConfig(['--region', 'x'], {})).toMatchObject({ iamListRolesFrom: 10 });
    expect(loadConfig(['--region', 'x', '--iam-list-roles-from', '0'], {})).toMatchObject({ iamListRolesFrom: 0 });
    expect(loadConfig(['--region', 'x'], { IAM_LIST_ROLES_FROM: '50' })).toMatchObject({ iamListRolesFrom: 50 });
    expect(() => loadConfig(['--region', 'x', '--iam-list-roles-from=-1'], {})).toThrow(/--iam-list-roles-from -1 is not a positive whole number/);
  });

  it('has per-resource metrics on unless --per-resource-metrics=false (or PER_RESOURCE_METRICS=false) turns them off', () => {
    expect(loadConfig(['--region', 'x'], {})).toMatchObject({ perResourceMetrics: true });
    expect(loadConfig(['--region', 'x', '--per-resource-metrics=false'], {})).toMatchObject({ perResourceMetrics: false });
    expect(loadConfig(['--region', 'x'], { PER_RESOURCE_METRICS: 'false' })).toMatchObject({ perResourceMetrics: false });
    expect(loadConfig(['--region', 'x', '--per-resource-metrics', 'true'], { PER_RESOURCE_METRICS: 'false' })).toMatchObject({ perResourceMetrics: true });
    expect(() => loadConfig(['--region', 'x', '--per-resource-metrics=off'], {})).toThrow('--per-resource-metrics off is not true or false');
  });

  it('reads the environment when flags are absent', () => {
    const config = loadConfig([], { AWS_REGION: 'us-west-2', EKS_ENDPOINT: 'http://127.0.0.1:4566', RESYNC_PERIOD: '1h' });
    expect(config).toMatchObject({ region: 'us-west-2', awsEndpoint: 'http://127.0.0.1:4566', resyncMs: 3_600_000 });
  });

  it.each([
    [[], {}, /no region/],
    [['--region', 'x', '--resync', 'soon'], {}, /--resync soon is not a duration/],
    [['--region', 'x', '--concurrency', '0'], {}, /--concurrency 0 is not a positive/],
    [['--region', 'x', '--aws-endpoint', 'nope'], {}, /is not a URL/],
    [['--region', 'x', '--sts-endpoint', 'nope'], {}, /--sts-endpoint nope is not a URL/],
    [['--regoin', 'x'], {}, /Unknown option '--regoin'/],
    [['--region', 'x', '--controller-id', 'team a/ctl'], {}, /must be 1 to 64 letters/],
    [['--region', 'x', '--controller-id', 'c'.repeat(65)], {}, /must be 1 to 64 letters/],
  ])('rejects %j with a message saying what to fix', (argv, env, message) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError);
    expect(() => loadConfig(argv, env)).toThrow(message);
  });
});
