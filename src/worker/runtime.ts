/**
 * The seam between the worker and simulator/runtime: runs a validated scenario and hands back its
 * metrics (reduced while the run went), its whole trace (as typed columns, read in slices) and
 * simulated length, with progress as `RunProgress`.
 *
 * Pure (no DOM, no worker globals), so the Node test that compares a browser run with a CLI run
 * runs scenarios through exactly this code.
 */
import { DEFAULT_EVENT_BUDGET } from '../../simulator/core/budget.ts';
import { TRACE_FIELDS, TRACE_KINDS, type TraceStore } from '../../simulator/core/trace-store.ts';
import { MetricsReducer, type Metrics } from '../../simulator/metrics/index.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { estimateRun } from '../../simulator/scenarios/estimate.ts';
import { parseScenario, type Scenario } from '../../simulator/scenarios/schema.ts';
import { APP_VERSION } from '../lib/version.ts';
import type { RunProgress, RunSnapshot, TraceFormat } from './api.ts';
import { makeSnapshot } from './snapshot.ts';

export interface SimulationRun {
  /** Every record of the run, as columns: the snapshot ships a slice, traceSlice pages through it. */
  trace: TraceStore;
  /** The run's metrics, reduced while it went. */
  metrics: Metrics;
  durationUs: number;
  eventsExecuted: number;
}

/**
 * The event budget of a run in the browser: ten times its estimate (simulator/scenarios/estimate.ts
 * counts more events than a run makes: the examples make 0.02-0.58 of it), at least 100,000 and at
 * most the CLI's default. A worker cannot measure its heap (no memory API there), so its memory
 * budget counts trace records only and misses what a runaway model keeps besides (a client
 * reconnecting every microsecond keeps about 11 KB per attempt, two events each): 100,000 events
 * keep such a run to about 550 MB. The CLI measures the heap and keeps 20,000,000.
 */
export function browserEventBudget(scenario: Scenario): number {
  return Math.min(DEFAULT_EVENT_BUDGET, Math.max(100_000, 10 * estimateRun(scenario).events));
}

/**
 * Trace records between two progress reports made inside a slice of simulated time. The runtime
 * reports once per hundredth of simulated time; 10,000 clients connecting fill the first
 * hundredth with hundreds of thousands of records and seconds of work, which looked like no
 * progress to the page's watchdog (./client.ts). Every record is work done, so the count of
 * records emitted is progress the page can see however slowly simulated time moves.
 */
export const RECORDS_PER_HEARTBEAT = 4096;

export function runSimulation(scenario: Scenario, seed: number, onProgress?: (p: RunProgress) => void, eventBudget?: number): SimulationRun {
  const metrics = new MetricsReducer();
  const endTimeUs = Math.round(scenario.durationS * 1_000_000);
  let records = 0;
  const heartbeat = {
    emit(record: { t: number }): void {
      if (++records % RECORDS_PER_HEARTBEAT !== 0) return;
      onProgress!({ simTimeUs: record.t, endTimeUs, fraction: endTimeUs > 0 ? record.t / endTimeUs : 1, records });
    },
  };
  const result = runScenario(scenario, {
    seed,
    sinks: onProgress ? [metrics, heartbeat] : [metrics],
    ...(eventBudget === undefined ? {} : { eventBudget }),
    onProgress: (fraction) => {
      if (!onProgress) return;
      onProgress({ simTimeUs: Math.round(fraction * endTimeUs), endTimeUs, fraction, records });
    },
  });
  return { trace: result.traceStore!, metrics: metrics.result(), durationUs: result.endTime, eventsExecuted: result.eventsExecuted };
}

/**
 * A scenario's run at its own seed, as the worker's `run` answers it (for the build's first answer
 * of the Lab, widgets/lib/server.ts). A scenario that does not validate is a bug of the caller.
 */
export function snapshotOf(json: unknown, traceLimit: number): RunSnapshot {
  const parsed = parseScenario(json);
  if (!parsed.ok) throw new Error(`not a valid scenario: ${parsed.errors.join('; ')}`);
  const { scenario } = parsed;
  const run = runSimulation(scenario, scenario.seed);
  return makeSnapshot({ runId: 0, scenario, seed: scenario.seed, appVersion: APP_VERSION, durationUs: run.durationUs, trace: run.trace, metrics: run.metrics, traceLimit });
}

/** The layout of the trace's columns (SimApi `traceFormat`), for the page to read `traceColumns` without simulator code. */
export function traceFormat(): TraceFormat {
  return { kinds: [...TRACE_KINDS], fields: TRACE_KINDS.map((k) => TRACE_FIELDS[k].map(([name, type]): [string, 'num' | 'str' | 'bool'] => [name, type])) };
}
