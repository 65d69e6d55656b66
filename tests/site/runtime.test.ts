import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { columnsRecord } from '../../simulator/core/trace-store.ts';
import { fanOutScenario } from '../../src/components/lab/scale.ts';
import type { RunProgress } from '../../src/worker/api.ts';
import { RECORDS_PER_HEARTBEAT, runSimulation } from '../../src/worker/runtime.ts';
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

  it('reports progress while simulated time stands nearly still: every 4,096 trace records, besides each hundredth of the run', () => {
    // 1,000 MQTT clients connect in the first simulated milliseconds: the first hundredth (15 ms)
    // of the run already holds thousands of records, and a report per hundredth left the page's
    // watchdog (src/worker/client.ts) waiting seconds, at 10,000 clients long enough to stop the run.
    const parsed = parseScenario(fanOutScenario(1000, 1.5));
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const seen: RunProgress[] = [];
    const run = runSimulation(parsed.scenario, 1, (p) => seen.push(p));
    const total = run.trace.length;
    expect(seen.length).toBe(100 + Math.floor(total / RECORDS_PER_HEARTBEAT));
    // The reports made inside a hundredth: one per 4,096 records, at the time of the record.
    const heartbeats = seen.filter((p) => Math.abs(p.fraction * 100 - Math.round(p.fraction * 100)) > 1e-9);
    expect(heartbeats.map((p) => p.records)).toEqual(Array.from({ length: Math.floor(total / RECORDS_PER_HEARTBEAT) }, (_, i) => RECORDS_PER_HEARTBEAT * (i + 1)));
    // While the clients connect, a hundredth of the run (15 ms) holds several of them: progress
    // the page sees with no hundredth passing.
    const perHundredth = new Map<number, number>();
    for (const p of heartbeats) perHundredth.set(Math.floor(p.fraction * 100), (perHundredth.get(Math.floor(p.fraction * 100)) ?? 0) + 1);
    expect(Math.max(...perHundredth.values())).toBeGreaterThanOrEqual(2);
    // Simulated time and records never go back.
    expect(seen.every((p, i) => i === 0 || (p.simTimeUs >= seen[i - 1]!.simTimeUs && p.records! >= seen[i - 1]!.records!))).toBe(true);
    // The last hundredth's report comes before the records of the run's end (connections settled, roles finished).
    expect(seen.at(-1)).toMatchObject({ simTimeUs: 1_500_000, endTimeUs: 1_500_000, fraction: 1 });
    expect(seen.at(-1)!.records).toBeLessThanOrEqual(total);
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

  it('ships only the first rows asked for, while its totals count the whole run', () => {
    const sensors = parseScenario(JSON.parse(readFileSync(new URL('../../scenarios/examples/sensors.json', import.meta.url), 'utf8')));
    if (!sensors.ok) throw new Error(sensors.errors.join('\n'));
    const run = runSimulation(sensors.scenario, sensors.scenario.seed);
    const base = { runId: 1, scenario: sensors.scenario, seed: sensors.scenario.seed, appVersion: 'x', durationUs: run.durationUs, trace: run.trace, metrics: run.metrics, traceLimit: 10 };
    const whole = makeSnapshot(base);
    const cut = makeSnapshot({ ...base, rows: { flows: 1, links: 2, messages: 5 } });
    expect(cut.metrics.flows).toStrictEqual(whole.metrics.flows.slice(0, 1));
    expect(cut.metrics.links).toStrictEqual(whole.metrics.links.slice(0, 2));
    // 119 messages, at most 5 of them: every ceil(119 / 5) = 24th, spread over the run (the first
    // 5 were all sent in its first seconds, and a chart of them ended there).
    expect(cut.messageStride).toBe(24);
    expect(cut.messages).toStrictEqual([0, 24, 48, 72, 96].map((i) => whole.messages[i]));
    expect(whole.messageStride).toBe(1);
    expect(cut.messages.at(-1)!.sentMs).toBeGreaterThan(whole.messages.at(-1)!.sentMs * 0.75);
    expect(cut.totals).toStrictEqual(whole.totals);
    // tests/golden/examples.json, sensors.json: the MQTT flow sent 60, delivered 59, lost 1; the
    // WebSocket flow sent 59 and delivered 59. Five nodes, each with a link up and one down: 10 links.
    expect(cut.totals).toMatchObject({ flows: 2, links: 10, messages: 119, sent: 119, delivered: 118, lost: 1, inFlight: 0, duplicates: 0 });
    // The one lost: the sensor's first reading, published at 0 s, before the dashboard's SUBSCRIBE
    // reached the broker (the trace's only app-lost record gives that reason).
    expect(cut.totals.lostBy).toStrictEqual({ 'sent-before-subscription': 1 });
    expect(cut.totals.packets).toBe(whole.metrics.links.reduce((n, l) => n + l.segmentsSent, 0));
    // The slowest delivery is the MQTT reading held through the 10 s outage (golden p99 15401.134 ms, the max of 59;
    // 15701.674 before the broker kept Linux's interactive mode after a long silence: its ACKs, and so the resends, fall differently).
    expect(cut.totals.latencyMs?.max).toBe(15401.134);
  });
});
