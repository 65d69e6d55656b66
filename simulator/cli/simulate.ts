/** One run of a validated scenario, as the CLI does it: runtime, then metrics. */
import type { TraceRecord } from '../core/trace.ts';
import { computeMetrics } from '../metrics/index.ts';
import { RoleNotSupported, runScenario } from '../runtime/run.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { Budgets } from './budgets.ts';
import { budgetStop, checkResources, DEFAULT_BUDGETS, nodeMemoryProbe } from './budgets.ts';
import { CliError } from './io.ts';
import type { RunReport } from './result.ts';
import { RESULT_SCHEMA_ID } from './result.ts';

export interface Simulation {
  report: RunReport;
  trace: TraceRecord[];
  /** Packet-level records let go because of `traceLimit`. */
  droppedTraceRecords: number;
}

export interface SimulateOptions {
  onProgress?: (fraction: number) => void;
  /** Keep only the newest N packet-level records (bounded memory); link and wire-byte counts become partial. */
  traceLimit?: number;
  /** The run limits (./budgets.ts); default the documented ones. */
  budgets?: Budgets;
  /** How the scenario is named in a refusal (default "the scenario"). */
  label?: string;
}

export function simulate(scenario: Scenario, seed: number, options: SimulateOptions = {}): Simulation {
  let trace: TraceRecord[];
  let droppedTraceRecords: number;
  const budgets = options.budgets ?? DEFAULT_BUDGETS;
  checkResources(scenario, options.label ?? 'the scenario', budgets);
  try {
    const run = runScenario(scenario, {
      seed,
      eventBudget: budgets.eventBudget,
      memory: { budgetBytes: budgets.memoryBytes, probe: nodeMemoryProbe },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.traceLimit !== undefined ? { traceLimit: options.traceLimit } : {}),
    });
    trace = run.trace;
    droppedTraceRecords = run.droppedTraceRecords;
  } catch (error) {
    if (error instanceof RoleNotSupported) {
      throw new CliError(`node "${error.node}": role "${error.role}" is not yet supported by the simulator`);
    }
    const stop = budgetStop(error);
    if (stop) throw stop;
    // Roles check their own options when they are built and throw a RangeError naming the node
    // and the field ("node "x": ws.rooms must be ..."): that is a problem of the scenario file.
    if (error instanceof RangeError && / must be /.test(error.message) && scenario.nodes.some((n) => error.message.includes(`"${n.id}"`))) {
      throw new CliError(`invalid scenario: ${error.message}`);
    }
    throw error;
  }
  const { flows, links } = computeMetrics(trace);
  return { report: { schema: RESULT_SCHEMA_ID, scenario, seed, flows, links }, trace, droppedTraceRecords };
}
