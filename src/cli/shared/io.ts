// Where the command line reads and writes: the process in production, strings in unit tests.
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';

export interface CliIo {
  /** The documents (or tables) a command produces: nothing else goes here. */
  stdout(chunk: string): void;
  /** Reports, notes, progress and errors, for the person running it. */
  stderr(chunk: string): void;
  /** The whole of standard input (for `--from-file -`). */
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
  /** The directory relative paths are read from and written to. */
  cwd: string;
  /** The program name in help and messages: `kubectl access-entries` when run as a kubectl plugin. */
  programName: string;
  /** Whether stdout is a terminal that takes colour (not piped, NO_COLOR unset, TERM not dumb). */
  colour?: boolean;
}

export const CLI_NAME = 'eks-access-entries';
/** kubectl finds plugins by this file name and runs them as `kubectl access-entries`. */
export const KUBECTL_PLUGIN_FILE = 'kubectl-access_entries';

/** The process's own streams and files. */
export function processIo(argv1: string | undefined): CliIo {
  return {
    stdout: (chunk) => process.stdout.write(chunk),
    stderr: (chunk) => process.stderr.write(chunk),
    readStdin: () => text(process.stdin),
    readFile: (path) => readFile(path, 'utf8'),
    cwd: process.cwd(),
    programName: programNameOf(argv1),
    colour: process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
  };
}

/** kubectl runs a plugin under its file name; users typed `kubectl access-entries`, so help says that. */
export function programNameOf(argv1: string | undefined): string {
  const file = (argv1 ?? '').split(/[\\/]/).pop() ?? '';
  return file.startsWith(KUBECTL_PLUGIN_FILE) ? 'kubectl access-entries' : CLI_NAME;
}
