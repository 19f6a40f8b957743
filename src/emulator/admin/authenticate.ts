// GET /_emulator/authenticate?cluster=NAME&principalArn=ARN[&region=&accountId=]: what EKS's
// authenticator would answer if that principal, as IAM has it now, signed in to the cluster.
import { need, ok, type AdminRoute } from './types.ts';

export const AUTHENTICATE_ROUTES: readonly AdminRoute[] = [
  [
    'GET',
    '/_emulator/authenticate',
    ({ state }, { query, location }) => {
      const cluster = query.get('cluster') ?? undefined;
      const principalArn = query.get('principalArn') ?? undefined;
      if (cluster === undefined || principalArn === undefined) {
        return { status: 400, body: { error: 'BadRequest', message: 'Give ?cluster=NAME&principalArn=ARN (and &region=, &accountId= for a cluster elsewhere).' } };
      }
      return ok(state.authenticate(need(cluster), need(principalArn), location));
    },
  ],
];
