import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { computeMetrics, flowMetrics } from '../../simulator/metrics/index.ts';

const CONN = 'a:40000-b:5001';

/** A TCP bulk flow a -> b with one duplicate, one loss and one retransmission. */
const tcpTrace: TraceRecord[] = [
  { t: 0, kind: 'flow', flow: 'tcp:a->b', protocol: 'tcp', from: 'a', to: 'b' },
  { t: 0, kind: 'app-send', flow: 'tcp:a->b', msg: 0, bytes: 1000 },
  { t: 0, kind: 'link-send', link: 'a->core', packet: 0, bytes: 1052, conn: CONN },
  { t: 1000, kind: 'app-send', flow: 'tcp:a->b', msg: 1, bytes: 1000 },
  { t: 1000, kind: 'link-send', link: 'a->core', packet: 1, bytes: 1052, conn: CONN },
  { t: 2000, kind: 'app-send', flow: 'tcp:a->b', msg: 2, bytes: 500 },
  { t: 12000, kind: 'link-receive', link: 'a->core', packet: 0, bytes: 1052, conn: CONN },
  // The same packet on the receiver's downlink: counted once, where it entered the network.
  { t: 12000, kind: 'link-send', link: 'core->b', packet: 0, bytes: 1052, conn: CONN },
  { t: 13000, kind: 'link-drop', link: 'a->core', packet: 1, bytes: 1052, reason: 'loss', conn: CONN },
  { t: 30000, kind: 'app-deliver', flow: 'tcp:a->b', msg: 0, bytes: 1000 },
  { t: 30000, kind: 'link-send', link: 'b->core', packet: 0, bytes: 52, conn: CONN },
  { t: 40000, kind: 'tcp-retransmit', node: 'a', conn: CONN, seq: 1001, payloadBytes: 1000, cause: 'rto', rtoUs: 200000 },
  { t: 40000, kind: 'link-send', link: 'a->core', packet: 2, bytes: 1052, conn: CONN },
  { t: 50000, kind: 'app-deliver', flow: 'tcp:a->b', msg: 1, bytes: 1000 },
  { t: 50000, kind: 'link-send', link: 'b->core', packet: 1, bytes: 52, conn: CONN },
  { t: 60000, kind: 'app-deliver', flow: 'tcp:a->b', msg: 1, bytes: 1000, duplicate: true },
  { t: 70000, kind: 'app-lost', flow: 'tcp:a->b', msg: 2, reason: 'connection reset' },
];

