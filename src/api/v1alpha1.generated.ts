// Generated from crds/accessentries.eksaccess.dev.yaml by `npm run generate` (scripts/generate-api-types.ts).
// Do not edit by hand: change the CRD and regenerate.

/**
 * The access entry you want to exist in EKS. clusterName, region, the principal (principalArn or principal) and type identify the entry and cannot change; to move access elsewhere, create a new AccessEntry and delete this one.
 */
export interface AccessEntrySpec {
  /**
   * Name of the EKS cluster that holds the access entry (not its ARN): letters, digits, hyphens and underscores, starting with a letter or digit, at most 100 characters. Immutable.
   */
  clusterName: string;
  /**
   * AWS region of the cluster, such as us-east-1, us-gov-west-1 or cn-north-1. Leave it unset to use the controller's own region. Once set it can be neither changed nor removed; it may be added later, to pin an entry to the region it already lives in (status.region).
   */
  region?: string;
  /**
   * ARN of the IAM role or IAM user that gets access, for example arn:aws:iam::123456789012:role/admins or, with a path, arn:aws:iam::123456789012:role/teams/platform/admins. Partition aws, aws-cn or aws-us-gov. The name is at most 64 characters of letters, digits and + = , . @ _ -; the path (from the / after role or user to the last /) at most 512 printable ASCII characters. Give the role's ARN, never an STS assumed-role session ARN. Immutable: EKS keys the entry by it.
   */
  principalArn?: string;
  /**
   * The principal named rather than given by ARN, instead of principalArn (exactly one of the two). ssoPermissionSet names an IAM Identity Center permission set: the controller resolves it, in the AWS account of the entry's cluster, to the one role Identity Center provisioned for it there (path /aws-reserved/sso.amazonaws.com/, name AWSReservedSSO_NAME_SUFFIX), records that role's ARN in status.principalArn, and follows the permission set when it is re-provisioned (a new role): the entry of the new role is created before the old one is removed. Only for type STANDARD. Immutable.
   */
  principal?: {
    /**
     * Name of the permission set, as IAM Identity Center shows it (such as AdministratorAccess or PlatformReadOnly): 1 to 32 letters, digits and + = , . @ _ -. Case-sensitive, as the roles' names are.
     */
    ssoPermissionSet: string;
  };
  /**
   * Kind of access entry. STANDARD (the default) is for people and workloads and takes kubernetesGroups and username. The other types let nodes join the cluster (EC2_LINUX and EC2_WINDOWS for self-managed nodes, FARGATE_LINUX for Fargate pods, EC2 for EKS Auto Mode, HYBRID_LINUX for hybrid nodes, HYPERPOD_LINUX for SageMaker HyperPod); they need a role as principal and take neither kubernetesGroups nor username. Immutable.
   */
  type?:
    | 'STANDARD'
    | 'EC2_LINUX'
    | 'EC2_WINDOWS'
    | 'FARGATE_LINUX'
    | 'EC2'
    | 'HYBRID_LINUX'
    | 'HYPERPOD_LINUX';
  /**
   * Kubernetes groups the principal belongs to once authenticated; bind RBAC Roles or ClusterRoles to these names to grant permissions. Only for type STANDARD. Groups starting with "system:" are reserved by Kubernetes and EKS; control characters are not allowed.
   *
   * @maxItems 100
   *
   * Items: Name of a Kubernetes group.
   */
  kubernetesGroups?: string[];
  /**
   * Kubernetes username the principal authenticates as. Best left unset: EKS then picks a sensible default (the session's assumed-role ARN for a role, the user's ARN for a user). Only for type STANDARD. Must not start with system:, eks:, aws:, amazon: or iam:, in any letter case, nor contain control characters. EKS templates such as {{SessionName}} are allowed.
   */
  username?: string;
  /**
   * EKS access policies associated with the entry, each with the scope it applies to: Kubernetes permissions that EKS grants the principal itself, on top of any RBAC bound to kubernetesGroups. For type STANDARD; type EC2 (EKS Auto Mode) takes only AmazonEKSAutoNodePolicy, at cluster scope. Name each policy by its ARN in policyArn or by its name alone in policy, once; at most 20. Omitted (the default), the associations are not managed here: the controller leaves the entry's associations as they are, whoever made them. Present, even as an empty list, it is the whole set: the controller associates every policy listed, sets its scope as given, and disassociates every other policy from the entry. Policies are permissions, so an association made outside this object (in the console, with the CLI, by another tool, or by EKS itself, such as the AmazonEKSClusterAdminPolicy on an adopted cluster creator's entry) is removed while this field is present; list it here to keep it. Removing the field again leaves the associations as they are.
   *
   * @maxItems 20
   *
   * Items: One EKS access policy and the scope it is associated with: give either policyArn or policy, and always accessScope.
   */
  accessPolicies?: {
    /**
     * ARN of the EKS access policy, such as arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy: arn:PARTITION:eks::aws:cluster-access-policy/NAME, with PARTITION aws, aws-cn or aws-us-gov (that of the cluster) and a NAME of letters and digits. `aws eks list-access-policies` lists them. These are EKS access policies, not IAM policies. Give either policyArn or policy.
     */
    policyArn?: string;
    /**
     * Name of the EKS access policy, such as AmazonEKSViewPolicy, AmazonEKSEditPolicy, AmazonEKSAdminPolicy or AmazonEKSClusterAdminPolicy: letters and digits, the part after the last / of its ARN. The controller resolves it to the policy's ARN in the partition of the cluster (aws, aws-cn or aws-us-gov), so one manifest works in every partition. Give either policy or policyArn.
     */
    policy?: string;
    /**
     * Where the policy's permissions apply. Required, so that a cluster-wide grant is always written down, never a default: type cluster grants them on every namespace and on cluster-wide resources; type namespace only in the namespaces listed.
     */
    accessScope: {
      /**
       * cluster: the policy applies to the whole cluster, every namespace and cluster-wide resources. namespace: only in the namespaces listed in namespaces.
       */
      type: 'cluster' | 'namespace';
      /**
       * Namespaces the policy applies in; required, and only allowed, when type is namespace (an empty list is accepted for type cluster). Each is a Kubernetes namespace name, or a prefix followed by a * to match every namespace whose name starts with it, such as dev-*. EKS does not check that the namespaces exist. At most 100, each listed once.
       *
       * @maxItems 100
       *
       * Items: A namespace name (lower-case letters, digits and hyphens, starting and ending with a letter or digit, at most 63 characters), or a prefix of one ending in *, such as dev-*.
       */
      namespaces?: string[];
    };
  }[];
  /**
   * AWS tags to put on the access entry. At most 48: EKS allows 50 per entry and the controller adds two of its own, eksaccess.dev/managed-by and eksaccess.dev/access-entry, to mark the entries it owns. Keys are 1 to 128 characters and must not start with aws: (reserved by AWS) or eksaccess.dev/ (reserved for the controller), in any letter case; values are at most 256 characters. Keys and values may hold letters, digits and spaces of any script, and _ . : / = + - @, the characters AWS allows in tags.
   */
  tags?: {
    /**
     * Tag value.
     */
    [k: string]: string;
  };
  /**
   * What happens to the EKS access entry when this AccessEntry is deleted. Delete (the default) removes an entry this AccessEntry created, and hands back one it adopted (spec.adoptExisting): an entry that existed before, such as the cluster creator's or a node role's, stays in EKS without this controller's tags, since deleting it could lock administrators out or stop nodes from joining. Retain hands back every entry that way. DeleteEvenIfAdopted removes the entry from EKS whoever made it.
   */
  deletionPolicy?: 'Delete' | 'Retain' | 'DeleteEvenIfAdopted';
  /**
   * When this access ends, as an RFC 3339 time such as 2027-01-31T18:00:00Z; for break-glass and just-in-time access. At that time the controller removes the entry from EKS (only an entry it owns, found as on deletion, whatever deletionPolicy says: that is about deleting this object) and this AccessEntry stays, Ready=False with reason Expired. Moving expiresAt into the future grants the access again; an entry is never created for a time already past. Unset: the access does not expire.
   */
  expiresAt?: string;
  /**
   * What to do when the IAM role or user was deleted and created again under the same ARN (a Terraform replace, a stack re-deployed): EKS binds an access entry to the principal's unique id, so the old entry refuses every login of the new principal. Heal (the default) deletes the entry and creates it again with the same groups, username, tags and access policies, with a Warning Event PrincipalRecreated. Report changes nothing: the AccessEntry goes Ready=False, reason PrincipalRecreated, until someone acts. Only checked for principals in the cluster's own account.
   */
  onPrincipalRecreated?: 'Heal' | 'Report';
  /**
   * What to do when EKS already has an access entry for this principal that this controller did not create (for example one EKS made for a node group, or one made by hand). When false (the default) the controller leaves that entry alone and reports the AccessEntry as Stalled. When true the controller takes the entry over: it tags it as its own and from then on manages its kubernetesGroups, username and tags.
   */
  adoptExisting?: boolean;
}

