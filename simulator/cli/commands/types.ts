import type { CliIo } from '../io.ts';

/**
 * One `wirelab` command. `run` gets the arguments after the command name and returns the exit
 * code: 0 success, 1 the input was understood but is bad (e.g. undecodable bytes), 2 usage
 * errors and invalid files. Throw CliError for anything the user can fix; main prints it
 * without a stack trace.
 */
export interface Command {
  /** One line for `wirelab --help`. */
  summary: string;
  /** Full usage, printed by `wirelab COMMAND --help` and after usage errors. */
  usage?: string;
  run(args: string[], io: CliIo): Promise<number>;
}
