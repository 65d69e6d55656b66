/**
 * Chapter 5's course module: the scenario it builds, the fates it reads from the runs, the round
 * trips of one reading, the broker's limits, the packets of the diagrams, its figures and checks.
 *
 * Times used in the derivations (GUARANTEES_DEFAULTS): every access link 12.5 ms one way, so a
 * hop (two access links) takes 25 ms one way and 50 ms there and back; readings every 200 ms from
 * 1 s (reading n is sent at 1 + 0.2 (n - 1) s, 125 of them, the last at 25.8 s); the broker's link
 * dark from 10 s to 20 s; keepalive 10 s, and mqtt.js's ping timeout of half the keepalive.
 */
import { describe, expect, it } from 'vitest';
import { runCourse } from '../../../src/worker/course/index.ts';
import { guarantees } from '../../../src/worker/course/guarantees.ts';
import { GUARANTEES_DEFAULTS as D } from '../../../src/worker/course/guarantees-figures.ts';
import { courseGuarantees, roundTripCost } from '../../../src/worker/course/guarantees-run.ts';
import { guaranteesScenario, runDurationS } from '../../../src/worker/course/guarantees-scenario.ts';
import { reasonInfo } from '../../../src/worker/course/guarantees-fates.ts';
import type { GuaranteesResult } from '../../../src/worker/course/guarantees-types.ts';

const lostReasons = (r: GuaranteesResult) => {
  const out: Record<string, number> = {};
  for (const f of r.fates) if (f.outcome === 'lost') out[`${f.hop}:${f.reason}`] = (out[`${f.hop}:${f.reason}`] ?? 0) + 1;
  return out;
};

describe('the scenario', () => {
  it('puts the outage and the loss on the chosen access link only, and runs long enough to drain', () => {
    const sc = guaranteesScenario(D) as { durationS: number; nodes: { id: string; link?: unknown; broker?: unknown }[] };
    // The stream ends at 1 + 125 x 0.2 = 26 s, 25 s of tail for reconnects: 51 s.
    expect(sc.durationS).toBe(51);
    expect(runDurationS({ ...D, outageS: 60 })).toBe(95); // the outage ends last: 10 + 60 + 25
    expect(sc.nodes.map((n) => [n.id, n.link ?? null])).toEqual([
      ['hub', { lossPct: 0, outages: [{ atS: 10, forS: 10 }] }],
      ['sensor', null],
      ['dashboard', null],
    ]);
    expect(sc.nodes[0]!.broker).toEqual({ maxInflightMessages: 20, maxQueuedMessages: 1000 });
  });

  it('keeps an MQTT 5 session only with a session expiry, and gives WebSocket strategies what they name', () => {
    const v5 = guaranteesScenario({ ...D, mqttVersion: '5' }) as { nodes: { mqtt?: Record<string, unknown> }[] };
    expect(v5.nodes[1]!.mqtt).toEqual({ version: '5', keepaliveS: 10, clientId: 'sensor', cleanSession: false, sessionExpiryS: 3600 });
    const ws = (strategy: 'ws-raw' | 'ws-acks' | 'ws-resume') => (guaranteesScenario({ ...D, strategy }) as { nodes: { ws: Record<string, unknown> }[] }).nodes.map((n) => n.ws);
    const raw = ws('ws-raw');
    expect(raw[1]).toEqual({ heartbeatS: 10, pongTimeoutS: 5 });
    expect(ws('ws-acks')[1]).toEqual({ heartbeatS: 10, pongTimeoutS: 5, reconnect: { initialDelayS: 1, maxDelayS: 30, jitter: 0 }, appAcks: { timeoutS: 10 } });
    expect(ws('ws-acks')[0]).toEqual({ rooms: true, heartbeatS: 10, pongTimeoutS: 5 });
    expect(ws('ws-resume')[0]).toEqual({ rooms: true, heartbeatS: 10, pongTimeoutS: 5, serverBuffer: 1000 });
  });
});

