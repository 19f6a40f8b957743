import { describe, expect, it } from 'vitest';
import { Reason } from '../api/reasons.ts';
import { EksCallError } from '../eks/errors.ts';
import { classifyFailure, withPrincipalGrace } from './failures.ts';

const ref = { region: 'us-east-1', clusterName: 'demo', principalArn: 'arn:aws:iam::123456789012:role/dev' };

function awsError(name: string, message = 'details'): Error {
  return Object.assign(new Error(message), { name, $metadata: { requestId: 'req-1', httpStatusCode: 400 } });
}

describe('classifyFailure', () => {
  it.each([
    ['ThrottlingException', Reason.Throttled],
    ['ServerException', Reason.AwsServerError],
    ['TimeoutError', Reason.AwsUnreachable],
    ['SomethingNewException', Reason.UnexpectedError],
  ])('retries %s with reason %s', (name, reason) => {
    const failure = classifyFailure(new EksCallError('CreateAccessEntry', awsError(name)), ref);
    expect(failure).toMatchObject({ retryable: true, reason });
  });

  it('treats a refused socket as AWS being unreachable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyFailure(new EksCallError('DescribeAccessEntry', refused), ref)).toMatchObject({
      retryable: true,
      reason: Reason.AwsUnreachable,
    });
  });

  it.each([
    ['InvalidParameterException', Reason.InvalidParameter, 'EKS refused CreateAccessEntry'],
    ['InvalidRequestException', Reason.InvalidRequest, 'EKS refused CreateAccessEntry'],
    ['ResourceLimitExceededException', Reason.QuotaExceeded, 'quota'],
    ['AccessDeniedException', Reason.AccessDenied, 'eks:CreateAccessEntry'],
    ['ResourceNotFoundException', Reason.ClusterNotFound, 'cluster demo in us-east-1 was not found'],
  ])('stalls on %s with reason %s and a message naming the fix', (name, reason, fragment) => {
    const failure = classifyFailure(new EksCallError('CreateAccessEntry', awsError(name)), ref);
    expect(failure).toMatchObject({ retryable: false, reason, awsError: name });
    expect(failure.message).toContain(fragment);
  });

  it('explains a CONFIG_MAP-only cluster and how to switch it', () => {
    const failure = classifyFailure(new EksCallError('CreateAccessEntry', awsError('InvalidRequestException')), ref, 'CONFIG_MAP');
    expect(failure.reason).toBe(Reason.AuthenticationModeConfigMap);
    expect(failure.message).toMatch(/API_AND_CONFIG_MAP/);
  });

  it('keeps request ids and session names out of messages, so retries do not rewrite the status', () => {
    const denied = awsError(
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/ctrl/botocore-session-17 is not authorized. Request ID: 0f4c2a1e-8b6d-4c1a-9e1f-3a2b1c0d9e8f',
    );
    const { message } = classifyFailure(new EksCallError('TagResource', denied), ref);
    expect(message).toContain('assumed-role/ctrl/…');
    expect(message).not.toContain('botocore-session-17');
    expect(message).not.toContain('0f4c2a1e');
  });

  it('reports a ResourceNotFound outside create as a vanished entry to retry, not a missing cluster', () => {
    const failure = classifyFailure(new EksCallError('UpdateAccessEntry', awsError('ResourceNotFoundException')), ref);
    expect(failure).toMatchObject({ retryable: true });
  });
});

describe('withPrincipalGrace', () => {
  const invalid = classifyFailure(new EksCallError('CreateAccessEntry', awsError('InvalidParameterException')), ref);

  it('retries an invalid principal within the grace window, then declares it terminal', () => {
    expect(withPrincipalGrace(invalid, 0, 60_000, 120_000)).toMatchObject({ retryable: true, reason: Reason.PrincipalNotYetVisible });
    expect(withPrincipalGrace(invalid, 0, 120_000, 120_000)).toMatchObject({ retryable: false, reason: Reason.InvalidParameter });
  });
});
