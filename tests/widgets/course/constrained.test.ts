/**
 * Chapter 9's course module (src/worker/course/constrained*.ts): four devices on a constrained
 * link, what a reading costs each in bytes and radio-on time, and the cost of opening a
 * connection. Where a figure can be derived by hand the comment derives it; the rest are the
 * simulator's own outcome, pinned so that a change in TCP, the engines or the link model shows up
 * here (re-derive the chapter's prose then).
 */
import { describe, expect, it } from 'vitest';
import { runCourse } from '../../../src/worker/course/index.ts';
import { constrained } from '../../../src/worker/course/constrained.ts';
import { LINK_PRESETS } from '../../../src/worker/course/constrainedLinks.ts';
import { radioOn } from '../../../src/worker/course/constrainedRadio.ts';
import { CONSTRAINED_DEFAULTS, CONSTRAINED_RUNS, cost } from '../../../src/worker/course/constrainedRuns.ts';
import { constrainedScenario } from '../../../src/worker/course/constrainedScenario.ts';
import type { ConstrainedResult } from '../../../src/worker/course/constrainedTypes.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';

/** Per protocol: [id, sent, delivered, up packets, up bytes, down packets, down bytes, pure ACKs, pings, latency ms, wake-ups]. */
const table = (r: ConstrainedResult) =>
  r.protocols.map((p) => [p.id, p.sent, p.delivered, p.upPackets, p.upBytes, p.downPackets, p.downBytes, p.pureAcks, p.pings, p.latencyMs, p.radio.wakeups]);

describe('the radio model', () => {
  it('keeps the radio on across gaps shorter than the tail, and wakes it again after longer ones', () => {
    // Two packets 40 µs apart with a 100 µs tail: one wake-up from 0 to 60 + 100.
    expect(radioOn([{ from: 0, to: 10 }, { from: 50, to: 60 }], 100)).toEqual({ onUs: 160, airtimeUs: 20, waitingUs: 40, tailUs: 100, wakeups: 1 });
    // 500 µs apart: two wake-ups, each 10 of airtime plus the tail.
    expect(radioOn([{ from: 600, to: 610 }, { from: 0, to: 10 }], 100)).toEqual({ onUs: 220, airtimeUs: 20, waitingUs: 0, tailUs: 200, wakeups: 2 });
    // Overlapping packets (one up, one down at once) count their airtime once.
    expect(radioOn([{ from: 0, to: 10 }, { from: 5, to: 20 }], 0)).toEqual({ onUs: 20, airtimeUs: 20, waitingUs: 0, tailUs: 0, wakeups: 1 });
    expect(radioOn([], 100)).toEqual({ onUs: 0, airtimeUs: 0, waitingUs: 0, tailUs: 0, wakeups: 0 });
  });
});