describe('the round trips of one reading', () => {
  it('QoS 0 and 1 deliver after one round trip, QoS 2 after three', () => {
    const cost = (s: 'qos0' | 'qos1' | 'qos2' | 'ws-raw' | 'ws-acks') => roundTripCost(D, s).cost;
    // One PUBLISH per hop, 25 ms each: 50 ms = 1 round trip of 50 ms. Packets: PUBLISH on each hop.
    expect(cost('qos0')).toEqual({ strategy: 'qos0', latencyMs: 50, roundTrips: 1, packets: 2 });
    // The PUBACKs travel after the delivery: same 50 ms; 4 packets.
    expect(cost('qos1')).toEqual({ strategy: 'qos1', latencyMs: 50, roundTrips: 1, packets: 4 });
    // PUBLISH, PUBREC, PUBREL on each hop before the hand-over (the broker forwards on PUBREL):
    // 6 x 25 = 150 ms = 3 round trips; with PUBCOMP, 4 packets per hop.
    expect(cost('qos2')).toEqual({ strategy: 'qos2', latencyMs: 150, roundTrips: 3, packets: 8 });
    // A frame each way through the server; with acks, the server's ack frame as well.
    expect(cost('ws-raw')).toEqual({ strategy: 'ws-raw', latencyMs: 50, roundTrips: 1, packets: 2 });
    expect(cost('ws-acks')).toEqual({ strategy: 'ws-acks', latencyMs: 50, roundTrips: 1, packets: 3 });
  });

  it('draws the QoS 2 reading packet by packet in the order they left', () => {
    const one = courseGuarantees({ ...D, strategy: 'qos2' }, { compare: false }).windows[0]!;
    expect(one.id).toBe('one');
    expect(one.messages.map((m) => `${m.from}>${m.to} ${m.label} @${m.sentMs}`)).toEqual([
      'sensor>hub PUBLISH QoS 2 id 1 @0',
      'hub>sensor PUBREC id 1 @25',
      'sensor>hub PUBREL id 1 @50',
      // At 75 ms the broker forwards first (on the PUBREL), then answers PUBCOMP.
      'hub>dashboard PUBLISH QoS 2 id 1 @75',
      'hub>sensor PUBCOMP id 1 @75',
      'dashboard>hub PUBREC id 1 @100',
      'hub>dashboard PUBREL id 1 @125',
      'dashboard>hub PUBCOMP id 1 @150',
    ]);
  });
});

