// What the controller reads out of an IAM principal's ARN: its account, kind, path and name.

export interface PrincipalName {
  partition: string;
  accountId: string;
  kind: 'role' | 'user';
  /** `/` or `/segments/`. */
  path: string;
  name: string;
}

/** arn:PARTITION:iam::ACCOUNT:role/PATH/NAME (or user/...), or undefined for anything else. */
export function parsePrincipalArn(arn: string): PrincipalName | undefined {
  const match = /^arn:([^:]+):iam::(\d{12}):(role|user)(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  if (!match) return undefined;
  const [, partition, accountId, kind, path, name] = match as unknown as [string, string, string, 'role' | 'user', string, string];
  return { partition, accountId, kind, path, name };
}
