import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { EXPORT_FORMAT, exportJson, importJson, MESSAGE_COLUMNS, messagesCsv, ordinal, packetsCsv, traceCsv } from '../../src/lib/export.ts';
import { APP_VERSION } from '../../src/lib/version.ts';
import { makeSnapshot, messageRows } from '../../src/worker/snapshot.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';
import { scenario, trace } from './fixtures.ts';
import pkg from '../../package.json' with { type: 'json' };

const valid = parseScenario(scenario);
/** The Lab checks an import's scenario in the worker; here the same schema runs in-process. */
const checkScenario = async (s: unknown) => {
  const parsed = parseScenario(s);
  return parsed.ok ? { ok: true as const, scenario: parsed.scenario as unknown } : parsed;
};
if (!valid.ok) throw new Error(valid.errors.join('\n'));

describe('message rows', () => {
  it('follows the flow metrics rules: first delivery, duplicates, delivery wins, in flight', () => {
    expect(messageRows(trace)).toEqual([
      { flow: 'f1', msg: 1, bytes: 10, sentMs: 1, deliveredMs: 42.25, latencyMs: 41.25, duplicates: 1, status: 'delivered', lostReason: '' },
      { flow: 'f1', msg: 2, bytes: 12, sentMs: 2, deliveredMs: null, latencyMs: null, duplicates: 0, status: 'lost', lostReason: 'connection-reset' },
      { flow: 'f1', msg: 3, bytes: 14, sentMs: 70, deliveredMs: null, latencyMs: null, duplicates: 0, status: 'in-flight', lostReason: '' },
    ]);
  });
});

describe('CSV export', () => {
  it('writes one row per message under a fixed header', () => {
    const csv = messagesCsv(messageRows(trace));
    const lines = csv.split('\n');
    expect(lines[0]).toBe('flow,msg,bytes,sent_ms,delivered_ms,latency_ms,duplicates,status,lost_reason');
    expect(lines.slice(1)).toEqual(['f1,1,10,1,42.25,41.25,1,delivered,', 'f1,2,12,2,,,0,lost,connection-reset', 'f1,3,14,70,,,0,in-flight,']);
  });

  it('writes one row per packet with its fate on the link', () => {
    const rows = csvParse(packetsCsv(trace));
    expect(rows.columns).toEqual(['sent_ms', 'link', 'packet', 'bytes', 'conn', 'outcome', 'drop_reason', 'received_ms']);
    expect(rows.map((r) => [r.link, r.packet, r.outcome, r.drop_reason, r.received_ms])).toEqual([
      ['sensor->core', '0', 'received', '', '21.5'],
      ['sensor->core', '1', 'dropped', 'loss', ''],
      ['broker->core', '0', 'in-flight', '', ''],
    ]);
  });

  it("says in its first line when it holds a sample of the run's messages", () => {
    const rows = messageRows(trace);
    expect(messagesCsv(rows, { stride: 1, total: rows.length }).split('\n')[0]).toBe(MESSAGE_COLUMNS.join(','));
    const [first, header] = messagesCsv(rows, { stride: 2, total: 6 }).split('\n');
    expect(first).toBe('# This file holds every 2nd message of the run, 3 of 6 (the page receives only a sample of a big run); ' +
      "the Lab's trace export, or the command line (wirelab run SCENARIO.json --trace trace.csv), has every message record");
    expect(header).toBe(MESSAGE_COLUMNS.join(','));
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th']);
  });

  it('quotes fields that hold commas and quotes (d3-dsv, RFC 4180)', () => {
    const csv = messagesCsv([{ flow: 'a,"b"', msg: 1, bytes: 0, sentMs: 0, deliveredMs: null, latencyMs: null, duplicates: 0, status: 'in-flight', lostReason: '' }]);
    expect(csv.split('\n')[1]).toBe('"a,""b""",1,0,0,,,0,in-flight,');
  });

  it('writes every trace record with the union of their fields', () => {
    const rows = csvParse(traceCsv(trace));
    expect(rows.length).toBe(trace.length);
    expect(rows.columns.slice(0, 4)).toEqual(['t_ms', 'kind', 'flow', 'protocol']);
    expect(rows[6]).toMatchObject({ t_ms: '21.6', kind: 'link-drop', reason: 'loss', packet: '1' });
  });
});

describe('JSON export and import', () => {
  const snapshot = makeSnapshot({ runId: 1, scenario: valid.scenario, seed: 9, appVersion: APP_VERSION, durationUs: 2_000_000, trace, traceLimit: 4 });

  it('holds the scenario, seed, app version and results', () => {
    const file = JSON.parse(exportJson(snapshot));
    expect(file.format).toBe(EXPORT_FORMAT);
    expect(file.app).toEqual({ name: 'wirelab', version: pkg.version });
    expect(file.seed).toBe(9);
    expect(file.scenario).toEqual(valid.scenario);
    expect(file.results.messages).toHaveLength(3);
    expect(file.results.trace).toHaveLength(4);
    expect(file.results.traceTotal).toBe(trace.length);
    expect(file.results.metrics.flows[0]).toMatchObject({ flow: 'f1', sent: 3, delivered: 1, duplicates: 1, lost: 1, inFlight: 1 });
  });

  it('imports what it exported', async () => {
    const text = exportJson(snapshot);
    const back = await importJson(text, checkScenario);
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.file).toEqual(JSON.parse(text));
  });

  it('refuses a file that is not an export, naming the problem', async () => {
    expect(await importJson('{', checkScenario)).toMatchObject({ ok: false });
    expect(await importJson('{"format":"other"}', checkScenario)).toEqual({
      ok: false,
      errors: [
        'format: expected "wirelab/export@1"',
        'app: expected an object',
        'seed: expected a number',
        'scenario: expected a scenario object',
        'results: expected an object',
      ],
    });
    const bad = JSON.parse(exportJson(snapshot));
    bad.scenario.durationS = -1;
    expect(await importJson(JSON.stringify(bad), checkScenario)).toEqual({ ok: false, errors: ['scenario.durationS: expected a number greater than 0 and at most 86400 [limit durationS], got -1'] });
  });
});
