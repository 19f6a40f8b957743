import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { AccessEntryStatus } from '../api/accessentry.ts';
import { Reason } from '../api/reasons.ts';
import { KubeApiError } from '../kube/errors.ts';
import { AwsCallError } from '../eks/errors.ts';
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
    const failure = classifyFailure(new AwsCallError('CreateAccessEntry', awsError(name)), ref);
    expect(failure).toMatchObject({ retryable: true, reason });
  });

  it('treats a refused socket as AWS being unreachable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyFailure(new AwsCallError('DescribeAccessEntry', refused), ref)).toMatchObject({
      retryable: true,
      reason: Reason.AwsUnreachable,
    });
  });

  it('names STS and the settings that point it when STS cannot be reached (EKS pointed elsewhere, STS left at AWS)', () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND sts.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' });
    const failure = classifyFailure(new AwsCallError('GetCallerIdentity', notFound, 'sts'), ref);
    expect(failure).toMatchObject({ retryable: true, reason: Reason.AwsUnreachable, awsError: 'ENOTFOUND' });
    for (const fragment of ['STS could not be reached', 'AWS_ENDPOINT_URL_STS', '--sts-endpoint', 'ENOTFOUND sts.us-east-1.amazonaws.com']) {
      expect(failure.message).toContain(fragment);
    }
  });

  it('retries a write the fence kept back, saying this replica no longer leads', () => {
    const fenced = Object.assign(new Error('CreateAccessEntry not sent: not the leader'), { name: 'NotLeaderError' });
    const failure = classifyFailure(new AwsCallError('CreateAccessEntry', fenced), ref);
    expect(failure).toMatchObject({ retryable: true, reason: Reason.NotLeader });
    expect(failure.message).toContain('this replica no longer leads');
  });

  it.each([
    ['InvalidParameterException', Reason.InvalidParameter, 'EKS refused CreateAccessEntry'],
    ['InvalidRequestException', Reason.InvalidRequest, 'EKS refused CreateAccessEntry'],
    ['ResourceLimitExceededException', Reason.QuotaExceeded, 'quota'],
    ['AccessDeniedException', Reason.AccessDenied, 'eks:CreateAccessEntry'],
    ['ResourceNotFoundException', Reason.ClusterNotFound, 'cluster demo in us-east-1 was not found'],
  ])('stalls on %s with reason %s and a message naming the fix', (name, reason, fragment) => {
    const failure = classifyFailure(new AwsCallError('CreateAccessEntry', awsError(name)), ref);
    expect(failure).toMatchObject({ retryable: false, reason, awsError: name });
    expect(failure.message).toContain(fragment);
  });

  it('explains a CONFIG_MAP-only cluster and how to switch it', () => {
    const failure = classifyFailure(new AwsCallError('CreateAccessEntry', awsError('InvalidRequestException')), ref, 'CONFIG_MAP');
    expect(failure.reason).toBe(Reason.AuthenticationModeConfigMap);
    expect(failure.message).toMatch(/API_AND_CONFIG_MAP/);
  });

  it('keeps request ids, session names and the controller\'s own identity out of messages, so retries do not rewrite the status', () => {
    const denied = awsError(
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/ctrl/botocore-session-17 is not authorized. Request ID: 0f4c2a1e-8b6d-4c1a-9e1f-3a2b1c0d9e8f',
    );
    const { message } = classifyFailure(new AwsCallError('TagResource', denied), ref);
    expect(message).toContain("User: (the controller's identity) is not authorized");
    expect(message).not.toContain('botocore-session-17');
    expect(message).not.toContain('123456789012');
    expect(message).not.toContain('0f4c2a1e');
  });

  it('reports a ResourceNotFound outside create as a vanished entry to retry, not a missing cluster', () => {
    const failure = classifyFailure(new AwsCallError('UpdateAccessEntry', awsError('ResourceNotFoundException')), ref);
    expect(failure).toMatchObject({ retryable: true });
  });

  it('reports a ResourceNotFound of DescribeCluster (a ClusterAccess check) as the missing cluster', () => {
    const failure = classifyFailure(new AwsCallError('DescribeCluster', awsError('ResourceNotFoundException')), { ...ref, principalArn: '' });
    expect(failure).toMatchObject({ retryable: false, reason: Reason.ClusterNotFound });
    expect(failure.message).toContain('cluster demo in us-east-1 was not found');
  });
});

