/**
 * The seam between the worker and simulator/runtime: runs a validated scenario and hands back its
 * whole trace and simulated length, whatever shape the runtime's result takes.
 *
 * Pure (no DOM, no worker globals), so Node tests run scenarios through exactly this code.
 */
import type { TraceRecord } from '../../simulator/core/trace.ts';
import type { Scenario } from '../../simulator/scenarios/schema.ts';
import type { RunProgress } from './api.ts';

type RunScenario = (
  scenario: Scenario,
  options: { seed?: number; onProgress?: (p: unknown) => void; traceLimit?: number },
) => unknown;

// Loaded through a glob so the site still builds while the runtime is being written.
const modules = import.meta.glob<{ runScenario?: RunScenario }>('../../simulator/runtime/run.ts', { eager: true });
const runScenario: RunScenario | undefined = Object.values(modules)[0]?.runScenario;

export interface SimulationRun {
  trace: readonly TraceRecord[];
  durationUs: number;
}

export class RuntimeMissingError extends Error {
  constructor() {
    super('The simulator runtime (simulator/runtime/run.ts) is not part of this build yet, so nothing can run.');
    this.name = 'RuntimeMissingError';
  }
}

export function runtimeAvailable(): boolean {
  return runScenario !== undefined;
}

export function runSimulation(scenario: Scenario, seed: number, onProgress?: (p: RunProgress) => void): SimulationRun {
  if (!runScenario) throw new RuntimeMissingError();
  const endTimeUs = Math.round(scenario.durationS * 1_000_000);
  const result = runScenario(scenario, {
    seed,
    onProgress: (p) => {
      if (!onProgress) return;
      const simTimeUs = progressTime(p);
      onProgress({ simTimeUs, endTimeUs, fraction: endTimeUs > 0 ? Math.min(1, simTimeUs / endTimeUs) : 1 });
    },
  });
  return { trace: traceOf(result), durationUs: endTimeUs };
}

/** The runtime may report a time (µs) or an object carrying one. */
function progressTime(p: unknown): number {
  if (typeof p === 'number') return p;
  if (p && typeof p === 'object') {
    const o = p as Record<string, unknown>;
    for (const key of ['simTimeUs', 'now', 't', 'time']) if (typeof o[key] === 'number') return o[key] as number;
  }
  return 0;
}

function traceOf(result: unknown): readonly TraceRecord[] {
  if (Array.isArray(result)) return result as TraceRecord[];
  if (result && typeof result === 'object') {
    const trace = (result as { trace?: unknown }).trace;
    if (Array.isArray(trace)) return trace as TraceRecord[];
    if (trace && typeof (trace as { all?: unknown }).all === 'function') return (trace as { all(): TraceRecord[] }).all();
    const records = (result as { records?: unknown }).records;
    if (Array.isArray(records)) return records as TraceRecord[];
  }
  throw new Error('The simulator runtime returned no trace (expected { trace: TraceRecord[] }).');
}
