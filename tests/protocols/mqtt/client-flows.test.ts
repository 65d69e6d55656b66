import { describe, expect, it } from 'vitest';
import {
  decodeMessagePayload,
  encodeMessagePayload,
  FlowLedger,
  matchingSubscribers,
  mqttFlowId,
  type FlowInfo,
} from '../../../simulator/protocols/mqtt/client-flows.ts';
import { reconnectDelayMs } from '../../../simulator/runtime/roles/mqtt-client.ts';

const flow = (to: string, qos: 0 | 1 | 2 = 1, name = 'f'): FlowInfo => ({ flow: `${name}->${to}`, from: 'p', to, topic: 't', qos, entry: 0 });

describe('message payloads', () => {
  it('carry the id big-endian in the first four bytes, zero after', () => {
    expect(Array.from(encodeMessagePayload(0x01020304, 6))).toEqual([1, 2, 3, 4, 0, 0]);
    expect(decodeMessagePayload(encodeMessagePayload(123456, 20))).toBe(123456);
  });
  it('shorter payloads carry the id modulo 256^length', () => {
    expect(Array.from(encodeMessagePayload(0x0102, 1))).toEqual([2]);
    expect(encodeMessagePayload(5, 0)).toEqual(new Uint8Array(0));
  });
});

describe('flows', () => {
  it('match subscribers by filter and take the lower QoS ([MQTT-3.8.4-6])', () => {
    const subs = [
      { node: 'a', subscribe: [{ topic: 'sensors/#', qos: 1 as const }] },
      { node: 'b', subscribe: [{ topic: 'sensors/+/1', qos: 0 as const }, { topic: 'sensors/temp/+', qos: 2 as const }] },
      { node: 'c', subscribe: [{ topic: 'other', qos: 2 as const }] },
    ];
    expect(matchingSubscribers('sensors/temp/1', 2, subs)).toEqual([{ node: 'a', qos: 1 }, { node: 'b', qos: 2 }]);
    expect(mqttFlowId('s1', 'x/y', 'd', 0, false)).toBe('mqtt:s1/x/y->d');
    expect(mqttFlowId('s1', 'x/y', 'd', 2, true)).toBe('mqtt:s1/x/y#2->d');
  });
});

