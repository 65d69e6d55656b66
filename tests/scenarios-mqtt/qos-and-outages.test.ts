/**
 * What happens to MQTT messages through chosen losses and outages, run through the whole
 * simulator (virtual TCP with Nagle and delayed ACKs, the broker engine, the client engine).
 * Each expectation is derived in the comment above it, not read off a run.
 */
import { describe, expect, it } from 'vitest';
import { expectFlowsMatchRoles } from '../support/flow-counts.ts';
import { msgs, runMqtt } from './helpers.ts';

const FLOW = 'mqtt:pub/t/1->sub';

/**
 * pub publishes at 1.0, 1.5, ... 5.5 s (msg 0..9), then goes quiet; keepalive 2 s, kept session.
 * From 4 s to 24 s the broker -> pub direction is dead (pub's down link): what pub sends still
 * arrives, but nothing comes back, not even TCP's ACKs.
 * - msg 6 (4.0 s) leaves and reaches the broker; its ACK is lost.
 * - msg 7..9 (4.5, 5.0, 5.5 s) are small writes behind unacknowledged data: Nagle (on, as in
 *   mqtt.js) holds them in pub's TCP buffer, and the RTO retransmissions carry only msg 6's bytes.
 * - pub keeps mqtt.js's keepalive timer: started at CONNACK (0.2005 s) and restarted only by
 *   acknowledgements and PINGRESP, never by sending. QoS 0 gets no acknowledgements, so it pings
 *   every 2 s whatever it publishes: PINGREQ at 2.2005 s, PINGRESP 2.3007 s, PINGREQ at 4.3007 s,
 *   whose PINGRESP cannot come back; it gives up at 5.3007 s (keepalive/2 later). With QoS 1/2
 *   the last PUBACK/PUBREC before the outage restarts the timer instead. Its reconnect gets
 *   through when the outage ends, and the kept session resumes.
 */
function outageRun(qos: 0 | 1 | 2) {
  return runMqtt(
    [
      {
        id: 'pub', role: 'mqtt-client', mqtt: { cleanSession: false, keepaliveS: 2 },
        down: { outages: [{ atS: 4, forS: 20 }] },
        publish: [{ topic: 't/1', qos, payloadBytes: 10, everyMs: 500, startS: 1, stopS: 6 }],
      },
      { id: 'sub', role: 'mqtt-client', subscribe: [{ topic: 't/#', qos: 2 }] },
    ],
    60,
  );
}

/** pub's PUBLISHes that repeat a packet id it had sent before (a resend), with their DUP flags. */
function resends(run: ReturnType<typeof outageRun>): Array<{ packetId: number | undefined; dup: boolean | undefined }> {
  const seen = new Set<number | undefined>();
  const out: Array<{ packetId: number | undefined; dup: boolean | undefined }> = [];
  for (const p of run.of('mqtt-packet')) {
    if (p.node !== 'pub' || p.dir !== 'send' || p.type !== 'publish') continue;
    if (seen.has(p.packetId)) out.push({ packetId: p.packetId, dup: p.dup });
    seen.add(p.packetId);
  }
  return out;
}

