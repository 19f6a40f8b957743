import { describe, expect, it } from 'vitest';
import { groupProblem, groupsProblem, usernameProblem } from './spec-rules.ts';

describe('usernames EKS refuses', () => {
  it.each(['system:admin', 'System:admin', 'eks:x', 'AWS:x', 'amazon:x', 'iam:x', '{{SessionName}}', 'x{{SessionName}}', 'a\tb', 'a'.repeat(257)])(
    'refuses %j',
    (username) => {
      expect(usernameProblem(username)).toBeDefined();
    },
  );

  it.each(['admin', 'admin:{{SessionName}}', 'sso:{{AccountID}}:{{SessionName}}', 'systems-team', 'arn:aws:sts::111122223333:assumed-role/x/{{SessionName}}'])(
    'takes %j',
    (username) => {
      expect(usernameProblem(username)).toBeUndefined();
    },
  );
});

describe('groups EKS refuses', () => {
  it('refuses system: groups (in lower case only, as Kubernetes reserves them), empty names and control characters', () => {
    expect(groupProblem('system:masters')).toMatch(/system:/);
    expect(groupProblem('System:masters')).toBeUndefined();
    expect(groupProblem('')).toMatch(/empty/);
    expect(groupProblem('a\nb')).toMatch(/control/);
    expect(groupsProblem(Array.from({ length: 101 }, (_, i) => `g${i}`))).toMatch(/101 groups/);
    expect(groupsProblem(['devs', 'ops'])).toBeUndefined();
  });
});
