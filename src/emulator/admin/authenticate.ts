// GET /_emulator/authenticate?cluster=NAME&principalArn=ARN[&region=&accountId=]: what EKS's
// authenticator would answer if that principal, as IAM has it now, signed in to the cluster.
import type { EmulatorServices } from '../core/services.ts';
import { ok, type AdminAnswer, type AdminRequest, type AdminRoute } from './types.ts';

export const AUTHENTICATE_ROUTES: readonly AdminRoute[] = [['GET', '/_emulator/authenticate', authenticate]];

function authenticate({ state }: EmulatorServices, { query, location }: AdminRequest): AdminAnswer {
  const cluster = query.get('cluster');
  const principalArn = query.get('principalArn');
  if (cluster === null || principalArn === null) {
    return { status: 400, body: { error: 'BadRequest', message: 'Give ?cluster=NAME&principalArn=ARN (and &region=, &accountId= for a cluster elsewhere).' } };
  }
  return ok(state.authenticate(cluster, principalArn, location));
}
