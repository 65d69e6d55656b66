/**
 * What a command may touch: its two output streams. `main` passes process.stdout/stderr; tests
 * pass string collectors. Files named by options (--out, --trace) are written with node:fs.
 */
export interface OutputStream {
  write(chunk: string): unknown;
  /** True when the stream is a terminal (progress bars are drawn only then). */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /**
   * Asks the user a question on the terminal and resolves with the answer (null: no answer).
   * Present only when both standard input and standard error are a terminal; commands that would
   * ask otherwise need an option instead (`--yes`).
   */
  ask?: (question: string) => Promise<string | null>;
}

/**
 * An error the user can fix (bad option, unreadable file, invalid scenario): printed as
 * `wirelab: <message>` (each line of `lines` after it), no stack trace, exit code `exitCode`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
    readonly lines: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}
