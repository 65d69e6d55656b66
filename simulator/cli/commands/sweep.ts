/**
 * `wirelab sweep SCENARIO.json --set PATH=V1,V2 [--set ...] [--runs N] [--seed N] [--out FILE]`:
 * every combination of the values (first --set varies slowest), each run N times with seeds
 * seed, seed+1, ..., seed+N-1 (the same seeds for every combination, so differences between
 * combinations are not differences of luck). CSV: one row per run and flow, columns: each swept
 * path (as written), `run` (0-based), `seed`, then the flow columns of `wirelab run --format csv`.
 * Path rules: simulator/scenarios/sweep.ts (`link.lossPct` means `defaults.link.lossPct`).
 */
import type { SweepParameter } from '../../scenarios/sweep.ts';
import { SweepError, applySet, cartesian, checkSweepSize, parseSet } from '../../scenarios/sweep.ts';
import { BUDGET_OPTIONS, BUDGET_USAGE, budgetsFrom, checkResources, confirmBigRun } from '../budgets.ts';
import { estimateRun, sumEstimates } from '../../scenarios/estimate.ts';
import { integerOption, parseOptions } from '../args.ts';
import { CliError } from '../io.ts';
import { ProgressBar } from '../progress.ts';
import { FLOW_COLUMNS, flowRow, toCsv } from '../result.ts';
import { checkScenario, readJsonFile } from '../scenario-file.ts';
import { simulate } from '../simulate.ts';
import { writeOutput } from './run.ts';
import type { Command } from './types.ts';

const usage = `usage: wirelab sweep SCENARIO.json --set PATH=V1,V2,... [--set ...] [--runs N] [--seed N] [--out FILE]

Runs every combination of the --set values, N times each (seeds SEED .. SEED+N-1, default
SEED is the scenario's), and prints one CSV row per run and flow.
Paths: field names joined by dots; "link.X" means "defaults.link.X"; in "nodes", pick a node by
index or id: nodes.1.link.lossPct, nodes.sensor-1.up.latencyMs. Values are JSON (5, true, "5")
or plain text; a value cannot contain a comma. At most 1,000 runs in all (combinations x N).
Every variant is validated and its size estimated before any runs; the limits:
${BUDGET_USAGE}
Example: wirelab sweep tcp.json --set link.lossPct=0,1,5,10 --runs 3`;

export const sweepCommand: Command = {
  summary: 'run a scenario over combinations of parameter values (CSV)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseOptions(
      args,
      {
        set: { type: 'string', multiple: true },
        runs: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        ...BUDGET_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) {
      io.stdout.write(`${usage}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new CliError(`expected one scenario file, got ${positionals.length}\n${usage}`);
    const runs = integerOption('runs', values.runs, 1) ?? 1;
    const seedOption = integerOption('seed', values.seed);
    const budgets = budgetsFrom(values);
    const file = positionals[0]!;
    const json = readJsonFile(file);
    const base = checkScenario(json, file);
    const seed0 = seedOption ?? base.seed;

    let params: SweepParameter[];
    const variants: { combo: unknown[]; scenario: ReturnType<typeof checkScenario> }[] = [];
    try {
      params = (values.set ?? []).map(parseSet);
      const names = new Set<string>();
      for (const p of params) {
        const key = p.path.join('.');
        if (names.has(key)) throw new SweepError(`--set ${p.name}: this path is set twice`);
        names.add(key);
      }
      checkSweepSize(params, runs);
      // Validate every variant before running any, so a bad value fails fast.
      for (const combo of cartesian(params)) {
        let variant = json;
        params.forEach((p, i) => (variant = applySet(variant, p, combo[i])));
        const label = `${file} with ${params.map((p, i) => `${p.name}=${JSON.stringify(combo[i])}`).join(' ')}`;
        const scenario = checkScenario(variant, label);
        checkResources(scenario, label, budgets);
        variants.push({ combo, scenario });
      }
    } catch (error) {
      if (error instanceof SweepError) throw new CliError(error.message);
      throw error;
    }

    // Big in all (every variant, every run) but within the limits: asked first (or --yes).
    await confirmBigRun(sumEstimates(variants.flatMap((v) => Array<ReturnType<typeof estimateRun>>(runs).fill(estimateRun(v.scenario)))), file, values.yes, io);
    const total = variants.length * runs;
    const bar = new ProgressBar(io.stderr, `sweep (${total} runs)`);
    const rows: Record<string, unknown>[] = [];
    try {
      let done = 0;
      for (const { combo, scenario } of variants) {
        for (let run = 0; run < runs; run++) {
          const seed = seed0 + run;
          const { report } = simulate(scenario, seed, { budgets, onProgress: (f) => bar.update((done + f) / total) });
          done++;
          const swept = Object.fromEntries(params.map((p, i) => [p.name, cell(combo[i])]));
          for (const flow of report.flows) rows.push({ ...swept, run, seed, ...flowRow(flow) });
        }
      }
    } finally {
      bar.done();
    }
    const columns = [...params.map((p) => p.name), 'run', 'seed', ...FLOW_COLUMNS];
    const text = toCsv(rows as Parameters<typeof toCsv>[0], columns);
    if (values.out !== undefined) writeOutput(values.out, text);
    else io.stdout.write(text);
    return 0;
  },
};

/** Swept values in a CSV cell: numbers and strings as they are, anything else as JSON. */
function cell(value: unknown): string | number | boolean | null {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}
