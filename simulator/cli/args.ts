/**
 * Option parsing for commands: node:util's parseArgs in strict mode, with its errors turned into
 * CliError (exit 2) and the command's usage.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { CliError } from './io.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseOptions<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`${message}\n${usage}`);
  }
}

/** A non-negative integer option (seeds, counts); `undefined` when absent. */
export function integerOption(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new CliError(`--${name}: expected an integer of at least ${min}, got "${value}"`);
  }
  return n;
}

/** One of a fixed list of values. */
export function choiceOption<T extends string>(name: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new CliError(`--${name}: expected one of ${choices.join(', ')}, got "${value}"`);
  }
  return value as T;
}