describe('a dead return path while publishing', () => {
  it('QoS 0 loses exactly what was in flight when the connection died', () => {
    const run = outageRun(0);
    const f = run.flow('pub', 'sub');
    // msg 7 (4.5 s) and 8 (5.0 s) die in pub's TCP buffer with the connection at 5.3007 s; msg 9
    // (5.5 s) is published while offline, queued (mqtt.js queues QoS 0 offline) and delivered
    // after the reconnect.
    expect([f.sent, f.delivered, f.duplicates, f.lost, f.inFlight]).toEqual([10, 8, 0, 2, 0]);
    expect(msgs(run, 'app-lost', FLOW)).toEqual([7, 8]);
    expect(run.of('app-lost').map((r) => r.reason)).toEqual(['qos0-connection-died', 'qos0-connection-died']);
    // The client noticed through keepalive: PINGREQ at 4.3007 s (2 s after the last PINGRESP), no
    // PINGRESP by 5.3007 s.
    const dead = run.of('mqtt-event').find((e) => e.node === 'pub' && e.event === 'disconnected:keepalive-timeout');
    expect(dead?.t).toBe(5_300_725);
  });

  it('QoS 1 with a kept session loses nothing, and duplicates what the broker had already got', () => {
    const run = outageRun(1);
    const f = run.flow('pub', 'sub');
    // msg 6 reached the broker and was forwarded; its PUBACK was lost, so it comes again.
    expect([f.sent, f.delivered, f.duplicates, f.lost, f.inFlight]).toEqual([10, 10, 1, 0, 0]);
    const dupDelivered = run.of('app-deliver').filter((r) => r.duplicate).map((r) => r.msg);
    expect(dupDelivered).toEqual([6]);
    // Re-sent on the resumed session, packet ids 7..10 (msg 6..9) [MQTT-4.4.0-1], with DUP=0 as
    // mqtt.js writes them (client-types.ts resendDup).
    expect(resends(run)).toEqual([7, 8, 9, 10].map((packetId) => ({ packetId, dup: false })));
    expect(run.of('mqtt-event').some((e) => e.node === 'pub' && e.event === 'connected' && e.detail === 'sessionPresent=true')).toBe(true);
  });

  it('QoS 2 neither loses nor duplicates, though PUBLISH is re-sent', () => {
    const run = outageRun(2);
    const f = run.flow('pub', 'sub');
    expect([f.sent, f.delivered, f.duplicates, f.lost, f.inFlight]).toEqual([10, 10, 0, 0, 0]);
    // msg 6..9 (ids 7..10) had no PUBREC when the connection died: each PUBLISH comes again.
    expect(resends(run)).toEqual([7, 8, 9, 10].map((packetId) => ({ packetId, dup: false })));
    // The broker recognised the packet id it still held (msg 6 had reached it; mosquitto tells a
    // repeat by its id, not its DUP flag) and did not forward it twice.
    expect(run.of('mqtt-event').filter((e) => e.node === 'broker' && e.event === 'qos2-duplicate')).toHaveLength(1);
  });
});

describe('loss on a live connection', () => {
  it('a dropped PUBLISH segment is recovered by TCP, never by MQTT (no DUP, no duplicate)', () => {
    // pub's up link carries: 0 SYN, 1 ACK, 2 CONNECT, 3 ACK of CONNACK, 4 PUBLISH msg 0 (1 s),
    // 5 ACK, 6 PUBLISH msg 1 (2 s)... dropList [6] drops msg 1's segment once.
    const run = runMqtt(
      [
        {
          id: 'pub', role: 'mqtt-client', mqtt: { keepaliveS: 60 }, up: { dropList: [6] },
          publish: [{ topic: 't/1', qos: 1, payloadBytes: 10, everyMs: 1000, startS: 1, stopS: 5 }],
        },
        { id: 'sub', role: 'mqtt-client', subscribe: [{ topic: 't/#', qos: 1 }] },
      ],
      10,
    );
    const f = run.flow('pub', 'sub');
    expect([f.sent, f.delivered, f.duplicates, f.lost, f.inFlight]).toEqual([4, 4, 0, 0, 0]);
    const drops = run.of('link-drop').filter((d) => d.link.startsWith('pub->'));
    expect(drops.map((d) => [d.packet, d.reason, d.t])).toEqual([[6, 'list-loss', 2_000_000]]);
    const retx = run.of('tcp-retransmit').filter((r) => r.node === 'pub');
    expect(retx).toHaveLength(1);
    expect(retx[0]!.payloadBytes).toBe(19); // the PUBLISH: 2 + 3 + 2 + 2 + 10 bytes
    expect(run.of('mqtt-packet').filter((p) => p.node === 'pub' && p.type === 'publish' && p.dup)).toEqual([]);
    // msg 1 arrives late by the retransmission's wait; the others after one-way 50 ms + broker hop.
    const late = run.of('app-deliver').find((d) => d.msg === 1)!;
    expect(late.t).toBeGreaterThan(2_100_000 + 200_000);
  });
});

