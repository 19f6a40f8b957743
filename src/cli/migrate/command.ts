// `migrate`: the flags, and the run from aws-auth to AccessEntries.
import { emitManifests } from '../manifest/emit.ts';
import type { RegisterCommand, CliContext } from '../program.ts';
import { connectAws, requireRegion, resolveRegion, type CliAws } from '../shared/aws.ts';
import { checkClusterName } from '../shared/cluster-name.ts';
import { CliError, type ExitCode } from '../shared/exit.ts';
import {
  readAwsOptions,
  readKubeOptions,
  readManifestOutputOptions,
  readQuiet,
  stringOption,
  withAwsOptions,
  withKubeOptions,
  withManifestOutputOptions,
  withQuietOption,
  type ParsedOptions,
} from '../shared/options.ts';
import { Reporter } from '../shared/report.ts';
import { parseAwsAuth } from './aws-auth-parse.ts';
import { readAwsAuthFile, readAwsAuthFromCluster, type AwsAuthConfigMap } from './aws-auth-source.ts';
import { migrateHeader } from './header.ts';
import { migrate } from './migrate.ts';

const EXAMPLES = `
Examples:
  # From a copy of the ConfigMap, checking each principal in IAM and the cluster's entries in EKS
  kubectl -n kube-system get configmap aws-auth -o yaml > aws-auth.yaml
  %PROG% migrate --from-file aws-auth.yaml --cluster prod --region eu-west-1 > prod-access.yaml

  # Straight from the cluster, one file per AccessEntry, for a GitOps repository
  %PROG% migrate --from-cluster --context prod --cluster prod --output-dir clusters/prod/access

  # Without AWS credentials (nothing checked: the output says so)
  %PROG% migrate --from-file aws-auth.yaml --cluster prod --no-iam --no-eks

Exit status: 0 every item was written; 2 some were left out (each on stderr, with what to do);
1 an error, and nothing was written.`;

export const registerMigrate: RegisterCommand = (program, context, finish) => {
  const cmd = program
    .command('migrate')
    .summary('aws-auth ConfigMap → AccessEntries (reads only)')
    .description(
      'Turns the mapRoles and mapUsers of an aws-auth ConfigMap into AccessEntry resources to review and merge into Git. ' +
        'It asks IAM for each principal\'s real ARN (aws-auth holds no paths) and EKS which principals have an access entry ' +
        'already (those are left out: import them). It never changes the cluster: no mode switch, no edit of aws-auth.',
    )
    .requiredOption('--cluster <name>', 'name of the EKS cluster the AccessEntries are for')
    .option('--from-file <path>', 'the aws-auth ConfigMap as YAML or JSON (- for stdin)')
    .option('--from-cluster', 'read kube-system/aws-auth through --kubeconfig and --context')
    .option('--no-iam', 'do not ask IAM for each principal\'s ARN: write them as aws-auth gives them (paths unchecked)')
    .option('--no-eks', 'do not ask EKS which principals have an access entry already');
  withKubeOptions(cmd, 'the EKS cluster (with --from-cluster)');
  withAwsOptions(cmd);
  withManifestOutputOptions(cmd);
  withQuietOption(cmd);
  cmd.addHelpText('after', EXAMPLES.replaceAll('%PROG%', context.io.programName));
  cmd.action(async (options: ParsedOptions) => finish(await runMigrate(options, context)));
};

async function runMigrate(options: ParsedOptions, context: CliContext): Promise<ExitCode> {
  const clusterName = checkClusterName(stringOption(options, 'cluster') ?? '');
  const output = readManifestOutputOptions(options);
  const reporter = new Reporter(context.io, { quiet: readQuiet(options) });
  const checks = { iam: options.iam !== false, eks: options.eks !== false };
  const configMap = await readSource(options, context);
  const contents = parseAwsAuth(configMap);
  const awsOptions = readAwsOptions(options);
  const region = checks.iam || checks.eks ? await requireRegion(awsOptions, context.env) : await resolveRegion(awsOptions, context.env);
  const aws: CliAws | undefined = region !== undefined && (checks.iam || checks.eks) ? connectAws({ ...awsOptions, region }, context.version) : undefined;
  try {
    const request = { clusterName, ...(region !== undefined ? { region } : {}), ...checks };
    const result = await migrate(contents, request, aws, reporter);
    const header = migrateHeader({ version: context.version, origin: configMap.origin, request, eks: result.eks });
    const emitted = await emitManifests(result.manifests, { header, output }, context.io, reporter);
    return reporter.finish(`migrate: ${emitted.count} AccessEntries written to ${emitted.destination}; ${reporter.skippedCount} items left out`);
  } finally {
    aws?.close();
  }
}

function readSource(options: ParsedOptions, context: CliContext): Promise<AwsAuthConfigMap> {
  const file = stringOption(options, 'fromFile');
  const fromCluster = options.fromCluster === true;
  if ((file === undefined) === !fromCluster) {
    throw new CliError('give the aws-auth ConfigMap with either --from-file PATH or --from-cluster (and --kubeconfig/--context), not both');
  }
  return file !== undefined ? readAwsAuthFile(file, context.io) : readAwsAuthFromCluster(readKubeOptions(options));
}

