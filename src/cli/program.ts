// The command line: one program, subcommands registered from one list, and one place that turns
// how a command ended into an exit code. plan and report slot in beside migrate and import.
import { Command, CommanderError } from 'commander';
import { registerImport } from './import/command.ts';
import { registerMigrate } from './migrate/command.ts';
import { registerPlan } from './plan/command.ts';
import { registerReport } from './report/command.ts';
import { CliError, ExitCode } from './shared/exit.ts';
import type { CliIo } from './shared/io.ts';
import { packageVersion } from './shared/version.ts';

/** What every subcommand gets: where to read and write, the environment, the version. */
export interface CliContext {
  io: CliIo;
  env: NodeJS.ProcessEnv;
  version: string;
}

/** Adds one subcommand to the program; its action resolves with the exit code it means. */
export type RegisterCommand = (program: Command, context: CliContext, finish: (code: ExitCode) => void) => void;

const SUBCOMMANDS: readonly RegisterCommand[] = [registerMigrate, registerImport, registerPlan, registerReport];

const DESCRIPTION = `Brings the access your teams already have into Git as AccessEntry resources of eks-access-entry-controller,
shows what the controller would do with a change before it is merged (plan), and who has which access where (report).
It only reads: it never changes a cluster, EKS or IAM.`;

/** Runs the command line to its end; resolves with the exit code (never throws). */
export async function runCli(argv: readonly string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const context: CliContext = { io, env, version: packageVersion() };
  let code: ExitCode = ExitCode.Ok;
  const program = buildProgram(context, (result) => (code = result));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    return failed(err, io);
  }
}

export function buildProgram(context: CliContext, finish: (code: ExitCode) => void): Command {
  const program = new Command(context.io.programName)
    .description(DESCRIPTION)
    .version(context.version, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand(false)
    .showHelpAfterError('(add --help for usage)')
    // Commander's own errors (an unknown flag, a missing value) come back as exceptions, not exits.
    .exitOverride()
    .configureOutput({ writeOut: (text) => context.io.stdout(text), writeErr: (text) => context.io.stderr(text) });
  for (const register of SUBCOMMANDS) register(program, context, finish);
  return program;
}

function failed(err: unknown, io: CliIo): ExitCode {
  if (err instanceof CommanderError) {
    // --help and --version end here too, successfully; commander already printed its message.
    return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Error;
  }
  if (err instanceof CliError) io.stderr(`${io.programName}: error: ${err.message}\n`);
  else io.stderr(`${io.programName}: unexpected error (a bug; please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return ExitCode.Error;
}
