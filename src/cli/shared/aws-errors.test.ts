import { describe, expect, it } from 'vitest';
import { AwsCallError, type AwsService } from '../../eks/errors.ts';
import { explainAwsFailure } from './aws-errors.ts';
import { CliError } from './exit.ts';

const failure = (name: string, service: AwsService = 'eks', operation = 'ListAccessEntries'): AwsCallError =>
  new AwsCallError(operation, Object.assign(new Error(`${name} happened`), { name }), service);

describe('AWS failures for the person at the terminal', () => {
  it.each([
    ['no credentials', failure('CredentialsProviderError', 'sts', 'GetCallerIdentity'), /found no AWS credentials: sign in/],
    ['expired credentials', failure('ExpiredToken', 'sts', 'GetCallerIdentity'), /have expired: sign in again/],
    ['an unknown key', failure('UnrecognizedClientException'), /does not recognise your credentials/],
    ['a missing permission', failure('AccessDenied', 'iam', 'GetRole'), /may not call iam:GetRole: ask for that permission/],
    ['an endpoint out of reach', failure('ECONNREFUSED'), /cannot reach EKS \(ECONNREFUSED\).*AWS_ENDPOINT_URL_EKS/],
    ['anything else', failure('ServerException'), /ListAccessEntries failed: ServerException: ServerException happened/],
  ])('explains %s, with the hint', (_, err, message) => {
    const explained = explainAwsFailure(err, 'or pass --no-eks');
    expect(explained).toBeInstanceOf(CliError);
    expect((explained as CliError).message).toMatch(message);
    expect((explained as CliError).message).toContain('or pass --no-eks');
  });

  it('leaves what is not an AWS failure alone: a bug is shown as one', () => {
    const bug = new TypeError('x is undefined');
    expect(explainAwsFailure(bug)).toBe(bug);
  });
});
