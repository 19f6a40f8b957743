import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DisassociateAccessPolicyCommand,
  EKSClient,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkAssociationDelay } from './association-delay.ts';
import { startEmulator } from '../../index.ts';
import { ACCOUNT, failure, policy, role, useTestBed } from '../../test-support.ts';

const t = useTestBed();

const NOT_FOUND = "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.";
const START = new Date('2026-03-01T12:00:00Z');

/** Only Date is faked: sockets and the SDK's timers keep real time. */
function freezeClock(): { advance(ms: number): void } {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
  return { advance: (ms) => vi.setSystemTime(new Date(Date.now() + ms)) };
}
afterEach(() => vi.useRealTimers());

const create = (name = 'dev', eks = t.eks) => eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role(name) }));
const associate = (eks = t.eks) =>
  eks.send(
    new AssociateAccessPolicyCommand({ clusterName: 'demo', principalArn: role('dev'), policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'cluster' } }),
  );
const listPolicies = () => t.eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'demo', principalArn: role('dev') }));
const disassociate = () =>
  t.eks.send(new DisassociateAccessPolicyCommand({ clusterName: 'demo', principalArn: role('dev'), policyArn: policy('AmazonEKSViewPolicy') }));
const associated = (): string[] => t.bed.emulator.state.getAccessEntry('demo', role('dev'))?.associatedPolicies.map((p) => p.policyArn) ?? [];

describe('the not-yet-visible window after CreateAccessEntry', () => {
  it('is off by default', async () => {
    expect(t.bed.emulator.state.associationDelay()).toEqual({ ms: 0, operations: ['AssociateAccessPolicy'] });
    await create();
    await expect(associate()).resolves.toBeDefined();
  });

  it('answers AssociateAccessPolicy with EKS 404 text until the delay has passed, changing nothing', async () => {
    const clock = freezeClock();
    t.bed.emulator.state.setAssociationDelay(60_000);
    await create();
    clock.advance(59_999);
    const error = await failure(associate());
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe(NOT_FOUND);
    expect(associated()).toEqual([]);
    expect(t.bed.emulator.calls.count('AssociateAccessPolicy')).toBe(1);
    expect(t.bed.emulator.calls.log().at(-1)).toMatchObject({ operation: 'AssociateAccessPolicy', status: 404, error: 'ResourceNotFoundException', policyArn: policy('AmazonEKSViewPolicy') });
    clock.advance(1);
    await associate();
    expect(associated()).toEqual([policy('AmazonEKSViewPolicy')]);
  });

  it('leaves Disassociate and ListAssociatedAccessPolicies alone unless they are chosen', async () => {
    const clock = freezeClock();
    t.bed.emulator.state.setAssociationDelay(10_000);
    await create();
    await expect(listPolicies()).resolves.toMatchObject({ associatedAccessPolicies: [] });
    expect((await failure(disassociate())).message).not.toBe(NOT_FOUND);

    t.bed.emulator.state.setAssociationDelay(10_000, { operations: ['AssociateAccessPolicy', 'DisassociateAccessPolicy', 'ListAssociatedAccessPolicies'] });
    expect((await failure(listPolicies())).message).toBe(NOT_FOUND);
    expect((await failure(disassociate())).message).toBe(NOT_FOUND);
    clock.advance(10_000);
    await associate();
    await disassociate();
  });

  it('counts from each entry own createdAt: older entries are visible, a re-created one is new again', async () => {
    const clock = freezeClock();
    await create();
    clock.advance(30_000);
    t.bed.emulator.state.setAssociationDelay(20_000);
    await associate();
    await t.eks.send(new DeleteAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    await create();
    expect((await failure(associate())).name).toBe('ResourceNotFoundException');
  });

  it('applies to entries seeded out of band too, and not to the state shortcut', async () => {
    freezeClock();
    t.bed.emulator.state.setAssociationDelay(5_000);
    t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role('dev') });
    expect((await failure(associate())).name).toBe('ResourceNotFoundException');
    t.bed.emulator.state.associatePolicy('demo', role('dev'), { policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'cluster', namespaces: [] } });
    expect(associated()).toEqual([policy('AmazonEKSViewPolicy')]);
  });

  it('refuses a delay or operation it cannot apply', () => {
    const { state } = t.bed.emulator;
    expect(() => state.setAssociationDelay(-1)).toThrow(/whole number of milliseconds/);
    expect(() => state.setAssociationDelay(1.5)).toThrow(/whole number of milliseconds/);
    expect(() => state.setAssociationDelay(10, { operations: ['CreateAccessEntry' as 'AssociateAccessPolicy'] })).toThrow(/drawn from AssociateAccessPolicy/);
    expect(checkAssociationDelay(5, ['ListAssociatedAccessPolicies', 'ListAssociatedAccessPolicies'])).toEqual({ ms: 5, operations: ['ListAssociatedAccessPolicies'] });
  });

  it('is set and read over the admin API, and ends in real time', async () => {
    const path = '/association-delay';
    expect(await t.bed.admin('PUT', path, { ms: 300 })).toEqual({ status: 200, json: { ms: 300, operations: ['AssociateAccessPolicy'] } });
    expect((await t.bed.admin('GET', path)).json).toEqual({ ms: 300, operations: ['AssociateAccessPolicy'] });
    expect((await t.bed.admin('PUT', path, { ms: 'soon' })).status).toBe(400);
    expect((await t.bed.admin('PUT', path, { ms: 1, operations: ['DeleteCluster'] })).status).toBe(400);
    await create();
    expect((await failure(associate())).name).toBe('ResourceNotFoundException');
    await sleep(350);
    await associate();
    await t.bed.admin('PUT', path, { ms: 0 });
    expect(t.bed.emulator.state.associationDelay().ms).toBe(0);
  });

  it('can be set when the emulator starts, and reset() goes back to that', async () => {
    const emulator = await startEmulator({ accountId: ACCOUNT, associationDelayMs: 60_000 });
    const eks = new EKSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    try {
      emulator.state.createCluster('demo');
      await create('dev', eks);
      expect((await failure(associate(eks))).name).toBe('ResourceNotFoundException');
      emulator.state.setAssociationDelay(0);
      emulator.state.reset();
      expect(emulator.state.associationDelay()).toEqual({ ms: 60_000, operations: ['AssociateAccessPolicy'] });
    } finally {
      eks.destroy();
      await emulator.close();
    }
  });
});
