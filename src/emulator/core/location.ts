// Where a call acts: one account and one region, as every AWS resource lives in one of each.

/**
 * Where a resource lives. Every state method that addresses a cluster takes this; region
 * defaults to the emulator's defaultRegion and accountId to its default account.
 */
export interface LocationOption {
  region?: string;
  accountId?: string;
}

/** The name before accounts existed; the same options. */
export type RegionOption = LocationOption;

/** A location with nothing left to default: the caller of an API request. */
export interface Location {
  accountId: string;
  region: string;
}
