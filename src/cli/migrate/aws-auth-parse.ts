// The items of mapRoles, mapUsers and mapAccounts, as aws-iam-authenticator reads them: every
// scalar is text (an account id keeps its leading zero), keys in any letter case. Malformed YAML,
// or an item of the wrong shape, is an error naming its line: aws-iam-authenticator refuses the
// whole ConfigMap then too, so guessing would migrate something nobody could log in with today.
import { FAILSAFE_SCHEMA, loadAll, YAMLException } from 'js-yaml';
import { CliError } from '../shared/exit.ts';
import type { AwsAuthConfigMap, AwsAuthField } from './aws-auth-source.ts';
import { sequenceItemLines } from './yaml-positions.ts';

export type MappingField = 'mapRoles' | 'mapUsers';

export interface AwsAuthItem {
  field: MappingField;
  /** Where the item is, as reports name it: "aws-auth.yaml line 14" or "mapRoles line 3". */
  where: string;
  /** rolearn or userarn, as written. */
  arn?: string;
  username?: string;
  groups: string[];
}

export interface AwsAuthAccount {
  where: string;
  accountId: string;
}

export interface AwsAuthContents {
  /** mapRoles' items, then mapUsers', each in order. */
  items: AwsAuthItem[];
  accounts: AwsAuthAccount[];
}

const ARN_KEY: Record<MappingField, string> = { mapRoles: 'rolearn', mapUsers: 'userarn' };

export function parseAwsAuth(configMap: AwsAuthConfigMap): AwsAuthContents {
  const items = (['mapRoles', 'mapUsers'] as const).flatMap((field) =>
    parseList(configMap, field).map(({ value, where }) => mappingItem(field, value, where)),
  );
  const accounts = parseList(configMap, 'mapAccounts').map(({ value, where }) => {
    if (typeof value !== 'string') throw malformed(where, 'an item of mapAccounts must be an account id');
    return { where, accountId: value };
  });
  return { items, accounts };
}

interface ListItem {
  value: unknown;
  where: string;
}

function parseList(configMap: AwsAuthConfigMap, field: AwsAuthField): ListItem[] {
  const text = configMap.data[field];
  if (text === undefined) return [];
  const documents = loadList(text, (line) => configMap.locate(field, line));
  if (documents.length === 0 || (documents.length === 1 && documents[0] === '')) return [];
  if (documents.length > 1 || !Array.isArray(documents[0])) throw malformed(configMap.locate(field, 1), `${field} must be one YAML list`);
  const lines = sequenceItemLines(text);
  return documents[0].map((value: unknown, index) => ({ value, where: configMap.locate(field, lines[index] ?? 1) }));
}

function loadList(text: string, locate: (line: number) => string): unknown[] {
  try {
    return loadAll(text, { schema: FAILSAFE_SCHEMA });
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    const line = (err.mark?.line ?? 0) + 1;
    const source = text.split('\n')[line - 1]?.trim();
    throw malformed(locate(line), `${err.reason}${source ? ` (near ${JSON.stringify(source)})` : ''}`);
  }
}

function mappingItem(field: MappingField, value: unknown, where: string): AwsAuthItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(where, `an item of ${field} must be a mapping with ${ARN_KEY[field]}, username and groups`);
  }
  // aws-iam-authenticator decodes through JSON, which matches keys in any letter case.
  const keys = Object.fromEntries(Object.entries(value).map(([key, item]) => [key.toLowerCase(), item as unknown]));
  const arn = text(keys[ARN_KEY[field]], `${ARN_KEY[field]}`, where);
  const username = text(keys.username, 'username', where);
  return { field, where, ...(arn ? { arn } : {}), ...(username ? { username } : {}), groups: groupsOf(keys.groups, where) };
}

function text(value: unknown, key: string, where: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw malformed(where, `${key} must be text`);
  return value;
}

function groupsOf(value: unknown, where: string): string[] {
  if (value === undefined || value === '') return [];
  if (!Array.isArray(value) || !value.every((group) => typeof group === 'string')) throw malformed(where, 'groups must be a list of group names');
  return value;
}

function malformed(where: string, problem: string): CliError {
  return new CliError(`${where}: ${problem}; fix the aws-auth ConfigMap and run migrate again (nothing was written)`);
}
