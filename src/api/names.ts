// Every name the AccessEntry API and its controller show to users, defined once.

export const API_GROUP = 'eksaccess.dev';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
export const KIND = 'AccessEntry';
export const PLURAL = 'accessentries';
export const CRD_NAME = `${PLURAL}.${API_GROUP}`;

/** How the controller reaches a cluster in another account or region (admins only). */
export const CLUSTER_ACCESS_KIND = 'ClusterAccess';
export const CLUSTER_ACCESS_PLURAL = 'clusteraccesses';
export const CLUSTER_ACCESS_CRD_NAME = `${CLUSTER_ACCESS_PLURAL}.${API_GROUP}`;

/** Holds the object until EKS has let go of the entry (or deletionPolicy says Retain). */
export const FINALIZER = `${API_GROUP}/finalizer`;

/** Tag the controller puts on every entry it creates or adopts; its value is the controller's id. */
export const MANAGED_BY_TAG = `${API_GROUP}/managed-by`;
/**
 * Tag naming the AccessEntry resource that owns the entry, so two resources declaring the same
 * principal on the same cluster are told apart instead of fighting over one entry.
 */
export const OWNER_TAG = `${API_GROUP}/access-entry`;
/**
 * Tag put on an entry that existed before its AccessEntry adopted it (the cluster creator's, a
 * node role's, one made by hand): deleting the AccessEntry hands such an entry back instead of
 * deleting it, unless its deletionPolicy is DeleteEvenIfAdopted. Kept in EKS, beside the
 * ownership tags, so a status that was lost or restored without it cannot turn a hand-back into
 * a delete.
 */
export const ADOPTED_TAG = `${API_GROUP}/adopted`;
/**
 * Set it to any new value (a timestamp, say) to make the controller re-check the entry against
 * EKS at once; status.lastHandledReconcileAt echoes the value once done, as Flux's
 * reconcile.fluxcd.io/requestedAt does.
 */
export const RECONCILE_REQUESTED_ANNOTATION = `${API_GROUP}/reconcile-requested-at`;

/** Tag keys under this prefix belong to the controller; users may not set them. */
export const RESERVED_CONTROLLER_TAG_PREFIX = `${API_GROUP}/`;
/** Default controller id, overridable so two controllers can share an EKS cluster safely. */
export const DEFAULT_CONTROLLER_ID = 'eks-access-entry-controller';

export const ConditionType = {
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const EntryTypes = [
  'STANDARD',
  'EC2_LINUX',
  'EC2_WINDOWS',
  'FARGATE_LINUX',
  'EC2',
  'HYBRID_LINUX',
  'HYPERPOD_LINUX',
] as const;
export type EntryType = (typeof EntryTypes)[number];

export const DeletionPolicies = ['Delete', 'Retain', 'DeleteEvenIfAdopted'] as const;
export type DeletionPolicy = (typeof DeletionPolicies)[number];

/** Username prefixes EKS reserves for itself. */
export const RESERVED_USERNAME_PREFIXES = ['system:', 'eks:', 'aws:', 'amazon:', 'iam:'] as const;
/** Kubernetes group prefix EKS rejects in kubernetesGroups. */
export const RESERVED_GROUP_PREFIX = 'system:';
/** Tag key prefix AWS reserves. */
export const RESERVED_TAG_PREFIX = 'aws:';
export const MAX_TAGS = 50;
/** What a user may declare: EKS's limit less the controller's own tags. */
export const MAX_USER_TAGS = MAX_TAGS - 2;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

/**
 * The characters AWS allows in tag keys and values (letters, spaces and numbers of any script, and
 * `_ . : / = + - @`), as a character class that means the same in RE2 (the CRD's CEL rules) and in
 * a JavaScript RegExp with the `u` flag.
 */
export const TAG_CHARACTER_CLASS = String.raw`[\p{L}\p{Z}\p{N}_.:/=+@-]`;
/** IAM's longest role or user name, the last part of a principal ARN. */
export const MAX_IAM_NAME_LENGTH = 64;
/** IAM's longest path, from the `/` after `role` or `user` to the `/` before the name. */
export const MAX_IAM_PATH_LENGTH = 512;

/** The AWS partitions that have EKS access entries; every ARN of one starts `arn:PARTITION:`. */
export const AWS_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type AwsPartition = (typeof AWS_PARTITIONS)[number];
/**
 * What follows `arn:PARTITION:` in the ARN of every EKS access policy, before the policy's name:
 * `policy: NAME` in a spec stands for `arn:${partition}:${ACCESS_POLICY_ARN_RESOURCE_PREFIX}${NAME}`,
 * in the partition of the entry's cluster.
 */
export const ACCESS_POLICY_ARN_RESOURCE_PREFIX = 'eks::aws:cluster-access-policy/';
/** The characters of an access policy's name (AmazonEKSViewPolicy), as a regular-expression class. */
export const ACCESS_POLICY_NAME_CHARACTER_CLASS = '[A-Za-z0-9]';
/** The longest access policy name the API takes (AWS documents none; theirs are under 50). */
export const MAX_ACCESS_POLICY_NAME_LENGTH = 128;
/** The most access policies one AccessEntry may declare (AWS documents no limit). */
export const MAX_ACCESS_POLICIES = 20;
/** The most namespaces one access scope may list (AWS documents no limit). */
export const MAX_ACCESS_SCOPE_NAMESPACES = 100;
/** The most associations status.accessPolicies holds; they may include some made outside the spec. */
export const MAX_OBSERVED_ACCESS_POLICIES = 100;
/** Separates the policy names in status.policies (AmazonEKSViewPolicy,AmazonEKSEditPolicy). */
export const POLICY_NAMES_SEPARATOR = ',';

export const AccessScopeTypes = ['cluster', 'namespace'] as const;
export type AccessScopeType = (typeof AccessScopeTypes)[number];
/** Kubernetes' longest namespace name (a DNS-1123 label). */
export const MAX_NAMESPACE_LENGTH = 63;
/**
 * Ends a namespace prefix in an access scope: EKS documents `dev-*` as every namespace whose name
 * starts with `dev-`. No other wildcard form is documented, and the CRD accepts none.
 */
export const NAMESPACE_WILDCARD = '*';
