import { describe, expect, it } from 'vitest';
import { EventBudgetExceeded } from '../../simulator/core/scheduler.ts';
import type { AppDeliver, AppLost, AppSend, TcpRetransmit, TraceRecord } from '../../simulator/core/trace.ts';
import { RoleNotSupported, RunAborted, runScenario } from '../../simulator/runtime/run.ts';
import type { Scenario } from '../../simulator/scenarios/schema.ts';
import { bulk, scenario } from './helpers.ts';

const FLOW = 'tcp:sender-1->sink-1:5001';
const of = <K extends TraceRecord['kind']>(trace: TraceRecord[], kind: K) =>
  trace.filter((r): r is Extract<TraceRecord, { kind: K }> => r.kind === kind);

describe('runScenario with tcp-sender and tcp-sink', () => {
  it('delivers every byte over a clean link, with the handshake timed by latency and serialization', () => {
    const result = runScenario(bulk({ bytes: 100_000, durationS: 5 }));
    const { trace } = result;
    expect(of(trace, 'flow')).toEqual([{ t: 0, kind: 'flow', flow: FLOW, protocol: 'tcp', from: 'sender-1', to: 'sink-1' }]);
    // One leg: 10 ms on the sender's uplink + 10 ms on the sink's downlink, plus 60 bytes at 10 Mbps (48 µs) on each.
    const leg = 2 * (10_000 + 48);
    const syn = of(trace, 'tcp-send')[0]!;
    expect([syn.t, syn.flags, syn.wireBytes, syn.node]).toEqual([0, 'SYN', 60, 'sender-1']);
    const synAck = of(trace, 'tcp-send').find((r) => r.flags === 'SYN|ACK')!;
    expect([synAck.t, synAck.node]).toEqual([leg, 'sink-1']);
    const send = of(trace, 'app-send') as AppSend[];
    expect(send).toEqual([{ t: 2 * leg, kind: 'app-send', flow: FLOW, msg: 0, bytes: 100_000 }]);
    const deliver = of(trace, 'app-deliver') as AppDeliver[];
    expect(deliver.map((d) => [d.flow, d.msg, d.bytes])).toEqual([[FLOW, 0, 100_000]]);
    // Payload bytes sent once each: 100,000 in 1448-byte segments.
    const data = of(trace, 'tcp-send').filter((r) => r.node === 'sender-1' && r.payloadBytes > 0);
    expect(data.reduce((n, r) => n + r.payloadBytes, 0)).toBe(100_000);
    expect(data).toHaveLength(Math.ceil(100_000 / 1448));
    expect(of(trace, 'tcp-retransmit')).toEqual([]);
    expect(of(trace, 'link-drop')).toEqual([]);
    // Both ends close: the sender through TIME_WAIT (2 s here), the sink through LAST_ACK.
    const closed = of(trace, 'tcp-state').filter((r) => r.to === 'CLOSED').map((r) => r.node);
    expect(closed.sort()).toEqual(['sender-1', 'sink-1']);
    expect(result.endTime).toBe(5_000_000);
    expect(result.droppedTraceRecords).toBe(0);
    expect(result.eventsExecuted).toBeGreaterThan(0);
  });

  it('recovers a segment dropped by the list error model with one fast retransmission of exactly that segment', () => {
    // Sender uplink packets: 0 SYN, 1 ACK, 2.. data. Drop the 4th data segment (index 5).
    const { trace } = runScenario(bulk({ bytes: 100_000, durationS: 5, senderUp: { dropList: [5] } }));
    const dropped = of(trace, 'link-drop');
    expect(dropped.map((d) => [d.link, d.packet, d.reason])).toEqual([['sender-1->core', 5, 'list-loss']]);
    const lostSeg = of(trace, 'tcp-send').filter((r) => r.node === 'sender-1' && r.payloadBytes > 0)[3]!;
    const rtx = of(trace, 'tcp-retransmit') as TcpRetransmit[];
    expect(rtx.map((r) => [r.seq, r.payloadBytes, r.cause])).toEqual([[lostSeg.seq, 1448, 'fast-retransmit']]);
    expect(of(trace, 'tcp-send').filter((r) => r.retransmission).map((r) => r.seq)).toEqual([lostSeg.seq]);
    expect(of(trace, 'app-deliver').map((d) => d.bytes)).toEqual([100_000]);
  });

  it('reports the transfer lost when the connection times out in an outage', () => {
    // A 60 s outage on the sender's uplink from 1 s; give up after 3 retransmissions.
    const { trace } = runScenario(
      bulk({ bytes: 2_000_000, durationS: 60, senderUp: { outages: [{ atS: 1, forS: 59 }] }, tcp: { maxRetries: 3 } }),
    );
    const failures = of(trace, 'tcp-failure');
    expect(failures.map((f) => [f.node, f.reason])).toEqual([['sender-1', 'timeout']]);
    const rto = of(trace, 'tcp-retransmit').filter((r) => r.cause === 'rto') as TcpRetransmit[];
    // Three retransmissions of the same segment, then the abort; each timer twice the one before.
    expect(rto).toHaveLength(3);
    expect(new Set(rto.map((r) => r.seq)).size).toBe(1);
    const next = [...rto.slice(1).map((r) => r.t), failures[0]!.t];
    rto.forEach((r, i) => expect(r.t + r.rtoUs!).toBe(next[i]));
    expect(rto[1]!.rtoUs).toBe(2 * rto[0]!.rtoUs!);
    expect(rto[2]!.rtoUs).toBe(2 * rto[1]!.rtoUs!);
    expect((of(trace, 'app-lost') as AppLost[]).map((l) => [l.flow, l.msg, l.reason])).toEqual([[FLOW, 0, 'tcp-timeout']]);
    expect(of(trace, 'app-deliver')).toEqual([]);
    expect(failures[0]!.t).toBe(of(trace, 'app-lost')[0]!.t);
  });

  it('counts a transfer that arrived whole as delivered, not lost, when only its ACKs were lost and the sender then gave up', () => {
    // 10,000 bytes fit in IW10, so all 7 segments and the FIN leave at once and reach the sink; the
    // sender's downlink is out from 60 ms, so no ACK comes back and the sender times out. The sink
    // has every byte: the message can no longer be lost (docs/ARCHITECTURE.md "Metrics").
    const { trace } = runScenario(
      bulk({ bytes: 10_000, durationS: 30, senderDown: { outages: [{ atS: 0.06, forS: 29 }] }, tcp: { maxRetries: 3 } }),
    );
    expect(of(trace, 'tcp-failure').map((f) => [f.node, f.reason])).toEqual([['sender-1', 'timeout']]);
    expect(of(trace, 'app-deliver').map((d) => [d.flow, d.msg, d.bytes])).toEqual([[FLOW, 0, 10_000]]);
    expect(of(trace, 'app-lost')).toEqual([]);
  });

  it('does not declare lost what is still on the wire when the sender gives up', () => {
    // A 100 kbit/s uplink takes 120 ms per full segment, so the 7 segments are still queued when
    // the sender, hearing no ACK (its downlink is out from 50 ms), gives up at its first timeout.
    // They arrive after that and the sink delivers the transfer.
    const { trace } = runScenario(
      bulk({ bytes: 10_000, durationS: 30, senderUp: { bandwidthKbps: 100 }, senderDown: { outages: [{ atS: 0.05, forS: 29 }] }, tcp: { maxRetries: 0 } }),
    );
    const failures = of(trace, 'tcp-failure');
    expect(failures.map((f) => [f.node, f.reason])).toEqual([['sender-1', 'timeout']]);
    const deliveries = of(trace, 'app-deliver');
    expect(deliveries.map((d) => d.bytes)).toEqual([10_000]);
    expect(deliveries[0]!.t).toBeGreaterThan(failures[0]!.t);
    expect(of(trace, 'app-lost')).toEqual([]);
  });

  it('at the end of the run, declares lost what a dead sender still had on the wire', () => {
    // As above, but the run ends at 0.5 s, after the sender gave up and before its queued
    // segments could arrive: the transfer can no longer complete, so it is lost at the end.
    const { trace } = runScenario(
      bulk({ bytes: 10_000, durationS: 0.5, senderUp: { bandwidthKbps: 100 }, senderDown: { outages: [{ atS: 0.05, forS: 29 }] }, tcp: { maxRetries: 0 } }),
    );
    const failures = of(trace, 'tcp-failure');
    expect(failures.map((f) => [f.node, f.reason])).toEqual([['sender-1', 'timeout']]);
    expect(failures[0]!.t).toBeLessThan(500_000);
    expect(of(trace, 'app-deliver')).toEqual([]);
    expect((of(trace, 'app-lost') as AppLost[]).map((l) => [l.t, l.flow, l.msg, l.reason])).toEqual([[500_000, FLOW, 0, 'tcp-timeout']]);
  });

  it('serves two senders from one sink as two flows on two connections', () => {
    const { trace } = runScenario(
      scenario({
        schema: 'wirelab/scenario@1', seed: 2, durationS: 10,
        defaults: { link: { latencyMs: 10, bandwidthKbps: 5000 } },
        nodes: [
          { id: 'a', role: 'tcp-sender', to: 'sink', bytes: 50_000 },
          { id: 'b', role: 'tcp-sender', to: 'sink', bytes: 70_000, startS: 0.5 },
          { id: 'sink', role: 'tcp-sink' },
        ],
      }),
    );
    expect(of(trace, 'app-deliver').map((d) => [d.flow, d.bytes]).sort()).toEqual([
      ['tcp:a->sink:5001', 50_000],
      ['tcp:b->sink:5001', 70_000],
    ]);
    // Handshake: 4 crossings of 10 ms + 60 bytes at 5 Mbps (96 µs).
    expect(of(trace, 'app-send').map((r) => r.t)).toEqual([4 * 10_096, 500_000 + 4 * 10_096]);
    expect(new Set(of(trace, 'tcp-send').map((r) => r.conn))).toEqual(new Set(['a:49152-sink:5001', 'b:49152-sink:5001']));
  });

  it('gives byte-identical traces for the same seed, and different ones for another seed', () => {
    const run = (seed?: number) =>
      JSON.stringify(runScenario(bulk({ bytes: 300_000, durationS: 10, seed: 7, defaults: { latencyMs: 5, jitterMs: 3, lossPct: 2, bandwidthKbps: 5000 } }), { seed }).trace);
    const a = run();
    const times = (JSON.parse(a) as TraceRecord[]).map((r) => r.t);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(run()).toBe(a);
    expect(run(7)).toBe(a);
    expect(run(8)).not.toBe(a);
  });

  it('bounds memory with traceLimit but keeps every flow and message record', () => {
    const full = runScenario(bulk({ bytes: 200_000, durationS: 5 }));
    const small = runScenario(bulk({ bytes: 200_000, durationS: 5 }), { traceLimit: 50 });
    const messages = (t: TraceRecord[]) => t.filter((r) => r.kind === 'flow' || r.kind.startsWith('app-'));
    expect(messages(small.trace)).toEqual(messages(full.trace));
    expect(small.trace.length).toBe(messages(full.trace).length + 50);
    expect(small.droppedTraceRecords).toBe(full.trace.length - messages(full.trace).length - 50);
  });

  it('reports progress, honours an abort signal and an event budget', () => {
    const fractions: number[] = [];
    runScenario(bulk({ bytes: 10_000, durationS: 1 }), { onProgress: (f) => fractions.push(f) });
    expect(fractions).toHaveLength(100);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f > fractions[i - 1]!)).toBe(true);

    const signal = { aborted: false };
    expect(() =>
      runScenario(bulk({ bytes: 10_000, durationS: 1 }), {
        signal,
        onProgress: (f) => {
          if (f >= 0.5) signal.aborted = true;
        },
      }),
    ).toThrow(RunAborted);

    expect(() => runScenario(bulk({ bytes: 1_000_000, durationS: 10 }), { eventBudget: 100 })).toThrow(EventBudgetExceeded);
  });

  it('refuses a role nobody implements with a clear message', () => {
    const scenario = {
      schema: 'wirelab/scenario@1', seed: 1, durationS: 1,
      nodes: [{ id: 'x', role: 'teleporter' }],
    } as unknown as Scenario;
    expect(() => runScenario(scenario)).toThrow(new RoleNotSupported('teleporter', 'x'));
    expect(() => runScenario(scenario)).toThrow('role "teleporter" is not yet supported');
  });
});
