/**
 * One run of a validated scenario, as the CLI does it. The metrics are reduced while the run goes
 * (simulator/metrics); the trace is kept, as columns, only when the caller asks (`keepTrace`).
 */
import type { TraceStore } from '../core/trace-store.ts';
import { MetricsReducer } from '../metrics/index.ts';
import { RoleNotSupported, runScenario } from '../runtime/run.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { Budgets } from './budgets.ts';
import { budgetStop, checkResources, DEFAULT_BUDGETS, nodeMemoryProbe } from './budgets.ts';
import { CliError } from './io.ts';
import type { RunReport } from './result.ts';
import { RESULT_SCHEMA_ID } from './result.ts';

export interface Simulation {
  report: RunReport;
  /** The kept trace, with `keepTrace`. */
  trace: TraceStore | undefined;
  /** Records the run emitted (all counted by the metrics), kept or not. */
  recordsEmitted: number;
  /** Packet-level records let go because of `traceLimit`. */
  droppedTraceRecords: number;
}

export interface SimulateOptions {
  onProgress?: (fraction: number) => void;
  /** Keep the trace (default: no, the metrics need none of it). */
  keepTrace?: boolean;
  /** With keepTrace, keep only the newest N packet-level records (bounded memory); the metrics still count every record. */
  traceLimit?: number;
  /** The run limits (./budgets.ts); default the documented ones. */
  budgets?: Budgets;
  /** How the scenario is named in a refusal (default "the scenario"). */
  label?: string;
}

export function simulate(scenario: Scenario, seed: number, options: SimulateOptions = {}): Simulation {
  let run: ReturnType<typeof runScenario>;
  const metrics = new MetricsReducer();
  const budgets = options.budgets ?? DEFAULT_BUDGETS;
  checkResources(scenario, options.label ?? 'the scenario', budgets);
  try {
    run = runScenario(scenario, {
      seed,
      keepTrace: options.keepTrace ?? false,
      sinks: [metrics],
      eventBudget: budgets.eventBudget,
      memory: { budgetBytes: budgets.memoryBytes, probe: nodeMemoryProbe },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.traceLimit !== undefined ? { traceLimit: options.traceLimit } : {}),
    });
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
  const { flows, links } = metrics.result();
  return {
    report: { schema: RESULT_SCHEMA_ID, scenario, seed, flows, links },
    trace: run.traceStore,
    recordsEmitted: run.recordsEmitted,
    droppedTraceRecords: run.droppedTraceRecords,
  };
}
