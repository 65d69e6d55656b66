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
