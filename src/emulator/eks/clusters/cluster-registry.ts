// Every cluster of every account and region, keyed by (account, region, name): the same name
// can exist once per account and region, as in EKS.
import type { ClusterStore } from './cluster-store.ts';
import { resourceNotFound } from '../../core/errors.ts';
import type { Location, LocationOption } from '../../core/location.ts';

export class ClusterRegistry {
  private readonly stores = new Map<string, ClusterStore>();

  has(where: Location, name: string): boolean {
    return this.stores.has(key(where, name));
  }

  add(store: ClusterStore): void {
    this.stores.set(key(store.record, store.record.name), store);
  }

  find(where: Location, name: string): ClusterStore | undefined {
    return this.stores.get(key(where, name));
  }

  /** Throws ResourceNotFoundException, EKS's answer to every call on a cluster it does not have. */
  require(where: Location, name: string): ClusterStore {
    const store = this.find(where, name);
    if (store === undefined) throw resourceNotFound(`No cluster found for name: ${name} in region ${where.region}.`, { clusterName: name });
    return store;
  }

  delete(where: Location, name: string): void {
    this.stores.delete(key(where, name));
  }

  /** All clusters, or those in the account and/or region given. */
  list(filter: LocationOption = {}): ClusterStore[] {
    return [...this.stores.values()].filter(
      ({ record }) => (filter.accountId === undefined || record.accountId === filter.accountId) && (filter.region === undefined || record.region === filter.region),
    );
  }

  clear(): void {
    this.stores.clear();
  }
}

function key(where: Location, name: string): string {
  return `${where.accountId}/${where.region}/${name}`;
}
