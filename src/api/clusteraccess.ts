// The ClusterAccess object as the API server stores it. Spec and status are generated from its
// CRD (npm run generate); only the Kubernetes envelope is written here.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { ClusterAccessSpec, ClusterAccessStatus } from './clusteraccess.v1alpha1.generated.ts';

export type { ClusterAccessSpec, ClusterAccessStatus } from './clusteraccess.v1alpha1.generated.ts';

export interface ClusterAccess {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  spec: ClusterAccessSpec;
  status?: ClusterAccessStatus;
}
