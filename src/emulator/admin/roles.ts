// Admin routes over STS: role trust entries (who may assume a role, with which ExternalId), the
// sessions AssumeRole has issued, ending them early, and how long new ones last.
import type { AdminAnswer, AdminRequest, AdminRoute } from './types.ts';
import { need, ok } from './types.ts';
import type { RoleSession } from '../sts/role-sessions.ts';
import type { EmulatorServices } from '../core/services.ts';
import { optionalString } from '../core/json.ts';

export const ROLE_ROUTES: readonly AdminRoute[] = [
  ['GET', '/_emulator/role-trust', ({ state }: EmulatorServices): AdminAnswer => ok({ roles: state.roleTrusts() })],
  ['PUT', '/_emulator/role-trust/{roleArn}', setRoleTrust],
  ['DELETE', '/_emulator/role-trust/{roleArn}', removeRoleTrust],
  ['GET', '/_emulator/sessions', listSessions],
  ['POST', '/_emulator/sessions/expire', expireSessions],
  ['PUT', '/_emulator/session-lifetime', setSessionLifetime],
];

function setRoleTrust({ state }: EmulatorServices, { params, body }: AdminRequest): AdminAnswer {
  const roleArn = need(params.roleArn);
  return ok({ roleArn, trust: state.setRoleTrust(roleArn, body) });
}

function removeRoleTrust({ state }: EmulatorServices, { params }: AdminRequest): AdminAnswer {
  const roleArn = need(params.roleArn);
  if (state.removeRoleTrust(roleArn)) return ok({ removed: roleArn });
  return { status: 404, body: { error: 'NotFound', message: `The role ${roleArn} has no trust entry; anyone may already assume it.` } };
}

/** The sessions without their secrets: enough to see who assumed what, and which have expired. */
function listSessions({ state }: EmulatorServices): AdminAnswer {
  const now = state.now().getTime();
  const describe = ({ secretAccessKey: _secret, sessionToken: _token, ...session }: RoleSession): unknown => ({
    ...session,
    expired: session.expiration.getTime() <= now,
  });
  return ok({ sessionLifetime: state.sessionLifetime() ?? null, sessions: state.sessions().map(describe) });
}

/** `{accessKeyId?, roleArn?}`: ends the matching sessions now, every session with `{}`. */
function expireSessions({ state }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  const accessKeyId = optionalString(body, 'accessKeyId');
  const roleArn = optionalString(body, 'roleArn');
  return ok({ expired: state.expireSessions({ ...(accessKeyId === undefined ? {} : { accessKeyId }), ...(roleArn === undefined ? {} : { roleArn }) }) });
}

/** `{seconds}` makes new sessions last that long whatever DurationSeconds asked; `{}` goes back to DurationSeconds. */
function setSessionLifetime({ state }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  const { seconds } = body;
  if (seconds !== undefined && seconds !== null && typeof seconds !== 'number') throw new Error('Send {"seconds": 60}, or {} to go back to DurationSeconds.');
  state.setSessionLifetime(seconds ?? undefined);
  return ok({ seconds: seconds ?? null });
}
