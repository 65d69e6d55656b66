import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { columnsRecord } from '../../simulator/core/trace-store.ts';
import { runSimulation } from '../../src/worker/runtime.ts';
import { makeSnapshot } from '../../src/worker/snapshot.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';
import { expectFlowsMatchRoles } from '../support/flow-counts.ts';

const example = JSON.parse(readFileSync(new URL('../../scenarios/examples/tcp-small.json', import.meta.url), 'utf8'));

describe('the worker runs scenarios through the runtime', () => {
  it('reports progress up to 1 and returns the whole trace', () => {
    const parsed = parseScenario(example);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const seen: number[] = [];
    const run = runSimulation(parsed.scenario, parsed.scenario.seed, (p) => seen.push(p.fraction));
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => i === 0 || f > seen[i - 1]!)).toBe(true);
    expect(run.durationUs).toBe(Math.round(parsed.scenario.durationS * 1e6));
    const snapshot = makeSnapshot({ runId: 1, scenario: parsed.scenario, seed: 1, appVersion: 'x', durationUs: run.durationUs, trace: run.trace, metrics: run.metrics, traceLimit: 10 });
    expect(snapshot.trace).toHaveLength(Math.min(10, run.trace.length));
    expect(snapshot.traceTotal).toBe(run.trace.length);
    // The snapshot's flow counts are the roles' own records in the run's trace.
    expect(snapshot.metrics.flows.length).toBeGreaterThan(0);
    expectFlowsMatchRoles(run.trace.records(), snapshot.metrics.flows);
    // The metrics reduced while the run went are those of its whole trace.
    expect(snapshot.metrics).toStrictEqual(makeSnapshot({ runId: 1, scenario: parsed.scenario, seed: 1, appVersion: 'x', durationUs: run.durationUs, trace: run.trace.records(), traceLimit: 10 }).metrics);
    expect(snapshot.trace).toStrictEqual(run.trace.records().slice(0, 10));
  });

  it("hands the kept trace over as columns whose every buffer is in the transfer list (moved, not copied)", () => {
    const parsed = parseScenario(example);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const run = runSimulation(parsed.scenario, parsed.scenario.seed);
    const records = run.trace.records();
    // What sim.worker.ts traceColumns does (Comlink.transfer = postMessage's transfer list); structuredClone
    // with the same list is the same algorithm: a buffer in the list is detached here (byteLength 0),
    // one left out would be copied and keep its bytes.
    const { columns, transfer } = run.trace.columns();
    const arrays = [columns.kind, columns.row, ...columns.tables.flatMap((t) => t.columns)];
    expect(arrays.every((a) => a.byteLength > 0 || a.length === 0)).toBe(true);
    const moved = structuredClone(columns, { transfer });
    expect(arrays.filter((a) => a.buffer.byteLength > 0)).toEqual([]);
    expect(moved.length).toBe(records.length);
    for (const i of [0, 1, Math.floor(records.length / 2), records.length - 1]) expect(columnsRecord(moved, i)).toStrictEqual(records[i]);
    // The worker keeps its own store (columns() copies), so traceSlice still pages through the run.
    expect(run.trace.slice(0, 3)).toStrictEqual(records.slice(0, 3));
  });
});