describe('FlowLedger', () => {
  it('marks the second delivery of a message as a duplicate', () => {
    const l = new FlowLedger();
    const id = l.send('p', 0, 0, 't', 4, [flow('s')], 10);
    expect(l.deliver('s', 't', encodeMessagePayload(id, 4))).toEqual({ flow: 'f->s', msg: 0, duplicate: false });
    expect(l.deliver('s', 't', encodeMessagePayload(id, 4))).toEqual({ flow: 'f->s', msg: 0, duplicate: true });
    expect(l.deliver('s', 'other', encodeMessagePayload(id, 4))).toBeUndefined();
    expect(l.finish()).toEqual([]);
  });

  it('reports a certain loss once, and never for a delivered message', () => {
    const l = new FlowLedger();
    const id = l.send('p', 0, 3, 't', 4, [flow('s'), flow('u')], 10);
    l.deliver('s', 't', encodeMessagePayload(id, 4));
    expect(l.lostNow(id, 'queue-full')).toEqual([{ flow: 'f->u', msg: 3, reason: 'queue-full' }]);
    expect(l.lostNow(id, 'queue-full')).toEqual([]);
    expect(l.finish()).toEqual([]);
  });

  it('decides the rest at the end: publisher discard, QoS 0 to a lost connection, ended session, before subscription', () => {
    const l = new FlowLedger();
    for (const n of ['s', 'k', 'x']) l.registerClient(`${n}-id`, n);
    const before = l.send('p', 0, 0, 't', 4, [flow('x')], 1);
    l.routedAtBroker('t', encodeMessagePayload(before, 4), 3);
    for (const n of ['s', 'k', 'x']) l.subscribedAtBroker(`${n}-id`, 5);
    const discarded = l.send('p', 0, 1, 't', 4, [flow('s')], 10);
    l.discardedByPublisher(discarded);
    const q0 = l.send('p', 1, 0, 't', 4, [flow('s', 0, 'g')], 20);
    const kept = l.send('p', 2, 0, 't', 4, [flow('k', 1, 'h')], 20);
    l.subscriberConnectionLost('s', 25);
    l.subscriberConnectionLost('k', 25);
    const ended = l.send('p', 3, 0, 't', 4, [flow('s', 1, 'i')], 26);
    l.subscriberSessionEnded('s', 30);
    void [q0, kept, ended];
    expect(l.finish()).toEqual([
      { flow: 'f->x', msg: 0, reason: 'sent-before-subscription' },
      { flow: 'f->s', msg: 1, reason: 'publisher-session-discarded' },
      { flow: 'g->s', msg: 0, reason: 'qos0-subscriber-connection-lost' },
      { flow: 'i->s', msg: 0, reason: 'subscriber-session-discarded' },
    ]);
  });

  it('calls a message lost before the subscription only if the broker last routed it before that subscription', () => {
    const l = new FlowLedger();
    l.registerClient('dash-id', 's');
    // Routed at 3, before the broker had the subscription (5): lost.
    const early = l.send('p', 0, 0, 't', 4, [flow('s')], 1);
    l.routedAtBroker('t', encodeMessagePayload(early, 4), 3);
    // Published before the subscription too, but routed after it: on its way (queued at the end).
    const late = l.send('p', 0, 1, 't', 4, [flow('s')], 2);
    l.subscribedAtBroker('dash-id', 5);
    l.routedAtBroker('t', encodeMessagePayload(late, 4), 6);
    // Routed before, then resent by its publisher (DUP=1) and routed again after: on its way.
    const resent = l.send('p', 0, 2, 't', 4, [flow('s')], 2);
    l.routedAtBroker('t', encodeMessagePayload(resent, 4), 4);
    l.routedAtBroker('t', encodeMessagePayload(resent, 4), 9);
    // Never reached the broker: on its way, whenever it was published.
    l.send('p', 0, 3, 't', 4, [flow('s')], 0);
    // A second subscription of the same session does not move the time.
    l.subscribedAtBroker('dash-id', 8);
    expect(l.finish()).toEqual([{ flow: 'f->s', msg: 0, reason: 'sent-before-subscription' }]);
  });

  it('counts a broker drop lost at the end, once, on that subscriber\'s flow only, unless it was delivered after all', () => {
    const l = new FlowLedger();
    l.registerClient('dash-id', 's');
    l.registerClient('phone', 'u');
    l.subscribedAtBroker('dash-id', 0);
    l.subscribedAtBroker('phone', 0);
    const a = l.send('p', 0, 0, 't', 4, [flow('s'), flow('u')], 1);
    const b = l.send('p', 0, 1, 't', 4, [flow('s'), flow('u')], 2);
    l.droppedAtBroker('dash-id', 't', encodeMessagePayload(a, 4), 'queue-full');
    l.droppedAtBroker('dash-id', 't', encodeMessagePayload(a, 4), 'discarded-with-session');
    // b was dropped once, then resent by its publisher (DUP=1) and delivered: not lost.
    l.droppedAtBroker('dash-id', 't', encodeMessagePayload(b, 4), 'queue-full');
    l.deliver('s', 't', encodeMessagePayload(b, 4));
    l.deliver('u', 't', encodeMessagePayload(a, 4));
    // Drops of messages outside the flows (a will, an unknown client) are ignored.
    l.droppedAtBroker('stranger', 't', encodeMessagePayload(a, 4), 'queue-full');
    l.droppedAtBroker('dash-id', 'will/topic', new Uint8Array(0), 'queue-full');
    // b on u: neither delivered nor dropped, so still in flight (no decision).
    expect(l.finish()).toEqual([{ flow: 'f->s', msg: 0, reason: 'broker-queue-full' }]);
  });

  it('QoS 0: lost when the broker took its bytes on a dying connection and never routed it', () => {
    const l = new FlowLedger();
    l.registerClient('dash-id', 's');
    l.subscribedAtBroker('dash-id', 0);
    const dropped = l.send('p', 0, 0, 't', 4, [flow('s', 0)], 1);
    const routed = l.send('p', 0, 1, 't', 4, [flow('s', 0)], 2);
    l.routedAtBroker('t', encodeMessagePayload(routed, 4), 3);
    l.qos0Settled(dropped);
    l.qos0Settled(routed);
    // routed and not delivered, but the subscriber never lost a connection: still on its way.
    expect(l.finish()).toEqual([{ flow: 'f->s', msg: 0, reason: 'qos0-connection-died' }]);
  });

  it('QoS 0: lost when routed while the subscriber was between connections', () => {
    const l = new FlowLedger();
    l.registerClient('dash-id', 's');
    l.subscriberConnected('s', 0);
    l.subscribedAtBroker('dash-id', 1);
    // The subscriber gave up its connection at 5 (before m was sent at 6); the broker, not yet
    // aware, routed m to it at 7; the subscriber connected again at 9.
    l.subscriberConnectionLost('s', 5);
    const m = l.send('p', 0, 0, 't', 4, [flow('s', 0)], 6);
    l.routedAtBroker('t', encodeMessagePayload(m, 4), 7);
    l.subscriberConnected('s', 9);
    // Routed at 10, after the new connection: on its way.
    const later = l.send('p', 0, 1, 't', 4, [flow('s', 0)], 10);
    l.routedAtBroker('t', encodeMessagePayload(later, 4), 10);
    expect(l.finish()).toEqual([{ flow: 'f->s', msg: 0, reason: 'qos0-subscriber-connection-lost' }]);
  });

  it('decides once: later finish() calls (one per client role) return nothing', () => {
    const l = new FlowLedger();
    const id = l.send('p', 0, 0, 't', 4, [flow('s')], 1);
    l.routedAtBroker('t', encodeMessagePayload(id, 4), 2);
    expect(l.finish()).toEqual([{ flow: 'f->s', msg: 0, reason: 'sent-before-subscription' }]);
    expect(l.finish()).toEqual([]);
  });

  it('matches short payloads to the oldest message with that residue not yet seen', () => {
    const l = new FlowLedger();
    const ids = [0, 1, 2].map((m) => l.send('p', 0, m, 't', 0, [flow('s')], m));
    void ids;
    expect(l.deliver('s', 't', new Uint8Array(0))?.msg).toBe(0);
    expect(l.deliver('s', 't', new Uint8Array(0))?.msg).toBe(1);
  });

});

it('reconnect backoff doubles from 1 s up to 30 s', () => {
  expect([0, 1, 2, 3, 4, 5, 6].map((n) => reconnectDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});