describe('through the outage', () => {
  it('QoS 1 with kept sessions loses nothing; the longest wait is the first reading of the outage', () => {
    const r = courseGuarantees(D, { compare: false });
    expect(r.counts).toEqual({ sent: 125, delivered: 125, duplicated: 0, lost: 0, inFlight: 0, lostHop1: 0, lostHop2: 0, maxLatencyMs: 16_000 });
    // Reading 46, sent at 10.0 s into the dark link. The sensor's last PUBACK came at 9.85 s
    // (reading 45 at 9.8 s + 50 ms), so it pings at 19.85 s and gives up 5 s later, at 24.85 s;
    // reconnects 1 s later (25.85 s); TCP handshake and CONNECT/CONNACK take 50 ms each; the
    // resent PUBLISH reaches the broker and the dashboard 25 ms apart: 26.0 s, 16 s after sending.
    const slowest = r.fates.find((f) => f.latencyMs === 16_000)!;
    expect([slowest.n, slowest.sentMs, slowest.deliveredMs]).toEqual([46, 10_000, 26_000]);
    expect(r.sensorAcks).toBe(125);
  });

  it('QoS 0 loses what was written into the connection before the sensor knew it was dead', () => {
    const r = courseGuarantees({ ...D, strategy: 'qos0' }, { compare: false });
    // QoS 0 gets no acknowledgements to postpone the ping: PINGREQ at 10 s (keepalive after the
    // connect at 0 s), lost; no PINGRESP within 5 s: dead at 15 s. Readings 10.0 ... 15.0 s:
    // (15.0 - 10.0) / 0.2 + 1 = 26. Later ones wait in mqtt.js's offline queue and arrive.
    expect(lostReasons(r)).toEqual({ '1:qos0-connection-died': 26 });
    expect(r.fates.filter((f) => f.outcome === 'lost').map((f) => f.sentMs)).toEqual(Array.from({ length: 26 }, (_, i) => 10_000 + 200 * i));
  });

  it('a clean session throws away what was in flight at the sensor', () => {
    const r = courseGuarantees({ ...D, session: 'clean' }, { compare: false });
    // In flight from reading 46 (10.0 s) to the last sent before the sensor gave up at 24.85 s
    // (24.8 s): (24.8 - 10.0) / 0.2 + 1 = 75, all discarded with the session on reconnecting.
    expect(lostReasons(r)).toEqual({ '1:publisher-session-discarded': 75 });
    expect(r.fates.find((f) => f.outcome === 'lost')!.why).toMatch(/clean session/);
  });

  it('raw WebSocket loses the dying connection and everything after it; acks and resume lose nothing', () => {
    const row = (s: 'ws-raw' | 'ws-acks' | 'ws-resume') => lostReasons(courseGuarantees({ ...D, strategy: s }, { compare: false }));
    // Heartbeat every 10 s from the open at 0.05 s: the ping at 10.05 s gets no pong in 5 s, dead
    // at 15.05 s: readings 10.0 ... 15.0 s died with it (26); no reconnect, so 15.2 ... 25.8 s
    // find no connection: (25.8 - 15.2) / 0.2 + 1 = 54.
    expect(row('ws-raw')).toEqual({ '1:connection-died': 26, '1:not-connected': 54 });
    expect(row('ws-acks')).toEqual({});
    expect(row('ws-resume')).toEqual({});
  });

  it('the comparison runs every strategy through the same outage', () => {
    const r = courseGuarantees(D, { compare: true });
    expect(r.comparison.map((c) => [c.strategy, c.session, c.counts.lost])).toEqual([
      ['qos0', 'clean', 27],
      ['qos0', 'kept', 26],
      ['qos1', 'clean', 75],
      ['qos1', 'kept', 0],
      ['qos2', 'clean', 75],
      ['qos2', 'kept', 0],
      ['ws-raw', null, 80],
      ['ws-acks', null, 0],
      ['ws-resume', null, 0],
    ]);
    // QoS 0 with clean sessions: the 26 above on the sensor's hop, plus one on the dashboard's:
    // both reconnect at about 23.2 s, the sensor 50 ms first. Its first queued reading leaves at
    // once and reaches the broker before the dashboard's new clean session has subscribed again;
    // the others wait behind it for its ACK (Nagle: mqtt.js writes each packet on its own) and
    // arrive after the SUBSCRIBE.
    expect(r.comparison[0]!.reasons).toEqual([
      { reason: 'qos0-connection-died', hop: 1, count: 26 },
      { reason: 'subscriber-session-discarded', hop: 2, count: 1 },
    ]);
  });

  it('draws packets that never arrived as lost, and the reconnect with the resend', () => {
    const r = courseGuarantees(D, { compare: false });
    const outage = r.windows.find((w) => w.id === 'outage')!;
    // From one interval (200 ms) before the outage: reading 45's four packets arrive, then the
    // PUBLISH of reading 46 (packet id 46) at 10.0 s is the first that never arrives.
    expect(outage.originMs).toBe(9_800);
    expect(outage.messages.slice(0, 5).map((m) => `${m.label}${m.lost ? ' lost' : ''}`)).toEqual([
      'PUBLISH QoS 1 id 45', 'PUBLISH QoS 1 id 45', 'PUBACK id 45', 'PUBACK id 45', 'PUBLISH QoS 1 id 46 lost',
    ]);
    const reconnect = r.windows.find((w) => w.id === 'reconnect')!;
    // After its CONNECT and CONNACK the sensor sends reading 46 again first, under the same packet
    // id and, as mqtt.js 5 writes it, without the DUP flag; this time it arrives.
    const connack = reconnect.messages.findIndex((m) => m.label === 'CONNACK' && m.to === 'sensor');
    expect(reconnect.messages[connack - 1]!.label).toBe('CONNECT');
    expect(reconnect.messages[connack + 1]).toMatchObject({ from: 'sensor', label: 'PUBLISH QoS 1 id 46' });
    expect(reconnect.messages[connack + 1]!.lost).toBeUndefined();
  });
});

