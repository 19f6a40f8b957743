import { CliError } from './exit.ts';

// The CRD's rule for spec.clusterName: EKS's own cluster names.
const CLUSTER_NAME = /^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$/;

/** --cluster as the AccessEntries will carry it; refused here rather than by the API server later. */
export function checkClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name)) {
    throw new CliError(`--cluster ${JSON.stringify(name)} is not an EKS cluster name (letters, digits, - and _, at most 100, starting with a letter or digit): give the cluster's name, not its ARN`);
  }
  return name;
}
