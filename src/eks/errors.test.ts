import { describe, expect, it } from 'vitest';
import { sanitizeAwsMessage } from './errors.ts';

describe('sanitizeAwsMessage', () => {
  it("drops the controller's own identity (its account and role) from an AccessDenied, keeping what was refused", () => {
    const message =
      'User: arn:aws:sts::111122223333:assumed-role/eks-access-entry-controller/eks-access-entry-controller-0a1b2c is not authorized ' +
      'to perform: eks:CreateAccessEntry on resource: arn:aws:eks:eu-west-1:444455556666:cluster/prod';
    const cleaned = sanitizeAwsMessage(message);
    expect(cleaned).not.toContain('111122223333');
    expect(cleaned).toBe("User: (the controller's identity) is not authorized to perform: eks:CreateAccessEntry on resource: arn:aws:eks:eu-west-1:444455556666:cluster/prod");
  });

  it('holds still between attempts: no session names, request ids or access keys', () => {
    expect(sanitizeAwsMessage('role arn:aws:sts::1:assumed-role/r/session-123 RequestId: 0123456789abcdef0123 key AKIAABCDEFGHIJKLMNOP')).toBe(
      'role arn:aws:sts::1:assumed-role/r/… key AKIA…',
    );
  });
});
