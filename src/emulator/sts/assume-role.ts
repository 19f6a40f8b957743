// STS AssumeRole from its awsQuery form (`RoleArn`, `RoleSessionName`, `DurationSeconds`,
// `ExternalId`; the SDK sends only those it has) to the result the SDK reads: Credentials
// (Expiration in ISO 8601) and AssumedRoleUser. The decision itself is the state's.
import type { AssumeRoleInput } from './assume-role-input.ts';
import type { OperationContext } from '../core/context.ts';
import type { XmlMembers } from '../core/query-protocol.ts';

export function assumeRole({ state, principal }: OperationContext, form: URLSearchParams): XmlMembers {
  const session = state.assumeRole(assumeRoleInput(form), principal);
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      // STS writes whole seconds: 2025-01-01T12:00:00Z.
      Expiration: session.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
  };
}

/** Absent members stay absent; a DurationSeconds that is not a number becomes NaN, which the input rules refuse. */
export function assumeRoleInput(form: URLSearchParams): AssumeRoleInput {
  const member = (name: string): string | undefined => form.get(name) ?? undefined;
  const duration = member('DurationSeconds');
  const [roleArn, roleSessionName, externalId] = [member('RoleArn'), member('RoleSessionName'), member('ExternalId')];
  return {
    ...(roleArn === undefined ? {} : { roleArn }),
    ...(roleSessionName === undefined ? {} : { roleSessionName }),
    ...(duration === undefined ? {} : { durationSeconds: /^\d+$/.test(duration) ? Number(duration) : Number.NaN }),
    ...(externalId === undefined ? {} : { externalId }),
  };
}
