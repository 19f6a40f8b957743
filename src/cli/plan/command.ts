// `plan`: the flags, and the run from files to what the controller would do, on stdout.
import type { CliContext, RegisterCommand } from '../program.ts';
import { connectAws, requireRegion } from '../shared/aws.ts';
import { ExitCode } from '../shared/exit.ts';
import { readManagementCluster } from '../shared/management.ts';
import {
  readAwsOptions,
  readControllerIdOptions,
  readOutputFormat,
  readQuiet,
  stringOption,
  withControllerIdOption,
  withKubeOptions,
  withOutputFormatOption,
  withQuietOption,
  type ParsedOptions,
} from '../shared/options.ts';
import { Reporter } from '../shared/report.ts';
import { Option } from 'commander';
import { hasChanges } from './describe.ts';
import type { PlanReport } from './model.ts';
import { renderMarkdown } from './render-markdown.ts';
import { renderText } from './render-text.ts';
import { runPlan } from './run.ts';

const FORMATS = ['text', 'json', 'markdown'] as const;
const FIELD_VALIDATION = ['Strict', 'Warn', 'Ignore'] as const;

const EXAMPLES = `
Examples:
  # What the controller would do with the AccessEntries of a GitOps repository
  %PROG% plan -f clusters/prod/ --region eu-west-1 --context management

  # In CI, as a pull-request comment, the files being the whole set for their clusters
  %PROG% plan -f clusters/ --prune -o markdown --region eu-west-1 > plan.md

  # Without the management cluster (no ClusterAccesses, no live objects)
  %PROG% plan -f team-a.yaml --no-management-cluster --controller-id platform --region eu-west-1

It only reads: Describe and List calls to EKS, GetCallerIdentity (and AssumeRole for ClusterAccess
roles) to STS, and reads of AccessEntries, ClusterAccesses and the kube-system namespace in the
management cluster. deploy/iam/plan-readonly-policy.json has the AWS actions it needs.

Exit status, as terraform plan -detailed-exitcode: 0 nothing would change; 2 changes are pending;
1 an error (a document the API server would refuse, a file it cannot read, an AWS or Kubernetes
failure); the plan of everything else is printed all the same.`;

export const registerPlan: RegisterCommand = (program, context, finish) => {
  const cmd = program
    .command('plan')
    .summary('what the controller would do with these AccessEntries, against EKS now (reads only)')
    .description(
      'Reads AccessEntries from files and directories (as a GitOps repository holds them; other kinds and kustomize files are ' +
        'skipped and counted), validates each as the API server would, and shows what the controller would do about each in EKS: ' +
        'create, update (each field), adopt, nothing, or blocked and why. It decides with the controller\'s own planning code, ' +
        'and changes nothing.',
    )
    .requiredOption('-f, --filename <path>', 'a file or directory of manifests (directories are read recursively; - for stdin); repeatable', collect)
    .option('--prune', 'the files are the whole set for the clusters they name: show the deletions of AccessEntries and entries of this controller that no file declares')
    .option('--server-dry-run', 'validate with the management cluster\'s API server (a dry-run create or update) instead of offline from the CRD')
    .addOption(new Option('--field-validation <mode>', 'how unknown fields are judged, as the API server\'s fieldValidation (kubectl apply uses Strict)').choices(FIELD_VALIDATION).default('Warn'))
    .option('--require-cluster-access', 'judge placement as a controller run with --require-cluster-access does')
    .option('--no-management-cluster', 'do not read the management cluster: no live objects or ClusterAccesses (needs --controller-id)');
  cmd
    .option('--region <region>', "the controller's --region: where an AccessEntry naming none goes, on a cluster no ClusterAccess names (default: AWS_REGION, then the profile's region)")
    .option('--profile <name>', 'named profile of your AWS config files (default: AWS_PROFILE, then the default chain)');
  withKubeOptions(cmd, 'the management cluster, where the controller runs');
  withControllerIdOption(cmd);
  cmd.option('--assume-role-name <name>', "reach each ClusterAccess's account through the role of this name there (holding deploy/iam/plan-readonly-policy.json) instead of the ClusterAccess's own role");
  withOutputFormatOption(cmd, FORMATS, 'text', 'text (colour on a terminal), json (a stable shape, for tools) or markdown (a pull-request comment)');
  withQuietOption(cmd);
  cmd.addHelpText('after', EXAMPLES.replaceAll('%PROG%', context.io.programName));
  cmd.action(async (options: ParsedOptions) => finish(await runPlanCommand(options, context)));
};

async function runPlanCommand(options: ParsedOptions, context: CliContext): Promise<ExitCode> {
  const format = readOutputFormat(options, FORMATS);
  const reporter = new Reporter(context.io, { quiet: readQuiet(options) });
  const assumeRoleName = stringOption(options, 'assumeRoleName');
  const management = await readManagementCluster({ ...readControllerIdOptions(options), use: options.managementCluster !== false, ...(assumeRoleName ? { assumeRoleName } : {}) });
  const awsOptions = readAwsOptions(options);
  const region = await requireRegion(awsOptions, context.env);
  const aws = connectAws({ ...awsOptions, region }, context.version);
  try {
    const request = {
      paths: Array.isArray(options.filename) ? (options.filename as string[]) : [],
      prune: options.prune === true,
      serverDryRun: options.serverDryRun === true,
      fieldValidation: (stringOption(options, 'fieldValidation') ?? 'Warn') as (typeof FIELD_VALIDATION)[number],
      defaultRegion: region,
      requireClusterAccess: options.requireClusterAccess === true,
    };
    const report = await runPlan(request, { io: context.io, management, eks: aws.eks, principals: aws.principals, reporter, now: new Date() });
    context.io.stdout(render(report, format, context.io.colour === true));
    return exitCode(report);
  } finally {
    aws.close();
  }
}

function render(report: PlanReport, format: (typeof FORMATS)[number], colour: boolean): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  return format === 'markdown' ? renderMarkdown(report) : renderText(report, colour);
}

/** terraform plan -detailed-exitcode: 1 an error (a refused document too), 2 changes pending, 0 none. */
export function exitCode(report: PlanReport): ExitCode {
  if (report.errors.length > 0 || report.summary.invalid > 0) return ExitCode.Error;
  return hasChanges(report) ? ExitCode.Incomplete : ExitCode.Ok;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
