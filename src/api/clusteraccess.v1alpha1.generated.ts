// Generated from crds/clusteraccesses.eksaccess.dev.yaml by `npm run generate` (scripts/generate-api-types.ts).
// Do not edit by hand: change the CRD and regenerate.

/**
 * The cluster, and the credentials to reach it with.
 */
export interface ClusterAccessSpec {
  /**
   * Name of the EKS cluster (not its ARN). Immutable.
   */
  clusterName: string;
  /**
   * AWS region of the cluster, such as eu-west-1. Immutable.
   */
  region: string;
  /**
   * IAM role the controller assumes (STS AssumeRole) to manage this cluster's access entries, normally in the cluster's account. Its trust policy must let the controller's own identity assume it. Unset: the controller's own credentials.
   */
  roleArn?: string;
  /**
   * External id to pass when assuming roleArn, if its trust policy requires one (sts:ExternalId). Not a secret, but it keeps another party from making the controller assume the role on its behalf.
   */
  externalId?: string;
}

/**
 * Whether the controller can reach the cluster, as it last checked.
 */
export interface ClusterAccessStatus {
  /**
   * metadata.generation of the spec the controller last checked.
   */
  observedGeneration?: number;
  /**
   * Ready is True once the controller reached the cluster with these credentials and the cluster can hold access entries; its reason and message say otherwise what to fix.
   */
  conditions?: Condition[];
  /**
   * AWS account the credentials belong to (STS GetCallerIdentity).
   */
  accountId?: string;
  /**
   * The cluster's authentication mode (API, API_AND_CONFIG_MAP or CONFIG_MAP).
   */
  authenticationMode?: string;
}
/**
 * One aspect of the object's state, in the standard Kubernetes condition format.
 */
export interface Condition {
  /**
   * Which aspect this condition describes, such as Ready.
   */
  type: string;
  /**
   * Whether the condition holds (True), does not (False), or is not known yet (Unknown).
   */
  status: 'True' | 'False' | 'Unknown';
  /**
   * metadata.generation of the spec this condition was computed from.
   */
  observedGeneration?: number;
  /**
   * When the status of this condition last changed.
   */
  lastTransitionTime: string;
  /**
   * A one-word CamelCase cause, stable enough for tools to match on.
   */
  reason: string;
  /**
   * The details for a person, including what to do when something is wrong.
   */
  message: string;
}
