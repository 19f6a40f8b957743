// What a command tells the person running it, on stderr: one line per item it left out (why, and
// what to do), warnings about what it wrote, notes, and progress through long work. Everything
// but progress is kept until the command ends and then printed in the order the command added it,
// so concurrent work cannot shuffle the lines: the same input gives the same report.
import { ExitCode } from './exit.ts';
import type { CliIo } from './io.ts';

export interface ReportLine {
  kind: 'skipped' | 'warning' | 'note';
  text: string;
}

export class Reporter {
  readonly #lines: ReportLine[] = [];

  constructor(
    private readonly io: Pick<CliIo, 'stderr'>,
    private readonly options: { quiet: boolean },
  ) {}

  /** An item that was not written: `subject` names it, `reason` says why, `action` what to do. */
  skipped(subject: string, reason: string, action: string): void {
    this.#lines.push({ kind: 'skipped', text: `skipped ${subject}: ${reason}; ${action}` });
  }

  /** Something written that the user must check before merging. */
  warning(text: string): void {
    this.#lines.push({ kind: 'warning', text: `warning: ${text}` });
  }

  /** Worth knowing, nothing to do; `-q` hides it. */
  note(text: string): void {
    this.#lines.push({ kind: 'note', text: `note: ${text}` });
  }

  /** Printed at once (long work should show it is moving); `-q` hides it. */
  progress(text: string): void {
    if (!this.options.quiet) this.io.stderr(`${text}\n`);
  }

  get skippedCount(): number {
    return this.#lines.filter((line) => line.kind === 'skipped').length;
  }

  lines(): readonly ReportLine[] {
    return this.#lines;
  }

  /** Prints what was kept, then `summary` (unless quiet), and gives the exit code it all means. */
  finish(summary: string): ExitCode {
    for (const line of this.#lines) {
      if (line.kind !== 'note' || !this.options.quiet) this.io.stderr(`${line.text}\n`);
    }
    if (!this.options.quiet) this.io.stderr(`${summary}\n`);
    return this.skippedCount > 0 ? ExitCode.Incomplete : ExitCode.Ok;
  }
}

/**
 * Progress through `total` steps of one kind of work, by count (never by time, so the same run
 * prints the same lines): a line at the start, about every tenth of the way, and at the end.
 * Short work prints nothing.
 */
export class Progress {
  #done = 0;
  readonly #every: number;

  constructor(
    private readonly reporter: Reporter,
    private readonly label: string,
    private readonly total: number,
  ) {
    this.#every = Math.max(1, Math.ceil(total / 10));
    if (this.#shown()) reporter.progress(`${label}: 0/${total}`);
  }

  step(): void {
    this.#done += 1;
    if (this.#shown() && (this.#done % this.#every === 0 || this.#done === this.total)) {
      this.reporter.progress(`${this.label}: ${this.#done}/${this.total}`);
    }
  }

  #shown(): boolean {
    return this.total >= MIN_STEPS_SHOWN;
  }
}

/** Below this many steps the work is over before anyone would look. */
const MIN_STEPS_SHOWN = 20;
