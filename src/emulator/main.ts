// CLI: `npm run emulator -- --port 4566 --cluster demo`. One JSON log line per EKS, STS or IAM call.
import { once } from 'node:events';
import pino from 'pino';
import { parseCli, USAGE } from './cli-args.ts';
import { startEmulator } from './index.ts';

async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCli(argv);
  } catch (error) {
    process.stderr.write(`eks-emulator: ${(error as Error).message}\nRun with --help for the list of options.\n`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const { config } = command;
  const logger = pino({ name: 'eks-emulator', level: config.logLevel });
  const emulator = await startEmulator({ ...config, logger });
  for (const { accessKeyId, accountId } of config.accessKeys) emulator.state.setAccountForAccessKey(accessKeyId, accountId);
  for (const { name, ...location } of config.clusters) emulator.state.createCluster(name, location);
  for (const { roleArn, ...trust } of config.roleTrusts) emulator.state.setRoleTrust(roleArn, trust);
  for (const arn of config.iamPrincipals) emulator.state.iam.createPrincipal(arn);
  logger.info(
    {
      endpoint: emulator.endpoint,
      clusters: config.clusters,
      accountId: config.accountId,
      accessKeys: config.accessKeys,
      defaultRegion: config.defaultRegion,
      associationDelayMs: config.associationDelayMs,
      roleTrusts: config.roleTrusts,
      iamPrincipals: config.iamPrincipals,
      implicitPrincipals: config.implicitPrincipals,
      ...(emulator.auditFile === undefined ? {} : { auditFile: emulator.auditFile }),
    },
    `EKS emulator listening on ${emulator.endpoint}`,
  );
  const [signal] = (await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])) as [NodeJS.Signals];
  logger.info({ signal }, 'EKS emulator shutting down');
  await emulator.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`eks-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
