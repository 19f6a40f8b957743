// AssumeRole as STS decides it: input rules, then the role's trust, then the session limits, then
// new temporary credentials whose access key id the account directory maps to the role's account,
// so every later call signed with them lands in that account.
import type { AccountDirectory } from '../core/accounts.ts';
import { checkAssumeRoleInput, type AssumeRoleInput, type AssumeRoleRequest } from './assume-role-input.ts';
import { EksError } from '../core/errors.ts';
import { present } from '../core/optional.ts';
import { SessionDirectory, type CallerPrincipal, type RoleSession } from './role-sessions.ts';
import { MAX_SESSION_SECONDS, RoleTrustTable, trustAdmits, type RoleTrust } from './role-trust.ts';

/** STS caps sessions assumed with temporary credentials (role chaining) at one hour, whatever the role allows. */
export const ROLE_CHAINING_MAX_SECONDS = 3_600;

export interface RoleAssumptionOptions {
  now: () => Date;
  /** The role's unique id when IAM has the role; sessions of other roles get one derived from the ARN. */
  roleIdOf?: (roleArn: string) => string | undefined;
  /** How many sessions to keep; default MAX_SESSIONS. */
  maxSessions?: number;
}

export class RoleAssumption {
  readonly trust = new RoleTrustTable();
  readonly sessions: SessionDirectory;
  private readonly accounts: AccountDirectory;
  private readonly now: () => Date;
  private readonly roleIdOf: (roleArn: string) => string | undefined;
  private lifetimeSeconds: number | undefined;

  constructor(accounts: AccountDirectory, options: RoleAssumptionOptions) {
    this.accounts = accounts;
    this.now = options.now;
    this.roleIdOf = options.roleIdOf ?? ((): undefined => undefined);
    this.sessions = new SessionDirectory(options.maxSessions);
  }

  /** Issues credentials for the role, or throws STS's ValidationError / AccessDenied as an EksError. */
  assume(input: AssumeRoleInput, caller: CallerPrincipal): RoleSession {
    const request = checkAssumeRoleInput(input);
    const trust = this.trust.get(request.role.arn);
    if (!trustAdmits(trust, caller, request.externalId)) {
      throw new EksError('AccessDeniedException', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${request.role.arn}`);
    }
    checkDuration(request, trust, caller);
    const { session, evicted } = this.sessions.issue(
      {
        role: request.role,
        ...present('roleId', this.roleIdOf(request.role.arn)),
        sessionName: request.sessionName,
        lifetimeSeconds: this.lifetimeSeconds ?? request.durationSeconds,
        assumedBy: caller.arn,
      },
      this.now(),
    );
    for (const accessKeyId of evicted) this.accounts.remove(accessKeyId);
    this.accounts.set(session.accessKeyId, session.accountId);
    return session;
  }

  /**
   * Sessions issued from now on last this many seconds, whatever DurationSeconds asked (which is
   * still checked); undefined goes back to DurationSeconds. Lets a test see credentials expire, or
   * the SDK refresh them, without waiting 15 minutes.
   */
  setSessionLifetime(seconds: number | undefined): void {
    if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= 1)) throw new Error(`the session lifetime must be a whole number of seconds ≥ 1, got ${seconds}`);
    this.lifetimeSeconds = seconds;
  }

  sessionLifetime(): number | undefined {
    return this.lifetimeSeconds;
  }

  /** Forgets every session (and its key mapping, which the caller clears with the directory), trust entry and lifetime. */
  clear(): void {
    this.trust.clear();
    this.sessions.clear();
    this.lifetimeSeconds = undefined;
  }
}

function checkDuration(request: AssumeRoleRequest, trust: RoleTrust | undefined, caller: CallerPrincipal): void {
  if (caller.session !== undefined && request.durationSeconds > ROLE_CHAINING_MAX_SECONDS) {
    throw new EksError('ValidationException', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (request.durationSeconds > (trust?.maxSessionDuration ?? MAX_SESSION_SECONDS)) {
    throw new EksError('ValidationException', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
}
