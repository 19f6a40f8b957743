import { ListAccessEntriesCommand } from '@aws-sdk/client-eks';
import type { AwsClients } from './clients.ts';
import { AwsCallError } from './errors.ts';
import type { ClusterRef } from './types.ts';

/**
 * The principal ARNs of every access entry of a cluster (all pages). The controller never lists
 * (its IAM policy does not even allow it); the command line does, to import a cluster's entries
 * and to see which principals have one.
 */
export async function listEntryArns(clients: AwsClients, ref: ClusterRef): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const input = { clusterName: ref.clusterName, maxResults: 100, ...(nextToken ? { nextToken } : {}) };
    const page = await clients.eks(ref).send(new ListAccessEntriesCommand(input)).catch((cause: unknown) => {
      throw new AwsCallError('ListAccessEntries', cause);
    });
    arns.push(...(page.accessEntries ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}
