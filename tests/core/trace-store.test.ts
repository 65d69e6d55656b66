/**
 * The column store (simulator/core/trace-store.ts): records come back exactly as emitted, optional
 * fields absent stay absent, the packet limit lets go of the oldest packet records as TraceBuffer
 * does, and the columns survive a transfer (structuredClone with transfer, as postMessage does).
 */
import { describe, expect, it } from 'vitest';
import { columnsRecord, TRACE_FIELDS, TRACE_KINDS, TraceStore } from '../../simulator/core/trace-store.ts';
import { TraceBuffer, type TraceRecord } from '../../simulator/core/trace.ts';

/** One record of every kind, the optional fields present in some and absent in others. */
const RECORDS: TraceRecord[] = [
  { t: 0, kind: 'flow', flow: 'f', protocol: 'mqtt', from: 'a', to: 'b', topic: 's/1', qos: 1 },
  { t: 0, kind: 'flow', flow: 'g', protocol: 'tcp', from: 'a', to: 'b' },
  { t: 1, kind: 'link-send', link: 'a->core', packet: 1, bytes: 52, conn: 'a:49152-b:1883' },
  { t: 2, kind: 'link-send', link: 'a->core', packet: 2, bytes: 60 },
  { t: 3, kind: 'link-receive', link: 'core->b', packet: 1, bytes: 52, conn: 'a:49152-b:1883' },
  { t: 4, kind: 'link-drop', link: 'core->b', packet: 2, bytes: 60, reason: 'no-route' },
  { t: 5, kind: 'tcp-state', node: 'a', conn: 'a:49152-b:1883', from: 'SYN_SENT', to: 'ESTABLISHED' },
  { t: 6, kind: 'tcp-send', node: 'a', conn: 'a:49152-b:1883', seq: 4294967295, ack: 0, flags: 'SA', payloadBytes: 0, wireBytes: 60, retransmission: false },
  { t: 7, kind: 'tcp-retransmit', node: 'a', conn: 'c', seq: 1, payloadBytes: 9, cause: 'rto', rtoUs: 1_000_000 },
  { t: 8, kind: 'tcp-retransmit', node: 'a', conn: 'c', seq: 1, payloadBytes: 9, cause: 'tail-loss-probe' },
  { t: 9, kind: 'tcp-failure', node: 'a', conn: 'c', reason: 'timeout' },
  { t: 10, kind: 'ws-frame', node: 'a', conn: 'c', dir: 'send', opcode: 'close', fin: true, masked: true, payloadBytes: 2, frameBytes: 8, closeCode: 1000 },
  { t: 11, kind: 'ws-frame', node: 'a', conn: 'c', dir: 'receive', opcode: 'text', fin: false, masked: false, payloadBytes: 0, frameBytes: 2 },
  { t: 12, kind: 'ws-event', node: 'a', conn: 'c', event: 'close', detail: 'clean', code: 1000 },
  { t: 13, kind: 'ws-event', node: 'a', conn: 'c', event: 'open' },
  { t: 14, kind: 'mqtt-packet', node: 'a', conn: 'c', dir: 'send', type: 'publish', bytes: 30, qos: 1, packetId: 7, dup: false, retain: true, topic: 's/1' },
  { t: 15, kind: 'mqtt-packet', node: 'a', conn: 'c', dir: 'receive', type: 'connack', bytes: 4, reasonCode: 0 },
  { t: 16, kind: 'mqtt-event', node: 'a', event: 'connected', clientId: 'x' },
  { t: 17, kind: 'mqtt-event', node: 'a', event: 'stats', detail: '{"a":1}' },
  { t: 18, kind: 'app-send', flow: 'f', msg: 3, bytes: 20 },
  { t: 19.5, kind: 'app-deliver', flow: 'f', msg: 3, bytes: 20 },
  { t: 20, kind: 'app-deliver', flow: 'f', msg: 3, bytes: 20, duplicate: true },
  { t: 21, kind: 'app-lost', flow: 'f', msg: 4, reason: 'broker-queue-full' },
  { t: 22, kind: 'note', node: 'a', text: 'ws reconnect to "b" \u202e' },
];

