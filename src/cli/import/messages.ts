// Every line import prints or writes for a person, defined once.
import { MAX_ACCESS_POLICIES } from '../../api/names.ts';

export interface SkipReason {
  reason: string;
  action: string;
}

export const Skip = {
  notPrincipal: (arn: string): SkipReason => ({
    reason: `its principal ${arn} is not an IAM role or user ARN an AccessEntry takes`,
    action: 'leave it unmanaged, or write its AccessEntry by hand',
  }),
  serviceLinked: (): SkipReason => ({
    reason: 'its principal is a service-linked role: EKS made it for an AWS service',
    action: 'leave it to EKS',
  }),
  otherController: (controllerId: string): SkipReason => ({
    reason: `another installation of the controller owns it (${controllerId}), and an entry another controller owns is never adopted`,
    action: 'leave it to that installation; to move it here, delete its AccessEntry there with deletionPolicy: Retain (which hands the entry back), then import again',
  }),
  nodeEntry: (type: string): SkipReason => ({
    reason: `it is a node entry (${type}), of the kind EKS makes and deletes itself for managed node groups, Fargate profiles and Auto Mode`,
    action: 'leave it to EKS, or pass --include-node-entries to import node entries too (those of self-managed nodes), written with deletionPolicy: Retain',
  }),
  tooManyTags: (count: number, room: number): SkipReason => ({
    reason: `it has ${count} tags of its own, and adopting it adds the controller's 3 to EKS's limit of 50 (room for ${room})`,
    action: 'remove tags it does not need from the entry, then import again',
  }),
  tooManyPolicies: (count: number): SkipReason => ({
    reason: `it has ${count} access policies, more than the ${MAX_ACCESS_POLICIES} an AccessEntry takes`,
    action: 'disassociate policies it does not need, then import again, or leave it unmanaged',
  }),
  refusedField: (problem: string): SkipReason => ({
    reason: `${problem}, which the AccessEntry CRD refuses`,
    action: 'correct it on the entry in EKS, then import again, or leave the entry unmanaged',
  }),
} as const;

export const Note = {
  managed: (arn: string, name: string): string => `${arn} is already managed by this controller as AccessEntry ${name}: left out (it is in Git already)`,
  managedUnchecked: (arn: string, name: string): string =>
    `${arn} is tagged as managed by this controller for AccessEntry ${name}: left out (without --kubeconfig or --context, whether ${name} still exists was not checked)`,
  gone: (arn: string): string => `${arn} was deleted from EKS while import ran: left out`,
} as const;

export const Warning = {
  tagLeftOut: (arn: string, key: string, why: string): string =>
    `${arn}: tag ${JSON.stringify(key)} left out of its AccessEntry (${why}); it stays on the entry in EKS, and the controller leaves it alone`,
} as const;

export const Comment = {
  adopted: 'adopts the entry as it is in EKS: applying this changes nothing there but the controller\'s ownership tags',
  nodeRetain: [
    'Retain: deleting this AccessEntry (or the file, from Git) hands the entry back to EKS and never cuts',
    'nodes off the cluster',
  ],
} as const;
