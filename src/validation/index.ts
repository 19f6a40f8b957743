// Offline validation of custom resources as the API server validates them: see README, "plan".
export { CrdValidator, type FieldValidation, type ValidateOptions } from './crd-validator.ts';
export type { UncheckableRule } from './cel/evaluate.ts';
export {
  accessEntryValidator,
  clusterAccessValidator,
  crdFile,
  validateAccessEntry,
  validateClusterAccess,
  validatorFor,
} from './crds.ts';
export { formatIssue, isRefused, type IssueKind, type IssueSeverity, type ValidationIssue } from './issues.ts';
