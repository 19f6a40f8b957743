// Validators for this project's own kinds, built from the CRDs it ships (crds/ at the package
// root, found relative to this module so it works from src under tsx and from dist alike). Each
// is compiled on first use and kept: later documents cost only the checks.
import { fileURLToPath } from 'node:url';
import { API_GROUP, CLUSTER_ACCESS_CRD_NAME, CLUSTER_ACCESS_KIND, CRD_NAME, KIND } from '../api/names.ts';
import { CrdValidator, type ValidateOptions } from './crd-validator.ts';
import type { ValidationIssue } from './issues.ts';

const CRDS_DIR = new URL('../../crds/', import.meta.url);

/** The path of a CRD file this package ships, by the CRD's name. */
export function crdFile(crdName: string): string {
  return fileURLToPath(new URL(`${crdName}.yaml`, CRDS_DIR));
}

const cache = new Map<string, CrdValidator>();

function loadValidator(crdName: string): CrdValidator {
  let validator = cache.get(crdName);
  if (!validator) {
    validator = CrdValidator.fromFile(crdFile(crdName));
    cache.set(crdName, validator);
  }
  return validator;
}

/** The validator of AccessEntry, from crds/accessentries.eksaccess.dev.yaml. */
export function accessEntryValidator(): CrdValidator {
  return loadValidator(CRD_NAME);
}

/** The validator of ClusterAccess, from crds/clusteraccesses.eksaccess.dev.yaml. */
export function clusterAccessValidator(): CrdValidator {
  return loadValidator(CLUSTER_ACCESS_CRD_NAME);
}

/** What the API server would say to this AccessEntry (an update of options.old to it, if given). */
export function validateAccessEntry(doc: unknown, options?: ValidateOptions): ValidationIssue[] {
  return accessEntryValidator().validate(doc, options);
}

/** What the API server would say to this ClusterAccess (an update of options.old to it, if given). */
export function validateClusterAccess(doc: unknown, options?: ValidateOptions): ValidationIssue[] {
  return clusterAccessValidator().validate(doc, options);
}

/**
 * The validator for a document of this project's kinds (AccessEntry, ClusterAccess of group
 * eksaccess.dev, in any version: a version the CRD does not serve is then reported), or
 * undefined for any other kind, which the API server would send elsewhere.
 */
export function validatorFor(doc: unknown): CrdValidator | undefined {
  const { apiVersion, kind } = (typeof doc === 'object' && doc !== null ? doc : {}) as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || apiVersion.split('/')[0] !== API_GROUP) return undefined;
  if (kind === KIND) return accessEntryValidator();
  if (kind === CLUSTER_ACCESS_KIND) return clusterAccessValidator();
  return undefined;
}
