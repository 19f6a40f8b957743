// `import`: the flags, and the run from a cluster's access entries to AccessEntries.
import { emitManifests } from '../manifest/emit.ts';
import type { CliContext, RegisterCommand } from '../program.ts';
import { accessEntryExists } from '../shared/access-entries.ts';
import { connectAws, requireRegion } from '../shared/aws.ts';
import { checkClusterName } from '../shared/cluster-name.ts';
import type { ExitCode } from '../shared/exit.ts';
import { loadKubeConfig, resolveControllerId } from '../shared/kube.ts';
import {
  readAwsOptions,
  readControllerIdOptions,
  readManifestOutputOptions,
  readQuiet,
  stringOption,
  withAwsOptions,
  withControllerIdOption,
  withKubeOptions,
  withManifestOutputOptions,
  withQuietOption,
  type ParsedOptions,
} from '../shared/options.ts';
import { Reporter } from '../shared/report.ts';
import { importHeader } from './header.ts';
import { importEntries } from './import.ts';

const EXAMPLES = `
Examples:
  # Every access entry of cluster prod, to review and merge into Git
  %PROG% import --cluster prod --region eu-west-1 --context management > prod-imported.yaml

  # With a fixed controller id, one file per AccessEntry
  %PROG% import --cluster prod --controller-id platform --output-dir clusters/prod/access

Applying the output adopts each entry as it is: nothing changes in EKS but the controller's
ownership tags. The controller needs the adoption policy (deploy/iam/controller-adoption-policy.json)
for the principals it adopts.

Exit status: 0 every entry was written (or is managed by this controller already); 2 some were
left out (each on stderr, with why and what to do); 1 an error, and nothing was written.`;

export const registerImport: RegisterCommand = (program, context, finish) => {
  const cmd = program
    .command('import')
    .summary('EKS access entries → AccessEntries that adopt them (reads only)')
    .description(
      'Lists the access entries of an EKS cluster with their policies and tags, and writes AccessEntry resources that adopt ' +
        'them unchanged (adoptExisting: true). Node entries, those of service-linked roles and those another controller ' +
        'installation owns are left out, each reported; so are those this installation manages already.',
    )
    .requiredOption('--cluster <name>', 'name of the EKS cluster to import from')
    .option('--include-node-entries', 'import node entries too (EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, EC2, HYBRID_LINUX, HYPERPOD_LINUX), with deletionPolicy: Retain');
  withAwsOptions(cmd);
  withKubeOptions(cmd, 'the management cluster, where the controller runs');
  withControllerIdOption(cmd);
  withManifestOutputOptions(cmd);
  withQuietOption(cmd);
  cmd.addHelpText('after', EXAMPLES.replaceAll('%PROG%', context.io.programName));
  cmd.action(async (options: ParsedOptions) => finish(await runImport(options, context)));
};

async function runImport(options: ParsedOptions, context: CliContext): Promise<ExitCode> {
  const clusterName = checkClusterName(stringOption(options, 'cluster') ?? '');
  const output = readManifestOutputOptions(options);
  const reporter = new Reporter(context.io, { quiet: readQuiet(options) });
  const idOptions = readControllerIdOptions(options);
  const controllerId = await resolveControllerId(idOptions);
  // The management cluster is asked only when the user pointed at it, or to learn the id.
  const askKube = idOptions.controllerId === undefined || idOptions.kubeconfig !== undefined || idOptions.context !== undefined;
  const resourceExists = askKube ? accessEntryExists(loadKubeConfig(idOptions)) : undefined;
  const awsOptions = readAwsOptions(options);
  const region = await requireRegion(awsOptions, context.env);
  const aws = connectAws({ ...awsOptions, region }, context.version);
  try {
    const request = { clusterName, region, controllerId, includeNodeEntries: options.includeNodeEntries === true };
    const result = await importEntries(request, { target: aws.target, eks: aws.eks, reporter, ...(resourceExists ? { resourceExists } : {}) });
    const header = importHeader({ version: context.version, request, accountId: result.accountId });
    const emitted = await emitManifests(result.manifests, { header, output }, context.io, reporter);
    return reporter.finish(`import: ${emitted.count} AccessEntries written to ${emitted.destination}; ${reporter.skippedCount} entries left out`);
  } finally {
    aws.close();
  }
}
