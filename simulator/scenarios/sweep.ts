/**
 * Parameter sweeps: `--set PATH=V1,V2,...` (repeatable) over a scenario, expanded to the
 * cartesian product of the values, first `--set` varying slowest.
 *
 * Path rules (applied to the scenario JSON before it is validated, so every variant is checked):
 * - Dot-separated field names: `durationS`, `defaults.link.latencyMs`.
 * - A path starting with `link.` means the defaults: `link.lossPct` is `defaults.link.lossPct`.
 * - In `nodes`, the next part picks a node by index (`nodes.1.link.lossPct`, or `nodes[1]...`)
 *   or by id (`nodes.sensor-1.link.lossPct`). Other lists take an index (`...publish.0.qos`).
 * - Missing objects on the way are created (`nodes.dash.up.lossPct` adds `up`).
 * - A path part may not be `__proto__`, `constructor` or `prototype` (./json-shape.ts): setting
 *   one would reach JavaScript's object machinery rather than a field.
 * - At most LIMITS.sweepRuns runs in all (combinations x runs), checked before any is built.
 * - Values are split on commas (so a value cannot contain one); each is read as JSON when it
 *   parses (`5`, `1.5`, `true`, `null`, `"3.1.1"`, `[1,2]`), else kept as a string (`5` is the
 *   number 5, `"5"` the string).
 */

import { FORBIDDEN_KEYS } from './json-shape.ts';
import { LIMITS } from './limits.ts';

export interface SweepParameter {
  /** The path as the user wrote it (used as the CSV column name). */
  name: string;
  /** The path after the rules above, as object keys and array indexes. */
  path: (string | number)[];
  values: unknown[];
}

export class SweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepError';
  }
}

/** Parses one `PATH=V1,V2` argument. */
export function parseSet(arg: string): SweepParameter {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new SweepError(`--set ${arg}: expected PATH=VALUE[,VALUE...], e.g. link.lossPct=0,1,5`);
  const name = arg.slice(0, eq).trim();
  const raw = arg.slice(eq + 1);
  if (raw.trim() === '') throw new SweepError(`--set ${name}: expected at least one value after "="`);
  const parts = name.replace(/\[(\d+)\]/g, '.$1').split('.');
  if (parts.some((p) => p === '')) throw new SweepError(`--set ${name}: expected a path like defaults.link.lossPct`);
  const bad = parts.find((p) => FORBIDDEN_KEYS.has(p));
  if (bad !== undefined) throw new SweepError(`--set ${name}: "${bad}" is not a field name a scenario may have`);
  const path: (string | number)[] = parts[0] === 'link' ? ['defaults', ...parts] : parts;
  return { name, path, values: raw.split(',').map(parseValue) };
}

function parseValue(text: string): unknown {
  const t = text.trim();
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}

/** How many runs a sweep makes (combinations x runs), without building the combinations. */
export function sweepSize(params: readonly SweepParameter[], runs: number): number {
  return params.reduce((n, p) => n * p.values.length, 1) * runs;
}

/** Refuses a sweep of more than LIMITS.sweepRuns runs, naming the counts. */
export function checkSweepSize(params: readonly SweepParameter[], runs: number): void {
  const total = sweepSize(params, runs);
  if (total <= LIMITS.sweepRuns) return;
  const combos = params.map((p) => p.values.length).join(' x ');
  throw new SweepError(
    `the sweep would make ${total.toLocaleString('en-US')} runs (${combos || '1'} combinations x ${runs} runs), over the limit of ${LIMITS.sweepRuns.toLocaleString('en-US')} [limit sweepRuns]: sweep fewer values, or split it into several sweeps`,
  );
}

/** Every combination of the parameters' values, as `values[i]` for parameter i. */
export function cartesian(params: readonly SweepParameter[]): unknown[][] {
  let combos: unknown[][] = [[]];
  for (const p of params) combos = combos.flatMap((c) => p.values.map((v) => [...c, v]));
  return combos;
}

/** A deep copy of `scenario` with `value` set at `param.path` (see the path rules above). */
export function applySet(scenario: unknown, param: SweepParameter, value: unknown): unknown {
  // The scenario is plain JSON, so a JSON round trip is a faithful deep copy.
  const copy = JSON.parse(JSON.stringify(scenario)) as Record<string, unknown>;
  if (copy === null || typeof copy !== 'object' || Array.isArray(copy)) throw new SweepError('the scenario is not a JSON object');
  let cur: unknown = copy;
  const where: string[] = [];
  for (let i = 0; i < param.path.length; i++) {
    const key = param.path[i]!;
    const last = i === param.path.length - 1;
    if (Array.isArray(cur)) {
      const index = arrayIndex(cur, key, where.at(-1));
      if (index === undefined) {
        throw new SweepError(`--set ${param.name}: ${where.join('.')} has no element "${key}"${where.at(-1) === 'nodes' ? ' (neither an index nor a node id)' : ''}`);
      }
      where.push(String(index));
      if (last) cur[index] = value;
      else cur = cur[index];
      continue;
    }
    if (cur === null || typeof cur !== 'object') {
      throw new SweepError(`--set ${param.name}: ${where.join('.')} is not an object`);
    }
    const obj = cur as Record<string, unknown>;
    const k = String(key);
    where.push(k);
    // Own fields only: an inherited name (toString, valueOf) is no field of the scenario.
    if (last) Object.defineProperty(obj, k, { value, enumerable: true, writable: true, configurable: true });
    else {
      if (!Object.hasOwn(obj, k)) Object.defineProperty(obj, k, { value: {}, enumerable: true, writable: true, configurable: true });
      cur = obj[k];
    }
  }
  return copy;
}

function arrayIndex(list: unknown[], key: string | number, listName: string | undefined): number | undefined {
  const s = String(key);
  if (/^\d+$/.test(s)) {
    const i = Number(s);
    return i < list.length ? i : undefined;
  }
  if (listName === 'nodes') {
    const i = list.findIndex((n) => n !== null && typeof n === 'object' && (n as { id?: unknown }).id === s);
    return i < 0 ? undefined : i;
  }
  return undefined;
}
