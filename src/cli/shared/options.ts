// Flags shared by the subcommands, in the style of kubectl and the AWS CLI: each group is added
// by one function and read back, checked and typed, by another, so every subcommand spells,
// explains and reads them the same way.
import { Option, type Command } from 'commander';
import { parseLabels } from '../manifest/labels.ts';
import { MANIFEST_FORMATS, type ManifestFormat } from '../manifest/render.ts';
import type { AwsOptions } from './aws.ts';
import type { ControllerIdOptions, KubeOptions } from './kube.ts';

/** What commander parsed: read it through the typed readers below. */
export type ParsedOptions = Record<string, unknown>;

/** --region and --profile: which AWS region and credentials, as the AWS CLI takes them. */
export function withAwsOptions(cmd: Command): Command {
  return cmd
    .option('--region <region>', "AWS region of the EKS cluster (default: AWS_REGION, then the profile's region)")
    .option('--profile <name>', 'named profile of your AWS config files (default: AWS_PROFILE, then the default chain)');
}

export function readAwsOptions(values: ParsedOptions): AwsOptions {
  return defined({ region: stringOption(values, 'region'), profile: stringOption(values, 'profile') });
}

/** --kubeconfig and --context, as kubectl takes them; `what` says which cluster they reach. */
export function withKubeOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--kubeconfig <path>', `kubeconfig of ${what} (default: KUBECONFIG, then ~/.kube/config)`)
    .option('--context <name>', `kubeconfig context of ${what} (default: the current context)`);
}

export function readKubeOptions(values: ParsedOptions): KubeOptions {
  return defined({ kubeconfig: stringOption(values, 'kubeconfig'), context: stringOption(values, 'context') });
}

/** --controller-id: whose entries are whose, as the controller tags them. */
export function withControllerIdOption(cmd: Command): Command {
  return cmd.option(
    '--controller-id <id>',
    'controller id of your installation (default: derived from the management cluster, through --kubeconfig and --context, as the ' +
      'controller derives it; give the --controller-id the controller runs with, if it has one)',
  );
}

export function readControllerIdOptions(values: ParsedOptions): ControllerIdOptions {
  return defined({ ...readKubeOptions(values), controllerId: stringOption(values, 'controllerId') });
}

export interface ManifestOutputOptions {
  format: ManifestFormat;
  outputDir?: string;
  force: boolean;
  /** Checked as Kubernetes checks labels, before any work is done. */
  labels: Record<string, string>;
}

/**
 * -o/--output FORMAT, as kubectl spells it; each command names its formats (plan: text, json,
 * markdown; report: text, json, csv, markdown).
 */
export function withOutputFormatOption(cmd: Command, formats: readonly string[], defaultFormat: string, description: string): Command {
  return cmd.addOption(new Option('-o, --output <format>', description).choices(formats).default(defaultFormat));
}

/** The format commander accepted (it refuses others); typed as the command's own union. */
export function readOutputFormat<F extends string>(values: ParsedOptions, formats: readonly F[]): F {
  const format = stringOption(values, 'output');
  const known = formats.find((candidate) => candidate === format);
  if (known === undefined) throw new Error(`commander let through an output format it was not given: ${String(format)}`);
  return known;
}

/** -o, --output-dir, --force and -l: how and where the AccessEntries are written. */
export function withManifestOutputOptions(cmd: Command): Command {
  return withOutputFormatOption(cmd, MANIFEST_FORMATS, 'yaml', 'yaml (one multi-document stream) or json (a List)')
    .option('--output-dir <dir>', 'write one file per AccessEntry (NAME.yaml) into this directory instead of stdout')
    .option('--force', 'overwrite files that exist in --output-dir (default: refuse, and write nothing)')
    .option('-l, --label <key=value>', 'put this label on every AccessEntry (e.g. the --selector of a controller shard); repeatable', collect);
}

export function readManifestOutputOptions(values: ParsedOptions): ManifestOutputOptions {
  return {
    format: readOutputFormat(values, MANIFEST_FORMATS),
    ...defined({ outputDir: stringOption(values, 'outputDir') }),
    force: values.force === true,
    labels: parseLabels(stringListOption(values, 'label')),
  };
}

/** -q: no progress, notes or summary; what was left out is still reported. */
export function withQuietOption(cmd: Command): Command {
  return cmd.option('-q, --quiet', 'print only what was left out, and errors, on stderr: no progress, notes or summary');
}

export function readQuiet(values: ParsedOptions): boolean {
  return values.quiet === true;
}

export function stringOption(values: ParsedOptions, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function stringListOption(values: ParsedOptions, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The object without its undefined members, for exactOptionalPropertyTypes-style objects. */
export function defined<T extends object>(object: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
