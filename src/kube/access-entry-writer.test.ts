import { describe, expect, it } from 'vitest';
import { statusPatch } from './access-entry-writer.ts';

describe('statusPatch', () => {
  it('sends the new status, with null for every field it no longer has', () => {
    expect(statusPatch({ observedGeneration: 1, managedUsername: 'alice', adopted: true }, { observedGeneration: 2 })).toEqual({
      observedGeneration: 2,
      managedUsername: null,
      adopted: null,
    });
  });

  it('is the status itself when nothing was dropped', () => {
    expect(statusPatch(undefined, { observedGeneration: 1 })).toEqual({ observedGeneration: 1 });
  });
});
