/**
 * fast-check as the fuzz command sees it (vitest aliases `fast-check` to this file only when
 * WIRELAB_FC_RUNS_FACTOR is set): the same library, but every `fc.assert` and `fc.check` runs
 * WIRELAB_FC_RUNS_FACTOR times as many cases as its test asks for (fast-check's default of 100
 * when it names none). Local `numRuns` wins over `fc.configureGlobal`, hence this wrapper.
 */
// The real module by file path: the alias only catches the bare name `fast-check`.
import * as real from '../node_modules/fast-check/lib/fast-check.js';

const factor = Number(process.env['WIRELAB_FC_RUNS_FACTOR'] ?? '1');
if (!(factor >= 1)) throw new Error(`WIRELAB_FC_RUNS_FACTOR must be a number >= 1, got ${process.env['WIRELAB_FC_RUNS_FACTOR']}`);

type Params = { numRuns?: number } & Record<string, unknown>;
function scaled(params: Params | undefined): Params {
  const base = params?.numRuns ?? real.readConfigureGlobal()?.numRuns ?? 100;
  return { ...params, numRuns: Math.ceil(base * factor) };
}

export * from '../node_modules/fast-check/lib/fast-check.js';
export const assert = ((property: unknown, params?: Params) => real.assert(property as never, scaled(params) as never)) as typeof real.assert;
export const check = ((property: unknown, params?: Params) => real.check(property as never, scaled(params) as never)) as typeof real.check;
const fc = { ...real, assert, check };
export default fc;
