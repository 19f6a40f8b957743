import {
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DescribeAccessEntryCommand,
  ListAccessEntriesCommand,
  UpdateAccessEntryCommand,
  paginateListAccessEntries,
  type EKSClient,
} from '@aws-sdk/client-eks';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, failure, role, user, useTestBed } from '../../test-support.ts';

const t = useTestBed();

describe('CreateAccessEntry and DescribeAccessEntry', () => {
  it('creates an entry the SDK reads back with groups, username, ARN, timestamps and tags', async () => {
    const created = await t.eks.send(
      new CreateAccessEntryCommand({
        clusterName: 'demo',
        principalArn: role('dev'),
        kubernetesGroups: ['developers'],
        username: 'dev-user',
        tags: { team: 'a' },
      }),
    );
    expect(created.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const entry = created.accessEntry!;
    expect(entry).toMatchObject({
      clusterName: 'demo',
      principalArn: role('dev'),
      kubernetesGroups: ['developers'],
      username: 'dev-user',
      type: 'STANDARD',
      tags: { team: 'a' },
    });
    expect(entry.accessEntryArn).toMatch(new RegExp(`^arn:aws:eks:us-east-1:${ACCOUNT}:access-entry/demo/role/${ACCOUNT}/dev/[0-9a-f-]{36}$`));
    expect(entry.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(entry.createdAt!.getTime() - Date.now())).toBeLessThan(5000);

    const described = await t.eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    expect(described.accessEntry).toEqual(entry);
  });

  it.each([
    ['a role', role('ops'), `arn:aws:sts::${ACCOUNT}:assumed-role/ops/{{SessionName}}`],
    ['a role with a path', `arn:aws:iam::${ACCOUNT}:role/team/a/ops`, `arn:aws:sts::${ACCOUNT}:assumed-role/ops/{{SessionName}}`],
    ['a user', user('alice'), user('alice')],
    ['an aws-cn role', 'arn:aws-cn:iam::210987654321:role/cn-ops', 'arn:aws-cn:sts::210987654321:assumed-role/cn-ops/{{SessionName}}'],
    ['an aws-us-gov user', 'arn:aws-us-gov:iam::210987654321:user/gov', 'arn:aws-us-gov:iam::210987654321:user/gov'],
  ])('gives %s the username EKS would pick', async (_what, principalArn, username) => {
    const { accessEntry } = await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn }));
    expect(accessEntry?.username).toBe(username);
    expect(accessEntry?.kubernetesGroups).toEqual([]);
  });

  it('names the principal kind and name (without path) in a user entry ARN', async () => {
    const { accessEntry } = await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: `arn:aws:iam::${ACCOUNT}:user/people/bob` }));
    expect(accessEntry?.accessEntryArn).toMatch(`:access-entry/demo/user/${ACCOUNT}/bob/`);
  });

  it('answers ResourceInUseException (409) for an entry that already exists', async () => {
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    const error = await failure(t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') })));
    expect(error.name).toBe('ResourceInUseException');
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(error.$metadata?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers ResourceNotFoundException for an entry that does not exist', async () => {
    const error = await failure(t.eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('ghost') })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toContain(role('ghost'));
  });
});

describe('clusters that cannot hold entries', () => {
  const calls = [
    ['CreateAccessEntry', (eks: EKSClient, cluster: string) => t.eks.send(new CreateAccessEntryCommand({ clusterName: cluster, principalArn: role('x') }))],
    ['DescribeAccessEntry', (eks: EKSClient, cluster: string) => t.eks.send(new DescribeAccessEntryCommand({ clusterName: cluster, principalArn: role('x') }))],
    ['UpdateAccessEntry', (eks: EKSClient, cluster: string) => t.eks.send(new UpdateAccessEntryCommand({ clusterName: cluster, principalArn: role('x') }))],
    ['DeleteAccessEntry', (eks: EKSClient, cluster: string) => t.eks.send(new DeleteAccessEntryCommand({ clusterName: cluster, principalArn: role('x') }))],
    ['ListAccessEntries', (eks: EKSClient, cluster: string) => t.eks.send(new ListAccessEntriesCommand({ clusterName: cluster }))],
  ] as const;

  it.each(calls)('%s on a missing cluster → ResourceNotFoundException naming it', async (_op, call) => {
    const error = await failure(call(t.eks, 'nope'));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toContain('nope');
  });

  it.each(calls)('%s on a CONFIG_MAP cluster → InvalidRequestException naming the mode', async (_op, call) => {
    t.bed.emulator.state.createCluster('legacy', { authenticationMode: 'CONFIG_MAP' });
    t.bed.emulator.state.seedAccessEntry('legacy', { principalArn: role('x') });
    const error = await failure(call(t.eks, 'legacy'));
    expect(error.name).toBe('InvalidRequestException');
    expect(error.message).toMatch(/CONFIG_MAP.*API_AND_CONFIG_MAP or API/);
  });
});