describe("the broker's limits", () => {
  it('a queue of 10 drops what does not fit while the dashboard is away, though the sensor got every PUBACK', () => {
    const r = courseGuarantees({ ...D, impaired: 'dashboard', brokerQueue: 10 }, { compare: false });
    expect(r.sensorAcks).toBe(125);
    expect(r.limits!.queueDropped).toBe(r.counts.lost);
    // 17: while the broker still counts the dashboard connected (until its keepalive runs out),
    // mosquitto 2.0.21 queues 10 plus the window of 20 behind the 20 in flight; the 2.0.11 bound
    // (10, no window) dropped 37, 20 more.
    expect(lostReasons(r)).toEqual({ '2:broker-queue-full': 17 });
  });

  it("mosquitto's QoS 2 receive quota drops 3.1.1 publishes silently; the MQTT 5 client stays within it", () => {
    const lossy = { ...D, strategy: 'qos2' as const, session: 'clean' as const, impaired: 'hub' as const, outageS: 0, lossPct: 20, count: 60, everyMs: 50, keepaliveS: 60, seed: 2 };
    const r = courseGuarantees(lossy, { compare: false });
    expect(lostReasons(r)).toEqual({ '1:broker-receive-quota-exceeded': 32 });
    expect(r.limits!.quotaDenied).toBe(32);
    // The sensor's client completed all 60 exchanges: PUBCOMP for every reading, dropped or not.
    expect(r.sensorAcks).toBe(60);
    expect(r.limits!.peakAwaitingPubrel).toBe(20);
    const v5 = courseGuarantees({ ...lossy, mqttVersion: '5' }, { compare: false });
    expect(v5.counts.lost).toBe(0);
    expect(v5.limits!.quotaDenied).toBe(0);
  });
});

describe('the module', () => {
  it('rejects a bad input naming the field', () => {
    expect(() => runCourse('guarantees', { ...D, count: 0 })).toThrow(/count/);
    expect(() => runCourse('guarantees', { ...D, strategy: 'qos3' })).toThrow(/strategy/);
  });

  it('names the hop of every loss reason', () => {
    expect(reasonInfo('broker-queue-full').hop).toBe(2);
    expect(reasonInfo('refused-0x97')).toEqual({ hop: 1, why: 'the broker refused it with reason code 0x97' });
    expect(reasonInfo('client-offline', 2).hop).toBe(2);
  });

  it('figures quote the named runs', () => {
    const f = guarantees.figures!();
    expect(f.qos2LatencyMs).toBe('150 ms');
    expect(f.qos2RoundTrips).toBe('3');
    expect(f.qos1KeptLost).toBe('0');
    expect(f.qos0KeptLost).toBe('26');
    expect(f.qos1CleanLost).toBe('75');
    expect(f.wsRawLost).toBe('80');
    expect(f.smallQueueLost).toBe('17'); // the queue of 10 + the window while connected, as 2.0.21 (see "the broker's limits")
    // Seeds 1 to 5 (the runs are the simulator's own outcome under 20 % loss). Seeds 3 and 4 gave
    // 7 and 9 before the engine kept Linux's interactive mode after a silence longer than the
    // RTO: fewer pure ACKs cross the broker's link, so its loss draws fall on other packets.
    expect(f.quotaLost311).toBe('0, 32, 10, 16 and 2');
    expect(f.quotaLost5).toBe('0, 0, 0, 0 and 0');
  });

  it('checks: the transfer of the worked example is 6 one-way trips of 100 ms', () => {
    const [far, pubcomp] = guarantees.checks!();
    expect(far!.choices).toEqual(['200 ms', '400 ms', '600 ms', '800 ms']);
    expect(far!.choices[far!.answer]).toBe('600 ms');
    expect(far!.slips?.[0]).toMatch(/QoS 1/);
    expect(pubcomp!.answer).toBe(0);
  });
});
