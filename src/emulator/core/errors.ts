// The errors the emulator raises, by their EKS names, as EKS's wire shows them: HTTP status,
// `x-amzn-errortype` name, JSON body. Statuses follow the SDK's error schemas
// (@aws-sdk/client-eks), so the SDK maps each answer back to the same exception class a real
// endpoint would produce. STS and IAM answer the same errors with codes of their own (see their
// QueryService); the few errors EKS has no name for carry the other service's.

export const EKS_ERROR_STATUS = {
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  ResourceLimitExceededException: 400,
  BadRequestException: 400,
  ClientException: 400,
  SerializationException: 400,
  // AWS's generic input-validation error; STS and IAM answer it as `ValidationError`.
  ValidationException: 400,
  // IAM's (code MalformedPolicyDocument): a trust policy that is not a policy. EKS has no counterpart.
  MalformedPolicyDocumentException: 400,
  AccessDeniedException: 403,
  // What the AWS front door answers for bad credentials, before the service sees the call.
  UnrecognizedClientException: 403,
  ExpiredTokenException: 403,
  InvalidSignatureException: 403,
  ResourceNotFoundException: 404,
  NotFoundException: 404,
  UnknownOperationException: 404,
  ResourceInUseException: 409,
  ThrottlingException: 429,
  ServerException: 500,
  ServiceUnavailableException: 503,
} as const;

export type EksErrorName = keyof typeof EKS_ERROR_STATUS;

/** Extra members EKS puts next to `message` in some error bodies. */
export interface EksErrorFields {
  clusterName?: string;
  principalArn?: string;
}

export class EksError extends Error {
  override readonly name: EksErrorName;
  readonly fields: EksErrorFields;

  constructor(name: EksErrorName, message: string, fields: EksErrorFields = {}) {
    super(message);
    this.name = name;
    this.fields = fields;
  }

  get status(): number {
    return EKS_ERROR_STATUS[this.name];
  }

  /** The JSON body EKS sends: `message` plus the identifying fields it knows. */
  toBody(): Record<string, string> {
    const body: Record<string, string> = { message: this.message };
    if (this.fields.clusterName !== undefined) body.clusterName = this.fields.clusterName;
    if (this.fields.principalArn !== undefined) body.principalArn = this.fields.principalArn;
    return body;
  }
}

export function invalidParameter(message: string, fields?: EksErrorFields): EksError {
  return new EksError('InvalidParameterException', message, fields);
}

export function invalidRequest(message: string, fields?: EksErrorFields): EksError {
  return new EksError('InvalidRequestException', message, fields);
}

export function resourceNotFound(message: string, fields?: EksErrorFields): EksError {
  return new EksError('ResourceNotFoundException', message, fields);
}

export function resourceInUse(message: string, fields?: EksErrorFields): EksError {
  return new EksError('ResourceInUseException', message, fields);
}
