// STS's dialect of the query protocol: its namespace, and its codes and statuses for the errors
// the emulator raises under their EKS names (the SDK names the exception after the code).
import type { QueryService } from '../core/query-protocol.ts';

export const STS_SERVICE: QueryService = {
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  errors: {
    ServerException: { error: 'InternalFailure', status: 500 },
    ServiceUnavailableException: { error: 'ServiceUnavailable', status: 503 },
    ThrottlingException: { error: 'Throttling', status: 400 },
    AccessDeniedException: { error: 'AccessDenied', status: 403 },
    InvalidParameterException: { error: 'InvalidParameterValue', status: 400 },
    UnrecognizedClientException: { error: 'InvalidClientTokenId', status: 403 },
    ExpiredTokenException: { error: 'ExpiredToken', status: 403 },
    InvalidSignatureException: { error: 'SignatureDoesNotMatch', status: 403 },
    ValidationException: { error: 'ValidationError', status: 400 },
  },
};
