// The narrow slice of IAM the controller reads: a role's or user's unique id and creation date
// (GetRole, GetUser), and the roles of an account under a path (ListRoles, pages of 1,000). IAM
// only answers about the account the credentials belong to: a target's credentials decide which.
import { GetRoleCommand, GetUserCommand, ListRolesCommand, type IAMClient, type Role, type User } from '@aws-sdk/client-iam';
import type { Logger } from 'pino';
import { callAws, type Answer } from '../eks/aws-call.ts';
import type { AwsClients } from '../eks/clients.ts';
import { AwsCallError } from '../eks/errors.ts';
import type { AwsTarget } from '../eks/types.ts';
import { NOOP_METRICS, type AwsMetrics } from '../metrics/index.ts';

/** A role or user as IAM has it now. */
export interface IamPrincipal {
  /** With its path: arn:PARTITION:iam::ACCOUNT:role/PATH/NAME. */
  arn: string;
  /** RoleId or UserId: what EKS binds an access entry to. A principal made again gets a new one. */
  id: string;
  createDate: Date;
}

/** What the controller reads of IAM; unit tests fake exactly this. */
export interface PrincipalReader {
  /** The role of that name in the target's account, or undefined when IAM has none. */
  getRole(target: AwsTarget, roleName: string): Promise<IamPrincipal | undefined>;
  getUser(target: AwsTarget, userName: string): Promise<IamPrincipal | undefined>;
  /** Every role of the target's account under the path prefix (every role without one), all pages. */
  listRoles(target: AwsTarget, pathPrefix?: string): Promise<IamPrincipal[]>;
}

/** ListRoles' largest page: a thousand roles a call. */
export const LIST_ROLES_PAGE = 1_000;

export interface SdkPrincipalReaderDeps {
  clients: Pick<AwsClients, 'iam'>;
  log: Logger;
  metrics?: AwsMetrics;
}

export class SdkPrincipalReader implements PrincipalReader {
  readonly #clients: Pick<AwsClients, 'iam'>;
  readonly #reporting: { metrics: AwsMetrics; log: Logger };

  constructor({ clients, log, metrics = NOOP_METRICS }: SdkPrincipalReaderDeps) {
    this.#clients = clients;
    this.#reporting = { metrics, log };
  }

  async getRole(target: AwsTarget, roleName: string): Promise<IamPrincipal | undefined> {
    const out = await orMissing(this.#iam(target, 'GetRole', (iam) => iam.send(new GetRoleCommand({ RoleName: roleName }))));
    return out && fromRole(out.Role);
  }

  async getUser(target: AwsTarget, userName: string): Promise<IamPrincipal | undefined> {
    const out = await orMissing(this.#iam(target, 'GetUser', (iam) => iam.send(new GetUserCommand({ UserName: userName }))));
    return out && fromUser(out.User);
  }

  async listRoles(target: AwsTarget, pathPrefix?: string): Promise<IamPrincipal[]> {
    const roles: IamPrincipal[] = [];
    let marker: string | undefined;
    do {
      const input = { MaxItems: LIST_ROLES_PAGE, ...(pathPrefix ? { PathPrefix: pathPrefix } : {}), ...(marker ? { Marker: marker } : {}) };
      const page = await this.#iam(target, 'ListRoles', (iam) => iam.send(new ListRolesCommand(input)));
      roles.push(...(page.Roles ?? []).map(fromRole));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return roles;
  }

  #iam<Out extends Answer>(target: AwsTarget, operation: string, send: (iam: IAMClient) => Promise<Out>): Promise<Out> {
    // The IAM budget is the client's (clients.ts): every attempt waits for a token of its account.
    return callAws({ service: 'iam', operation }, () => send(this.#clients.iam(target)), this.#reporting);
  }
}

/** IAM names a missing role or user NoSuchEntity (the SDK's class: NoSuchEntityException). */
export function isNoSuchEntity(err: unknown): boolean {
  return err instanceof AwsCallError && (err.awsName === 'NoSuchEntityException' || err.awsName === 'NoSuchEntity');
}

async function orMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

function fromRole(role: Role | undefined): IamPrincipal {
  if (!role?.Arn || !role.RoleId || !role.CreateDate) throw new Error('IAM answered without a role: the endpoint does not behave like IAM');
  return { arn: role.Arn, id: role.RoleId, createDate: role.CreateDate };
}

function fromUser(user: User | undefined): IamPrincipal {
  if (!user?.Arn || !user.UserId || !user.CreateDate) throw new Error('IAM answered without a user: the endpoint does not behave like IAM');
  return { arn: user.Arn, id: user.UserId, createDate: user.CreateDate };
}
