import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_FAULT_KINDS, type CredentialFaultKind } from './faults.ts';
import { parseAmzDate } from '../core/sigv4.ts';
import { failure, useTestBed } from '../test-support.ts';

const t = useTestBed();

const describeDemo = (eks = t.eks) => eks.send(new DescribeClusterCommand({ name: 'demo' }));
const whoAmI = (sts = t.bed.sts()) => sts.send(new GetCallerIdentityCommand({}));

const SIGNATURE_EXPIRED = /^Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) - 5 min\.\)$/;

const CASES: [kind: CredentialFaultKind, stsCode: string, message: RegExp][] = [
  ['UnrecognizedClientException', 'InvalidClientTokenId', /^The security token included in the request is invalid\.$/],
  ['ExpiredTokenException', 'ExpiredToken', /^The security token included in the request is expired$/],
  ['InvalidSignatureException', 'SignatureDoesNotMatch', SIGNATURE_EXPIRED],
];

describe('credential faults', () => {
  it('cover every credential fault kind', () => {
    expect(CREDENTIAL_FAULT_KINDS).toEqual(CASES.map(([kind]) => kind));
  });

  it.each(CASES)('%s reaches the EKS client as that name with status 403 and AWS’s message', async (fault, _code, message) => {
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault, count: 1 });
    const error = await failure(describeDemo());
    expect(error.name).toBe(fault);
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toMatch(message);
  });

  it.each(CASES)('%s reaches the STS client as %s with status 403', async (fault, code, message) => {
    t.bed.emulator.faults.add({ operation: 'GetCallerIdentity', fault, count: 1 });
    const error = (await failure(whoAmI())) as Error & { Code?: string; Type?: string; $metadata?: { httpStatusCode?: number } };
    expect([error.name, error.Code, error.Type]).toEqual([code, code, 'Sender']);
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toMatch(message);
  });

  it('take a message of their own, which also turns the clock-skew answer off', async () => {
    t.bed.emulator.faults.add({ fault: 'InvalidSignatureException', count: 1, message: 'The request signature we calculated does not match the signature you provided.' });
    const error = await failure(describeDemo(t.bed.client({ maxAttempts: 3 })));
    expect(error.message).toBe('The request signature we calculated does not match the signature you provided.');
    expect(error.$metadata).toMatchObject({ attempts: 1 });
    expect((error.$metadata as { clockSkewCorrected?: boolean }).clockSkewCorrected).toBeUndefined();
  });
});

describe('what the SDK does with them, default retries on', () => {
  it.each(['UnrecognizedClientException', 'ExpiredTokenException'] as const)('does not retry %s', async (fault) => {
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault, count: 1 });
    const error = await failure(describeDemo(t.bed.client({ maxAttempts: 3 })));
    expect(error.name).toBe(fault);
    expect(error.$metadata).toMatchObject({ attempts: 1 });
  });

  it('corrects its clock from the Date header of "Signature expired" and retries, once, successfully', async () => {
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'InvalidSignatureException', count: 1 });
    const { $metadata } = await describeDemo(t.bed.client({ maxAttempts: 3 }));
    expect($metadata.attempts).toBe(2);
    expect(t.bed.emulator.calls.log().map((call) => call.fault)).toEqual(['InvalidSignatureException', undefined]);
  });

  it('says the signature is older than the server time allows, with that server time in Date', async () => {
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'InvalidSignatureException', count: 1 });
    const error = (await failure(describeDemo())) as Error & { $metadata?: { clockSkewCorrected?: boolean }; $response?: { headers: Record<string, string> } };
    const [, signedAt, oldest, serverNow] = SIGNATURE_EXPIRED.exec(error.message) ?? [];
    const skewMs = parseAmzDate(serverNow)!.getTime() - parseAmzDate(signedAt)!.getTime();
    expect(skewMs).toBe(15 * 60_000);
    expect(parseAmzDate(serverNow)!.getTime() - parseAmzDate(oldest)!.getTime()).toBe(5 * 60_000);
    expect(error.$metadata?.clockSkewCorrected).toBe(true);
  });

  it('retries STS SignatureDoesNotMatch too, because it corrected its clock', async () => {
    t.bed.emulator.faults.add({ operation: 'GetCallerIdentity', fault: 'InvalidSignatureException', count: 1 });
    const { $metadata, Account } = await whoAmI(t.bed.sts({ maxAttempts: 3 }));
    expect([$metadata.attempts, Account]).toEqual([2, '123456789012']);
  });
});
