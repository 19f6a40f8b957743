// The API server's own checks of metadata, which every object gets before its CRD's schema:
// a name (a DNS-1123 subdomain for custom resources), well-formed labels and annotations, and no
// fields ObjectMeta does not have. Worded as k8s.io/apimachinery's validation words them.
import { child } from './field-path.ts';
import { invalid, required, tooLong, type ValidationIssue } from './issues.ts';
import { isObject } from './schema-node.ts';

export interface MetaResult {
  issues: ValidationIssue[];
  /** Fields of metadata ObjectMeta does not have: the API server drops them (or refuses, strict). */
  unknownFields: string[];
  /** A missing name is a Required error, which keeps the API server from running the CEL rules. */
  blocksRules: boolean;
}

const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers',
  'managedFields',
]);

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_SUBDOMAIN_MAX = 253;
const DNS1123_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QUALIFIED_NAME_MAX = 63;
const NAME_PART_RULE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const WITH_PREFIX = "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

const REQUEST = { kind: 'request', severity: 'error' } as const;

/** The checks of metadata the API server makes on create (and update) of a cluster-scoped object. */
export function validateObjectMeta(metadata: unknown): MetaResult {
  if (metadata === undefined || metadata === null) return { issues: [nameRequired()], unknownFields: [], blocksRules: true };
  if (!isObject(metadata)) {
    const issue = invalid('metadata', metadata, 'metadata must be an object: the API server cannot decode it', REQUEST);
    return { issues: [issue], unknownFields: [], blocksRules: true };
  }
  const unknownFields = Object.keys(metadata).filter((k) => !OBJECT_META_FIELDS.has(k)).map((k) => child('metadata', k));
  const names = nameIssues(metadata);
  const issues = [...names, ...labelIssues(metadata.labels), ...annotationIssues(metadata.annotations)];
  return { issues, unknownFields, blocksRules: names.some((issue) => issue.message.startsWith('Required value')) };
}

function nameRequired(): ValidationIssue {
  return required('metadata.name', 'name or generateName is required', REQUEST);
}

function nameIssues(metadata: Record<string, unknown>): ValidationIssue[] {
  const { name, generateName } = metadata;
  if (!isNonEmptyString(name) && !isNonEmptyString(generateName)) return [nameRequired()];
  const issues: ValidationIssue[] = [];
  // A generated name is the prefix plus random letters and digits, so its final dash is fine.
  if (isNonEmptyString(generateName)) issues.push(...subdomainIssues('metadata.generateName', generateName, generateName.replace(/-$/, 'a')));
  if (isNonEmptyString(name)) issues.push(...subdomainIssues('metadata.name', name, name));
  return issues;
}

function subdomainIssues(field: string, shown: string, checked: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (checked.length > DNS1123_SUBDOMAIN_MAX) issues.push(invalid(field, shown, `must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`, REQUEST));
  if (!DNS1123_SUBDOMAIN.test(checked)) issues.push(invalid(field, shown, DNS1123_SUBDOMAIN_MESSAGE, REQUEST));
  return issues;
}

function labelIssues(labels: unknown): ValidationIssue[] {
  if (labels === undefined || labels === null) return [];
  if (!isStringMap(labels)) return [invalid('metadata.labels', labels, 'labels must map strings to strings', REQUEST)];
  const issues: ValidationIssue[] = [];
  for (const [key, value] of Object.entries(labels)) {
    issues.push(...qualifiedNameIssues('metadata.labels', key, 'a valid label key'));
    if (value.length > QUALIFIED_NAME_MAX) issues.push(invalid('metadata.labels', value, `must be no more than ${QUALIFIED_NAME_MAX} bytes`, REQUEST));
    if (!LABEL_VALUE.test(value)) issues.push(invalid('metadata.labels', value, LABEL_VALUE_MESSAGE, REQUEST));
  }
  return issues;
}

function annotationIssues(annotations: unknown): ValidationIssue[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isStringMap(annotations)) return [invalid('metadata.annotations', annotations, 'annotations must map strings to strings', REQUEST)];
  const issues = Object.keys(annotations).flatMap((key) =>
    qualifiedNameIssues('metadata.annotations', key.toLowerCase(), 'a qualified name', key),
  );
  const bytes = Object.entries(annotations).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (bytes > ANNOTATIONS_MAX_BYTES) issues.push({ ...tooLong('metadata.annotations', ANNOTATIONS_MAX_BYTES), ...REQUEST });
  return issues;
}

/** IsQualifiedName: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
function qualifiedNameIssues(field: string, key: string, what: string, shown = key): ValidationIssue[] {
  const parts = key.split('/');
  if (parts.length > 2) return [invalid(field, shown, `${what} ${NAME_PART_RULE} ${WITH_PREFIX}`, REQUEST)];
  const [prefix, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!];
  const details: string[] = [];
  if (prefix !== undefined) {
    if (prefix === '') details.push('prefix part must be non-empty');
    else if (prefix.length > DNS1123_SUBDOMAIN_MAX) details.push(`prefix part must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
    else if (!DNS1123_SUBDOMAIN.test(prefix)) details.push(`prefix part ${DNS1123_SUBDOMAIN_MESSAGE}`);
  }
  if (name === '') details.push('name part must be non-empty');
  else if (name.length > QUALIFIED_NAME_MAX) details.push(`name part must be no more than ${QUALIFIED_NAME_MAX} characters`);
  if (name !== '' && !QUALIFIED_NAME.test(name)) details.push(`name part ${NAME_PART_RULE}`);
  return details.map((detail) => invalid(field, shown, detail, REQUEST));
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}
