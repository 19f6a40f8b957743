import { GetRoleCommand, GetUserCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from './clients.ts';
import { AwsCallError } from './errors.ts';
import type { AwsTarget } from './types.ts';

/** An IAM role or user as IAM has it now. */
export interface IamPrincipalRecord {
  /** With its path: arn:aws:iam::ACCOUNT:role/PATH/NAME. */
  arn: string;
  /** RoleId / UserId: what EKS binds an access entry to. */
  id: string;
  createDate?: Date;
}

/** GetRole and GetUser by name, in the account of the target's credentials. */
export interface IamPrincipals {
  /** The role, or undefined when IAM has none of that name (NoSuchEntity). */
  role(target: AwsTarget, name: string): Promise<IamPrincipalRecord | undefined>;
  user(target: AwsTarget, name: string): Promise<IamPrincipalRecord | undefined>;
}

/** IamPrincipals over the AWS SDK; failures other than NoSuchEntity are AwsCallErrors of service iam. */
export class SdkIamPrincipals implements IamPrincipals {
  constructor(private readonly clients: AwsClients) {}

  async role(target: AwsTarget, name: string): Promise<IamPrincipalRecord | undefined> {
    const out = await this.#lookup('GetRole', () => this.clients.iam(target).send(new GetRoleCommand({ RoleName: name })));
    return out?.Role?.Arn && out.Role.RoleId ? record(out.Role.Arn, out.Role.RoleId, out.Role.CreateDate) : undefined;
  }

  async user(target: AwsTarget, name: string): Promise<IamPrincipalRecord | undefined> {
    const out = await this.#lookup('GetUser', () => this.clients.iam(target).send(new GetUserCommand({ UserName: name })));
    return out?.User?.Arn && out.User.UserId ? record(out.User.Arn, out.User.UserId, out.User.CreateDate) : undefined;
  }

  async #lookup<Out>(operation: string, send: () => Promise<Out>): Promise<Out | undefined> {
    try {
      return await send();
    } catch (cause) {
      const err = new AwsCallError(operation, cause, 'iam');
      if (err.awsName === 'NoSuchEntityException' || err.awsName === 'NoSuchEntity') return undefined;
      throw err;
    }
  }
}

function record(arn: string, id: string, createDate: Date | undefined): IamPrincipalRecord {
  return { arn, id, ...(createDate ? { createDate } : {}) };
}
