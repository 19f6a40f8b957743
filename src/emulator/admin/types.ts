// What an admin route handler gets and gives back.
import type { LocationOption } from '../core/location.ts';
import type { EmulatorServices } from '../core/services.ts';
import type { JsonObject } from '../core/json.ts';

export interface AdminRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: JsonObject;
  /** region and accountId from the body, else from the query (?region=, ?accountId=), else the emulator's defaults. */
  location: LocationOption;
}

export interface AdminAnswer {
  status: number;
  body: unknown;
}

export type AdminHandler = (services: EmulatorServices, request: AdminRequest) => AdminAnswer;

export type AdminRoute = readonly [method: string, path: string, handler: AdminHandler];

export const ok = (body: unknown): AdminAnswer => ({ status: 200, body });
export const created = (body: unknown): AdminAnswer => ({ status: 201, body });

/** Path labels the matched template guarantees. */
export function need(value: string | undefined): string {
  if (value === undefined) throw new Error('admin route is missing a path label');
  return value;
}
