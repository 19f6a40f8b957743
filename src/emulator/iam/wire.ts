// IAM's dialect of the query protocol, as @aws-sdk/client-iam reads it: its namespace, its codes
// and statuses, and roles and users in its XML shapes (dates in ISO 8601 to the second, trust
// policies URL-encoded as IAM sends them).
import type { QueryService, XmlMembers } from '../core/query-protocol.ts';
import type { IamRole, IamUser } from './principals.ts';

export const IAM_VERSION = '2010-05-08';

export const IAM_SERVICE: QueryService = {
  xmlns: `https://iam.amazonaws.com/doc/${IAM_VERSION}/`,
  errors: {
    ResourceNotFoundException: { error: 'NoSuchEntity', status: 404 },
    ResourceInUseException: { error: 'EntityAlreadyExists', status: 409 },
    ValidationException: { error: 'ValidationError', status: 400 },
    MalformedPolicyDocumentException: { error: 'MalformedPolicyDocument', status: 400 },
    InvalidParameterException: { error: 'InvalidInput', status: 400 },
    InvalidRequestException: { error: 'InvalidInput', status: 400 },
    ResourceLimitExceededException: { error: 'LimitExceeded', status: 409 },
    ServerException: { error: 'ServiceFailure', status: 500 },
    ServiceUnavailableException: { error: 'ServiceUnavailable', status: 503 },
    ThrottlingException: { error: 'Throttling', status: 400 },
    AccessDeniedException: { error: 'AccessDenied', status: 403 },
    UnrecognizedClientException: { error: 'InvalidClientTokenId', status: 403 },
    ExpiredTokenException: { error: 'ExpiredToken', status: 403 },
    InvalidSignatureException: { error: 'SignatureDoesNotMatch', status: 403 },
  },
};

/** `2026-12-02T01:38:43Z`: IAM writes whole seconds. */
export function iamDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function roleXml(role: IamRole): XmlMembers {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: iamDate(role.createDate),
    AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicyDocument),
    ...(role.description === undefined ? {} : { Description: role.description }),
    MaxSessionDuration: String(role.maxSessionDuration),
  };
}

export function userXml(user: IamUser): XmlMembers {
  return { Path: user.path, UserName: user.userName, UserId: user.userId, Arn: user.arn, CreateDate: iamDate(user.createDate) };
}
