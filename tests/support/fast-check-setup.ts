/**
 * Every property test runs with a fixed seed (vitest `setupFiles`), so `npm test` checks the same
 * cases on every machine and every run: a property either always passes or always fails.
 *
 * Run counts are fixed too: each `fc.assert` either names its `numRuns` or gets fast-check's
 * default of 100. Exploring new cases is a separate command, `npm run fuzz` (fuzz/run.ts), which
 * sets WIRELAB_FC_SEED to a fresh random seed and WIRELAB_FC_RUNS_FACTOR to scale every run count
 * (fuzz/fast-check.ts), and prints the line that replays a failure. Every seed that found a bug
 * becomes a fixed regression test.
 */
import fc from 'fast-check';

/** The seed `npm test` uses. Changing it changes which cases every property checks. */
export const FIXED_SEED = 20_261_206;

const fromEnv = process.env['WIRELAB_FC_SEED'];
const seed = fromEnv === undefined || fromEnv === '' ? FIXED_SEED : Number(fromEnv);
if (!Number.isSafeInteger(seed)) throw new Error(`WIRELAB_FC_SEED must be an integer, got ${JSON.stringify(fromEnv)}`);
const path = process.env['WIRELAB_FC_PATH'];

fc.configureGlobal({ seed, ...(path ? { path } : {}) });

/** How many times its usual cases a property runs (npm run fuzz raises it): scale a property test's timeout by it. */
export const fuzzFactor = Number(process.env['WIRELAB_FC_RUNS_FACTOR'] || '1');
