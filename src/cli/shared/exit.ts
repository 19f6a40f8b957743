/**
 * How a command ends, as its exit status. `terraform plan -detailed-exitcode` and the migrate
 * issue agree on the meaning of 2: done, but look here before going on.
 */
export const ExitCode = {
  /** Done: everything asked for was written (or, for plan, nothing would change). */
  Ok: 0,
  /** An error: nothing was written. */
  Error: 1,
  /** Done, but some items were left out, each reported on stderr (plan: changes are pending). */
  Incomplete: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure the user can fix: its message says what went wrong and what to do, and is printed
 * as it is (no stack). Anything else that reaches the top is a bug and is printed with its stack.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
}
