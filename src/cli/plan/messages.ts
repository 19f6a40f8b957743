// Every sentence plan prints or writes for a person, defined once.
import type { PlanAction } from './model.ts';

export const Message = {
  invalid: (causes: number): string => `the API server would refuse this document (${causes} cause${causes === 1 ? '' : 's'}): fix it before it is merged`,
  recreate: 'the entry this AccessEntry had is gone from EKS (deleted outside the controller): it is created again',
  expiredDelete: (at: string): string => `access expired at ${at}: the controller deletes the entry this AccessEntry owns`,
  expiredNothing: (at: string): string => `access expired at ${at}: no entry of its own is in EKS, and none is created`,
  deleteNothing: 'no entry of its own in EKS: deleting this AccessEntry changes nothing there',
  deleteNotOurs: (arn: string): string => `deleting this AccessEntry leaves ${arn} in place: the entry is not this resource's`,
  deleteEntry: 'deleting this AccessEntry deletes its entry (deletionPolicy Delete)',
  retainUnknown:
    'its AccessEntry is not in the management cluster to read its deletionPolicy: EKS tells only whether it was adopted, so a Retain ' +
    'policy would hand the entry back instead of deleting it',
  orphaned: (owner: string): string =>
    `tagged for AccessEntry ${owner}, which no longer exists: nothing will change or delete this entry (adopt it with adoptExisting, or delete it in EKS)`,
  immutable: (fields: string): string =>
    `${fields} cannot change on an existing AccessEntry: it must be replaced. Delete it (its entry is deleted or handed back as its ` +
    'deletionPolicy says), then apply the new one, or give the new one another name',
  duplicatePrincipal: (other: string): string =>
    `AccessEntry ${other} declares the same principal on the same cluster: only one of them can have the entry (the other is refused as NotOwned); keep one`,
  duplicateName: (first: string): string => `the same AccessEntry name is declared again: the one in ${first} is planned, this one is not`,
  deleting: 'the live AccessEntry is being deleted already: plan shows what its spec asks, the finalizer decides what happens to the entry',
  assumeRole: (role: string): string =>
    `your AWS credentials may not assume ${role}, the role of the cluster's ClusterAccess: its trust policy must allow your identity ` +
    '(or run plan where the controller\'s own identity is)',
} as const;

export const Verb: Record<PlanAction, string> = {
  create: 'to create',
  update: 'to update',
  adopt: 'to adopt',
  delete: 'to delete',
  none: 'unchanged',
  blocked: 'blocked',
};
