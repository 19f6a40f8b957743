// The catalogue of access policies: the fixed set of AWS-managed policies EKS lets callers
// associate (nobody can create their own), as ListAccessPolicies shows it. One list here, so a
// policy AWS publishes later is one line; tests and demos add one at run time with add().
import type { Partition } from '../../core/arn.ts';

export interface AccessPolicyDefinition {
  name: string;
  /**
   * EKS refuses to associate it with anything but an IAM service-linked role
   * (`role/aws-service-role/...`): InvalidParameterException.
   */
  serviceLinkedRolesOnly: boolean;
}

/** One catalogue entry as the wire shows it, with the ARN of the caller's partition. */
export interface AccessPolicy {
  name: string;
  arn: string;
}

export const CLUSTER_ADMIN_POLICY_NAME = 'AmazonEKSClusterAdminPolicy';
/** The one policy an EKS Auto Mode node entry (type EC2) takes, at cluster scope. */
export const AUTO_NODE_POLICY_NAME = 'AmazonEKSAutoNodePolicy';

/** Policies the EKS user guide marks "designated for AWS service-linked roles only". */
const SERVICE_LINKED_ONLY: ReadonlySet<string> = new Set([
  'AmazonEKSBlockStorageClusterPolicy',
  'AmazonEKSBlockStoragePolicy',
  'AmazonEKSClusterInsightsPolicy',
  'AmazonEKSComputeClusterPolicy',
  'AmazonEKSComputePolicy',
  'AmazonEKSHybridPolicy',
]);

/**
 * From the EKS user guide's "Review access policy permissions" page and its
 * `aws eks list-access-policies` sample; the four EKS Capabilities policies (ACK, Argo CD, kro)
 * are named by users who associated them on live clusters.
 */
const BUILT_IN_NAMES = [
  'AmazonAIOpsAssistantPolicy',
  'AmazonARCRegionSwitchScalingPolicy',
  'AmazonEKSACKPolicy',
  'AmazonEKSAdminPolicy',
  'AmazonEKSAdminViewPolicy',
  'AmazonEKSArgoCDClusterPolicy',
  'AmazonEKSArgoCDPolicy',
  AUTO_NODE_POLICY_NAME,
  'AmazonEKSBlockStorageClusterPolicy',
  'AmazonEKSBlockStoragePolicy',
  CLUSTER_ADMIN_POLICY_NAME,
  'AmazonEKSClusterInsightsPolicy',
  'AmazonEKSComputeClusterPolicy',
  'AmazonEKSComputePolicy',
  'AmazonEKSEditPolicy',
  'AmazonEKSHybridPolicy',
  'AmazonEKSKROPolicy',
  'AmazonEKSLoadBalancingClusterPolicy',
  'AmazonEKSLoadBalancingPolicy',
  'AmazonEKSNetworkingClusterPolicy',
  'AmazonEKSNetworkingPolicy',
  'AmazonEKSSecretReaderPolicy',
  'AmazonEKSViewPolicy',
] as const;

export const BUILT_IN_ACCESS_POLICIES: readonly AccessPolicyDefinition[] = BUILT_IN_NAMES.map((name) => ({
  name,
  serviceLinkedRolesOnly: SERVICE_LINKED_ONLY.has(name),
}));

const POLICY_NAME = /^[A-Za-z][A-Za-z0-9]{0,127}$/;

/** `arn:PARTITION:eks::aws:cluster-access-policy/NAME`: no region, and the account is `aws`. */
export function accessPolicyArn(partition: Partition, name: string): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/${name}`;
}

export interface AddAccessPolicyOptions {
  /** Default false. */
  serviceLinkedRolesOnly?: boolean;
}

export class AccessPolicyCatalogue {
  private readonly policies = new Map<string, AccessPolicyDefinition>();

  constructor() {
    this.reset();
  }

  /** Adds a policy (a "newer" one EKS has just published); adding a known name again updates it. */
  add(name: string, options: AddAccessPolicyOptions = {}): AccessPolicyDefinition {
    if (!POLICY_NAME.test(name)) {
      throw new Error(`An access policy name is 1 to 128 letters and digits starting with a letter, like AmazonEKSViewPolicy; got '${name}'.`);
    }
    const policy = { name, serviceLinkedRolesOnly: options.serviceLinkedRolesOnly ?? false };
    this.policies.set(name, policy);
    return { ...policy };
  }

  /** Every policy with its ARN in this partition, in name order (the order EKS lists them in). */
  list(partition: Partition): AccessPolicy[] {
    return [...this.policies.keys()].sort(compare).map((name) => ({ name, arn: accessPolicyArn(partition, name) }));
  }

  /** The policy this exact ARN names in this partition; undefined for anything else, malformed ARNs included. */
  find(policyArn: string, partition: Partition): AccessPolicyDefinition | undefined {
    const prefix = accessPolicyArn(partition, '');
    if (!policyArn.startsWith(prefix)) return undefined;
    const policy = this.policies.get(policyArn.slice(prefix.length));
    return policy && { ...policy };
  }

  /** Back to the built-in policies only. */
  reset(): void {
    this.policies.clear();
    for (const policy of BUILT_IN_ACCESS_POLICIES) this.policies.set(policy.name, { ...policy });
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
