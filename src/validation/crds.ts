// Validators for this project's own kinds, built from the CRDs it ships (crds/ at the package
// root, found relative to this module so it works from src under tsx and from dist alike). Each
// is compiled on first use and kept: later documents cost only the checks.
import { fileURLToPath } from 'node:url';
import { CLUSTER_ACCESS_CRD_NAME, CRD_NAME } from '../api/names.ts';
import { CrdValidator, type ValidateOptions } from './crd-validator.ts';
import type { ValidationIssue } from './issues.ts';

const CRDS_DIR = new URL('../../crds/', import.meta.url);

/** The path of a CRD file this package ships, by the CRD's name. */
export function crdFile(crdName: string): string {
  return fileURLToPath(new URL(`${crdName}.yaml`, CRDS_DIR));
}

const cache = new Map<string, CrdValidator>();

function validatorFor(crdName: string): CrdValidator {
  let validator = cache.get(crdName);
  if (!validator) {
    validator = CrdValidator.fromFile(crdFile(crdName));
    cache.set(crdName, validator);
  }
  return validator;
}

/** The validator of AccessEntry, from crds/accessentries.eksaccess.dev.yaml. */
export function accessEntryValidator(): CrdValidator {
  return validatorFor(CRD_NAME);
}

/** The validator of ClusterAccess, from crds/clusteraccesses.eksaccess.dev.yaml. */
export function clusterAccessValidator(): CrdValidator {
  return validatorFor(CLUSTER_ACCESS_CRD_NAME);
}

/** What the API server would say to this AccessEntry (an update of options.old to it, if given). */
export function validateAccessEntry(doc: unknown, options?: ValidateOptions): ValidationIssue[] {
  return accessEntryValidator().validate(doc, options);
}

/** What the API server would say to this ClusterAccess (an update of options.old to it, if given). */
export function validateClusterAccess(doc: unknown, options?: ValidateOptions): ValidationIssue[] {
  return clusterAccessValidator().validate(doc, options);
}
