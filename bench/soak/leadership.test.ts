// The soak's reading of leadership: what counts as a hand-over, and when two controller
// processes wrote to EKS at once. A soak that miscounted either would pass when it should fail.
import { describe, expect, it } from 'vitest';
import type { WriteSpan } from './call-recorder.ts';
import { checkWriters } from './invariants.ts';
import { HolderHistory, replicaOf } from './leadership.ts';
import { parseSoakArgs } from './options.ts';

describe('HolderHistory', () => {
  it('counts a new holder after another as a hand-over, and tells a restart of the same replica apart', () => {
    const history = new HolderHistory();
    expect(history.sample('soak-a_00000001'), 'the first holder').toBeUndefined();
    expect(history.sample('soak-a_00000001'), 'the same holder again').toBeUndefined();
    expect(history.sample(''), 'a released Lease').toBeUndefined();
    expect(history.sample('soak-b_00000002')).toEqual({ from: 'soak-a_00000001', to: 'soak-b_00000002' });
    expect(history.sample('soak-b_00000003'), 'soak-b restarted and won again').toEqual({ from: 'soak-b_00000002', to: 'soak-b_00000003' });
    expect(history.handOvers).toBe(2);
    expect(history.toOtherReplica).toBe(1);
    expect(history.holder).toBe('soak-b_00000003');
  });

  it('names the replica of a holder identity', () => {
    expect(replicaOf('soak-a_1a2b3c4d')).toBe('soak-a');
    expect(replicaOf('no-suffix')).toBe('no-suffix');
  });
});

describe('checkWriters', () => {
  const span = (identity: string, firstMs: number, lastEndMs: number): WriteSpan => ({ identity, firstMs, lastEndMs, writes: 1 });

  it('passes writers that follow one another', () => {
    const result = checkWriters([span('soak-b_00000002', 5_000, 9_000), span('soak-a_00000001', 0, 4_999)]);
    expect(result.violations).toEqual([]);
    expect(result.checked['one writer at a time']).toBe(2);
  });

  it('fails the later of two writers whose spans overlap, naming the earlier', () => {
    const result = checkWriters([span('soak-a_00000001', 0, 6_000), span('soak-b_00000002', 5_000, 9_000)]);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]?.subject).toBe('writer soak-b_00000002');
    expect(result.violations[0]?.detail).toContain('soak-a_00000001 wrote until');
  });

  it('fails writes it cannot attribute to a controller process', () => {
    expect(checkWriters([span('(unknown)', 0, 1)]).violations).toHaveLength(1);
  });
});

describe('--replicas', () => {
  const replicas = (argv: string[]): number => {
    const options = parseSoakArgs(argv);
    if (options === 'help') throw new Error('parsed as --help');
    return options.replicas;
  };

  it('defaults to two replicas and takes one for a run without leader election', () => {
    expect(replicas([])).toBe(2);
    expect(replicas(['--replicas', '1'])).toBe(1);
  });

  it('refuses counts it cannot name', () => {
    expect(() => parseSoakArgs(['--replicas', '0'])).toThrow(/at least 1/);
    expect(() => parseSoakArgs(['--replicas', '27'])).toThrow(/more than 26/);
  });
});
