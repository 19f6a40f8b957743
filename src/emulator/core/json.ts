// Reading fields of a JSON request body (EKS's REST-JSON bodies, the admin API's): each failing
// with InvalidParameterException and a message that names the field.
import { invalidParameter } from './errors.ts';

export type JsonObject = Record<string, unknown>;

export function requiredString(body: JsonObject, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === '') throw invalidParameter(`${field} is required.`);
  return value;
}

export function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${field} must be a string, got ${JSON.stringify(value)}.`);
  return value;
}

export function optionalStringList(body: JsonObject, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidParameter(`${field} must be a list of strings, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function optionalStringMap(body: JsonObject, field: string): Record<string, string> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    throw invalidParameter(`${field} must be a map of string to string, got ${JSON.stringify(value)}.`);
  }
  return value as Record<string, string>;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
