// Admin routes over the state: clusters and access entries made, changed and removed out of
// band (by "EKS itself" or "a human in the console"), and the whole state as JSON.
import type { AdminAnswer, AdminRequest, AdminRoute } from './types.ts';
import { created, need, ok } from './types.ts';
import type { EmulatorServices } from '../core/services.ts';
import { optionalString, optionalStringList, optionalStringMap, requiredString, type JsonObject } from '../core/json.ts';
import { parseAuthenticationMode } from '../eks/clusters/cluster-rules.ts';
import { parseEntryType } from '../eks/entries/entry-rules.ts';

const ENTRY = '/_emulator/clusters/{name}/access-entries/{principal}';

export const CLUSTER_ROUTES: readonly AdminRoute[] = [
  ['GET', '/_emulator/state', ({ state }: EmulatorServices): AdminAnswer => ok(stateDump(state))],
  ['POST', '/_emulator/clusters', createCluster],
  ['PATCH', '/_emulator/clusters/{name}', setAuthenticationMode],
  ['DELETE', '/_emulator/clusters/{name}', deleteCluster],
  ['POST', '/_emulator/clusters/{name}/access-entries', seedEntry],
  ['PATCH', ENTRY, editEntry],
  ['DELETE', ENTRY, removeEntry],
];

function createCluster({ state }: EmulatorServices, { body, location }: AdminRequest): AdminAnswer {
  const bootstrap = optionalString(body, 'bootstrapCreatorPrincipalArn');
  const cluster = state.createCluster(requiredString(body, 'name'), {
    ...location,
    authenticationMode: parseAuthenticationMode(optionalString(body, 'authenticationMode')) ?? 'API_AND_CONFIG_MAP',
    tags: optionalStringMap(body, 'tags') ?? {},
    ...(bootstrap === undefined ? {} : { bootstrapCreatorPrincipalArn: bootstrap }),
  });
  return created({ cluster });
}

function deleteCluster({ state }: EmulatorServices, { params, location }: AdminRequest): AdminAnswer {
  return ok({ cluster: state.deleteCluster(need(params.name), location) });
}

function setAuthenticationMode({ state }: EmulatorServices, { params, body, location }: AdminRequest): AdminAnswer {
  const mode = parseAuthenticationMode(requiredString(body, 'authenticationMode'));
  return ok({ cluster: state.setAuthenticationMode(need(params.name), mode ?? 'API_AND_CONFIG_MAP', location) });
}

function seedEntry({ state }: EmulatorServices, { params, body, location }: AdminRequest): AdminAnswer {
  const type = optionalString(body, 'type');
  const accessEntry = state.seedAccessEntry(
    need(params.name),
    {
      principalArn: requiredString(body, 'principalArn'),
      ...(type === undefined ? {} : { type: parseEntryType(type) }),
      ...entryFields(body),
    },
    location,
  );
  return created({ accessEntry });
}

function editEntry({ state }: EmulatorServices, { params, body, location }: AdminRequest): AdminAnswer {
  return ok({ accessEntry: state.editAccessEntry(need(params.name), need(params.principal), entryFields(body), location) });
}

function removeEntry({ state }: EmulatorServices, { params, location }: AdminRequest): AdminAnswer {
  const principalArn = need(params.principal);
  if (state.removeAccessEntry(need(params.name), principalArn, location)) return ok({ removed: principalArn });
  return { status: 404, body: { error: 'ResourceNotFoundException', message: `No access entry for ${principalArn} on cluster ${params.name}.` } };
}

function entryFields(body: JsonObject): { kubernetesGroups?: string[]; username?: string; tags?: Record<string, string> } {
  const kubernetesGroups = optionalStringList(body, 'kubernetesGroups');
  const username = optionalString(body, 'username');
  const tags = optionalStringMap(body, 'tags');
  return {
    ...(kubernetesGroups === undefined ? {} : { kubernetesGroups }),
    ...(username === undefined ? {} : { username }),
    ...(tags === undefined ? {} : { tags }),
  };
}

function stateDump(state: EmulatorServices['state']): unknown {
  return {
    accountId: state.accountId,
    defaultRegion: state.defaultRegion,
    accessKeys: state.accessKeyAccounts(),
    clusters: state.listClusters().map((cluster) => ({
      ...cluster,
      entries: state.listAccessEntries(cluster.name, { region: cluster.region, accountId: cluster.accountId }),
    })),
    iam: { roles: state.iam.listRoles(), users: state.iam.listUsers() },
  };
}
