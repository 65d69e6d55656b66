/**
 * Chapter 4's course modules (src/worker/course/loss*.ts): the stream four ways over one lossy
 * link, and the bulk transfers beside the Mathis curve. Where a figure can be derived by hand the
 * comment derives it; the runs under loss are the simulator's own outcome, pinned so that a change
 * in TCP, the engines or the link model shows up here (re-derive the chapter's prose then).
 */
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { runCourse } from '../../../src/worker/course/index.ts';
import { loss } from '../../../src/worker/course/loss.ts';
import { BULK_BYTES, lossGoodput, mathisKbps } from '../../../src/worker/course/lossGoodput.ts';
import { LOSS_RUNS } from '../../../src/worker/course/lossRuns.ts';
import { lossScenario, readyAt } from '../../../src/worker/course/lossScenario.ts';
import { LOSS_DEFAULTS } from '../../../src/worker/course/lossStreams.ts';
import type { LossResult } from '../../../src/worker/course/lossTypes.ts';

/** Per stream: [id, delivered, lost, p50, p95, max, dropped, fast, probe, rto, PUBLISH/frames, DUP resends]. */
const table = (r: LossResult) =>
  r.streams.map((s) => [s.id, s.delivered, s.lost, s.p50, s.p95, s.max, s.tcp.dropped, s.tcp.fastRetransmit, s.tcp.probe, s.tcp.rto, s.tcp.appPackets, s.tcp.appResends]);

