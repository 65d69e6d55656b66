/** Reading a scenario file: every way it can be wrong ends in a CliError naming the problem. */
import { readFileSync, statSync } from 'node:fs';
import { LIMITS } from '../scenarios/limits.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { parseScenario } from '../scenarios/schema.ts';
import { CliError } from './io.ts';

/** Reads and parses JSON; unreadable files and bad JSON become one clear message. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    const size = statSync(path).isFile() ? statSync(path).size : 0;
    if (size > LIMITS.fileBytes) throw new CliError(`cannot read ${path}: it has ${size} bytes, more than a scenario may have (${LIMITS.fileBytes}) [limit fileBytes]`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError(`cannot read ${path}: ${why}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A validated scenario, or a CliError with one line per problem (`FILE: path: expected ...`). */
export function loadScenario(path: string): Scenario {
  return checkScenario(readJsonFile(path), path);
}

export function checkScenario(json: unknown, label: string): Scenario {
  const result = parseScenario(json);
  if (result.ok) return result.scenario;
  const n = result.errors.length;
  throw new CliError(
    `${label} is not a valid scenario (${n} problem${n === 1 ? '' : 's'}):`,
    2,
    result.errors.map((e) => `${label}: ${e}`),
  );
}
