// The shape of an IAM policy document as this project writes them, and the placeholders its
// shipped files carry where each installation puts its own values.

export type ConditionValues = Record<string, string | string[]>;

export interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal?: { AWS: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, ConditionValues>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

/**
 * The words an installation replaces before attaching a file. Each one, left unfilled, matches
 * nothing, so a forgotten placeholder denies (fails closed) instead of granting.
 */
export const Placeholder = {
  /** The installation's controller id, exactly as the controller logs it at start. */
  controllerId: 'CONTROLLER_ID',
  /** Accounts whose ClusterAccess roles the controller may assume: one list item, replaced by a list. */
  managedAccountId: 'MANAGED_ACCOUNT_ID',
  /** Name (with path, wildcards allowed) of the node roles the controller may create EC2 entries for. */
  nodeRoleName: 'NODE_ROLE_NAME_PATTERN',
  /** ARN patterns of principals whose untagged entries the controller may claim: one list item. */
  adoptablePrincipalArn: 'ADOPTABLE_PRINCIPAL_ARN_PATTERN',
  /** ARN patterns of principals whose entries the controller must never touch: one list item. */
  protectedPrincipalArn: 'PROTECTED_PRINCIPAL_ARN_PATTERN',
} as const;

/** Placeholders that stand alone as a list item and may be replaced by several values. */
export const LIST_PLACEHOLDERS: readonly string[] = [Placeholder.managedAccountId, Placeholder.adoptablePrincipalArn, Placeholder.protectedPrincipalArn];

export type PlaceholderValues = Partial<Record<(typeof Placeholder)[keyof typeof Placeholder], string | readonly string[]>>;

/**
 * The document with its placeholders replaced, as the install guide's jq command does: a string
 * value replaces the word wherever it occurs; a list replaces a list item that is exactly the word.
 */
export function fillPlaceholders(document: PolicyDocument, values: PlaceholderValues): PolicyDocument {
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') return fillString(node, values);
    if (Array.isArray(node)) return node.flatMap((item) => (typeof item === 'string' && Array.isArray(values[item as keyof PlaceholderValues]) ? [...(values[item as keyof PlaceholderValues] as string[])] : [fill(item)]));
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, fill(value)]));
    return node;
  };
  return fill(document) as PolicyDocument;
}

function fillString(text: string, values: PlaceholderValues): string {
  let filled = text;
  for (const [word, value] of Object.entries(values)) {
    if (typeof value === 'string') filled = filled.replaceAll(word, value);
    else if (filled.includes(word)) throw new Error(`${word} in "${text}" takes one value, not a list`);
  }
  return filled;
}

/** The placeholders a document still carries. */
export function unfilledPlaceholders(document: PolicyDocument): string[] {
  const text = JSON.stringify(document);
  return Object.values(Placeholder).filter((word) => text.includes(word));
}