describe('the stream four ways (loss)', () => {
  it('on a clean link with TCP_NODELAY, takes two crossings plus serialisation at 10 Mbit/s', () => {
    const r = LOSS_RUNS.cleanNoDelay();
    const [qos0, , , ws] = r.streams;
    // WebSocket: 2 x 25 ms, plus the masked frame into the server (100 + 2 + 4 + 52 IP/TCP bytes =
    // 158 B = 126.4 µs, the clock keeps 126) and the server's frame out (154 B = 123 µs): 50.249 ms.
    expect(ws!.p50).toBe(50.249);
    // MQTT QoS 0: a PUBLISH of 2 + 2 + 12 ("sensors/qos0") + 100 bytes, 168 B on the wire = 134 µs, twice.
    expect(qos0!.p50).toBe(50.268);
    expect(qos0!.max).toBe(50.268);
    // The stream starts at 1 s (never earlier; the handshakes took 0.1 s).
    expect(r.startMs).toBe(1000);
    expect(r.timeline).toEqual([]);
  });

  it("at the widget's defaults (5 % random loss), every stream delivers all 60 readings, late", () => {
    const r = LOSS_RUNS.defaults();
    expect(r.input).toEqual(LOSS_DEFAULTS);
    // The setup run found every connection up at 1.2 s: the stream starts 100 ms later.
    expect(r.startMs).toBe(1300);
    expect(table(r)).toEqual([
      // 120 protocol messages per stream: 60 from the sender and 60 relayed by the hub; none resent.
      // (The MQTT rows moved when the broker and subscribers kept Linux's interactive mode after
      // the idle second before the stream: fewer pure ACKs, so the loss draws fell on other
      // packets. Before: QoS 0 255.186 / 9 dropped, QoS 1 162.241 with 2 timeouts, QoS 2 611.462.)
      ['qos0', 60, 0, 147.604, 600.213, 607.76, 8, 0, 7, 1, 120, 0],
      ['qos1', 60, 0, 225.502, 553.521, 624.755, 10, 0, 13, 0, 120, 0],
      ['qos2', 60, 0, 680.232, 1101.325, 1152.641, 12, 0, 16, 0, 120, 0],
      // The worked example of the chapter: 150.426 = 50 + 100 ms (RACK's repair one message later).
      ['ws', 60, 0, 50.249, 150.426, 250.426, 8, 5, 0, 0, 120, 0],
    ]);
    expect(r.streams.every((s) => s.inFlight === 0 && s.latenciesMs.length === 60)).toBe(true);
    // The timeline holds every drop and retransmission counted in the table: 8 + 10 + 12 + 8
    // drops, (7 + 1) + 13 + 16 + 5 retransmissions.
    expect(r.timeline).toHaveLength(38 + 42);
  });

  it('at 20 %, QoS 2 loses 8 readings to the broker (receive quota), not to the network', () => {
    const r = LOSS_RUNS.heavy();
    // Every connection was up at 1.2 s in the setup run (7.2 s before the broker kept Linux's
    // interactive mode after an idle second: with fewer pure ACKs the loss draws fall on other
    // packets, and no handshake packet is lost now).
    expect(r.startMs).toBe(1300);
    expect(table(r)).toEqual([
      ['qos0', 60, 0, 407.239, 806.135, 1117.167, 16, 0, 10, 5, 120, 0],
      ['qos1', 60, 0, 415.031, 836.506, 2045.976, 29, 0, 25, 8, 120, 0],
      // 60 - 8 PUBLISHes were forwarded: 52 + 60 = 112.
      ['qos2', 52, 8, 1499.142, 2384.463, 2484.463, 29, 1, 23, 7, 112, 0],
      ['ws', 60, 0, 350.685, 3298.191, 3448.191, 47, 22, 1, 10, 120, 0],
    ]);
    expect(r.streams[2]!.lostReasons).toEqual({ 'broker-receive-quota-exceeded': 8 });
  });

  it('finds the moment every connection is ready, and not before the last of them', () => {
    const ev = (t: number, node: string, event: string, detail = ''): TraceRecord => ({ t, kind: 'mqtt-event', node, event, detail });
    const open = (t: number, node: string): TraceRecord => ({ t, kind: 'ws-event', node, conn: 'c', event: 'open' });
    const trace: TraceRecord[] = [
      ev(1, 'pub-qos0', 'connected'), ev(2, 'pub-qos1', 'connected'), ev(3, 'pub-qos2', 'connected'),
      ev(4, 'broker', 'subscribed', '"sensors/qos0" QoS 0'), ev(5, 'broker', 'subscribed', '"sensors/qos1" QoS 1'),
      open(6, 'ws-sensor'), open(7, 'ws-server'), open(8, 'ws-dashboard'), open(9, 'ws-server'),
    ];
    expect(readyAt(trace)).toBeNull(); // sensors/qos2 is not subscribed yet
    expect(readyAt([...trace, ev(10, 'broker', 'subscribed', '"sensors/qos2" QoS 2')])).toBe(10);
  });

  it('builds a valid scenario for any accepted input, and refuses a bad one naming the field', () => {
    const s = lossScenario({ ...LOSS_DEFAULTS, lossModel: 'bursty', burstPackets: 3 }, 2) as { nodes: { id: string; link?: { burstLoss?: unknown } }[] };
    expect(s.nodes.find((n) => n.id === 'broker')!.link!.burstLoss).toEqual({ meanBurstPackets: 3 });
    expect(s.nodes.find((n) => n.id === 'ws-server')!.link!.burstLoss).toEqual({ meanBurstPackets: 3 });
    expect(() => runCourse('loss', { ...LOSS_DEFAULTS, lossPct: 25 })).toThrow(/^the loss widget's input is not valid: lossPct: /);
    expect(() => runCourse('loss', { ...LOSS_DEFAULTS, congestion: 'vegas' })).toThrow(/input is not valid: congestion: /);
  });

  it('gives the prose its figures', () => {
    expect(loss.figures!()).toEqual({
      delivered5: '60 of 60',
      lost5: '0 messages',
      dropped5: '38 packets', // 8 + 10 + 12 + 8
      retransmits5: '42 retransmissions', // 8 + 13 + 16 + 5
      qos1Retransmits5: '13 retransmissions', // 13 probes, no timeout
      qos1Publishes5: '120 PUBLISH packets',
      qos1Resends5: '0',
      qos1Probes5: '13 tail loss probes',
      qos1Rtos5: '0 timeouts',
      wsP50at5: '50.2 ms',
      wsP95at5: '150.4 ms',
      qos0P50at5: '147.6 ms',
      qos0P95at5: '600.2 ms',
      qos1P50at5: '225.5 ms',
      qos2P50at5: '680.2 ms',
      wsP50Clean: '50.2 ms',
      // A reading every 50 ms, one round trip: the broker, interactive since it answered CONNECT,
      // holds its ACK of the first PUBLISH 40 ms (Linux keeps pingpong mode after the idle
      // second), so PUBLISH 1 leaves at 1.090 s, 40 ms late, and each later one as the ACK of the
      // one before arrives. A round trip with serialisation takes 50.31 ms, a little more than the
      // 50 ms between readings, so the wait grows by 0.31 ms a reading: 50.3 + 40 + about 30 x 0.31
      // at the middle reading = 99.1 (59.3, the creep alone, when the engine left pingpong).
      qos0P50Clean: '99.1 ms',
      qos2P50Clean: '412 ms',
      qos0P50NoDelay: '50.3 ms',
      qos2P50NoDelay: '150.9 ms',
      qos0P50Sparse: '50.3 ms',
      qos0P95Sparse5: '300.7 ms',
      wsP50at10: '50.7 ms',
      qos0P50at10: '345.1 ms',
      wsMaxRandom10: '250.4 ms',
      wsMaxBursty10: '12,466.7 ms',
      wsDelivered20: '60 of 60',
      qos0Delivered20: '60 of 60',
      qos2Delivered20: '52 of 60',
      // QoS 2 lost at 20 %, seeds 1 to 20 (sent 60 each): 8 0 0 2 4 1 6 23 9 3 12 0 0 26 7 7 0 5 3 0.
      // Sorted: six zeros, 1 2 3 3 4 5 6 7 7 8 9 12 23 26; the 10th of 20 is 3.
      qos2NoneLostSeeds: '6 of 20',
      qos2MostLostSeeds: '26',
      qos2MedianLostSeeds: '3',
    });
  });

  it('asks five questions whose answers come from the runs, with a named slip on every wrong choice', () => {
    const questions = loss.checks!();
    expect(questions.map((q) => [q.id, q.choices[q.answer]])).toEqual([
      ['ch4-lost', '0'],
      ['ch4-retries', '0'],
      ['ch4-sparse', '50.3 ms'],
      ['ch4-mathis', '1,000 kbit/s'], // 2,000 x sqrt(1 / 4)
      ['ch4-why', "Nagle's algorithm: mqtt.js and mosquitto hold a small message while earlier data is unacknowledged, so one loss stalls the readings queued behind it."],
    ]);
    // Its evidence, over seeds 1 to 5 at 10 % loss with TCP_NODELAY: QoS 0's medians 100.6 (seed 1,
    // three timeouts early in the stream), 50.3, 50.3, 50.3, 50.3 ms; WebSocket's 50.7, 50.7, 50.4,
    // 50.7, 51.0 ms. The middle ones: 50.3 and 50.7.
    expect(questions[4]!.explanation).toContain('fell to 50.3 ms, beside WebSocket\'s 50.7 ms (the middle of 5 runs, seeds 1 to 5)');
    for (const q of questions) {
      q.choices.forEach((_, i) => {
        if (i === q.answer) expect(q.slips?.[i] ?? null, q.id).toBeNull();
        else expect(q.slips?.[i], `${q.id} choice ${i}`).toMatch(/\w/);
      });
    }
  });
});

describe('the bulk transfer beside the Mathis curve (lossGoodput)', () => {
  it('computes Mathis as MSS / RTT x sqrt(3/2) / sqrt(p), capped at the link', () => {
    // 1448 x 8 / 0.05 s = 231,680 bit/s; x 1.2247 / 0.1 = 2,837.49 kbit/s at 1 %.
    expect(mathisKbps(1448, 50, 1)).toBeCloseTo(2837.489, 3);
    // Four times the loss, half the rate.
    expect(mathisKbps(1448, 50, 4)).toBeCloseTo(2837.489 / 2, 3);
    // At 0.01 % the model says 28,375 kbit/s, above the 10 Mbit/s link: capped.
    expect(mathisKbps(1448, 50, 0.01)).toBe(10_000);
  });

  it('runs the 2 MB transfer at six loss rates (cubic, the defaults)', () => {
    const r = runCourse('lossGoodput', lossGoodput.defaults) as ReturnType<typeof lossGoodput.run>;
    expect(r.bytes).toBe(BULK_BYTES);
    expect(r.rttMs).toBe(50);
    expect(r.points.map((p) => [p.lossPct, Math.round(p.goodputKbps!), Math.round(p.mathisKbps), p.retransmits, p.timeouts])).toEqual([
      [0.5, 8849, 4013, 4, 0],
      [1, 7471, 2837, 11, 0],
      [2, 1626, 2006, 26, 0],
      [5, 874, 1269, 70, 1],
      [10, 572, 897, 153, 4],
      [20, 316, 634, 311, 59],
    ]);
    // Goodput is delivered bytes over the transfer's time: 2,000,000 x 8 / 1000 / 1.808019 s at 0.5 %.
    expect(r.points[0]!.goodputKbps).toBeCloseTo((BULK_BYTES * 8) / 1000 / r.points[0]!.completionS!, 6);
  });
});
