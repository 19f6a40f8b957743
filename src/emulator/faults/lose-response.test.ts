import {
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DescribeAccessEntryCommand,
  ListAccessEntriesCommand,
  UpdateAccessEntryCommand,
} from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { failure, role, useTestBed } from '../test-support.ts';

const t = useTestBed();

const create = (token: string, principal = 'dev', client = t.eks) =>
  client.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role(principal), kubernetesGroups: ['devs'], clientRequestToken: token }));

/** What the SDK reports when the socket closes with no answer: its TimeoutError carrying ECONNRESET. */
async function lostResponse(promise: Promise<unknown>): Promise<void> {
  const error = await failure(promise);
  const { code } = error as { code?: string };
  expect(error.$metadata?.httpStatusCode).toBeUndefined();
  expect(code).toBe('ECONNRESET');
  expect(error.message).toBe('socket hang up');
  expect(error.name).toBe('TimeoutError');
}

describe('LoseResponse on CreateAccessEntry', () => {
  it('creates the entry, then a retry with the same token gets the same entry and nothing more', async () => {
    t.bed.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'LoseResponse', count: 1 });
    await lostResponse(create('token-1'));
    const stored = t.bed.emulator.state.getAccessEntry('demo', role('dev'));
    expect(stored?.kubernetesGroups).toEqual(['devs']);

    const { accessEntry } = await create('token-1');
    expect(accessEntry?.accessEntryArn).toBe(stored?.accessEntryArn);
    expect(accessEntry?.createdAt).toEqual(stored?.createdAt);
    expect((await t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' }))).accessEntries).toEqual([role('dev')]);
  });

  it('leaves a retry with another token to ResourceInUseException', async () => {
    t.bed.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'LoseResponse', count: 1 });
    await lostResponse(create('token-1'));
    expect((await failure(create('token-2'))).name).toBe('ResourceInUseException');
  });

  it('is retried by the SDK itself with the token it generated once, which the call log shows', async () => {
    const retrying = t.bed.client({ maxAttempts: 2 });
    t.bed.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'LoseResponse', count: 1 });
    const { accessEntry, $metadata } = await retrying.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    expect($metadata.attempts).toBe(2);
    const [lost, retried] = t.bed.emulator.calls.log();
    expect(lost).toMatchObject({ operation: 'CreateAccessEntry', status: 0, fault: 'LoseResponse', principalArn: role('dev') });
    expect(retried).toMatchObject({ operation: 'CreateAccessEntry', status: 200, clientRequestToken: lost?.clientRequestToken });
    expect(retried?.fault).toBeUndefined();
    expect(accessEntry?.accessEntryArn).toBe(t.bed.emulator.state.getAccessEntry('demo', role('dev'))?.accessEntryArn);
  });

  it('logs the error the lost answer would have carried', async () => {
    await create('token-1');
    t.bed.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'LoseResponse', count: 1 });
    await lostResponse(create('token-2'));
    expect(t.bed.emulator.calls.log().at(-1)).toMatchObject({ status: 0, fault: 'LoseResponse', error: 'ResourceInUseException' });
  });

  it('narrows to one principal, like the other kinds', async () => {
    t.bed.emulator.faults.add({ fault: 'LoseResponse', principalArn: role('unlucky'), rate: 1 });
    await expect(create('token-a', 'lucky')).resolves.toBeDefined();
    await lostResponse(create('token-b', 'unlucky'));
    expect(t.bed.emulator.state.getAccessEntry('demo', role('unlucky'))).toBeDefined();
  });
});

describe('LoseResponse on UpdateAccessEntry and DeleteAccessEntry', () => {
  it('applies the update; the retry with the same token answers the same entry without moving modifiedAt', async () => {
    await create('token-1');
    t.bed.emulator.faults.add({ operation: 'UpdateAccessEntry', fault: 'LoseResponse', count: 1 });
    const update = () =>
      t.eks.send(new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), kubernetesGroups: ['admins'], clientRequestToken: 'update-1' }));
    await lostResponse(update());
    const updated = t.bed.emulator.state.getAccessEntry('demo', role('dev'));
    expect(updated?.kubernetesGroups).toEqual(['admins']);
    const { accessEntry } = await update();
    expect(accessEntry?.kubernetesGroups).toEqual(['admins']);
    expect(accessEntry?.modifiedAt).toEqual(updated?.modifiedAt);
    expect(t.bed.emulator.state.getAccessEntry('demo', role('dev'))?.modifiedAt).toEqual(updated?.modifiedAt);
  });

  it('applies the delete, so the retry gets ResourceNotFoundException', async () => {
    await create('token-1');
    t.bed.emulator.faults.add({ operation: 'DeleteAccessEntry', fault: 'LoseResponse', count: 1 });
    const remove = () => t.eks.send(new DeleteAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    await lostResponse(remove());
    expect(t.bed.emulator.state.getAccessEntry('demo', role('dev'))).toBeUndefined();
    expect((await failure(remove())).name).toBe('ResourceNotFoundException');
  });

  it('leaves reads as they are: the answer is lost, nothing changes', async () => {
    await create('token-1');
    t.bed.emulator.faults.add({ operation: 'DescribeAccessEntry', fault: 'LoseResponse', count: 1 });
    await lostResponse(t.eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') })));
    await expect(t.eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }))).resolves.toBeDefined();
  });
});

describe('LoseResponse through the admin API', () => {
  it('is a fault rule like the others', async () => {
    const added = await t.bed.admin('POST', '/faults', { operation: 'CreateAccessEntry', fault: 'LoseResponse', count: 1, clusterName: 'demo' });
    expect(added.status).toBe(201);
    await lostResponse(create('token-1'));
    expect(t.bed.emulator.state.getAccessEntry('demo', role('dev'))).toBeDefined();
    expect(t.bed.emulator.faults.list()).toEqual([]);
  });
});