describe('UpdateAccessEntry', () => {
  beforeEach(async () => {
    await t.eks.send(
      new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), kubernetesGroups: ['a', 'b'], username: 'custom', tags: { keep: 'me' } }),
    );
  });

  it('replaces the groups and username it is given', async () => {
    const { accessEntry } = await t.eks.send(
      new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), kubernetesGroups: ['c'], username: 'other' }),
    );
    expect(accessEntry).toMatchObject({ kubernetesGroups: ['c'], username: 'other', tags: { keep: 'me' } });
  });

  it('clears the groups and resets the username to the default when they are left out', async () => {
    const { accessEntry } = await t.eks.send(new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    expect(accessEntry?.kubernetesGroups).toEqual([]);
    expect(accessEntry?.username).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/dev/{{SessionName}}`);
    expect(accessEntry?.tags).toEqual({ keep: 'me' });
  });

  it('clears the groups with an empty list', async () => {
    const { accessEntry } = await t.eks.send(
      new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), kubernetesGroups: [], username: 'custom' }),
    );
    expect(accessEntry).toMatchObject({ kubernetesGroups: [], username: 'custom' });
  });

  it('moves modifiedAt and keeps createdAt', async () => {
    const before = t.bed.emulator.state.getAccessEntry('demo', role('dev'))!;
    const { accessEntry } = await t.eks.send(new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), kubernetesGroups: ['a', 'b'] }));
    expect(accessEntry!.modifiedAt!.getTime()).toBeGreaterThan(before.modifiedAt.getTime());
    expect(accessEntry!.createdAt!.getTime()).toBe(before.createdAt.getTime());
  });

  it('answers ResourceNotFoundException for a missing entry', async () => {
    const error = await failure(t.eks.send(new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('ghost') })));
    expect(error.name).toBe('ResourceNotFoundException');
  });
});

describe('DeleteAccessEntry', () => {
  it('deletes the entry, then answers ResourceNotFoundException for it', async () => {
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    await t.eks.send(new DeleteAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    expect(t.bed.emulator.state.getAccessEntry('demo', role('dev'))).toBeUndefined();
    const error = await failure(t.eks.send(new DeleteAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') })));
    expect(error.name).toBe('ResourceNotFoundException');
  });
});

describe('ListAccessEntries', () => {
  beforeEach(() => {
    for (let index = 0; index < 7; index += 1) t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role(`r${index}`) });
  });

  it('lists every principal ARN in one page by default', async () => {
    const { accessEntries, nextToken } = await t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' }));
    expect(accessEntries).toHaveLength(7);
    expect(nextToken).toBeUndefined();
  });

  it('pages with maxResults and an opaque nextToken, each entry exactly once', async () => {
    const first = await t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo', maxResults: 3 }));
    expect(first.accessEntries).toHaveLength(3);
    expect(first.nextToken).toEqual(expect.any(String));
    const seen: string[] = [];
    for await (const page of paginateListAccessEntries({ client: t.eks, pageSize: 3 }, { clusterName: 'demo' })) {
      seen.push(...(page.accessEntries ?? []));
    }
    expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, index) => role(`r${index}`)).sort());
  });

  it.each([0, 101])('rejects maxResults %i with InvalidParameterException', async (maxResults) => {
    const error = await failure(t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo', maxResults })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain('1 to 100');
  });

  it('rejects a nextToken it did not issue', async () => {
    const error = await failure(t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo', nextToken: 'garbage' })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain('nextToken');
  });
});

describe('clientRequestToken', () => {
  const request = { clusterName: 'demo', principalArn: role('dev'), kubernetesGroups: ['a'], clientRequestToken: 'uid-1-gen-1' };

  it('answers a repeated create with the first response instead of ResourceInUseException', async () => {
    const first = await t.eks.send(new CreateAccessEntryCommand(request));
    const again = await t.eks.send(new CreateAccessEntryCommand(request));
    expect(again.accessEntry).toEqual(first.accessEntry);
    expect(t.bed.emulator.state.listAccessEntries('demo')).toHaveLength(1);
  });

  it('rejects the same token with different parameters (InvalidParameterException)', async () => {
    await t.eks.send(new CreateAccessEntryCommand(request));
    const error = await failure(t.eks.send(new CreateAccessEntryCommand({ ...request, kubernetesGroups: ['b'] })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain('uid-1-gen-1');
  });

  it('answers ResourceInUseException to a new token for an existing entry', async () => {
    await t.eks.send(new CreateAccessEntryCommand(request));
    const error = await failure(t.eks.send(new CreateAccessEntryCommand({ ...request, clientRequestToken: 'uid-1-gen-2' })));
    expect(error.name).toBe('ResourceInUseException');
  });

  it('applies a repeated update once', async () => {
    await t.eks.send(new CreateAccessEntryCommand(request));
    const update = { clusterName: 'demo', principalArn: role('dev'), kubernetesGroups: ['b'], clientRequestToken: 'update-1' };
    const first = await t.eks.send(new UpdateAccessEntryCommand(update));
    t.bed.emulator.state.editAccessEntry('demo', role('dev'), { kubernetesGroups: ['drift'] });
    const again = await t.eks.send(new UpdateAccessEntryCommand(update));
    expect(again.accessEntry).toEqual(first.accessEntry);
    expect(t.bed.emulator.state.getAccessEntry('demo', role('dev'))?.kubernetesGroups).toEqual(['drift']);
  });

  it('remembers tokens per cluster', async () => {
    t.bed.emulator.state.createCluster('other');
    await t.eks.send(new CreateAccessEntryCommand(request));
    await t.eks.send(new CreateAccessEntryCommand({ ...request, clusterName: 'other' }));
    expect(t.bed.emulator.state.listAccessEntries('other')).toHaveLength(1);
  });
});
