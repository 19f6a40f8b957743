import { describe, expect, it } from 'vitest';
import { MANAGED_BY_TAG, OWNER_TAG } from '../../api/names.ts';
import { AwsCallError } from '../../eks/errors.ts';
import type { AssociatedPolicy, ClusterRef, EntryRef, ObservedEntry } from '../../eks/types.ts';
import type { EksReads } from '../shared/aws.ts';
import { CliError } from '../shared/exit.ts';
import { Reporter } from '../shared/report.ts';
import { importEntries, type ImportRequest } from './import.ts';
import { Note, Skip } from './messages.ts';

const ACCOUNT = '111122223333';
const role = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const request: ImportRequest = { clusterName: 'prod', region: 'eu-west-1', controllerId: 'mine', includeNodeEntries: false };

/** EKS as a table of entries; records which calls were made. */
class FakeEks implements EksReads {
  readonly calls: string[] = [];
  constructor(
    private readonly entries: Partial<ObservedEntry>[],
    private readonly options: { mode?: string; policies?: Record<string, AssociatedPolicy[]>; missingCluster?: boolean } = {},
  ) {}

  authenticationMode(_ref: ClusterRef): Promise<string | undefined> {
    if (this.options.missingCluster) return Promise.reject(new AwsCallError('DescribeCluster', Object.assign(new Error('no'), { name: 'ResourceNotFoundException' })));
    return Promise.resolve(this.options.mode ?? 'API');
  }
  callerAccount(): Promise<string> {
    return Promise.resolve(ACCOUNT);
  }
  listEntries(): Promise<string[]> {
    return Promise.resolve(this.entries.map((entry) => entry.principalArn ?? ''));
  }
  describe(ref: EntryRef): Promise<ObservedEntry | undefined> {
    this.calls.push(`describe ${ref.principalArn}`);
    const found = this.entries.find((entry) => entry.principalArn === ref.principalArn && !entry.accessEntryArn?.endsWith('/gone'));
    return Promise.resolve(found && { accessEntryArn: 'arn:x', type: 'STANDARD', kubernetesGroups: [], username: '', tags: {}, principalArn: ref.principalArn, ...found });
  }
  availablePolicies(): Promise<string[]> {
    return Promise.resolve([]);
  }
  listAssociatedPolicies(ref: EntryRef): Promise<AssociatedPolicy[]> {
    this.calls.push(`policies ${ref.principalArn}`);
    return Promise.resolve(this.options.policies?.[ref.principalArn] ?? []);
  }
}

function run(eks: FakeEks, overrides: Partial<ImportRequest> = {}, resourceExists?: (name: string) => Promise<boolean>) {
  let stderr = '';
  const reporter = new Reporter({ stderr: (text) => (stderr += text) }, { quiet: false });
  const result = importEntries({ ...request, ...overrides }, { target: { region: 'eu-west-1' }, eks, reporter, ...(resourceExists ? { resourceExists } : {}) });
  return { result, reporter, stderr: () => stderr };
}

describe('import', () => {
  it('writes every entry nobody manages, in principal order, asking policies only of those it writes', async () => {
    const eks = new FakeEks([
      { principalArn: role('b-devs'), kubernetesGroups: ['devs'] },
      { principalArn: role('a-admins'), tags: { [MANAGED_BY_TAG]: 'mine' } },
      { principalArn: role('nodes'), type: 'EC2_LINUX' },
    ]);
    const { result, reporter } = run(eks);
    const { manifests, accountId } = await result;
    expect(accountId).toBe(ACCOUNT);
    expect(manifests.map((manifest) => manifest.spec.principalArn)).toEqual([role('a-admins'), role('b-devs')]);
    expect(eks.calls.filter((call) => call.startsWith('policies'))).toEqual([`policies ${role('a-admins')}`, `policies ${role('b-devs')}`]);
    expect(reporter.skippedCount).toBe(1);
  });

  it('leaves out node entries unless asked, then writes them with Retain', async () => {
    const eks = new FakeEks([{ principalArn: role('nodes'), type: 'EC2_LINUX' }]);
    const skipped = run(eks);
    expect((await skipped.result).manifests).toEqual([]);
    skipped.reporter.finish('done');
    expect(skipped.stderr()).toContain(`skipped ${role('nodes')}: ${Skip.nodeEntry('EC2_LINUX').reason}`);
    const included = await run(eks, { includeNodeEntries: true }).result;
    expect(included.manifests[0]?.spec).toMatchObject({ type: 'EC2_LINUX', deletionPolicy: 'Retain', adoptExisting: true });
    expect(eks.calls.some((call) => call.startsWith('policies'))).toBe(false);
  });

  it('never imports what another controller owns or a service-linked role\'s entry', async () => {
    const eks = new FakeEks([
      { principalArn: role('theirs'), tags: { [MANAGED_BY_TAG]: 'other-installation', [OWNER_TAG]: 'x' } },
      { principalArn: role('aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS') },
    ]);
    const { result, reporter, stderr } = run(eks);
    expect((await result).manifests).toEqual([]);
    reporter.finish('done');
    expect(stderr()).toContain(`skipped ${role('theirs')}: ${Skip.otherController('other-installation').reason}`);
    expect(stderr()).toContain(Skip.serviceLinked().reason);
  });

  it('leaves out entries this controller manages for an AccessEntry that exists (a note, not a failure), and imports those whose AccessEntry is gone', async () => {
    const eks = new FakeEks([
      { principalArn: role('kept'), tags: { [MANAGED_BY_TAG]: 'mine', [OWNER_TAG]: 'prod-kept' } },
      { principalArn: role('orphan'), tags: { [MANAGED_BY_TAG]: 'mine', [OWNER_TAG]: 'prod-orphan' } },
    ]);
    const { result, reporter, stderr } = run(eks, {}, (name) => Promise.resolve(name === 'prod-kept'));
    expect((await result).manifests.map((manifest) => manifest.spec.principalArn)).toEqual([role('orphan')]);
    expect(reporter.skippedCount).toBe(0);
    reporter.finish('done');
    expect(stderr()).toContain(`note: ${Note.managed(role('kept'), 'prod-kept')}`);
  });

  it('without a management cluster to ask, takes an entry tagged for an AccessEntry as managed, and says it did not check', async () => {
    const eks = new FakeEks([{ principalArn: role('kept'), tags: { [MANAGED_BY_TAG]: 'mine', [OWNER_TAG]: 'prod-kept' } }]);
    const { result, reporter, stderr } = run(eks);
    expect((await result).manifests).toEqual([]);
    reporter.finish('done');
    expect(stderr()).toContain(Note.managedUnchecked(role('kept'), 'prod-kept'));
  });

  it('notes an entry deleted while it ran', async () => {
    const { result, reporter, stderr } = run(new FakeEks([{ principalArn: role('x'), accessEntryArn: 'arn:gone' }].map((e) => ({ ...e, accessEntryArn: `${e.accessEntryArn}/gone` }))));
    expect((await result).manifests).toEqual([]);
    reporter.finish('done');
    expect(stderr()).toContain(Note.gone(role('x')));
  });

  it('refuses a CONFIG_MAP cluster and a missing one, with what to do', async () => {
    await expect(run(new FakeEks([], { mode: 'CONFIG_MAP' })).result).rejects.toThrow(/CONFIG_MAP mode.*migrate/);
    await expect(run(new FakeEks([], { missingCluster: true })).result).rejects.toThrow(CliError);
    await expect(run(new FakeEks([], { missingCluster: true })).result).rejects.toThrow(/no cluster prod in eu-west-1/);
  });
});
