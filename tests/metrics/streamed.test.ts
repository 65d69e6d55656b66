/**
 * Metrics reduced while a run goes (simulator/metrics MetricsReducer, fed by runScenario) against
 * the same reducer over the whole trace (computeMetrics), on every example scenario: with and
 * without keeping the trace, over the kept columns and over the records as emitted, the figures
 * must be exactly equal, every number to the last bit, every key in its order.
 *
 * What the figures are is pinned elsewhere: tests/golden pins the SHA-256 of each example's whole
 * result JSON (every flow and link metric, from the streamed path the CLI uses), and
 * ./flows.test.ts and ./links.test.ts derive each rule on small traces. (The old whole-trace code
 * was kept here as an oracle while the streamed code was new; golden results now cover what it
 * compared, so it is gone.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { computeMetrics, MetricsReducer } from '../../simulator/metrics/index.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';

const EXAMPLES = new URL('../../scenarios/examples/', import.meta.url).pathname;
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();

function example(file: string) {
  const parsed = parseScenario(JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.scenario;
}

/** A run measured while it goes, as the CLI does it. */
function measured(file: string, options: Parameters<typeof runScenario>[1] = {}) {
  const metrics = new MetricsReducer();
  const run = runScenario(example(file), { ...options, sinks: [metrics, ...(options.sinks ?? [])] });
  return Object.assign(run, { metrics: metrics.result() });
}

/** Every record as emitted (the objects themselves). */
function recorder(): { emit(r: TraceRecord): void; records: TraceRecord[] } {
  const records: TraceRecord[] = [];
  return { emit: (r) => records.push(r), records };
}

describe('streamed metrics equal the whole-trace computation', () => {
  it('covers all thirteen example scenarios', () => {
    // If an example is added or removed, this list (and so the test below) follows.
    expect(files).toEqual([
      'chat-room.json', 'game-tick.json', 'live-dashboard.json', 'mqtt-browser.json', 'mqtt-qos.json', 'mqtt-qos1-backlog.json', 'sensor-fleet.json',
      'sensors.json', 'smart-home.json', 'tcp-bulk.json', 'tcp-small.json', 'vehicle-tracking.json', 'ws-outage.json',
    ]);
  });

  for (const file of files) {
    it(`${file}: exactly, with and without keeping the trace`, () => {
      const all = recorder();
      const withTrace = measured(file, { sinks: [all] });
      // The reducer over every record as emitted, after the run (the oracle: no streaming).
      const reference = computeMetrics(all.records);
      // toStrictEqual: same keys (none extra, none undefined), same values; JSON text equal too,
      // which also pins the order of keys and of flows and links.
      expect(withTrace.metrics).toStrictEqual(reference);
      expect(JSON.stringify(withTrace.metrics)).toBe(JSON.stringify(reference));
      expect(withTrace.metrics.flows.length).toBeGreaterThan(0);

      const without = measured(file, { keepTrace: false });
      expect(JSON.stringify(without.metrics)).toBe(JSON.stringify(reference));
      expect(without.trace).toEqual([]);
      expect(without.recordsEmitted).toBe(all.records.length);

      // The kept trace gives back the records as emitted, and computeMetrics over it agrees.
      expect(withTrace.trace).toHaveLength(all.records.length);
      expect(withTrace.trace).toEqual(all.records);
      expect(JSON.stringify(computeMetrics(withTrace.trace))).toBe(JSON.stringify(reference));
    });
  }

  it('counts every record even when the kept trace lets old packet records go', () => {
    // The limit bounds what is kept, not what is measured: with 100 packet records kept the
    // metrics are those of the whole run (before, link counts and wireBytes covered what was kept).
    const all = recorder();
    const run = measured('tcp-small.json', { traceLimit: 100, sinks: [all] });
    expect(run.droppedTraceRecords).toBeGreaterThan(0);
    expect(JSON.stringify(run.metrics)).toBe(JSON.stringify(computeMetrics(all.records)));
    expect(JSON.stringify(run.metrics)).toBe(JSON.stringify(measured('tcp-small.json', { keepTrace: false }).metrics));
    expect(JSON.stringify(run.metrics)).not.toBe(JSON.stringify(computeMetrics(run.trace)));
  });
});
