import { describe, expect, it } from 'vitest';
import {
  FlowLedger,
  matchingSubscribers,
  mqttFlowId,
  type FlowInfo,
} from '../../../simulator/protocols/mqtt/client-flows.ts';

const flow = (to: string, qos: 0 | 1 | 2 = 1, name = 'f'): FlowInfo => ({ flow: `${name}->${to}`, from: 'p', to, topic: 't', qos, entry: 0 });

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
    const id = l.send(0, [flow('s')], 10);
    expect(l.deliver('s', id)).toEqual({ flow: 'f->s', msg: 0, duplicate: false });
    expect(l.deliver('s', id)).toEqual({ flow: 'f->s', msg: 0, duplicate: true });
    // A message no flow sent (a will), or one for another subscriber: no flow.
    expect(l.deliver('s', undefined)).toBeUndefined();
    expect(l.deliver('x', id)).toBeUndefined();
    expect(l.finish()).toEqual([]);
  });

  it('reports a certain loss once, and never for a delivered message', () => {
    const l = new FlowLedger();
    const id = l.send(3, [flow('s'), flow('u')], 10);
    l.deliver('s', id);
    expect(l.lostNow(id, 'queue-full')).toEqual([{ flow: 'f->u', msg: 3, reason: 'queue-full' }]);
    expect(l.lostNow(id, 'queue-full')).toEqual([]);
    expect(l.finish()).toEqual([]);
  });

  it('decides the rest at the end: publisher discard, QoS 0 to a lost connection, ended session, before subscription', () => {
    const l = new FlowLedger();
    for (const n of ['s', 'k', 'x']) l.registerClient(`${n}-id`, n);
    const before = l.send(0, [flow('x')], 1);
    l.routedAtBroker(before, 3);
    for (const n of ['s', 'k', 'x']) l.subscribedAtBroker(`${n}-id`, 5);
    const discarded = l.send(1, [flow('s')], 10);
    l.discardedByPublisher(discarded);
    const q0 = l.send(0, [flow('s', 0, 'g')], 20);
    const kept = l.send(0, [flow('k', 1, 'h')], 20);
    l.subscriberConnectionLost('s', 25);
    l.subscriberConnectionLost('k', 25);
    const ended = l.send(0, [flow('s', 1, 'i')], 26);
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
    const early = l.send(0, [flow('s')], 1);
    l.routedAtBroker(early, 3);
    // Published before the subscription too, but routed after it: on its way (queued at the end).
    const late = l.send(1, [flow('s')], 2);
    l.subscribedAtBroker('dash-id', 5);
    l.routedAtBroker(late, 6);
    // Routed before, then resent by its publisher (DUP=1) and routed again after: on its way.
    const resent = l.send(2, [flow('s')], 2);
    l.routedAtBroker(resent, 4);
    l.routedAtBroker(resent, 9);
    // Never reached the broker: on its way, whenever it was published.
    l.send(3, [flow('s')], 0);
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
    const a = l.send(0, [flow('s'), flow('u')], 1);
    const b = l.send(1, [flow('s'), flow('u')], 2);
    l.droppedAtBroker('dash-id', a, 'queue-full');
    l.droppedAtBroker('dash-id', a, 'discarded-with-session');
    // b was dropped once, then resent by its publisher (DUP=1) and delivered: not lost.
    l.droppedAtBroker('dash-id', b, 'queue-full');
    l.deliver('s', b);
    l.deliver('u', a);
    // Drops of messages outside the flows (a will, an unknown client) are ignored.
    l.droppedAtBroker('stranger', a, 'queue-full');
    l.droppedAtBroker('dash-id', undefined, 'queue-full');
    // b on u: neither delivered nor dropped, so still in flight (no decision).
    expect(l.finish()).toEqual([{ flow: 'f->s', msg: 0, reason: 'broker-queue-full' }]);
  });

  it('QoS 0: lost when the broker took its bytes on a dying connection and never routed it', () => {
    const l = new FlowLedger();
    l.registerClient('dash-id', 's');
    l.subscribedAtBroker('dash-id', 0);
    const dropped = l.send(0, [flow('s', 0)], 1);
    const routed = l.send(1, [flow('s', 0)], 2);
    l.routedAtBroker(routed, 3);
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
    const m = l.send(0, [flow('s', 0)], 6);
    l.routedAtBroker(m, 7);
    l.subscriberConnected('s', 9);
    // Routed at 10, after the new connection: on its way.
    const later = l.send(1, [flow('s', 0)], 10);
    l.routedAtBroker(later, 10);
    expect(l.finish()).toEqual([{ flow: 'f->s', msg: 0, reason: 'qos0-subscriber-connection-lost' }]);
  });

  it('decides once: later finish() calls (one per client role) return nothing', () => {
    const l = new FlowLedger();
    const id = l.send(0, [flow('s')], 1);
    l.routedAtBroker(id, 2);
    expect(l.finish()).toEqual([{ flow: 'f->s', msg: 0, reason: 'sent-before-subscription' }]);
    expect(l.finish()).toEqual([]);
  });


});
