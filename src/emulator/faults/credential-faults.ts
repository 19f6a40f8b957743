// The answers AWS gives for bad credentials, as injected faults. Real endpoints check
// credentials before the service sees the call, so these bodies name no cluster or principal.
import { EksError } from '../core/errors.ts';
import type { CredentialFaultKind } from './fault-rules.ts';
import { formatAmzDate } from '../core/sigv4.ts';

/** How far behind the injected "Signature expired" fault makes the client's clock look. */
export const SIMULATED_CLOCK_SKEW_MS = 15 * 60_000;
const SIGNATURE_LIFETIME_MS = 5 * 60_000;

export interface CredentialFault {
  error: EksError;
  /** The server time to put in the Date header; the SDK corrects its clock from it. */
  serverDate?: Date;
}

/**
 * The fault as AWS words it. InvalidSignatureException without a message of its own is the
 * clock-skew case: the answer says the signature expired and its Date header is ahead of the
 * request's X-Amz-Date, as it would be for a client whose clock runs behind.
 */
export function credentialFault(kind: CredentialFaultKind, signedAt: Date | undefined, message: string | undefined): CredentialFault {
  if (message !== undefined) return { error: new EksError(kind, message) };
  switch (kind) {
    case 'UnrecognizedClientException':
      return { error: new EksError(kind, 'The security token included in the request is invalid.') };
    case 'ExpiredTokenException':
      return { error: new EksError(kind, 'The security token included in the request is expired') };
    case 'InvalidSignatureException':
      return signatureExpired(signedAt ?? new Date());
  }
}

function signatureExpired(signedAt: Date): CredentialFault {
  const serverDate = new Date(signedAt.getTime() + SIMULATED_CLOCK_SKEW_MS);
  const oldestAccepted = new Date(serverDate.getTime() - SIGNATURE_LIFETIME_MS);
  const message = `Signature expired: ${formatAmzDate(signedAt)} is now earlier than ${formatAmzDate(oldestAccepted)} (${formatAmzDate(serverDate)} - 5 min.)`;
  return { error: new EksError('InvalidSignatureException', message), serverDate };
}
