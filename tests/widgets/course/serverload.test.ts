/**
 * Chapter 10's "one server, many clients" (src/worker/course/serverload*.ts): what the hub holds,
 * read by a probe during the run, and what crosses its link. Byte counts derived by hand: a segment
 * is payload + 52 (IPv4 20 + TCP 20 + timestamps 12); a reading is 64 bytes.
 */
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { LIMITS } from '../../../simulator/scenarios/limits.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { MAX_DEVICES, deviceLadder, serverLoadScenario, SERVERLOAD_DEFAULTS } from '../../../src/worker/course/serverload-scenario.ts';
import { runServerLoadStep } from '../../../src/worker/course/serverload-step.ts';

const held = (mean: number, peak: number) => ({ mean, peak });

describe('server-load scenarios', () => {
  it('hold the hub, the dashboard and up to the scenario limit of devices', () => {
    expect(MAX_DEVICES).toBe(LIMITS.nodes - 2);
    const json = serverLoadScenario('mqtt', { ...SERVERLOAD_DEFAULTS, devices: MAX_DEVICES, everyS: 10 });
    expect(parseScenario(json).ok).toBe(true);
    expect((json.nodes as unknown[]).length).toBe(LIMITS.nodes);
  });

  it('run a ladder of device counts up to N', () => {
    expect(deviceLadder(5)).toEqual([5]);
    expect(deviceLadder(1000)).toEqual([10, 100, 1000]);
    expect(deviceLadder(2500)).toEqual([10, 100, 1000, 2500]);
  });
});

describe('what the hub holds and carries, 10 devices, a reading a second, 10 s watched', () => {
  it('WebSocket: one segment in and one pure ACK out per reading; nothing queued, no timer armed', () => {
    const ws = runServerLoadStep({ devices: 10, everyS: 1, qos: 0, seed: 1, hub: 'ws' });
    // 10 devices x 10 readings in the window, each one masked frame: 2 + 4 + 64 = 70 bytes + 52 = 122.
    expect([ws.sent, ws.received, ws.packetsIn, ws.bytesIn]).toEqual([100, 100, 100, 100 * 122]);
    // The server's TCP ACKs each at once when its application reads it (Linux tcp_cleanup_rbuf): 52 bytes.
    expect([ws.packetsOut, ws.bytesOut]).toEqual([100, 100 * 52]);
    // It writes nothing back, so no connection has bytes queued, a segment on its scoreboard, or a
    // retransmit timer.
    expect(ws.tcpConnections).toEqual(held(10, 10));
    for (const h of [ws.sendQueueBytes, ws.scoreboardSegments, ws.retransmitTimers, ws.appTimers]) expect(h).toEqual(held(0, 0));
    // Its only timers are ACKs held back for a moment: 10 readings a second, seen by 20 of the 500
    // looks (0.04 on average, Little's law: 10/s x about 4 ms), never two at once.
    expect(ws.delayedAckTimers).toEqual(held(0.04, 1));
  });

  it('MQTT QoS 0: the broker relays each reading to the dashboard: a copy out for each one in', () => {
    const m = runServerLoadStep({ devices: 10, everyS: 1, qos: 0, seed: 1, hub: 'mqtt' });
    // PUBLISH to sensors/dN: 2 + 2 + 10 + 64 = 78 + 52 = 130 bytes (d10: 131). In: the 100 PUBLISHes and
    // the dashboard's 100 ACKs; out: the 100 ACKs to the devices and the 100 copies to the dashboard.
    const publishes = 90 * 130 + 10 * 131;
    expect([m.sent, m.received, m.packetsIn, m.packetsOut]).toEqual([100, 100, 200, 200]);
    expect([m.bytesIn, m.bytesOut]).toEqual([publishes + 100 * 52, publishes + 100 * 52]);
    // 11 connections (the dashboard's too); one engine timer (the keepalive sweep) whatever N is.
    expect(m.tcpConnections).toEqual(held(11, 11));
    expect(m.appTimers).toEqual(held(1, 1));
    // Only the dashboard's connection ever has data out: at most one retransmit timer.
    expect(m.retransmitTimers.peak).toBe(1);
    expect(m.queuedMessages).toEqual(held(0, 0));
    expect(m.dropped).toBe(0);
  });
});

describe('what the hub holds follows the message rate, not the number of connections', () => {
  it('100 devices every 1 s and 1,000 every 10 s: the same scoreboard and timers, 10 times the connections', () => {
    const few = runServerLoadStep({ devices: 100, everyS: 1, qos: 1, seed: 1, hub: 'mqtt' });
    const many = runServerLoadStep({ devices: 1000, everyS: 10, qos: 1, seed: 1, hub: 'mqtt' });
    expect([few.tcpConnections.mean, many.tcpConnections.mean]).toEqual([101, 1001]);
    expect(many.sent).toBe(few.sent);
    // The sends fall at the same instants (i/N of the interval), so the same messages are in flight.
    expect(many.scoreboardSegments).toEqual(few.scoreboardSegments);
    expect(many.retransmitTimers).toEqual(few.retransmitTimers);
    expect(many.scoreboardSegments.mean).toBeGreaterThan(1);
  });

  it('one dashboard at QoS 1 cannot take 1,000 readings a second: the broker queues, then drops', () => {
    const m = runServerLoadStep({ devices: 1000, everyS: 1, qos: 1, seed: 1, hub: 'mqtt' });
    // mosquitto's window: at most 20 QoS 1 messages unacknowledged to one client (max_inflight_messages).
    expect(m.inflightMessages.peak).toBe(20);
    // Behind it, a queue up to max_queued_messages (1,000) plus the window; past that, messages are dropped.
    expect(m.queuedMessages.peak).toBeGreaterThan(900);
    expect(m.received).toBeLessThan(m.sent / 2);
    expect(m.dropped).toBeGreaterThan(0);
    // Every reading is accounted for: delivered, dropped, or still queued or in flight at the end.
    expect(m.received + m.dropped).toBeLessThanOrEqual(m.sent);
  });
});

describe('the probe only reads', () => {
  it('a run with a probe emits exactly the records of the same run without one', () => {
    const parsed = parseScenario(serverLoadScenario('mqtt', { devices: 20, everyS: 1, qos: 1, seed: 3 }));
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const records = (probe: boolean) => {
      const out: string[] = [];
      const sink = { emit: (r: TraceRecord) => void out.push(JSON.stringify(r)) };
      let looks = 0;
      runScenario(parsed.scenario, {
        keepTrace: false, sinks: [sink],
        ...(probe ? { probes: [{ fromUs: 0, everyUs: 7_000, read: (v: { connections(n: string): Iterable<{ engine: { holding: unknown } }>; role(n: string): unknown }) => {
          looks++;
          for (const c of v.connections('broker')) void c.engine.holding;
          void v.role('broker');
        } }] } : {}),
      });
      return { out, looks };
    };
    const plain = records(false);
    const probed = records(true);
    // 14 s of run, a look every 7 ms from 0: 2,001 looks.
    expect(probed.looks).toBe(2001);
    expect(probed.out.length).toBe(plain.out.length);
    expect(probed.out).toEqual(plain.out);
  });
});
