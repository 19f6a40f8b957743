// Each document judged as the API server would judge applying it: offline from the CRD (schema and
// CEL rules, an update against the live object), or, with --server-dry-run, by the management
// cluster's API server itself (a dry-run create, or update of the live object). What passes comes
// back defaulted, as it would be stored: that is what the controller would see.
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { AccessEntry } from '../../api/accessentry.ts';
import { API_GROUP, API_VERSION, PLURAL } from '../../api/names.ts';
import { accessEntryValidator, formatIssue, type FieldValidation } from '../../validation/index.ts';

export interface Judged {
  /** The object as the API server would store it; undefined when it refuses the document. */
  stored?: AccessEntry;
  /** Why it refuses it, one cause a line, as the API server prints them. */
  refusals: string[];
  /** What it accepts but says (an unknown field dropped), or what offline validation could not decide. */
  warnings: string[];
}

export type Judge = (doc: Record<string, unknown>, live: AccessEntry | undefined) => Promise<Judged>;

export function offlineJudge(fieldValidation: FieldValidation): Judge {
  const validator = accessEntryValidator();
  return (doc, live) => {
    const issues = validator.validate(doc, { fieldValidation, ...(live ? { old: live } : {}) });
    const refusals = issues.filter((issue) => issue.severity === 'error').map(formatIssue);
    const warnings = issues.filter((issue) => issue.severity !== 'error').map(formatIssue);
    return Promise.resolve({ refusals, warnings, ...(refusals.length === 0 ? { stored: validator.withDefaults(doc) as AccessEntry } : {}) });
  };
}

/** Asks the API server, changing nothing (dryRun=All). */
export function serverJudge(kc: KubeConfig, fieldValidation: FieldValidation): Judge {
  const api = kc.makeApiClient(CustomObjectsApi);
  const resource = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
  return async (doc, live) => {
    const metadata = (doc.metadata ?? {}) as Record<string, unknown>;
    try {
      const stored: unknown = live
        ? await api.replaceClusterCustomObject({
            ...resource,
            name: live.metadata.name ?? '',
            body: { ...doc, metadata: { ...metadata, resourceVersion: live.metadata.resourceVersion } },
            dryRun: 'All',
            fieldValidation,
          })
        : await api.createClusterCustomObject({ ...resource, body: doc, dryRun: 'All', fieldValidation });
      return { stored: stored as AccessEntry, refusals: [], warnings: [] };
    } catch (err) {
      if (!(err instanceof ApiException) || err.code >= 500 || err.code === 401 || err.code === 403) throw err;
      return { refusals: causesOf(err), warnings: [] };
    }
  };
}

/** The causes of a refusal as `field: message`; a refusal without causes (400 strict decoding) is its message. */
function causesOf(err: ApiException<unknown>): string[] {
  let body: { message?: string; details?: { causes?: { field?: string; message?: string }[] } } = {};
  try {
    body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as typeof body;
  } catch {
    return [String(err.body)];
  }
  const causes = (body.details?.causes ?? []).map((cause) => `${cause.field ?? '<nil>'}: ${cause.message ?? ''}`);
  return causes.length > 0 ? causes : [body.message ?? `refused (${err.code})`];
}
