/**
 * The seam between the worker and simulator/runtime: runs a validated scenario and hands back its
 * whole trace and simulated length, with progress as `RunProgress`.
 *
 * Pure (no DOM, no worker globals), so the Node test that compares a browser run with a CLI run
 * runs scenarios through exactly this code.
 */
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario, type Scenario } from '../../simulator/scenarios/schema.ts';
import { APP_VERSION } from '../lib/version.ts';
import type { RunProgress, RunSnapshot } from './api.ts';
import { makeSnapshot } from './snapshot.ts';

export interface SimulationRun {
  /** Every record of the run: metrics need all of them, the snapshot ships a slice. */
  trace: readonly TraceRecord[];
  durationUs: number;
  eventsExecuted: number;
}

export function runSimulation(scenario: Scenario, seed: number, onProgress?: (p: RunProgress) => void): SimulationRun {
  const result = runScenario(scenario, {
    seed,
    onProgress: (fraction) => {
      if (!onProgress) return;
      const endTimeUs = Math.round(scenario.durationS * 1_000_000);
      onProgress({ simTimeUs: Math.round(fraction * endTimeUs), endTimeUs, fraction });
    },
  });
  return { trace: result.trace, durationUs: result.endTime, eventsExecuted: result.eventsExecuted };
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
  return makeSnapshot({ runId: 0, scenario, seed: scenario.seed, appVersion: APP_VERSION, durationUs: run.durationUs, trace: run.trace, traceLimit });
}
