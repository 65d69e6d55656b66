/**
 * A run builds no trace record that nothing reads (RunOptions sinks with `reads`, no kept trace),
 * yet counts it in `recordsEmitted`; the metrics reducer reads only the kinds its figures are made
 * of. (Which figures come out is pinned by tests/metrics/streamed.test.ts and tests/golden.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TraceKind, TraceRecord } from '../../simulator/core/trace.ts';
import { MetricsReducer } from '../../simulator/metrics/index.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';

function example(file: string) {
  const parsed = parseScenario(JSON.parse(readFileSync(new URL(`../../scenarios/examples/${file}`, import.meta.url), 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.scenario;
}

function countKinds(records: readonly TraceRecord[]): Map<TraceKind, number> {
  const n = new Map<TraceKind, number>();
  for (const r of records) n.set(r.kind, (n.get(r.kind) ?? 0) + 1);
  return n;
}

describe('records nothing reads', () => {
  it('the metrics read link, retransmission and message records, and tcp-send only until a link record names a connection', () => {
    const m = new MetricsReducer();
    for (const kind of ['link-send', 'link-receive', 'link-drop', 'tcp-retransmit', 'flow', 'app-send', 'app-deliver', 'app-lost'] as const) expect(m.reads(kind)).toBe(true);
    for (const kind of ['tcp-state', 'tcp-failure', 'ws-frame', 'ws-event', 'mqtt-packet', 'mqtt-event', 'note'] as const) expect(m.reads(kind)).toBe(false);
    expect(m.reads('tcp-send')).toBe(true);
    m.emit({ t: 0, kind: 'link-send', link: 'a->core', packet: 0, bytes: 60 });
    expect(m.reads('tcp-send')).toBe(true); // no conn: tcp-send may still be the only wire bytes
    m.linkPacket(0, 'link-send', 'a->core', 0, 1, 60, 'a:49152-b:80');
    expect(m.reads('tcp-send')).toBe(false);
  });

  it('are counted but not built: an MQTT run with the metrics and a sink that reads nothing', () => {
    const scenario = example('mqtt-qos.json');
    const everything: TraceRecord[] = [];
    const all = runScenario(scenario, { sinks: [{ emit: (r) => everything.push(r) }] });

    const got: TraceRecord[] = [];
    const quiet = { emit: (r: TraceRecord) => got.push(r), reads: () => false };
    const metrics = new MetricsReducer();
    const run = runScenario(scenario, { keepTrace: false, sinks: [metrics, quiet] });

    // Same count as the run that built every record.
    expect(run.recordsEmitted).toBe(everything.length);
    const full = countKinds(everything);
    const built = countKinds(got);
    // Packet and state records were built for nobody: none reached a sink.
    for (const kind of ['mqtt-packet', 'tcp-state'] as const) {
      expect(full.get(kind)).toBeGreaterThan(0);
      expect(built.get(kind)).toBeUndefined();
    }
    // MQTT events: the broker's per-packet ones (a fan-out per publish, connects...) are not
    // built; the clients' few connection notes and the broker's counters at the end still are.
    const hot = (r: TraceRecord) => r.kind === 'mqtt-event' && r.node === 'broker' && r.event !== 'broker-counters';
    const brokerEvents = everything.filter(hot).length;
    expect(brokerEvents).toBeGreaterThan(0);
    expect(got.filter(hot)).toEqual([]);
    expect(built.get('mqtt-event')).toBe(full.get('mqtt-event')! - brokerEvents);
    // tcp-send: only the run's first segment (its SYN), traced before the link record that names
    // its connection; from then on the metrics take wire bytes from link records.
    expect(built.get('tcp-send')).toBe(1);
    // What the metrics read is built, every record of it (the quiet sink takes no link fields, so
    // link records are built as objects too).
    for (const kind of ['link-send', 'link-receive', 'flow', 'app-send', 'app-deliver'] as const) expect(built.get(kind)).toBe(full.get(kind));
  });
});
