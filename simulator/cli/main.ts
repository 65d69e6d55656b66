/**
 * Entry point of the `wirelab` command (bin/wirelab.mjs). Returns the process exit code:
 * 0 success, 1 bad input data or a failed run, 2 usage errors and invalid files.
 * Errors the user can fix are printed as `wirelab: ...` without a stack trace.
 */
import { printable } from '../core/printable.ts';
import { commands } from './commands/index.ts';
import type { CliIo } from './io.ts';
import { CliError } from './io.ts';

export type { CliIo, OutputStream } from './io.ts';
export { CliError } from './io.ts';

/** The real streams. A reader that stops early (`wirelab schema | head`) ends the command quietly, as Unix tools do. */
function processIo(): CliIo {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return { stdout: process.stdout, stderr: process.stderr, ...(interactive ? { ask } : {}) };
}

/** One question on the terminal (stderr, so stdout stays the result); null when input ends. */
async function ask(question: string): Promise<string | null> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)));
    return await Promise.race([rl.question(printable(question, { keepNewlines: true })), closed]);
  } finally {
    rl.close();
  }
}

export function usage(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: wirelab COMMAND [options]',
    '',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${commands[n]!.summary}`),
    '',
    'wirelab COMMAND --help shows the options of one command.',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    const command = args[0] === undefined ? undefined : commands[args[0]];
    io.stdout.write(`${command?.usage ?? usage()}\n`);
    return 0;
  }
  if (name === undefined) {
    io.stderr.write(`${usage()}\n`);
    return 2;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`wirelab: unknown command "${printable(name)}"\n${usage()}\n`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof CliError) {
      // Whatever a message quotes from the user (names, values, paths) reaches the terminal escaped.
      io.stderr.write(`wirelab ${name}: ${printable(error.message, { keepNewlines: true })}\n`);
      for (const line of error.lines) io.stderr.write(`${printable(line)}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.stderr.write(`wirelab ${name}: internal error: ${printable(message, { keepNewlines: true })}\n`);
    if (process.env['WIRELAB_DEBUG'] && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    else io.stderr.write('(set WIRELAB_DEBUG=1 to see where; please report it)\n');
    return 1;
  }
}