describe('withPrincipalGrace', () => {
  const invalid = classifyFailure(new AwsCallError('CreateAccessEntry', awsError('InvalidParameterException')), ref);
  const since = '2026-01-01T00:00:00Z';
  const reconcilingSince: AccessEntryStatus = {
    conditions: [{ type: 'Reconciling', status: 'True', reason: 'Progressing', message: '', lastTransitionTime: since }],
  };
  const at = (seconds: number): Date => new Date(Date.parse(since) + seconds * 1000);

  it('retries an invalid principal while the resource has been Reconciling for less than the grace', () => {
    expect(withPrincipalGrace(invalid, reconcilingSince, at(60), 120_000)).toMatchObject({ retryable: true, reason: Reason.PrincipalNotYetVisible });
    expect(withPrincipalGrace(invalid, reconcilingSince, at(120), 120_000)).toMatchObject({ retryable: false, reason: Reason.InvalidParameter });
  });

  it('gives no second grace to a resource that is already Stalled', () => {
    const stalled: AccessEntryStatus = {
      conditions: [{ type: 'Stalled', status: 'True', reason: 'InvalidParameter', message: '', lastTransitionTime: at(120).toISOString() }],
    };
    expect(withPrincipalGrace(invalid, stalled, at(121), 120_000)).toMatchObject({ retryable: false, reason: Reason.InvalidParameter });
  });

  it('leaves other failures alone', () => {
    const denied = classifyFailure(new AwsCallError('CreateAccessEntry', awsError('AccessDeniedException')), ref);
    expect(withPrincipalGrace(denied, reconcilingSince, at(1), 120_000)).toBe(denied);
  });
});

describe('classifyFailure of credentials, networks and the Kubernetes API', () => {
  it.each([
    ['CredentialsProviderError', 'eks', 'IRSA'],
    ['ExpiredTokenException', 'eks', 'expired'],
    ['ExpiredToken', 'sts', 'expired'],
    ['UnrecognizedClientException', 'eks', 'does not recognise'],
    ['InvalidClientTokenId', 'sts', 'does not recognise'],
    ['InvalidSignatureException', 'eks', 'clock'],
    ['SignatureDoesNotMatch', 'sts', 'clock'],
  ] as const)('stalls on %s (%s) with a message naming the fix', (name, service, fragment) => {
    const failure = classifyFailure(new AwsCallError('DescribeAccessEntry', awsError(name), service), ref);
    expect(failure).toMatchObject({ retryable: false, reason: Reason.InvalidAwsCredentials, awsError: name });
    expect(failure.message).toContain(fragment);
  });

  it.each(['EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'])('retries the unreachable network code %s', (code) => {
    const err = Object.assign(new Error(`connect ${code}`), { code });
    expect(classifyFailure(new AwsCallError('DescribeAccessEntry', err), ref)).toMatchObject({ retryable: true, reason: Reason.AwsUnreachable });
  });

  it('names sts: in an AccessDenied of an STS call', () => {
    const failure = classifyFailure(new AwsCallError('GetCallerIdentity', awsError('AccessDeniedException'), 'sts'), ref);
    expect(failure.message).toContain('sts:GetCallerIdentity');
  });

  it('says the API server could not be reached when a Kubernetes call never got an answer', () => {
    const cut = new KubeApiError('write status of AccessEntry a', new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }));
    expect(classifyFailure(cut, ref)).toEqual({
      retryable: true,
      reason: Reason.KubernetesApiError,
      message: 'write status of AccessEntry a: UND_ERR_SOCKET: fetch failed: the Kubernetes API server could not be reached; retrying',
    });
  });

  it('retries a Kubernetes API failure with its stable message, and stalls on Forbidden naming RBAC', () => {
    const conflict = new KubeApiError('write finalizers of AccessEntry a', new ApiException(409, 'x', '{"reason":"Conflict","message":"modified"}', { 'audit-id': '1' }));
    expect(classifyFailure(conflict, ref)).toEqual({
      retryable: true,
      reason: Reason.KubernetesApiError,
      message: 'write finalizers of AccessEntry a: 409 Conflict modified; retrying',
    });
    const forbidden = new KubeApiError('write finalizers of AccessEntry a', new ApiException(403, 'x', '{"reason":"Forbidden","message":"no"}', {}));
    expect(classifyFailure(forbidden, ref)).toMatchObject({ retryable: false, reason: Reason.KubernetesApiError, message: expect.stringContaining('RBAC') });
  });
});
