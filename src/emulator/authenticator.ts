// What EKS's authenticator would answer for a principal as it exists now: in only through an
// access entry bound to the principal's current unique id. An entry made for a role that was then
// deleted and created again under the same ARN is still there, and lets nobody in: EKS bound it to
// the old id (every login answers 401). Tests ask this to prove an entry broken, then healed.
import type { AccessEntryRecord, AccessScope } from './eks/model.ts';

export type Authentication =
  | {
      allowed: true;
      /** The Kubernetes username, EKS templates such as {{SessionName}} as stored. */
      username: string;
      groups: string[];
      policies: { policyArn: string; accessScope: AccessScope }[];
      /** The id the entry is bound to, which IAM has under the ARN now. */
      principalId: string;
      accessEntryArn: string;
    }
  | { allowed: false; reason: string };

/**
 * `entry`: the cluster's entry for the ARN, if any; `currentId`: the id IAM has under the ARN
 * now, if any.
 */
export function authenticate(principalArn: string, entry: AccessEntryRecord | undefined, currentId: string | undefined): Authentication {
  if (entry === undefined) return { allowed: false, reason: `the cluster has no access entry for ${principalArn}` };
  if (currentId === undefined) return { allowed: false, reason: `IAM has no principal ${principalArn}: nobody can sign in as it` };
  if (entry.principalId === undefined) {
    return { allowed: false, reason: `the access entry for ${principalArn} is bound to no principal: IAM had none of that ARN when it was made` };
  }
  if (entry.principalId !== currentId) {
    return {
      allowed: false,
      reason: `the access entry for ${principalArn} is bound to id ${entry.principalId}, but the principal of that ARN is now ${currentId} (deleted and created again): 401`,
    };
  }
  return {
    allowed: true,
    username: entry.username,
    groups: [...entry.kubernetesGroups],
    policies: entry.associatedPolicies.map(({ policyArn, accessScope }) => ({ policyArn, accessScope: { type: accessScope.type, namespaces: [...accessScope.namespaces] } })),
    principalId: entry.principalId,
    accessEntryArn: entry.accessEntryArn,
  };
}
