// The shipped policy files as an installation attaches them: read from deploy/iam/ (what users
// get, not the generator's source) with the placeholders filled.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillPlaceholders, Placeholder, type PlaceholderValues, type PolicyDocument } from '../../scripts/iam/document.ts';
import type { PolicyFileName } from '../../scripts/iam/policies.ts';
import { IAM_DIR, policyFileName } from '../../scripts/iam/render.ts';
import type { AwsPartition } from '../../src/api/names.ts';
import type { NamedPolicy } from './simulate.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Installation {
  controllerId: string;
  /** Accounts of the ClusterAccess roles. */
  managedAccounts: string[];
  /** Node role name pattern, path included (`nodes/*`). */
  nodeRoleName: string;
  adoptablePrincipals: string[];
  protectedPrincipals: string[];
}

/** A policy file exactly as committed in deploy/iam/. */
export function shippedPolicy(name: PolicyFileName, partition: AwsPartition = 'aws'): PolicyDocument {
  return JSON.parse(readFileSync(join(ROOT, IAM_DIR, policyFileName(name, partition)), 'utf8')) as PolicyDocument;
}

export function placeholderValues(installation: Installation): PlaceholderValues {
  return {
    [Placeholder.controllerId]: installation.controllerId,
    [Placeholder.managedAccountId]: installation.managedAccounts,
    [Placeholder.nodeRoleName]: installation.nodeRoleName,
    [Placeholder.adoptablePrincipalArn]: installation.adoptablePrincipals,
    [Placeholder.protectedPrincipalArn]: installation.protectedPrincipals,
  };
}

/** A shipped policy with the installation's values in place of its placeholders. */
export function installedPolicy(name: PolicyFileName, installation: Installation, partition: AwsPartition = 'aws'): NamedPolicy {
  return { name, policy: fillPlaceholders(shippedPolicy(name, partition), placeholderValues(installation)) };
}