describe('flow metrics', () => {
  it('counts a TCP flow exactly', () => {
    expect(flowMetrics(tcpTrace)).toEqual([
      {
        flow: 'tcp:a->b',
        protocol: 'tcp',
        from: 'a',
        to: 'b',
        sent: 3,
        delivered: 2,
        duplicates: 1,
        lost: 1,
        inFlight: 0,
        latencyMs: { p50: 30, p95: 49, p99: 49, max: 49 },
        appBytes: 2500,
        deliveredBytes: 2000,
        wireBytes: 3 * 1052 + 2 * 52,
        retransmissions: 1,
        completionS: null,
        // 2000 bytes delivered between t=0 and t=50 ms: 16 kbit / 0.05 s.
        goodputKbps: 320,
      },
    ]);
  });

  it('reports completion time when every message arrived, and counts what is still on its way', () => {
    const done = tcpTrace.filter((r) => r.kind !== 'app-lost');
    done.push({ t: 80000, kind: 'app-deliver', flow: 'tcp:a->b', msg: 2, bytes: 500 });
    const [f] = flowMetrics(done);
    expect(f).toMatchObject({ sent: 3, delivered: 3, lost: 0, inFlight: 0, completionS: 0.08, goodputKbps: 250 });
    expect(f!.latencyMs).toEqual({ p50: 49, p95: 78, p99: 78, max: 78 });

    const open = tcpTrace.filter((r) => r.kind !== 'app-lost');
    expect(flowMetrics(open)[0]).toMatchObject({ sent: 3, delivered: 2, lost: 0, inFlight: 1, completionS: null });
  });

  it('lets a delivery win over an earlier loss, and ignores messages never sent', () => {
    const records: TraceRecord[] = [
      { t: 0, kind: 'flow', flow: 'f', protocol: 'websocket', from: 'c', to: 's' },
      { t: 0, kind: 'app-send', flow: 'f', msg: 1, bytes: 10 },
      { t: 5, kind: 'app-lost', flow: 'f', msg: 1, reason: 'queue-full' },
      { t: 9, kind: 'app-deliver', flow: 'f', msg: 1, bytes: 10 },
      { t: 9, kind: 'app-deliver', flow: 'f', msg: 7, bytes: 10 },
      { t: 9, kind: 'app-lost', flow: 'f', msg: 8, reason: 'x' },
      { t: 9, kind: 'app-send', flow: 'undeclared', msg: 1, bytes: 10 },
    ];
    const [f, ...rest] = flowMetrics(records);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ sent: 1, delivered: 1, duplicates: 0, lost: 0, inFlight: 0, wireBytes: 0 });
    expect(f!.latencyMs.max).toBe(0.009);
    expect(f).not.toHaveProperty('goodputKbps');
  });


  it('counts a delivery that comes before its send in the trace once the send comes, duplicates included', () => {
    // Message 0: delivered at 30 and 40 (a duplicate), its send (at 10) read after both;
    // message 1: sent at 20, delivered at 70; message 2: delivered at 50, never sent (ignored);
    // message 3: sent at 60, lost at 80. So sent 3 (0, 1, 3), delivered 2 (0, 1), 1 duplicate,
    // lost 1 (3), latencies 0.020 ms (30 - 10) and 0.050 ms (70 - 20), bytes 5 + 6 + 8 sent.
    const records: TraceRecord[] = [
      { t: 0, kind: 'flow', flow: 'f', protocol: 'websocket', from: 'c', to: 's' },
      { t: 30, kind: 'app-deliver', flow: 'f', msg: 0, bytes: 5 },
      { t: 40, kind: 'app-deliver', flow: 'f', msg: 0, bytes: 5, duplicate: true },
      { t: 20, kind: 'app-send', flow: 'f', msg: 1, bytes: 6 },
      { t: 10, kind: 'app-send', flow: 'f', msg: 0, bytes: 5 },
      { t: 50, kind: 'app-deliver', flow: 'f', msg: 2, bytes: 7 },
      { t: 60, kind: 'app-send', flow: 'f', msg: 3, bytes: 8 },
      { t: 70, kind: 'app-deliver', flow: 'f', msg: 1, bytes: 6 },
      { t: 80, kind: 'app-lost', flow: 'f', msg: 3, reason: 'x' },
    ];
    expect(flowMetrics(records)[0]).toMatchObject({
      sent: 3, delivered: 2, duplicates: 1, lost: 1, inFlight: 0, appBytes: 19, deliveredBytes: 11,
      latencyMs: { p50: 0.02, p95: 0.05, p99: 0.05, max: 0.05 },
    });
  });
  it('splits a shared connection between flows by application bytes (MQTT through a broker)', () => {
    // p publishes on t to s1 (flow A) and s2 (flow B); q publishes to s1 (flow C).
    const records: TraceRecord[] = [
      { t: 0, kind: 'flow', flow: 'A', protocol: 'mqtt', from: 'p', to: 's1', topic: 't', qos: 1 },
      { t: 0, kind: 'flow', flow: 'B', protocol: 'mqtt', from: 'p', to: 's2', topic: 't', qos: 1 },
      { t: 0, kind: 'flow', flow: 'C', protocol: 'mqtt', from: 'q', to: 's1', topic: 'u', qos: 0 },
      { t: 1, kind: 'app-send', flow: 'A', msg: 0, bytes: 100 },
      { t: 1, kind: 'app-send', flow: 'A', msg: 1, bytes: 100 },
      { t: 1, kind: 'app-send', flow: 'B', msg: 0, bytes: 100 },
      { t: 1, kind: 'app-send', flow: 'B', msg: 1, bytes: 100 },
      { t: 1, kind: 'app-send', flow: 'C', msg: 0, bytes: 100 },
      { t: 2, kind: 'link-send', link: 'p->core', packet: 0, bytes: 600, conn: 'p:1-broker:1883' },
      { t: 2, kind: 'link-send', link: 'broker->core', packet: 0, bytes: 400, conn: 'p:1-broker:1883' },
      { t: 2, kind: 'link-send', link: 'broker->core', packet: 1, bytes: 300, conn: 's1:2-broker:1883' },
      { t: 2, kind: 'link-send', link: 'broker->core', packet: 2, bytes: 200, conn: 's2:3-broker:1883' },
      { t: 2, kind: 'link-send', link: 'q->core', packet: 0, bytes: 90, conn: 'q:4-broker:1883' },
      // A connection that carries no flow is left out of flows.
      { t: 2, kind: 'link-send', link: 'x->core', packet: 0, bytes: 999, conn: 'x:5-broker:1883' },
      { t: 3, kind: 'tcp-retransmit', node: 'broker', conn: 's1:2-broker:1883', seq: 1, payloadBytes: 10, cause: 'fast-retransmit' },
    ];
    const flows = flowMetrics(records);
    expect(flows.map((f) => [f.flow, f.topic, f.qos, f.wireBytes, f.retransmissions, f.inFlight])).toEqual([
      ['A', 't', 1, 500 + 200, 1, 2],
      ['B', 't', 1, 500 + 200, 0, 2],
      ['C', 'u', 0, 90 + 100, 1, 1],
    ]);
  });

  it('falls back to tcp-send wire bytes when no link record names a connection', () => {
    const records: TraceRecord[] = [
      { t: 0, kind: 'flow', flow: 'f', protocol: 'tcp', from: 'a', to: 'b' },
      { t: 0, kind: 'app-send', flow: 'f', msg: 0, bytes: 10 },
      { t: 0, kind: 'tcp-send', node: 'a', conn: CONN, seq: 0, ack: 0, flags: 'S', payloadBytes: 0, wireBytes: 60, retransmission: false },
      { t: 1, kind: 'tcp-send', node: 'b', conn: CONN, seq: 0, ack: 1, flags: 'SA', payloadBytes: 0, wireBytes: 60, retransmission: false },
      { t: 2, kind: 'link-send', link: 'a->core', packet: 0, bytes: 60 },
    ];
    expect(flowMetrics(records)[0]!.wireBytes).toBe(120);
  });

  it('computeMetrics returns flows and links together', () => {
    const m = computeMetrics(tcpTrace);
    expect(m.flows).toHaveLength(1);
    expect(m.links.map((l) => l.link)).toEqual(['a->core', 'b->core', 'core->b']);
  });
});
