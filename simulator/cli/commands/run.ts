/** `wirelab run SCENARIO.json`: one run, its metrics as JSON or CSV, optionally its trace as CSV. */
import { writeFileSync } from 'node:fs';
import { choiceOption, integerOption, parseOptions } from '../args.ts';
import { CliError } from '../io.ts';
import { BUDGET_OPTIONS, BUDGET_USAGE, budgetsFrom, checkResources, confirmBigRun } from '../budgets.ts';
import { estimateRun } from '../../scenarios/estimate.ts';
import { ProgressBar } from '../progress.ts';
import { flowsCsv, resultJson, traceCsv } from '../result.ts';
import { loadScenario } from '../scenario-file.ts';
import { simulate } from '../simulate.ts';
import { DEFAULT_TRACE_PACKET_LIMIT } from '../../core/trace.ts';
import type { Command } from './types.ts';

const usage = `usage: wirelab run SCENARIO.json [--seed N] [--format json|csv] [--out FILE] [--trace FILE.csv] [--trace-limit N]
                    [--max-events N] [--max-messages N] [--memory-mb N] [--yes]

Runs the scenario and prints its result (schema wirelab/result@1):
  --seed N          run seed (default: the scenario's "seed")
  --format json     {"schema","scenario","seed","flows","links"} (default)
  --format csv      one row per flow
  --out FILE        write the result to FILE instead of standard output
  --trace FILE.csv  also write every trace record, one row each (t in microseconds); without it
                    no trace is kept: the metrics are computed while the run goes
  --trace-limit N   with --trace, keep only the newest N packet records (default 1,000,000:
                    bounded memory for big runs; the metrics still count every record)
${BUDGET_USAGE}
A scenario whose estimate passes a limit is refused before it runs (exit 2); a run that passes
its event or memory budget is stopped (exit 1). docs/ARCHITECTURE.md "Limits" lists them all.
The same scenario and seed give byte-identical output.`;

export const runCommand: Command = {
  summary: 'run a scenario and print its metrics (JSON or CSV)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseOptions(
      args,
      {
        seed: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        trace: { type: 'string' },
        'trace-limit': { type: 'string' },
        ...BUDGET_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) {
      io.stdout.write(`${usage}\n`);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new CliError(`expected one scenario file, got ${positionals.length}\n${usage}`);
    }
    const format = choiceOption('format', values.format, ['json', 'csv'] as const, 'json');
    const seedOption = integerOption('seed', values.seed);
    const traceLimit = integerOption('trace-limit', values['trace-limit']);
    const budgets = budgetsFrom(values);
    const scenario = loadScenario(positionals[0]!);
    const seed = seedOption ?? scenario.seed;
    // Past a limit: refused. Within, but big: asked (or --yes), as the Lab asks.
    checkResources(scenario, positionals[0]!, budgets);
    await confirmBigRun(estimateRun(scenario), positionals[0]!, values.yes, io);

    const bar = new ProgressBar(io.stderr, 'running');
    let sim;
    try {
      sim = simulate(scenario, seed, {
        budgets,
        label: positionals[0]!,
        onProgress: (f) => bar.update(f),
        keepTrace: values.trace !== undefined,
        ...(traceLimit !== undefined ? { traceLimit } : {}),
      });
    } finally {
      bar.done();
    }
    if (sim.droppedTraceRecords > 0) {
      io.stderr.write(
        `wirelab run: note: the trace file holds the newest ${traceLimit ?? DEFAULT_TRACE_PACKET_LIMIT} packet records; ${sim.droppedTraceRecords} older ones were let go (--trace-limit); the metrics count them all\n`,
      );
    }
    const text = format === 'json' ? resultJson(sim.report) : flowsCsv(sim.report.flows);
    if (values.trace !== undefined && sim.trace) writeOutput(values.trace, traceCsv(sim.trace.records()));
    if (values.out !== undefined) writeOutput(values.out, text);
    else io.stdout.write(text);
    return 0;
  },
};

export function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`);
  }
}
