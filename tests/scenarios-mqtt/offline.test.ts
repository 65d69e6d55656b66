/**
 * Offline clients through the whole simulator (chapter 6): a clean offline window against a lost
 * network (the will), a late joiner and the retained message, and a kept session's bounded queue
 * with QoS 0 not queued. Links: 25 ms one way, so one hop is 50 ms; every client connects at 0 and
 * its CONNACK is back at about 0.2 s (TCP handshake, CONNECT, CONNACK).
 */
import { describe, expect, it } from 'vitest';
import { msgs, runMqtt } from './helpers.ts';

const run = runMqtt(
  [
    { id: 'polite', role: 'mqtt-client', mqtt: { keepaliveS: 10, will: { topic: 'status/polite', payloadBytes: 7, qos: 1, retain: true }, offline: [{ atS: 10, forS: 5 }] } },
    { id: 'rude', role: 'mqtt-client', mqtt: { keepaliveS: 10, will: { topic: 'status/rude', payloadBytes: 7, qos: 1, retain: true } }, link: { outages: [{ atS: 10, forS: 30 }] } },
    { id: 'watcher', role: 'mqtt-client', subscribe: [{ topic: 'status/#', qos: 1 }] },
    { id: 'thermo', role: 'mqtt-client', publish: [{ topic: 'home/temp', qos: 1, retain: true, payloadBytes: 4, everyMs: 2000, startS: 1, stopS: 9 }] },
    { id: 'late', role: 'mqtt-client', mqtt: { connectAtS: 20 }, subscribe: [{ topic: 'home/#', qos: 1 }] },
    { id: 'sensor', role: 'mqtt-client', publish: [{ topic: 'q/s', qos: 1, payloadBytes: 4, everyMs: 1000, startS: 1, stopS: 31 }] },
    { id: 'door', role: 'mqtt-client', publish: [{ topic: 'q/d', qos: 0, payloadBytes: 4, everyMs: 1000, startS: 1, stopS: 31 }] },
    { id: 'phone', role: 'mqtt-client', mqtt: { cleanSession: false, offline: [{ atS: 10, forS: 15 }] }, subscribe: [{ topic: 'q/#', qos: 1 }] },
  ],
  60,
  {},
  { broker: { maxQueuedMessages: 5 } },
);
const events = (node: string, event: string) => run.of('mqtt-event').filter((e) => e.node === node && e.event === event);

describe('the Last Will', () => {
  it('is published for the client whose network was lost, when the broker gives up on it, and not after a clean DISCONNECT', () => {
    const wills = run.of('mqtt-packet').filter((p) => p.node === 'watcher' && p.dir === 'receive' && p.type === 'publish');
    expect(wills.map((p) => p.topic)).toEqual(['status/rude']);
    // rude's last packet reached the broker in second 0 (CONNECT at 0.15 s): its PINGREQ was due at
    // 10.2 s, in the outage. Due in second 0 + 10 x 3 / 2 = 15, cut off when it is over: 16 s.
    const [will] = events('broker', 'will-published');
    expect(will!.t).toBe(16_000_000);
    expect(events('broker', 'keepalive-timeout').map((e) => e.t)).toEqual([16_000_000]);
    // polite said DISCONNECT at 10 s (the broker read it 50 ms later) and came back at 15 s.
    expect(events('polite', 'disconnected:client-disconnect').map((e) => e.t)).toEqual([10_000_000]);
    expect(events('broker', 'client-disconnected').filter((e) => e.clientId === 'polite').map((e) => e.detail)).toEqual(['DISCONNECT']);
    expect(events('polite', 'connected').length).toBe(2);
    expect(events('polite', 'connected')[1]!.t).toBeGreaterThanOrEqual(15_000_000);
    expect(events('polite', 'connected')[1]!.t).toBeLessThan(15_300_000);
  });
});

describe('a late joiner', () => {
  it('connects at connectAtS and gets only the last retained reading, flagged RETAIN', () => {
    expect(events('late', 'connected').map((e) => Math.floor(e.t / 100_000))).toEqual([202]);
    // thermo published readings 0-3 at 1, 3, 5, 7 s, each retained: the broker kept only reading 3.
    const flow = 'mqtt:thermo/home/temp->late';
    expect(msgs(run, 'app-deliver', flow)).toEqual([3]);
    expect(run.of('app-lost').filter((r) => r.flow === flow).map((r) => `${r.msg} ${r.reason}`)).toEqual([
      '0 sent-before-subscription', '1 sent-before-subscription', '2 sent-before-subscription',
    ]);
    const got = run.of('mqtt-packet').filter((p) => p.node === 'late' && p.dir === 'receive' && p.type === 'publish');
    expect(got.map((p) => [p.topic, p.retain])).toEqual([['home/temp', true]]);
  });
});

describe("a kept session's queue while its client is away (max_queued_messages 5)", () => {
  it('keeps the first 5 QoS 1 messages, drops the rest at the bound, and delivers the 5 on reconnect', () => {
    // phone is away from 10 s (DISCONNECT read at 10.05 s) to 25 s (CONNACK at 25.2 s). sensor's
    // message k is sent at (k + 1) s: messages 9-24 reach the broker while phone is away. 9-13 fill
    // the queue; 14-24 are dropped at the bound. 24 was sent at 25 s, before phone's CONNECT came.
    const flow = 'mqtt:sensor/q/s->phone';
    const f = run.flow('sensor', 'phone');
    expect([f.sent, f.delivered, f.lost, f.inFlight]).toEqual([30, 19, 11, 0]);
    expect(msgs(run, 'app-lost', flow)).toEqual([14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(new Set(run.of('app-lost').filter((r) => r.flow === flow).map((r) => r.reason))).toEqual(new Set(['broker-queue-full']));
    const replayed = run.of('app-deliver').filter((r) => r.flow === flow && r.msg >= 9 && r.msg <= 13);
    expect(replayed.map((r) => r.msg)).toEqual([9, 10, 11, 12, 13]);
    expect(new Set(replayed.map((r) => Math.floor(r.t / 100_000)))).toEqual(new Set([253]));
    expect(events('broker', 'session-resumed').map((e) => e.detail)).toEqual(['1 subscriptions, 0 in flight, 5 queued']);
  });

  it('does not queue QoS 0 for it: every QoS 0 message of the absence is lost (queue_qos0_messages false)', () => {
    // door's messages 9-24 (10-25 s) found phone away; the subscription is QoS 1 but door publishes QoS 0.
    const f = run.flow('door', 'phone');
    expect([f.sent, f.delivered, f.lost, f.inFlight]).toEqual([30, 14, 16, 0]);
    expect(msgs(run, 'app-lost', 'mqtt:door/q/d->phone')).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(new Set(run.of('app-lost').filter((r) => r.flow === 'mqtt:door/q/d->phone').map((r) => r.reason))).toEqual(new Set(['broker-qos0-dropped-offline']));
  });
});

describe('offline windows and connectAtS in the scenario', () => {
  it('are refused with the field named when they make no sense', async () => {
    const { parseScenario } = await import('../../simulator/scenarios/schema.ts');
    const bad = parseScenario({
      schema: 'wirelab/scenario@1', seed: 1, durationS: 10,
      nodes: [{ id: 'b', role: 'mqtt-broker' }, { id: 'c', role: 'mqtt-client', mqtt: { connectAtS: -1, offline: [{ atS: 1, forS: 0 }] } }],
    });
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors.join('\n');
    expect(errors).toMatch(/nodes\[1\]\.mqtt\.connectAtS/);
    expect(errors).toMatch(/nodes\[1\]\.mqtt\.offline\[0\]\.forS/);
  });
});
