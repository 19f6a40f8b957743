// Which IAM principal a resource's entry is for. Today the spec names it (spec.principalArn); the
// controller's resolution step (an Identity Center permission set looked up in the cluster's
// account, src/controller/principal.ts on the principals branch) replaces this body when it lands:
// `resolvePrincipal(resource, target, { directory, fresh: true })` with a read-only IAM directory.
// Everything plan decides reads the principal from here.
import type { AccessEntry } from '../../api/accessentry.ts';
import type { Failure } from '../../controller/failures.ts';
import type { AwsTarget } from '../../eks/types.ts';

export interface PlannedPrincipal {
  arn: string;
}

export function principalFor(resource: AccessEntry, _target: AwsTarget): Promise<PlannedPrincipal | Failure> {
  return Promise.resolve({ arn: resource.spec.principalArn });
}
