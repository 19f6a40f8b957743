import {
  CreateAccessEntryCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-eks';
import { beforeEach, describe, expect, it } from 'vitest';
import { failure, role, useTestBed } from '../../test-support.ts';

let entryArn: string;
const t = useTestBed();
beforeEach(async () => {
  const { accessEntry } = await t.eks.send(
    new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), tags: { owner: 'controller', env: 'dev' } }),
  );
  entryArn = accessEntry!.accessEntryArn!;
});

const tagsOf = async (resourceArn: string) => (await t.eks.send(new ListTagsForResourceCommand({ resourceArn }))).tags;

describe('tags on an access entry ARN', () => {
  it('lists the tags given at create, which Describe also returns', async () => {
    expect(await tagsOf(entryArn)).toEqual({ owner: 'controller', env: 'dev' });
    const { accessEntry } = await t.eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    expect(accessEntry?.tags).toEqual({ owner: 'controller', env: 'dev' });
  });

  it('TagResource adds and overwrites keys, keeps the others, and moves modifiedAt', async () => {
    const before = t.bed.emulator.state.getAccessEntry('demo', role('dev'))!.modifiedAt;
    await t.eks.send(new TagResourceCommand({ resourceArn: entryArn, tags: { env: 'prod', cost: 'x' } }));
    expect(await tagsOf(entryArn)).toEqual({ owner: 'controller', env: 'prod', cost: 'x' });
    expect(t.bed.emulator.state.getAccessEntry('demo', role('dev'))!.modifiedAt.getTime()).toBeGreaterThan(before.getTime());
  });

  it('UntagResource removes the keys given (several tagKeys in the query)', async () => {
    await t.eks.send(new UntagResourceCommand({ resourceArn: entryArn, tagKeys: ['env', 'owner', 'absent'] }));
    expect(await tagsOf(entryArn)).toEqual({});
  });

  it.each([
    ['an aws: key', { 'aws:x': 'y' }, /reserved prefix aws:/],
    ['more than 50 tags in total', Object.fromEntries(Array.from({ length: 49 }, (_, index) => [`k${index}`, 'v'])), /at most 50 tags.*51/],
  ])('rejects %s with BadRequestException (the tag operations’ error class)', async (_what, tags, message) => {
    const error = await failure(t.eks.send(new TagResourceCommand({ resourceArn: entryArn, tags })));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toMatch(message);
    expect(await tagsOf(entryArn)).toEqual({ owner: 'controller', env: 'dev' });
  });

  it('answers NotFoundException for the ARN of a deleted entry', async () => {
    t.bed.emulator.state.removeAccessEntry('demo', role('dev'));
    const error = await failure(tagsOf(entryArn));
    expect(error.name).toBe('NotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('answers BadRequestException for something that is not an EKS ARN', async () => {
    const error = await failure(tagsOf(role('dev')));
    expect(error.name).toBe('BadRequestException');
  });

  it('answers NotFoundException when the ARN is in another region than the request', async () => {
    const west = t.bed.client({ region: 'us-west-2' });
    const error = await failure(west.send(new ListTagsForResourceCommand({ resourceArn: entryArn })));
    expect(error.name).toBe('NotFoundException');
    expect(error.message).toContain('us-west-2');
  });
});

describe('tags on a cluster ARN', () => {
  it('tags and lists the cluster', async () => {
    const { cluster } = await t.eks.send(new DescribeClusterCommand({ name: 'demo' }));
    await t.eks.send(new TagResourceCommand({ resourceArn: cluster!.arn!, tags: { stage: 'demo' } }));
    expect(await tagsOf(cluster!.arn!)).toEqual({ stage: 'demo' });
  });
});
