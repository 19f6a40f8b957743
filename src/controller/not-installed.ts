// A kind the API server does not serve: its CRD is not installed (an upgrade that forgot crds/).
import { API_GROUP } from '../api/names.ts';
import { KubeApiError } from '../kube/errors.ts';

/** What names a watched kind (watch.ts's WatchedKind). */
interface Kind {
  kind: string;
  plural: string;
}

/** A kind the API server does not serve is listed again this often: installing its CRD then takes effect. */
export const NOT_INSTALLED_RECHECK_MS = 10_000;

/** Says which CRD is missing and how to install it: the log line at start, and /readyz's reason. */
export function notInstalledMessage(kind: Kind): string {
  const crd = `${kind.plural}.${API_GROUP}`;
  return (
    `the ${kind.kind} CRD (${crd}) is not installed: install it with kubectl apply --server-side -f crds/${crd}.yaml ` +
    `(crds/ of this release; helm upgrade never installs or upgrades CRDs)`
  );
}

/** A 404 on listing a whole collection: the API server does not serve the resource at all. */
export function isNotServed(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 404;
}