/**
 * sub (keepalive 2 s) loses its link both ways from 5 s to 25 s while pub publishes QoS 1 every
 * second from 1 s to 40 s. The broker drops sub at 1.5 x keepalive of silence; sub gives up on
 * its own after PINGREQ + 1 s; it reconnects once the link is back.
 */
function subscriberOutage(cleanSession: boolean, broker: Record<string, unknown> = {}) {
  return runMqtt(
    [
      { id: 'pub', role: 'mqtt-client', publish: [{ topic: 't/1', qos: 1, payloadBytes: 10, everyMs: 1000, startS: 1, stopS: 40 }] },
      {
        id: 'sub', role: 'mqtt-client', mqtt: { cleanSession, keepaliveS: 2 },
        link: { outages: [{ atS: 5, forS: 20 }] }, subscribe: [{ topic: 't/#', qos: 1 }],
      },
    ],
    60,
    {},
    broker,
  );
}

describe('a subscriber away for 20 s', () => {
  it('with a kept session gets every message once it is back', () => {
    const run = subscriberOutage(false);
    const f = run.flow('pub', 'sub');
    expect([f.sent, f.delivered, f.lost, f.inFlight]).toEqual([39, 39, 0, 0]);
  });

  it('with a kept session but a broker queue of 5 loses what overflowed it, and says why', () => {
    const run = subscriberOutage(false, { broker: { maxQueuedMessages: 5 } });
    const f = run.flow('pub', 'sub');
    // msg 0..3 arrive before the outage; 4..6 were in flight to sub (kept, resent on its return),
    // 7..11 fill the queue of 5; every later one finds it full until sub is back at 40.25 s.
    expect([f.sent, f.delivered, f.lost, f.inFlight, f.duplicates]).toEqual([39, 12, 27, 0, 0]);
    expect(msgs(run, 'app-deliver', FLOW)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(msgs(run, 'app-lost', FLOW)).toEqual(Array.from({ length: 27 }, (_, i) => 12 + i));
    expect(new Set(run.of('app-lost').map((r) => r.reason))).toEqual(new Set(['broker-queue-full']));
    expect(run.of('mqtt-event').filter((r) => r.event === 'queue-full')).toHaveLength(27);
  });

  it('with a clean session loses what the broker would have queued for it', () => {
    const run = subscriberOutage(true);
    const f = run.flow('pub', 'sub');
    expect(f.sent).toBe(39);
    // The flow's counts are the roles' records, and by the end nothing is on its way.
    expectFlowsMatchRoles(run.trace, [f]);
    expect(f.inFlight).toBe(0);
    const lost = msgs(run, 'app-lost', FLOW);
    // Every message published while sub was unreachable (5..25 s: msg 4..23) is lost, and they
    // form one run of consecutive numbers; the messages before and after arrive.
    for (let m = 4; m <= 23; m++) expect(lost).toContain(m);
    expect(lost).toEqual(Array.from({ length: lost.length }, (_, i) => lost[0]! + i));
    expect(msgs(run, 'app-deliver', FLOW)).toEqual([...Array.from({ length: lost[0]! }, (_, i) => i), ...Array.from({ length: 38 - lost.at(-1)! }, (_, i) => lost.at(-1)! + 1 + i)]);
    // The broker dropped sub's session at its keepalive timeout (7.15 s) with msg 4..6 sent to
    // sub but unacknowledged: it says so. The rest were published while sub had no session.
    const reasons = run.of('app-lost').map((r) => `${r.msg}:${r.reason}`);
    expect(reasons.slice(0, 4)).toEqual(['4:broker-discarded-with-session', '5:broker-discarded-with-session', '6:broker-discarded-with-session', '7:subscriber-session-discarded']);
    expect(new Set(reasons.slice(3).map((r) => r.split(':')[1]))).toEqual(new Set(['subscriber-session-discarded']));
  });
});

describe('keepalive and the will', () => {
  /**
   * quiet (keepalive 10 s, a will) only listens; at 30 s its link goes silent for 60 s. Its last
   * packet before that was SUBSCRIBE at 0.2 s (right after CONNACK) and then PINGREQs every 10 s
   * of silence: 10.2, 20.2 s; the one at 30.2 s gets no answer.
   */
  const run = runMqtt(
    [
      {
        id: 'quiet', role: 'mqtt-client', mqtt: { keepaliveS: 10, will: { topic: 'will/quiet', payloadBytes: 4, qos: 1 } },
        link: { outages: [{ atS: 30, forS: 60 }] }, subscribe: [{ topic: 'cmd/quiet', qos: 1 }],
      },
      { id: 'watcher', role: 'mqtt-client', subscribe: [{ topic: 'will/#', qos: 1 }] },
    ],
    120,
  );

  it('detects the silent outage within 1.5 x keepalive (the broker: within that and one whole second), on both sides', () => {
    const client = run.of('mqtt-event').find((e) => e.node === 'quiet' && e.event === 'disconnected:keepalive-timeout')!;
    const broker = run.of('mqtt-event').find((e) => e.node === 'broker' && e.event === 'keepalive-timeout' && e.clientId === 'quiet')!;
    expect(client.t - 30_000_000).toBeLessThanOrEqual(15_000_000);
    expect(broker.t - 30_000_000).toBeLessThanOrEqual(16_000_000);
    // The client: the PINGREQ sent just after 30 s is unanswered; dead keepalive/2 = 5 s later.
    const pings = run.of('mqtt-packet').filter((p) => p.node === 'quiet' && p.type === 'pingreq' && p.t < client.t);
    const last = pings.at(-1)!;
    expect(pings).toHaveLength(3);
    expect(last.t).toBeGreaterThanOrEqual(30_000_000);
    expect(last.t).toBeLessThan(31_000_000);
    expect(client.t).toBe(last.t + 5_000_000);
    // The broker: its last packet was that PINGREQ's predecessor, sent at about 20.2 s, so in second
    // 20; due in second 20 + 10 x 3 / 2 = 35 and cut off when it is over, at 36 s (mosquitto 2.0.21's
    // whole seconds, simulator/protocols/mqtt/broker-keepalive.ts): 15.8 s after it.
    const lastReceived = pings.at(-2)!;
    expect(Math.floor(lastReceived.t / 1_000_000)).toBe(20);
    expect(broker.t).toBe(36_000_000);
  });

  it('publishes the will exactly once', () => {
    const wills = run.of('mqtt-packet').filter((p) => p.node === 'watcher' && p.dir === 'receive' && p.type === 'publish' && p.topic === 'will/quiet');
    expect(wills).toHaveLength(1);
    // quiet came back (after the outage) and did not cause another will.
    expect(run.of('mqtt-event').filter((e) => e.node === 'quiet' && e.event === 'connected')).toHaveLength(2);
  });
});

describe('the non-standard timer resend mode', () => {
  /**
   * pub's link has 400 ms latency, the broker's 25 ms: 850 ms from PUBLISH to PUBACK. A client
   * that re-sends an unacknowledged QoS 1 PUBLISH after 500 ms, as some old clients did, re-sends
   * every message once on a live, loss-free connection (Nagle holds the copy until the first
   * segment's ACK, but it is in TCP's hands by then and goes), and the broker forwards the copy:
   * the subscriber gets each message twice. The standard client (no timer) gets each once.
   */
  const run = (nonStandardResendMs?: number) =>
    runMqtt(
      [
        {
          id: 'pub', role: 'mqtt-client', mqtt: nonStandardResendMs === undefined ? {} : { nonStandardResendMs },
          link: { latencyMs: 400 }, publish: [{ topic: 't/1', qos: 1, payloadBytes: 10, everyMs: 2000, startS: 2, stopS: 10 }],
        },
        { id: 'sub', role: 'mqtt-client', subscribe: [{ topic: 't/#', qos: 1 }] },
      ],
      20,
    );

  it('duplicates every message; the standard client does not', () => {
    const timer = run(500).flow('pub', 'sub');
    expect([timer.sent, timer.delivered, timer.duplicates, timer.lost]).toEqual([4, 4, 4, 0]);
    const standard = run().flow('pub', 'sub');
    expect([standard.sent, standard.delivered, standard.duplicates, standard.lost]).toEqual([4, 4, 0, 0]);
  });
});

/**
 * pub publishes QoS 0 every second (msg 0 at 1 s ... msg 38 at 39 s) with keepalive 4 s; its link
 * is dead both ways from 5 s to 25 s. pub keeps mqtt.js's keepalive timer, which only
 * acknowledgements and PINGRESP restart (a QoS 0 publisher gets none), so it pings every 4 s
 * however much it sends: PINGREQ at 4.2005 s (4 s after CONNACK), PINGRESP 4.3007 s, PINGREQ at
 * 8.3007 s lost in the outage; pub gives up at 10.3007 s (keepalive/2 later). Messages 4..8 (5-9 s)
 * and 9 (10 s, behind them in the TCP buffer) die with that connection; later ones are published
 * offline, queued (mqtt.js queues QoS 0 offline) and delivered after the reconnect at 26.5 s.
 * The broker last heard pub's PINGREQ at 4.2505 s, in second 4: due in second 4 + 4 x 3 / 2 = 10,
 * it closes when that second is over, at 11 s (mosquitto 2.0.21's whole seconds).
 * (Under the 'idle' keepalive rule pub, sending every second, never pinged and lost 25 messages.)
 */
function publisherThroughOutage(brokerTcp: Record<string, unknown>) {
  return runMqtt(
    [
      {
        id: 'pub', role: 'mqtt-client', mqtt: { cleanSession: false, keepaliveS: 4 }, link: { outages: [{ atS: 5, forS: 20 }] },
        publish: [{ topic: 't/1', qos: 0, payloadBytes: 10, everyMs: 1000, startS: 1, stopS: 40 }],
      },
      { id: 'sub', role: 'mqtt-client', subscribe: [{ topic: 't/#', qos: 0 }] },
    ],
    60,
    {},
    brokerTcp,
  );
}

describe('a QoS 0 publisher that keeps publishing through an outage', () => {
  it('loses what was in its TCP buffer when its keepalive gave up; the broker (close(2), as mosquitto) resets later', () => {
    const run = publisherThroughOutage({});
    const f = run.flow('pub', 'sub');
    expect([f.sent, f.delivered, f.lost, f.inFlight]).toEqual([39, 33, 6, 0]);
    expect(msgs(run, 'app-lost', FLOW)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(run.of('mqtt-event').find((r) => r.node === 'broker' && r.event === 'keepalive-timeout')?.t).toBe(11_000_000);
    // pub's retransmissions reach the closed broker after the outage: a RST (pub had given up already).
    expect(run.of('tcp-failure').map((r) => [r.node, r.reason])).toEqual([['broker', 'reset']]);
    // Decided when pub gives the connection up: PINGREQ at 8.3007 s, no PINGRESP by 10.3007 s.
    const gaveUp = run.of('mqtt-event').find((r) => r.node === 'pub' && r.event === 'disconnected:keepalive-timeout')!.t;
    expect(gaveUp).toBe(10_300_725);
    expect(new Set(run.of('app-lost').map((r) => `${r.t} ${r.reason}`))).toEqual(new Set([`${gaveUp} qos0-connection-died`]));
  });

  it('loses the same messages when the broker only half-closes: bytes arriving after close() are not read', () => {
    const f = publisherThroughOutage({ tcp: { fullClose: false } }).flow('pub', 'sub');
    expect([f.sent, f.delivered, f.lost, f.inFlight]).toEqual([39, 33, 6, 0]);
  });
});