/**
 * What the controller last observed and did. Written only by the controller, through the status subresource. Until the controller first writes it, it reads as observedGeneration 0.
 */
export interface AccessEntryStatus {
  /**
   * metadata.generation of the spec the controller last acted on. When it is behind metadata.generation, the conditions describe an older spec; 0 means the controller has not acted on this object yet.
   */
  observedGeneration?: number;
  /**
   * Current state of the entry. Ready is True once EKS matches the spec; Reconciling is True while the controller is working towards that; Stalled is True when it cannot get there without a change from you (the message says what to change).
   */
  conditions?: Condition[];
  /**
   * ARN of the access entry in EKS, once it exists.
   */
  accessEntryArn?: string;
  /**
   * ARN of the IAM role or user the access entry is for: spec.principalArn, or the role spec.principal resolved to when its entry was created. Deleting this AccessEntry, or its expiry, removes the entry of this principal, even if the permission set is gone by then.
   */
  principalArn?: string;
  /**
   * Unique id (RoleId or UserId) of the principal EKS bound the entry to, as IAM gave it when the entry was created or adopted. IAM answering another id for the same ARN means the principal was deleted and created again (spec.onPrincipalRecreated).
   */
  principalId?: string;
  /**
   * While spec.principal moves to a re-provisioned role: the principal of the entry this AccessEntry had before, removed from EKS once the new entry is in place.
   */
  previousPrincipalArn?: string;
  /**
   * Username EKS actually uses for the principal: spec.username if set, otherwise the default EKS chose.
   */
  username?: string;
  /**
   * When EKS created the access entry.
   */
  createdAt?: string;
  /**
   * When EKS last modified the access entry.
   */
  modifiedAt?: string;
  /**
   * Keys of the tags the controller has put on the entry. The controller only ever removes tags listed here, so tags added to the entry by other means are left alone.
   *
   * @maxItems 64
   *
   * Items: A tag key.
   */
  managedTagKeys?: string[];
  /**
   * AWS region the access entry lives in, recorded when it was created or adopted. The controller keeps managing (and deletes) the entry there, even if its default region changes.
   */
  region?: string;
  /**
   * AWS account the access entry lives in (the EKS cluster's account), recorded when it was created or adopted. An entry is never looked for with the credentials of another account.
   */
  accountId?: string;
  /**
   * The username this AccessEntry set on the entry. Only a username the controller set is reset to EKS's default when spec.username is removed.
   */
  managedUsername?: string;
  /**
   * While spec.username is unset: the username EKS gave the entry when this AccessEntry created or adopted it (or last reset it). A different username found later was set outside Git; it is reset to EKS's default, as drift.
   */
  assignedUsername?: string;
  /**
   * Value of the eksaccess.dev/reconcile-requested-at annotation the controller last acted on: set the annotation to any new value (a timestamp, say) to make the controller re-check the entry against EKS at once.
   */
  lastHandledReconcileAt?: string;
  /**
   * True when the controller took over an entry that already existed in EKS (spec.adoptExisting) rather than creating it.
   */
  adopted?: boolean;
  /**
   * The access policies associated with the entry in EKS, with their scopes, as the controller last observed them.
   *
   * @maxItems 100
   *
   * Items: One access policy associated with the entry.
   */
  accessPolicies?: {
    /**
     * ARN of the associated access policy.
     */
    policyArn: string;
    /**
     * The scope the policy is associated with.
     */
    accessScope: {
      /**
       * cluster or namespace, as EKS reports it.
       */
      type: string;
      /**
       * The namespaces of a namespace scope; empty for cluster.
       *
       * @maxItems 1000
       *
       * Items: A namespace name, or a prefix ending in *.
       */
      namespaces?: string[];
    };
    /**
     * When the policy was associated with the entry.
     */
    associatedAt?: string;
    /**
     * When the association (its scope) was last changed.
     */
    modifiedAt?: string;
  }[];
  /**
   * Names of the access policies associated with the entry, joined with commas (such as AmazonEKSViewPolicy,AmazonEKSEditPolicy), for kubectl get; empty when none are. status.accessPolicies has their ARNs and scopes.
   */
  policies?: string;
}
/**
 * One aspect of the entry's state, in the standard Kubernetes condition format.
 */
export interface Condition {
  /**
   * Which aspect this condition describes, such as Ready, Reconciling or Stalled.
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
   * When the status of this condition last changed (not when it was last checked).
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
