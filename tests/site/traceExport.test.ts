/**
 * The Lab's whole-trace export, written from the columns the worker hands over (src/lib/traceExport.ts):
 * the same records, packets and values as the object-based exports, a slice at a time with
 * progress, and a first line that says so when the run cut its trace.
 */
import { readFileSync } from 'node:fs';
import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { TraceStore } from '../../simulator/core/trace-store.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';
import { packetsCsv } from '../../src/lib/export.ts';
import { packetsCsvParts, traceCsvColumns, traceCsvParts, traceJsonParts } from '../../src/lib/traceExport.ts';
import { runSimulation, traceFormat } from '../../src/worker/runtime.ts';

const sensors = parseScenario(JSON.parse(readFileSync(new URL('../../scenarios/examples/sensors.json', import.meta.url), 'utf8')));
if (!sensors.ok) throw new Error(sensors.errors.join('\n'));
const run = runSimulation(sensors.scenario, sensors.scenario.seed);
const records = run.trace.records();
const whole = { dropped: 0, packets: 0 };
/** What the worker's traceFormat answers (structured-cloned on the way, as plain arrays). */
const format = structuredClone(traceFormat());
const TRACE_CSV_COLUMNS = traceCsvColumns(format);

describe('the whole-trace export', () => {
  it('writes every record as CSV, each field in its column, absent ones empty', async () => {
    const csv = (await traceCsvParts(format, run.trace.columns().columns, whole)).join('');
    const rows = csvParse(csv);
    expect(rows.columns).toEqual([...TRACE_CSV_COLUMNS]);
    expect(rows.length).toBe(records.length);
    records.forEach((record, i) => {
      const { t, ...fields } = record as unknown as Record<string, unknown>;
      const expected: Record<string, string> = Object.fromEntries(TRACE_CSV_COLUMNS.map((c) => [c, '']));
      expected.t_ms = String((t as number) / 1000);
      for (const [name, value] of Object.entries(fields)) expected[name] = String(value);
      expect(rows[i]).toEqual(expected);
    });
  });

  it('writes every record as JSON, as the simulator emitted it', async () => {
    const file = JSON.parse((await traceJsonParts(format, run.trace.columns().columns, whole)).join(''));
    expect([file.format, file.records, file.droppedPacketRecords, file.note]).toEqual(['wirelab/trace@1', records.length, 0, 'Every record of the run.']);
    expect(file.trace).toStrictEqual(JSON.parse(JSON.stringify(records)));
  });

  it("writes the same packets CSV as the page's export of a whole trace", async () => {
    const parts = await packetsCsvParts(format, run.trace.columns().columns, whole);
    expect(parts.join('')).toBe(`${packetsCsv(records)}\n`);
  });

  it('writes a slice at a time, reporting progress, and stops when cancelled', async () => {
    const seen: number[] = [];
    const parts = await traceCsvParts(format, run.trace.columns().columns, whole, { recordsPerSlice: 1000, onProgress: (f) => seen.push(f) });
    // The header, then one part per 1,000 records.
    const slices = Math.ceil(records.length / 1000);
    expect(parts.length).toBe(1 + slices);
    expect(seen.length).toBe(slices);
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => i === 0 || f > seen[i - 1]!)).toBe(true);
    let calls = 0;
    await expect(traceJsonParts(format, run.trace.columns().columns, whole, { recordsPerSlice: 1000, cancelled: () => ++calls > 2 })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('says in its first line when the run let go of its oldest packet-level records', async () => {
    // A trace that keeps the newest 100 packet-level records (and every message record).
    const cut = new TraceStore(100);
    for (const r of records) cut.emit(r);
    const kept = cut.length;
    const dropped = cut.dropped;
    expect(kept + dropped).toBe(records.length);
    const info = { dropped, packets: run.metrics.links.reduce((n, l) => n + l.segmentsSent, 0) };
    const [first] = (await traceCsvParts(format, cut.columns().columns, info)).join('').split('\n');
    const n = (v: number) => v.toLocaleString('en-US');
    expect(first).toBe(`# This run's trace was cut at its limit: it let go of its first ${n(dropped)} packet-level records, ` +
      `so this file holds the last ${n(kept)} of ${n(records.length)} records (every message record is kept); ` +
      'for all of them, run the scenario with the command line: wirelab run SCENARIO.json --trace trace.csv');
    const json = JSON.parse((await traceJsonParts(format, cut.columns().columns, info)).join(''));
    expect([json.records, json.droppedPacketRecords]).toEqual([kept, dropped]);
    const packets = (await packetsCsvParts(format, cut.columns().columns, info)).join('');
    const held = cut.records().filter((r) => r.kind === 'link-send').length;
    expect(packets.split('\n')[0]).toBe(`# This file holds the last ${n(held)} of ${n(info.packets)} packets of the run (its trace was cut at its limit, letting go of the oldest records); ` +
      'for every packet, run the scenario with the command line: wirelab run SCENARIO.json --trace trace.csv');
  });
});
