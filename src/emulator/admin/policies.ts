// Admin routes over access policies: the catalogue (list it, add a policy EKS has "just
// published"), the not-yet-visible window after CreateAccessEntry, and associations made or
// removed out of band (by "a human in the console"; no input rules, no window, no type check).
import type { AdminAnswer, AdminRequest, AdminRoute } from './types.ts';
import { created, need, ok } from './types.ts';
import { checkAssociationDelay } from '../eks/policies/association-delay.ts';
import type { EmulatorServices } from '../core/services.ts';
import { parseAccessScope } from '../eks/policies/policy-rules.ts';
import { requiredString } from '../core/json.ts';

const ENTRY_POLICIES = '/_emulator/clusters/{name}/access-entries/{principal}/access-policies';

export const POLICY_ROUTES: readonly AdminRoute[] = [
  ['GET', '/_emulator/access-policies', listPolicies],
  ['POST', '/_emulator/access-policies', addPolicy],
  ['GET', '/_emulator/association-delay', ({ state }: EmulatorServices): AdminAnswer => ok(state.associationDelay())],
  ['PUT', '/_emulator/association-delay', setAssociationDelay],
  ['POST', ENTRY_POLICIES, associatePolicy],
  ['DELETE', `${ENTRY_POLICIES}/{policy}`, disassociatePolicy],
];

/** The catalogue with the ARNs of the partition of `region` (default: the default region). */
function listPolicies({ state }: EmulatorServices, { location }: AdminRequest): AdminAnswer {
  return ok({ accessPolicies: state.listAccessPolicies(location.region === undefined ? {} : { region: location.region }) });
}

function addPolicy({ state }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  const serviceLinkedRolesOnly = body.serviceLinkedRolesOnly;
  if (serviceLinkedRolesOnly !== undefined && typeof serviceLinkedRolesOnly !== 'boolean') {
    throw new Error(`serviceLinkedRolesOnly must be true or false, got ${JSON.stringify(serviceLinkedRolesOnly)}.`);
  }
  const policy = state.addAccessPolicy(requiredString(body, 'name'), serviceLinkedRolesOnly === undefined ? {} : { serviceLinkedRolesOnly });
  return created({ accessPolicy: policy });
}

/** `{ms, operations?}`; operations default to AssociateAccessPolicy alone, `{ms: 0}` turns the window off. */
function setAssociationDelay({ state }: EmulatorServices, { body }: AdminRequest): AdminAnswer {
  const { ms, operations } = checkAssociationDelay(body.ms, body.operations ?? undefined);
  return ok(state.setAssociationDelay(ms, { operations }));
}

function associatePolicy({ state }: EmulatorServices, { params, body, location }: AdminRequest): AdminAnswer {
  const policy = state.associatePolicy(
    need(params.name),
    need(params.principal),
    { policyArn: requiredString(body, 'policyArn'), accessScope: parseAccessScope(body.accessScope) },
    location,
  );
  return created({ associatedAccessPolicy: policy });
}

function disassociatePolicy({ state }: EmulatorServices, { params, location }: AdminRequest): AdminAnswer {
  const policyArn = need(params.policy);
  state.disassociatePolicy(need(params.name), need(params.principal), policyArn, location);
  return ok({ removed: policyArn });
}