describe('four devices on NB-IoT (constrained)', () => {
  it('at the defaults: every reading arrives; a WebSocket reading costs its packet and one ACK', () => {
    const r = CONSTRAINED_RUNS.defaults();
    expect(r.input).toEqual(CONSTRAINED_DEFAULTS);
    // NB-IoT: 800 ms each way, 20 kbit/s: an empty 52-byte segment takes 20.8 ms each way.
    expect(r.rttMs).toBe(1641.6);
    expect(table(r)).toEqual([
      // 20 + 2 (header) + 4 (mask) + 52 (IPv4 20, TCP 20, timestamps 12) = 78 up; the server's pure ACK, 52 down.
      // Latency: 78 B at 20 kbit/s = 31.2 ms, 800 ms, 1 ms to the server: 832.2 ms.
      ['ws', 10, 10, 1, 78, 1, 52, 1, 0, 832.2, 1],
      // A PUBLISH of 2 + 2 + 12 ("sensors/qos0") + 20 = 36 bytes, 88 on the wire: 4 ms more than
      // the frame, and 2 ms more for the broker's hop to the backend: 838.2 ms. mqtt.js's keepalive
      // (60 s, restarted only by acknowledgements) sends a PINGREQ about every 61.6 s: 48 of them
      // (and 48 PINGRESPs) in the 3,000 s window, 9.6 per reading, each wake-up its own.
      // Down, per reading: the broker's ACK of the PUBLISH, 4.8 PINGRESPs, and one ACK of its own
      // for the first PINGREQ after each PUBLISH: 6.8 packets, 6.8 x 52 + 4.8 x 2 = 363.2 bytes.
      // The broker answered CONNECT, so it is interactive (Linux's pingpong mode) and holds its ACK
      // of a PUBLISH 40 ms; that timer ends interactive mode, so the next PINGREQ is ACKed at once
      // and alone; its PINGRESP makes the broker interactive again, and the ACKs of the later
      // PINGREQs ride on their PINGRESPs (10.6 down when the engine left pingpong mode after every
      // silence longer than the RTO).
      ['qos0', 10, 10, 10.6, 596.8, 6.8, 363.2, 6.8, 9.6, 838.2, 5.4],
      // The PUBACK carries the broker's ACK; so do the PINGRESPs: 5 packets, 5 x 52 + 4 + 4 x 2.
      ['qos1', 10, 10, 10, 566, 5, 272, 5, 8, 842.2, 5],
      // PUBREC and PUBCOMP carry the broker's ACKs; 20.8 ms less than before, when the PUBREC
      // waited on the 20 kbit/s downlink behind a 52-byte pure ACK.
      ['qos2', 10, 10, 12, 674, 6, 328, 6, 8, 2510.6, 5],
    ]);
    const ws = cost(r, 'ws');
    // Airtime 31.2 + 20.8 ms; waiting from the last bit up to the first bit down: 800 + 1 + 1 + 800 = 1,602 ms,
    // and for the first reading 40 ms more (the server, interactive since it answered the upgrade request,
    // delays that ACK; its timer ends interactive mode): (9 x 1,602 + 1,642) / 10 = 1,606 ms; then the 10 s tail.
    expect(ws.radio.airtimeS).toBeCloseTo(0.052, 9);
    expect(ws.radio.waitingS).toBeCloseTo(1.606, 9);
    expect(ws.radio.onS).toBeCloseTo(11.658, 9);
    // 288 readings a day at 130 bytes.
    expect(ws.bytesPerDay).toBe(37_440);
    expect(ws.radioHoursPerDay).toBeCloseTo((288 * 11.658) / 3600, 9);
  });

  it('without keepalive the MQTT readings cost a packet or two more than WebSocket, not kilobytes', () => {
    const r = CONSTRAINED_RUNS.shortTail();
    expect(table(r)).toEqual([
      ['ws', 10, 10, 1, 78, 1, 52, 1, 0, 832.2, 1],
      // 88 up, and the broker's 52-byte ACK.
      ['qos0', 10, 10, 1, 88, 1, 52, 1, 0, 838.2, 1],
      // PUBLISH (90 B: 2 more for the packet identifier) and the device's ACK of the PUBACK up; the
      // PUBACK (56 B) down, carrying the broker's ACK: the broker is interactive since it answered
      // CONNECT, and Linux stays so after a silence (tcp_incr_quickack). (A separate ACK came down
      // too, 2 and 108, when the engine left interactive mode after every long silence.)
      ['qos1', 10, 10, 2, 142, 1, 56, 1, 0, 842.2, 1],
      // Up: PUBLISH (90), the device's ACK of the PUBREC (it is not interactive: it had answered
      // nothing for 5 minutes) and its PUBREL, its ACK of the PUBCOMP: 90 + 52 + 56 + 52 = 250.
      // Down: PUBREC and PUBCOMP, each carrying the broker's ACK: 112.
      ['qos2', 10, 10, 4, 250, 2, 112, 2, 0, 2510.6, 1],
    ]);
    // A 2 s tail: QoS 2's radio waits two round trips where QoS 0's waits one (TCP's ACK), and the
    // first of QoS 0's ten readings 40 ms more (the broker, interactive since CONNECT, delays that
    // ACK): (9 x 1,602 + 1,642) / 10 = 1,606 ms.
    expect(cost(r, 'qos0').radio.waitingS).toBeCloseTo(1.606, 9);
    expect(cost(r, 'qos2').radio.waitingS).toBeCloseTo(3.244, 9);
  });

  it('a keepalive longer than the interval saves most of the radio time; a WebSocket heartbeat costs as much', () => {
    const d = CONSTRAINED_RUNS.defaults();
    const longKa = CONSTRAINED_RUNS.longKeepalive();
    const hb = CONSTRAINED_RUNS.wsHeartbeat();
    expect(cost(longKa, 'qos0').radio.wakeups).toBe(1.4);
    expect(cost(longKa, 'qos1').radio.wakeups).toBe(1);
    expect(cost(d, 'qos0').radioHoursPerDay / cost(longKa, 'qos0').radioHoursPerDay).toBeGreaterThan(3);
    // A ping every 60 s from the WebSocket device: 5 wake-ups per reading, as many as MQTT's.
    expect(cost(hb, 'ws').radio.wakeups).toBe(6);
    // 11 packets up (reading, 5 pings of 6 B + 52, 5 ACKs of the pongs) = 78 + 5 x 58 + 5 x 52 = 628;
    // 7 down (the reading's ACK, 5 pongs of 2 B + 52, each carrying the server's ACK as the server
    // is interactive, and one ACK alone, for the first ping after a reading's delayed ACK ended
    // interactive mode) = 7 x 52 + 5 x 2 = 374: 1,002 bytes. (1,210 when every ping got an ACK of
    // its own.)
    expect(cost(hb, 'ws').bytesPerReading).toBe(1002);
  });

  it('opening a connection on 9.6 kbit/s: bytes, not round trips, take the time once TLS is on', () => {
    const r = CONSTRAINED_RUNS.csd96();
    const at = (protocol: string, tls: boolean) => r.connect.find((c) => c.protocol === protocol && c.tls === tls)!;
    // Without a rate limit: SYN, SYN-ACK (one round trip of 100 ms), the request and answer (another), the reading (half): 250 ms.
    expect(at('websocket', false).roundTripsOnlyMs).toBe(250);
    expect([at('websocket', false).bytesBefore, at('mqtt', false).bytesBefore]).toEqual([722, 361]);
    expect([at('websocket', true).bytesBefore, at('mqtt', true).bytesBefore]).toEqual([10_517, 10_016]);
    expect(at('websocket', true).firstArrivedMs).toBe(6463.331);
    expect(at('websocket', true).roundTripsOnlyMs).toBe(350);
  });

  it('builds a valid scenario for every preset, and refuses a bad input naming the field', () => {
    for (const preset of LINK_PRESETS) {
      const parsed = parseScenario(constrainedScenario({ ...CONSTRAINED_DEFAULTS, link: preset.id, tls: true, wsHeartbeatS: 30 }));
      expect(parsed.ok, preset.id).toBe(true);
    }
    expect(() => runCourse('constrained', { ...CONSTRAINED_DEFAULTS, everyS: 1 })).toThrow(/constrained widget's input is not valid: everyS/);
    expect(() => runCourse('constrained', { ...CONSTRAINED_DEFAULTS, link: 'carrier-pigeon' })).toThrow(/link/);
  });

  it('has figures for the prose and questions whose right answer is among the choices', () => {
    const figures = constrained.figures!();
    expect(figures.wsBytes).toBe('130 bytes');
    expect(figures.backendHop).toBe('2 ms');
    const checks = constrained.checks();
    expect(checks.map((c) => c.id)).toEqual(['ch9-bytes', 'ch9-keepalive', 'ch9-round-trips', 'ch9-slow-connect', 'ch9-what-helps']);
    for (const c of checks) expect(c.choices.length, c.id).toBeGreaterThanOrEqual(3);
    expect(checks[0]!.choices[checks[0]!.answer]).toBe('130 bytes');
  });
});
