// `report`: who has which access on which cluster, across accounts, and who manages each entry.
import type { CliContext, RegisterCommand } from '../program.ts';
import { connectAws, resolveRegion } from '../shared/aws.ts';
import { checkClusterName } from '../shared/cluster-name.ts';
import type { ExitCode } from '../shared/exit.ts';
import { readManagementCluster } from '../shared/management.ts';
import { readAwsOptions, readControllerIdOptions, readOutputFormat, readQuiet, stringOption, withAwsOptions, withControllerIdOption, withKubeOptions, withOutputFormatOption, withQuietOption, type ParsedOptions } from '../shared/options.ts';
import { Reporter } from '../shared/report.ts';
import { collectCluster } from './collect.ts';
import { REPORT_FORMAT_VERSION, type AccessReport } from './model.ts';
import { renderCsv, renderMarkdown, renderText } from './render.ts';
import { reportTargets } from './targets.ts';

const FORMATS = ['text', 'json', 'csv', 'markdown'] as const;
const DEFAULT_SDK_REGION = 'us-east-1';

const EXAMPLES = `
Examples:
  # Every entry of every cluster the controller's ClusterAccesses reach
  %PROG% report --all-clusters --context management -o csv > access.csv

  # Where can this role get in, and with what?
  %PROG% report --all-clusters --principal arn:aws:iam::111122223333:role/oncall

  # One cluster, with the current AWS credentials (no ClusterAccess names it)
  %PROG% report --cluster prod --region eu-west-1 --controller-id platform --no-management-cluster

It only reads (the same actions as plan: deploy/iam/plan-readonly-policy.json). A cluster it cannot
reach is reported on stderr and the others are still listed.

Exit status: 0 every cluster was read; 2 some could not be (each on stderr, with why); 1 an error.`;

export const registerReport: RegisterCommand = (program, context, finish) => {
  const cmd = program
    .command('report')
    .summary('who has which access on which cluster, and who manages it (reads only)')
    .description(
      'Lists every access entry of each cluster: principal, type, groups, username, access policies with their scopes, and ' +
        'whether this installation\'s controller manages it, another installation does, or nobody (made by hand, by EKS or another tool).',
    )
    .option('--cluster <name>', 'a cluster to report on, reached through its ClusterAccesses or else the current credentials and --region; repeatable', collect)
    .option('--all-clusters', 'every cluster the management cluster\'s ClusterAccesses name')
    .option('--principal <arn>', 'only the entries of this IAM role or user (whatever path the entry gives it)')
    .option('--no-management-cluster', 'do not read the management cluster (no ClusterAccesses; needs --controller-id)');
  withAwsOptions(cmd);
  withKubeOptions(cmd, 'the management cluster, where the controller runs');
  withControllerIdOption(cmd);
  cmd.option('--assume-role-name <name>', "reach each ClusterAccess's account through the role of this name there (holding deploy/iam/plan-readonly-policy.json) instead of the ClusterAccess's own role");
  withOutputFormatOption(cmd, FORMATS, 'text', 'text, json (entries[]), csv or markdown');
  withQuietOption(cmd);
  cmd.addHelpText('after', EXAMPLES.replaceAll('%PROG%', context.io.programName));
  cmd.action(async (options: ParsedOptions) => finish(await runReport(options, context)));
};

async function runReport(options: ParsedOptions, context: CliContext): Promise<ExitCode> {
  const format = readOutputFormat(options, FORMATS);
  const reporter = new Reporter(context.io, { quiet: readQuiet(options) });
  const clusters = (Array.isArray(options.cluster) ? (options.cluster as string[]) : []).map(checkClusterName);
  const assumeRoleName = stringOption(options, 'assumeRoleName');
  const management = await readManagementCluster({ ...readControllerIdOptions(options), use: options.managementCluster !== false, ...(assumeRoleName ? { assumeRoleName } : {}) });
  const awsOptions = readAwsOptions(options);
  const region = await resolveRegion(awsOptions, context.env);
  const targets = reportTargets({ clusters, allClusters: options.allClusters === true, region }, management);
  // Each cluster's clients are made for its own region; this one only seeds the connection.
  const aws = connectAws({ ...awsOptions, region: region ?? targets[0]?.region ?? DEFAULT_SDK_REGION }, context.version);
  try {
    const principal = stringOption(options, 'principal');
    const deps = { eks: aws.eks, controllerId: management.controllerId, ...(principal ? { principal } : {}) };
    const read = [];
    for (const target of targets) {
      reporter.progress(`reading cluster ${target.clusterName} in ${target.region}${viaAccess(target.clusterAccess)}`);
      read.push(await collectCluster(target, deps));
    }
    const report = assemble(management.controllerId, read);
    for (const cluster of report.clusters) {
      if (cluster.error !== undefined) reporter.skipped(`cluster ${cluster.cluster} in ${cluster.region}`, cluster.error, 'the other clusters are listed');
    }
    if (!management.reachable && management.note) reporter.note(`the management cluster was ${management.note}`);
    context.io.stdout(render(report, format));
    return reporter.finish(`report: ${report.entries.length} entries on ${report.clusters.filter((c) => c.error === undefined).length} clusters`);
  } finally {
    aws.close();
  }
}

function viaAccess(name: string | undefined): string {
  return name ? ` (ClusterAccess ${name})` : '';
}

/** One row per entry, whatever number of routes reached it (an entry is keyed by its ARN). */
function assemble(controllerId: string, read: Awaited<ReturnType<typeof collectCluster>>[]): AccessReport {
  const seen = new Set<string>();
  const entries = read.flatMap((result) => result.entries).filter((entry) => {
    const key = `${entry.account}|${entry.region}|${entry.cluster}|${entry.principalArn}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  entries.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.region.localeCompare(b.region) || a.account.localeCompare(b.account) || a.principalArn.localeCompare(b.principalArn));
  return { formatVersion: REPORT_FORMAT_VERSION, controllerId, clusters: read.map((result) => result.cluster), entries };
}

function render(report: AccessReport, format: (typeof FORMATS)[number]): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv':
      return renderCsv(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'text':
      return renderText(report);
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