describe('TraceStore', () => {
  it('has a table for every kind of record', () => {
    expect(TRACE_KINDS).toHaveLength(16);
    expect(new Set(RECORDS.map((r) => r.kind))).toEqual(new Set(TRACE_KINDS));
    expect(Object.keys(TRACE_FIELDS['mqtt-packet'])).toHaveLength(11);
  });

  it('gives back every record as it was emitted: same fields, absent ones absent', () => {
    const store = new TraceStore();
    for (const r of RECORDS) store.emit(r);
    expect(store.length).toBe(RECORDS.length);
    // toStrictEqual fails on a field that is undefined instead of absent, or a number for a boolean.
    expect(store.records()).toStrictEqual(RECORDS);
    expect(store.record(3)).toStrictEqual({ t: 2, kind: 'link-send', link: 'a->core', packet: 2, bytes: 60 });
    expect(store.slice(20, 10)).toStrictEqual(RECORDS.slice(20));
    const messages = ['flow', 'app-send', 'app-deliver', 'app-lost'];
    expect(store.records(messages)).toStrictEqual(RECORDS.filter((r) => messages.includes(r.kind)));
    // The 2nd and 3rd of the six message records (two flows, a send, two deliveries, a loss).
    expect(store.select(messages, 1, 2)).toStrictEqual({ total: 6, records: RECORDS.filter((r) => messages.includes(r.kind)).slice(1, 3) });
    expect(store.select([], 22, 5)).toStrictEqual({ total: RECORDS.length, records: RECORDS.slice(22) });
    expect(store.select(['no-such-kind'], 0, 5)).toStrictEqual({ total: 0, records: [] });
    expect(() => store.record(RECORDS.length)).toThrow(`no trace record ${RECORDS.length}: the trace holds ${RECORDS.length}`);
  });

  it('grows past its first capacity of 64 rows a table', () => {
    const store = new TraceStore();
    const many: TraceRecord[] = [];
    for (let i = 0; i < 1000; i++) many.push({ t: i, kind: 'link-send', link: `l${i % 3}`, packet: i, bytes: i * 2 });
    for (const r of many) store.emit(r);
    expect(store.records()).toStrictEqual(many);
  });

  it('lets go of the oldest packet records as TraceBuffer does, keeping every message record', () => {
    const send = (t: number): TraceRecord => ({ t, kind: 'link-send', link: 'a->core', packet: t, bytes: 1 });
    const app = (t: number): TraceRecord => ({ t, kind: 'app-send', flow: 'f', msg: t, bytes: 1 });
    for (const [limit, n] of [[3, 10], [10_000, 100_000], [2000, 30_000]] as const) {
      const store = new TraceStore(limit);
      const buffer = new TraceBuffer(limit);
      for (let t = 0; t < n; t++) {
        const r = t % 4 === 0 ? app(t) : send(t);
        store.emit(r);
        buffer.emit(r);
        // Same batches: what is held (for the memory budget) follows TraceBuffer step by step.
        if (t % 997 === 0) expect(store.held).toBe(buffer.held);
      }
      // Reading the records lets go of the last batch in both (TraceBuffer counts it then).
      expect(store.records()).toStrictEqual(buffer.all());
      expect(store.dropped).toBe(buffer.dropped);
      expect(store.dropped).toBe(n - Math.ceil(n / 4) - limit); // packet records (3 of every 4) beyond the limit
    }
    // Derived as in tests/core/budget.test.ts: limit 3, one record in four a message record.
    const small = new TraceStore(3);
    for (let t = 0; t < 10; t++) small.emit(t % 4 === 0 ? app(t) : send(t));
    expect(small.records().map((r) => `${r.kind === 'app-send' ? 'app' : 'send'}${r.t}`)).toEqual(['app0', 'app4', 'send6', 'send7', 'app8', 'send9']);
    expect(small.dropped).toBe(4);
  });

  it('hands its columns over by transfer: the buffers move, the records read back the same', () => {
    const store = new TraceStore();
    for (const r of RECORDS) store.emit(r);
    const { columns, transfer } = store.columns();
    // Kind and row, then t + one column per field, for each of the 16 kinds.
    const columnCount = 2 + TRACE_KINDS.reduce((n, k) => n + 1 + TRACE_FIELDS[k].length, 0);
    expect(transfer).toHaveLength(columnCount);
    const moved = structuredClone(columns, { transfer });
    expect(columns.kind.byteLength).toBe(0); // detached: transferred, not copied
    expect(Array.from({ length: moved.length }, (_, i) => columnsRecord(moved, i))).toStrictEqual(RECORDS);
    // The store keeps its own copy.
    expect(store.records()).toStrictEqual(RECORDS);
  });

  it('holds far fewer bytes than the records as objects', () => {
    const store = new TraceStore();
    for (let i = 0; i < 100_000; i++) store.emit({ t: i, kind: 'link-send', link: 'a->core', packet: i, bytes: 60, conn: 'a:49152-b:1883' });
    // t, packet, bytes: 3 x 8; link, conn: 2 x 4; kind 1 and row 4: 37 bytes a record, in
    // tables of 131,072 rows (capacity doubles from 64): 131,072 x 37 plus 64 rows x the other
    // 15 tables' columns and two short strings: under 5 MB, where objects take about 16 MB.
    expect(store.bytes).toBeLessThan(5_000_000);
    expect(store.bytes).toBeGreaterThan(131_072 * 37);
  });
});
