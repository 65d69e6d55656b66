/** The broker engine's MQTT 5: CONNACK and PUBACK as mosquitto 2.0 sends them, the properties it honours, its Receive Maximum, shared subscriptions. */
import { describe, expect, it } from 'vitest';
import { Harness, str, text } from './broker-harness.ts';

const pub = (topic: string, payload: string, qos: 0 | 1 | 2 = 0, messageId?: number, extra: Record<string, unknown> = {}) =>
  ({ cmd: 'publish', topic, payload: text(payload), qos, retain: false, dup: false, ...(messageId !== undefined ? { messageId } : {}), ...extra }) as const;

describe('MQTT 5 CONNACK and PUBACK as mosquitto 2.0 sends them', () => {
  it('announces Topic Alias Maximum 10, Server Keep Alive for keepalive 0, Receive Maximum 20', () => {
    const h = new Harness();
    expect(h.connect('a', { clientId: 'a', keepalive: 30 }, 5).hex).toEqual(['200900000622000a210014']);
    expect(h.connect('b', { clientId: 'b', keepalive: 0 }, 5).hex).toEqual(['200c00000922000a13ffff210014']);
  });
  it('answers PUBACK 0x10 when nobody subscribes', () => {
    const h = new Harness();
    h.connect('a', { clientId: 'a' }, 5);
    h.send('a', pub('nobody', 'x', 1, 1));
    expect(h.take('a').hex).toEqual(['4003000110']);
  });
});

describe('MQTT 5 properties the broker honours', () => {
  it('message expiry: forwards the remaining interval and drops what expired in the queue', () => {
    const h = new Harness();
    const props = { properties: { sessionExpiryInterval: 600 } };
    h.connect('s1', { clientId: 'sub', clean: false, ...props }, 5);
    h.send('s1', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 1 }] });
    h.send('s1', { cmd: 'disconnect' });
    h.connect('p', { clientId: 'pub' }, 5);
    h.send('p', pub('t', 'long', 1, 1, { properties: { messageExpiryInterval: 10 } }));
    h.send('p', pub('t', 'short', 1, 2, { properties: { messageExpiryInterval: 2 } }));
    h.advance(4_000_000);
    const r = h.connect('s2', { clientId: 'sub', clean: false, ...props }, 5);
    const pubs = r.packets.filter((p) => p.cmd === 'publish');
    expect(pubs.map((p) => p.cmd === 'publish' && [str(p.payload), p.properties?.messageExpiryInterval])).toEqual([['long', 6]]);
    expect(h.notes('message-expired')).toMatchObject([{ topic: 't', clientId: 'sub' }]);
  });

  it('topic aliases from a client: set with a topic, then used with an empty topic', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' }, 5);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'long/topic/name', qos: 0 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' }, 5);
    h.send('p', pub('long/topic/name', 'a', 0, undefined, { properties: { topicAlias: 3 } }));
    h.send('p', pub('', 'b', 0, undefined, { properties: { topicAlias: 3 } }));
    expect(h.take('s').packets.map((p) => p.cmd === 'publish' && [p.topic, str(p.payload)])).toEqual([['long/topic/name', 'a'], ['long/topic/name', 'b']]);
    h.send('p', pub('', 'c', 0, undefined, { properties: { topicAlias: 4 } }));
    expect(h.take('p')).toMatchObject({ packets: [{ cmd: 'disconnect', reasonCode: 0x82 }], closed: true });
  });

  it('Retain As Published keeps the RETAIN flag on live deliveries; Retain Handling 2 sends no retained messages', () => {
    const h = new Harness();
    h.connect('p', { clientId: 'pub' }, 5);
    h.send('p', pub('r', 'old', 0, undefined, { retain: true }));
    h.connect('s', { clientId: 'sub' }, 5);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'r', qos: 0, rap: true, rh: 2 }] });
    expect(h.take('s').packets.map((p) => p.cmd)).toEqual(['suback']);
    h.send('p', pub('r', 'new', 0, undefined, { retain: true }));
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', retain: true }]);
  });

  it('Retain Handling 1 sends retained messages only for a new subscription', () => {
    const h = new Harness();
    h.connect('p', { clientId: 'pub' }, 5);
    h.send('p', pub('r', 'kept', 0, undefined, { retain: true }));
    h.connect('s', { clientId: 'sub' }, 5);
    const sub = { cmd: 'subscribe' as const, messageId: 1, subscriptions: [{ topic: 'r', qos: 0 as const, rh: 1 }] };
    h.send('s', sub);
    expect(h.take('s').packets.map((p) => p.cmd)).toEqual(['suback', 'publish']);
    h.send('s', sub);
    expect(h.take('s').packets.map((p) => p.cmd)).toEqual(['suback']);
  });
});

describe('MQTT 5 Receive Maximum of the broker', () => {
  it('refuses (PUBREC 0x97, as mosquitto) a QoS 2 message beyond the announced Receive Maximum', () => {
    const h = new Harness({ maxInflightMessages: 2 });
    const r = h.connect('p', { clientId: 'pub', keepalive: 10 }, 5);
    expect(r.packets[0]).toMatchObject({ properties: { receiveMaximum: 2 } });
    h.send('p', pub('t', 'a', 2, 1));
    h.send('p', pub('t', 'b', 2, 2));
    expect(h.take('p').hex).toEqual(['50020001', '50020002']);
    h.send('p', pub('t', 'c', 2, 3));
    expect(h.take('p')).toMatchObject({ hex: ['5003000397'], closed: false });
    h.send('p', { cmd: 'pubrel', messageId: 1 });
    h.send('p', pub('t', 'd', 2, 4));
    expect(h.take('p').hex).toEqual(['70020001', '50020004']);
  });
});

describe('shared subscriptions ($share/group/filter)', () => {
  it('give each message to one member in turn, besides ordinary subscribers', () => {
    const h = new Harness();
    h.connect('a', { clientId: 'a' }, 5);
    h.send('a', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/g/s/+', qos: 1 }] });
    h.connect('b', { clientId: 'b' }, 5);
    h.send('b', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/g/s/+', qos: 1 }] });
    h.connect('c', { clientId: 'c' }, 5);
    h.send('c', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 's/#', qos: 0 }] });
    for (const id of ['a', 'b', 'c']) h.take(id);
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 5; i++) h.send('p', pub('s/x', `${i}`, 1, i));
    const payloads = (id: string) => h.take(id).packets.flatMap((p) => (p.cmd === 'publish' ? [str(p.payload)] : []));
    expect(payloads('a')).toEqual(['1', '3', '5']);
    expect(payloads('b')).toEqual(['2', '4']);
    expect(payloads('c')).toEqual(['1', '2', '3', '4', '5']);
    // A member leaves: the rest of the group takes every message.
    h.send('a', { cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['$share/g/s/+'] });
    h.send('p', pub('s/x', '6', 1, 6));
    h.send('p', pub('s/x', '7', 1, 7));
    expect(payloads('b')).toEqual(['6', '7']);
    expect(payloads('a')).toEqual([]);
  });

  it('closes the connection on a bad share name', () => {
    const h = new Harness();
    h.connect('a', { clientId: 'a' }, 5);
    h.send('a', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/g+/x', qos: 0 }] });
    expect(h.take('a')).toMatchObject({ hex: ['e00181'], closed: true });
  });
});
