/**
 * `wirelab sweep SCENARIO.json --set PATH=V1,V2 [--set ...] [--runs N] [--seed N] [--out FILE]`:
 * every combination of the values (first --set varies slowest), each run N times with seeds
 * seed, seed+1, ..., seed+N-1 (the same seeds for every combination, so differences between
 * combinations are not differences of luck). CSV: one row per run and flow, columns: each swept
 * path (as written), `run` (0-based), `seed`, then the flow columns of `wirelab run --format csv`.
 * Path rules: simulator/scenarios/sweep.ts (`link.lossPct` means `defaults.link.lossPct`).
 *
 * `--jobs N` runs N at a time on worker threads (../sweep-pool.ts; default: one per core);
 * `--shard K/N` runs one shard and writes a shard file that `wirelab sweep-merge` puts together
 * with the others (../sweep-shard.ts). The CSV is the same bytes whatever the jobs or shards.
 */
import { availableParallelism } from 'node:os';
import type { SweepParameter } from '../../scenarios/sweep.ts';
import { SweepError, applySet, cartesian, checkSweepSize, parseSet } from '../../scenarios/sweep.ts';
import { BUDGET_OPTIONS, BUDGET_USAGE, budgetsFrom, checkResources, confirmBigRun } from '../budgets.ts';
import { estimateRun, sumEstimates } from '../../scenarios/estimate.ts';
import { integerOption, parseOptions } from '../args.ts';
import { CliError } from '../io.ts';
import { ProgressBar } from '../progress.ts';
import { csvBody, csvHeader, FLOW_COLUMNS, flowRow, joinCsv } from '../result.ts';
import { checkScenario, readJsonFile } from '../scenario-file.ts';
import { runTasks, type SweepTask } from '../sweep-pool.ts';
import { inShard, parseShard, SHARD_SCHEMA_ID, shardJson, sweepId } from '../sweep-shard.ts';
import { writeOutput } from './run.ts';
import type { Command } from './types.ts';

const usage = `usage: wirelab sweep SCENARIO.json --set PATH=V1,V2,... [--set ...] [--runs N] [--seed N] [--out FILE]
                      [--jobs N] [--shard K/N]

Runs every combination of the --set values, N times each (seeds SEED .. SEED+N-1, default
SEED is the scenario's), and prints one CSV row per run and flow.
Paths: field names joined by dots; "link.X" means "defaults.link.X"; in "nodes", pick a node by
index or id: nodes.1.link.lossPct, nodes.sensor-1.up.latencyMs. Values are JSON (5, true, "5")
or plain text; a value cannot contain a comma. At most 1,000 runs in all (combinations x N).
Every variant is validated and its size estimated before any runs; the limits:
${BUDGET_USAGE}
  --jobs N          runs at a time, each on a worker thread (default: one per core, here
                    ${availableParallelism()}); --jobs 1 runs them one after another in this process
  --shard K/N       run only shard K of N (runs K-1, K-1+N, ...) and write a shard file (JSON)
                    instead of CSV; put the N files together with
                    wirelab sweep-merge SHARD... [--out FILE]
                    (the same bytes as the unsharded sweep's CSV, whatever N and the jobs)
Example: wirelab sweep tcp.json --set link.lossPct=0,1,5,10 --runs 3
Split across machines (a CI matrix, GNU parallel, a job array):
  wirelab sweep tcp.json --set link.lossPct=0,1,5,10 --runs 3 --shard 2/4 --out part-2.json
  wirelab sweep-merge part-*.json --out sweep.csv`;

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
        jobs: { type: 'string' },
        shard: { type: 'string' },
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
    const jobs = integerOption('jobs', values.jobs, 1) ?? availableParallelism();
    const shard = values.shard === undefined ? undefined : parseShard(values.shard);
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

    // Every run of the sweep, numbered in the order its rows are written; a shard keeps its own.
    const tasks: SweepTask[] = [];
    variants.forEach(({ scenario }, v) => {
      for (let run = 0; run < runs; run++) tasks.push({ index: v * runs + run, scenario, seed: seed0 + run, budgets });
    });
    const mine = shard === undefined ? tasks : tasks.filter((t) => inShard(t.index, shard));
    // Big in all (every run this command makes) but within the limits: asked first (or --yes).
    await confirmBigRun(sumEstimates(mine.map((t) => estimateRun(t.scenario))), file, values.yes, io);
    const bar = new ProgressBar(io.stderr, `sweep (${mine.length} runs${shard ? `, shard ${shard.index}/${shard.count}` : ''})`);
    let flowsByTask;
    try {
      flowsByTask = await runTasks(mine, jobs, (f) => bar.update(f));
    } finally {
      bar.done();
    }
    const columns = [...params.map((p) => p.name), 'run', 'seed', ...FLOW_COLUMNS];
    // Each run's rows are formatted on their own (../result.ts csvBody), so shards join exactly.
    const bodies = mine.map((task, i) => {
      const { combo } = variants[Math.floor(task.index / runs)]!;
      const run = task.index % runs;
      const swept = Object.fromEntries(params.map((p, j) => [p.name, cell(combo[j])]));
      return csvBody(flowsByTask[i]!.map((flow) => ({ ...swept, run, seed: task.seed, ...flowRow(flow) })), columns);
    });
    const text =
      shard === undefined
        ? joinCsv(csvHeader(columns), bodies)
        : shardJson({
            schema: SHARD_SCHEMA_ID,
            sweep: sweepId(json, values.set ?? [], runs, seed0),
            shard: `${shard.index}/${shard.count}`,
            runs: tasks.length,
            header: csvHeader(columns),
            rows: mine.map((t, i) => [t.index, bodies[i]!]),
          });
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
