import { describe, expect, it } from 'vitest';
import { encodePacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { annotatedHex, Harness, str, text, toHex } from './broker-harness.ts';

const pub = (topic: string, payload: string, qos: 0 | 1 | 2 = 0, messageId?: number, extra: Record<string, unknown> = {}) =>
  ({ cmd: 'publish', topic, payload: text(payload), qos, retain: false, dup: false, ...(messageId !== undefined ? { messageId } : {}), ...extra }) as const;

describe('CONNECT / CONNACK', () => {
  it('accepts a 3.1.1 client with return code 0 and session present 0', () => {
    const h = new Harness();
    const r = h.connect('c1', { clientId: 'a' });
    expect(r.hex).toEqual(['20020000']);
    expect(h.broker.counters.connectionsAccepted).toBe(1);
  });

  it('refuses an empty client id without clean session (3.1.1 return code 2) and closes', () => {
    const h = new Harness();
    h.open('c1');
    // Hand-built: mqtt-packet refuses to encode this. "MQTT" level 4, flags 0, keepalive 0, id "".
    h.raw('c1', Uint8Array.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]));
    const r = h.take('c1');
    expect(r.hex).toEqual(['20020002']);
    expect(r.closed).toBe(true);
  });

  it('assigns a client id in MQTT 5 and says so in CONNACK', () => {
    const h = new Harness();
    const r = h.connect('c1', { clientId: '' }, 5);
    expect(r.packets[0]).toMatchObject({ cmd: 'connack', reasonCode: 0, sessionPresent: false, properties: { assignedClientIdentifier: 'auto-1', topicAliasMaximum: 10 } });
  });

  it('closes a connection whose first packet is not CONNECT', () => {
    const h = new Harness();
    h.open('c1');
    h.send('c1', { cmd: 'pingreq' });
    expect(h.take('c1')).toEqual({ packets: [], hex: [], closed: true });
    expect(h.broker.counters.protocolErrors).toBe(1);
  });
});

describe('routing', () => {
  it('delivers QoS 1 to a wildcard subscriber with exact packets on both legs', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' });
    h.connect('p', { clientId: 'pub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'sensors/+/temp', qos: 1 }] });
    expect(h.take('s').hex).toEqual(['9003000101']);
    h.send('p', pub('sensors/k/temp', '21', 1, 7));
    expect(h.take('p').hex).toEqual(['40020007']);
    // PUBLISH QoS 1, packet id 1 (the broker's own numbering), retain 0.
    const expected = encodePacket({ cmd: 'publish', topic: 'sensors/k/temp', payload: text('21'), qos: 1, dup: false, retain: false, messageId: 1 }, 4);
    expect(h.take('s').hex).toEqual([toHex(expected)]);
    expect(toHex(expected)).toBe('321400' + '0e' + Buffer.from('sensors/k/temp').toString('hex') + '0001' + '3231');
  });

  it('downgrades to the subscription QoS', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' });
    h.connect('p', { clientId: 'pub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] });
    h.take('s');
    h.send('p', pub('a', 'x', 2, 3));
    expect(h.take('p').packets).toEqual([{ cmd: 'pubrec', messageId: 3, length: 2 }]);
    expect(h.take('s').packets).toEqual([]); // method A: nothing before PUBREL
    h.send('p', { cmd: 'pubrel', messageId: 3 });
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', qos: 0, topic: 'a' }]);
  });

  it('3.1.1 overlapping subscriptions: one delivery at the highest QoS', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' });
    h.connect('p', { clientId: 'pub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#', qos: 0 }, { topic: 'a/b', qos: 2 }, { topic: 'a/+', qos: 1 }] });
    expect(h.take('s').packets[0]).toMatchObject({ cmd: 'suback', granted: [0, 2, 1] });
    h.send('p', pub('a/b', 'x', 2, 1));
    h.send('p', { cmd: 'pubrel', messageId: 1 });
    const got = h.take('s').packets;
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ cmd: 'publish', qos: 2, messageId: 1 });
  });

  it('MQTT 5 overlapping subscriptions: one delivery per matching subscription, in topic tree order', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' }, 5);
    h.connect('p', { clientId: 'pub' }, 5);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#', qos: 1 }], properties: { subscriptionIdentifier: 11 } });
    h.send('s', { cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'a/+', qos: 0 }], properties: { subscriptionIdentifier: 22 } });
    h.send('s', { cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/b', qos: 0 }, { topic: '+/b', qos: 1 }] });
    h.take('s');
    h.send('p', pub('a/b', 'x', 1, 1));
    const got = h.take('s').packets.map((p) => p.cmd === 'publish' ? [p.qos, p.properties?.subscriptionIdentifier, p.messageId] : p.cmd);
    // a/b (QoS 0, no id), a/+ (QoS 0, id 22), a/# (QoS 1, id 11), +/b (QoS 1, no id).
    expect(got).toEqual([[0, undefined, undefined], [0, 22, undefined], [1, 11, 1], [1, undefined, 2]]);
  });

  it('MQTT 5 No Local keeps a client from receiving its own messages', () => {
    const h = new Harness();
    h.connect('c', { clientId: 'me' }, 5);
    h.send('c', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 0, nl: true }] });
    h.take('c');
    h.send('c', pub('t', 'x'));
    expect(h.take('c').packets).toEqual([]);
  });

  it('wildcards at the first level do not match $ topics [MQTT-4.7.2-1]', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' });
    h.connect('p', { clientId: 'pub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 0 }, { topic: '+/x', qos: 0 }] });
    h.take('s');
    h.send('p', pub('$SYS/x', 'up'));
    expect(h.take('s').packets).toEqual([]);
    h.send('p', pub('b/x', 'up'));
    expect(h.take('s').packets).toHaveLength(1);
  });

  it('counts the fan-out of one publish: acknowledgement plus one PUBLISH per subscriber', () => {
    const h = new Harness();
    for (const id of ['s1', 's2', 's3']) {
      h.connect(id, { clientId: id });
      h.send(id, { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'room/#', qos: 1 }] });
    }
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('room/1', 'hello', 1, 9));
    const fan = h.events.filter((e) => e.type === 'fan-out');
    // PUBLISH: 2 + 2 + 6 (topic) + 2 (id) + 5 (payload) = 17 bytes; PUBACK 4 bytes.
    expect(fan).toEqual([{ type: 'fan-out', seq: 1, clientId: 'pub', topic: 'room/1', qos: 1, payload: text('hello'), deliveries: 3, sentNow: 3, queued: 0, dropped: 0, packets: 4, bytes: 3 * 17 + 4 }]);
  });

  it('closes a publisher that uses a wildcard in a topic name (MQTT 5: DISCONNECT 0x90)', () => {
    const h = new Harness();
    h.connect('p', { clientId: 'pub' }, 5);
    // The codec will not encode a wildcard Topic Name [MQTT-3.3.2-2]: the PUBLISH is written by hand.
    h.raw('p', annotatedHex('30 07 | 0003 612f2b (topic "a/+") | 00 (no properties) | 78'));
    const r = h.take('p');
    expect(r.packets).toMatchObject([{ cmd: 'disconnect', reasonCode: 0x90 }]);
    expect(r.closed).toBe(true);
  });
});

describe('retained messages', () => {
  it('sets, replaces and clears; delivered on subscribe with RETAIN 1 and downgraded QoS', () => {
    const h = new Harness();
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('home/temp', '20', 1, 1, { retain: true }));
    h.send('p', pub('home/temp', '21', 1, 2, { retain: true }));
    h.send('p', pub('home/hum', '40', 0, undefined, { retain: true }));
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'home/#', qos: 0 }] });
    const got = h.take('s').packets;
    expect(got[0]).toMatchObject({ cmd: 'suback', granted: [0] });
    expect(got.slice(1).map((p) => p.cmd === 'publish' && [p.topic, str(p.payload), p.qos, p.retain])).toEqual([
      ['home/temp', '21', 0, true],
      ['home/hum', '40', 0, true],
    ]);
    // A live delivery of a retained publish goes out with RETAIN 0 [MQTT-3.3.1-9].
    h.send('p', pub('home/temp', '22', 0, undefined, { retain: true }));
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', retain: false }]);
    h.send('p', pub('home/temp', '', 0, undefined, { retain: true }));
    h.take('s');
    h.connect('s2', { clientId: 'sub2' });
    h.send('s2', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'home/temp', qos: 1 }] });
    expect(h.take('s2').packets.map((p) => p.cmd)).toEqual(['suback']);
    expect(h.broker.retained.size).toBe(1);
  });
});

describe('Last Will', () => {
  const will = { topic: 'status/dev', payload: text('offline'), qos: 1 as const, retain: false };

  it('is published when the connection is lost, not after DISCONNECT', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'watch' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 1 }] });
    h.take('s');
    h.connect('d1', { clientId: 'dev', will });
    h.send('d1', { cmd: 'disconnect' });
    expect(h.take('d1').closed).toBe(true);
    expect(h.take('s').packets).toEqual([]);
    h.connect('d2', { clientId: 'dev', will });
    h.lose('d2');
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', topic: 'status/dev', qos: 1 }]);
    expect(h.broker.counters.willsPublished).toBe(1);
  });

  it('is published after 1.5 x keepalive of silence [MQTT-3.1.2-24], at the exact bound with keepaliveSweepS 0', () => {
    const h = new Harness({ keepaliveSweepS: 0 });
    h.connect('s', { clientId: 'watch' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    h.take('s');
    h.connect('d', { clientId: 'dev', will, keepalive: 10 });
    h.now = 4_000_000;
    h.send('d', { cmd: 'pingreq' });
    expect(h.take('d').hex).toEqual(['d000']);
    h.advance(4_000_000 + 14_999_999);
    expect(h.take('d').closed).toBe(false);
    h.advance(4_000_000 + 15_000_000);
    expect(h.take('d').closed).toBe(true);
    expect(h.notes('keepalive-timeout')).toHaveLength(1);
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', topic: 'status/dev', qos: 0 }]);
  });

  /**
   * mosquitto 2.0.21 counts whole seconds: the last packet at 4.3 s is in second 4, due in second
   * 4 + 10 x 3 / 2 = 19, cut off when second 19 is over: at 20 s, 15.7 s after it. Debian's 2.0.11
   * (sweepS 6) checks only at 0, 6, 12, 18, 24 s: the first sweep at or after 20 s is 24 s.
   */
  it.each([
    [1, 20_000_000],
    [6, 24_000_000],
  ])('with keepaliveSweepS %i (mosquitto), is published when the whole second is over: at %i µs', (keepaliveSweepS, at) => {
    const h = new Harness({ keepaliveSweepS });
    h.connect('s', { clientId: 'watch' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    h.take('s');
    h.connect('d', { clientId: 'dev', will, keepalive: 10 });
    h.now = 4_300_000;
    h.send('d', { cmd: 'pingreq' });
    h.take('d');
    h.advance(at - 1);
    expect(h.take('d').closed).toBe(false);
    expect(h.broker.nextTimer()).toBe(at);
    h.advance(at);
    expect(h.take('d').closed).toBe(true);
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', topic: 'status/dev', qos: 0 }]);
  });

  it('MQTT 5: waits for the will delay, and a reconnect within it cancels the will', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'watch' }, 5);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    h.take('s');
    const delayed = { ...will, properties: { willDelayInterval: 5 } };
    const props = { sessionExpiryInterval: 60 };
    h.connect('d1', { clientId: 'dev', will: delayed, properties: props }, 5);
    h.lose('d1');
    h.advance(4_999_999);
    expect(h.take('s').packets).toEqual([]);
    h.advance(5_000_000);
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', topic: 'status/dev' }]);
    h.connect('d2', { clientId: 'dev', will: delayed, properties: props, clean: false }, 5);
    h.lose('d2');
    h.advance(7_000_000);
    h.connect('d3', { clientId: 'dev', clean: false, properties: props }, 5);
    h.advance(20_000_000);
    expect(h.take('s').packets).toEqual([]);
    expect(h.notes('will-cancelled')).toHaveLength(1);
  });

  it('is published when the broker closes the connection for a protocol error', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'watch' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    h.take('s');
    h.connect('d', { clientId: 'dev', will });
    h.raw('d', Uint8Array.from([0x40, 0x00])); // PUBACK without its packet id
    expect(h.take('d').closed).toBe(true);
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', topic: 'status/dev' }]);
  });

  it('MQTT 5 DISCONNECT with reason 0x04 publishes the will', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'watch' }, 5);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    h.take('s');
    h.connect('d', { clientId: 'dev', will }, 5);
    h.send('d', { cmd: 'disconnect', reasonCode: 0x04 });
    expect(h.take('s').packets).toHaveLength(1);
  });
});

describe('persistent sessions', () => {
  function offlineSubscriber(h: Harness, version: 4 | 5 = 4) {
    const props = version === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {};
    h.connect('s1', { clientId: 'sub', clean: false, ...props }, version);
    h.send('s1', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q/#', qos: 2 }] });
    h.take('s1');
    h.send('s1', { cmd: 'disconnect' });
  }

  it('queues QoS 1/2 for an offline client and delivers on resume with session present', () => {
    const h = new Harness();
    offlineSubscriber(h);
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('q/a', 'm1', 1, 1));
    h.send('p', pub('q/a', 'm2', 2, 2));
    h.send('p', { cmd: 'pubrel', messageId: 2 });
    h.send('p', pub('q/a', 'm0', 0));
    expect(h.notes('qos0-dropped-offline')).toHaveLength(1);
    const r = h.connect('s2', { clientId: 'sub', clean: false });
    expect(r.hex[0]).toBe('20020100');
    expect(r.packets.slice(1).map((p) => p.cmd === 'publish' && [str(p.payload), p.qos, p.messageId, p.dup])).toEqual([
      ['m1', 1, 1, false],
      ['m2', 2, 2, false],
    ]);
  });

  it('bounds the queue: what does not fit is dropped, traced and counted', () => {
    const h = new Harness({ maxQueuedMessages: 2 });
    offlineSubscriber(h);
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 3; i++) h.send('p', pub('q/a', `m${i}`, 1, i));
    expect(h.broker.counters.queueDropped).toBe(1);
    expect(h.notes('queue-full')).toMatchObject([{ clientId: 'sub', topic: 'q/a', seq: 3 }]);
    const r = h.connect('s2', { clientId: 'sub', clean: false });
    expect(r.packets.slice(1).map((p) => p.cmd === 'publish' && str(p.payload))).toEqual(['m1', 'm2']);
  });

  it('clean session discards the queue', () => {
    const h = new Harness();
    offlineSubscriber(h);
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('q/a', 'm1', 1, 1));
    const r = h.connect('s2', { clientId: 'sub', clean: true });
    expect(r.hex).toEqual(['20020000']);
    expect(h.broker.counters.discardedWithSession).toBe(1);
    // Each message that dies with the session is reported, with what a flow needs to count it lost.
    expect(h.notes('discarded-with-session')).toMatchObject([{ clientId: 'sub', seq: 1, topic: 'q/a', publisher: 'pub', payload: text('m1') }]);
  });

  it('keeps at most max_inflight_messages unacknowledged, sending more as acks come', () => {
    const h = new Harness({ maxInflightMessages: 2 });
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 1 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 4; i++) h.send('p', pub('t', `m${i}`, 1, i));
    expect(h.take('s').packets.map((p) => p.cmd === 'publish' && p.messageId)).toEqual([1, 2]);
    h.send('s', { cmd: 'puback', messageId: 1 });
    expect(h.take('s').packets.map((p) => p.cmd === 'publish' && p.messageId)).toEqual([3]);
  });

  it('0 means no maximum for both limits, as in mosquitto.conf (and no Receive Maximum is announced)', () => {
    const h = new Harness({ maxInflightMessages: 0, maxQueuedMessages: 0 });
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 1 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 30; i++) h.send('p', pub('t', `m${i}`, 1, i));
    expect(h.take('s').packets.map((p) => p.cmd === 'publish' && p.messageId)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(h.connect('v5', { clientId: 'v5', keepalive: 30 }, 5).hex).toEqual(['200600000322000a']);
    const q = new Harness({ maxQueuedMessages: 0 });
    offlineSubscriber(q);
    q.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 1500; i++) q.send('p', pub('q/a', `m${i}`, 1, (i % 65535) + 1));
    expect(q.broker.counters.queueDropped).toBe(0);
  });

  it('refuses a negative or fractional limit with an error naming it', () => {
    expect(() => new Harness({ maxInflightMessages: -1 })).toThrow('maxInflightMessages must be an integer from 0 to 65535, got -1');
    expect(() => new Harness({ maxQueuedMessages: 2.5 })).toThrow('maxQueuedMessages must be an integer from 0, got 2.5');
  });

  it('MQTT 5 Receive Maximum narrows the window', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub', properties: { receiveMaximum: 1 } }, 5);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 1 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 3; i++) h.send('p', pub('t', `m${i}`, 1, i));
    expect(h.take('s').packets).toHaveLength(1);
  });

  it('resends unacknowledged PUBLISH with DUP=1 and PUBREL on resume, never on a timer [MQTT-4.4.0-1]', () => {
    const h = new Harness();
    h.connect('s1', { clientId: 'sub', clean: false });
    h.send('s1', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 2 }] });
    h.take('s1');
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('t', 'one', 1, 1));
    h.send('p', pub('t', 'two', 2, 2));
    h.send('p', { cmd: 'pubrel', messageId: 2 });
    expect(h.take('s1').packets.map((p) => p.cmd === 'publish' && p.messageId)).toEqual([1, 2]);
    h.send('s1', { cmd: 'pubrec', messageId: 2 });
    expect(h.take('s1').hex).toEqual(['62020002']);
    h.advance(3_600_000_000);
    expect(h.take('s1').packets).toEqual([]);
    h.lose('s1');
    const r = h.connect('s2', { clientId: 'sub', clean: false });
    expect(r.packets.map((p) => [p.cmd, (p as { messageId?: number }).messageId, (p as { dup?: boolean }).dup])).toEqual([
      ['connack', undefined, undefined],
      ['publish', 1, true],
      ['pubrel', 2, undefined],
    ]);
    h.send('s2', { cmd: 'puback', messageId: 1 });
    h.send('s2', { cmd: 'pubcomp', messageId: 2 });
    expect(h.broker.session('sub')!.inflight.size).toBe(0);
  });

  it('session takeover closes the old connection (MQTT 5: DISCONNECT 0x8E) and keeps the session', () => {
    const h = new Harness();
    const props = { properties: { sessionExpiryInterval: 100 } };
    h.connect('a', { clientId: 'dup', ...props }, 5);
    h.send('a', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 1 }] });
    h.take('a');
    const r = h.connect('b', { clientId: 'dup', clean: false, ...props }, 5);
    expect(h.take('a')).toMatchObject({ packets: [{ cmd: 'disconnect', reasonCode: 0x8e }], closed: true });
    expect(r.packets).toMatchObject([{ cmd: 'connack', sessionPresent: true }]);
    expect(h.broker.counters.sessionTakeovers).toBe(1);
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('t', 'x', 1, 1));
    expect(h.take('b').packets).toHaveLength(1);
    expect(h.take('a').packets).toHaveLength(0);
  });

  it('MQTT 5 session expiry ends an offline session', () => {
    const h = new Harness();
    offlineSubscriber(h, 5);
    h.advance(3_599_999_999);
    expect(h.broker.sessionIds()).toEqual(['sub']);
    h.advance(3_600_000_000);
    expect(h.broker.sessionIds()).toEqual([]);
    expect(h.notes('session-expired')).toHaveLength(1);
  });
});

describe('QoS 2 exactly once through the packet id state (section 4.3.3)', () => {
  it('method B (on-publish): forwards at once, never a repeated PUBLISH with the same id before PUBREL', () => {
    const h = new Harness({ qos2Forwarding: 'on-publish' });
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 2 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('t', 'once', 2, 5));
    h.send('p', pub('t', 'once', 2, 5, { dup: true }));
    expect(h.take('p').hex).toEqual(['50020005', '50020005']);
    expect(h.take('s').packets).toHaveLength(1);
    expect(h.broker.counters.qos2DuplicatesIgnored).toBe(1);
    h.send('p', { cmd: 'pubrel', messageId: 5 });
    expect(h.take('p').hex).toEqual(['70020005']);
    // After PUBREL the id is free: a new message with id 5 is a new message.
    h.send('p', pub('t', 'again', 2, 5));
    expect(h.take('s').packets).toHaveLength(1);
  });

  it('method A (on-pubrel, the default, as mosquitto) forwards only after PUBREL', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 2 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('t', 'once', 2, 5));
    h.send('p', pub('t', 'once', 2, 5, { dup: true }));
    expect(h.take('s').packets).toHaveLength(0);
    h.send('p', { cmd: 'pubrel', messageId: 5 });
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', qos: 2 }]);
    expect(h.take('p').hex).toEqual(['50020005', '50020005', '70020005']);
  });
});

describe('access control', () => {
  const access = {
    users: { alice: 'secret' },
    rules: [{ username: 'alice', publish: ['sensors/alice/#'], subscribe: ['sensors/#'] }],
  };

  it('3.1.1: bad password gets return code 4, no user name gets 5', () => {
    const h = new Harness({ access });
    expect(h.connect('a', { clientId: 'x', username: 'alice', password: text('nope') })).toMatchObject({ hex: ['20020004'], closed: true });
    expect(h.connect('b', { clientId: 'y' })).toMatchObject({ hex: ['20020005'], closed: true });
    expect(h.connect('c', { clientId: 'z', username: 'alice', password: text('secret') }).hex).toEqual(['20020000']);
    expect(h.broker.counters.connectionsRefused).toBe(2);
  });

  it('MQTT 5: reason codes 0x86 and 0x87', () => {
    const h = new Harness({ access });
    expect(h.connect('a', { clientId: 'x', username: 'alice', password: text('nope') }, 5).packets).toMatchObject([{ cmd: 'connack', reasonCode: 0x86 }]);
    expect(h.connect('b', { clientId: 'y' }, 5).packets).toMatchObject([{ cmd: 'connack', reasonCode: 0x87 }]);
  });

  it('refused SUBSCRIBE gets 0x80 (3.1.1) / 0x87 (5); refused PUBLISH is dropped (3.1.1) or PUBACK 0x87 (5)', () => {
    const h = new Harness({ access });
    const login = { username: 'alice', password: text('secret') };
    h.connect('s', { clientId: 's', ...login });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'sensors/+/x', qos: 1 }, { topic: '#', qos: 1 }] });
    expect(h.take('s').hex).toEqual(['9004000101' + '80']);
    h.connect('s5', { clientId: 's5', ...login }, 5);
    h.send('s5', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'admin/#', qos: 1 }] });
    expect(h.take('s5').packets).toMatchObject([{ cmd: 'suback', granted: [0x87] }]);
    h.connect('p', { clientId: 'p', ...login });
    h.send('p', pub('sensors/bob/x', 'forged', 1, 1));
    expect(h.take('p').hex).toEqual(['40020001']);
    expect(h.take('s').packets).toEqual([]);
    h.connect('p5', { clientId: 'p5', ...login }, 5);
    h.send('p5', pub('sensors/bob/x', 'forged', 1, 1));
    expect(h.take('p5').packets).toMatchObject([{ cmd: 'puback', messageId: 1, reasonCode: 0x87 }]);
    h.send('p', pub('sensors/alice/x', 'ok', 1, 2));
    expect(h.take('s').packets).toHaveLength(1);
    expect(h.notes('publish-denied')).toHaveLength(2);
  });
});

describe('malformed input', () => {
  it('closes only the offending connection; MQTT 5 gets DISCONNECT 0x81', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 0 }] });
    h.take('s');
    h.connect('bad', { clientId: 'bad' }, 5);
    h.raw('bad', Uint8Array.from([0x40, 0x00])); // PUBACK without a packet id
    expect(h.take('bad')).toMatchObject({ packets: [{ cmd: 'disconnect', reasonCode: 0x81 }], closed: true });
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('t', 'still here'));
    expect(h.take('s').packets).toHaveLength(1);
  });
});

describe('UTF-8 and one read holding good packets then a bad one (issue 13 item 5)', () => {
  it('closes a client whose topic name is ill-formed UTF-8 or holds U+0000, and routes nothing of it [MQTT-1.5.3-1]', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 0 }] });
    h.take('s');
    h.connect('bad', { clientId: 'bad' }, 5);
    h.raw('bad', annotatedHex('30 06 | 0001 ff (topic: byte 0xff) | 00 | 6869'));
    expect(h.take('bad')).toMatchObject({ hex: ['e00181'], closed: true }); // DISCONNECT 0x81 Malformed Packet
    h.connect('nul', { clientId: 'nul' });
    h.raw('nul', annotatedHex('30 05 | 0001 00 (topic: U+0000) | 6869'));
    expect(h.take('nul')).toEqual({ packets: [], hex: [], closed: true });
    expect(h.take('s').packets).toEqual([]);
    expect(h.broker.counters.publishesReceived).toBe(0);
  });

  it('acts on the good packets before the bad one, whatever way TCP cut the bytes', () => {
    // PUBLISH "t" "1", PUBLISH "t" "2", then a PUBLISH whose topic is byte 0xff: in one read
    // or in three, the subscriber gets 1 and 2, and the publisher is closed after them.
    const good = (n: string) => `30 05 | 0001 74 (topic "t") | 00 (no properties) | ${n}`;
    const bytes = annotatedHex(`${good('31')} | ${good('32')} | 30 05 | 0001 ff | 00 | 33`);
    for (const cuts of [[bytes.length], [8, 16, bytes.length]]) {
      const h = new Harness();
      h.connect('s', { clientId: 'sub' }, 5);
      h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 0 }] });
      h.take('s');
      h.connect('p', { clientId: 'pub' }, 5);
      let from = 0;
      for (const to of cuts) {
        h.raw('p', bytes.subarray(from, to));
        from = to;
      }
      expect(h.take('s').packets.map((p) => str((p as { payload: Uint8Array }).payload))).toEqual(['1', '2']);
      expect(h.take('p')).toMatchObject({ hex: ['e00181'], closed: true });
    }
  });
});

describe("mosquitto's receive quota: QoS 2 publishes beyond 20 awaiting PUBREL (issue 14)", () => {
  const run = (version: 4 | 5) => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' }, version);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q', qos: 0 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' }, version);
    for (let i = 1; i <= 25; i++) h.send('p', pub('q', String(i), 2, i));
    const recs = h.take('p').packets.map((p) => `${p.cmd} ${(p as { messageId: number }).messageId} ${(p as { reasonCode?: number }).reasonCode ?? 0}`);
    for (let i = 1; i <= 25; i++) h.send('p', { cmd: 'pubrel', messageId: i });
    const comps = h.take('p').packets.filter((p) => p.cmd === 'pubcomp').length;
    const got = h.take('s').packets.map((p) => str((p as { payload: Uint8Array }).payload));
    const drops = h.events.filter((e) => e.type === 'broker' && e.event === 'receive-quota-exceeded').map((e) => (e as { clientId: string; payload: Uint8Array }).clientId + ':' + str((e as { payload: Uint8Array }).payload));
    return { recs, comps, got, drops };
  };
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

  it('MQTT 3.1.1: 21-25 get a plain PUBREC and a PUBCOMP, and are lost for the subscriber (named drops)', () => {
    const r = run(4);
    expect(r.recs).toEqual(upTo(25).map((i) => `pubrec ${i} 0`)); // no reason code exists in 3.1.1
    expect(r.comps).toBe(25); // the publisher's flows all complete
    expect(r.got).toEqual(upTo(20));
    expect(r.drops).toEqual(['sub:21', 'sub:22', 'sub:23', 'sub:24', 'sub:25']);
  });

  it('MQTT 5: 21, 23 and 25 are refused with 0x97; each refusal gives a quota back, so 22 and 24 pass', () => {
    const r = run(5);
    expect(r.recs.slice(20)).toEqual(['pubrec 21 151', 'pubrec 22 0', 'pubrec 23 151', 'pubrec 24 0', 'pubrec 25 151']);
    expect(r.got).toEqual([...upTo(20), '22', '24']);
    expect(r.drops).toEqual(['sub:21', 'sub:23', 'sub:25']);
  });

  it('PUBCOMPs give the quota back: after releasing all, 20 more are taken', () => {
    const h = new Harness();
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 20; i++) h.send('p', pub('q', 'x', 2, i));
    for (let i = 1; i <= 20; i++) h.send('p', { cmd: 'pubrel', messageId: i });
    for (let i = 21; i <= 41; i++) h.send('p', pub('q', 'x', 2, i));
    h.take('p');
    expect(h.broker.session('pub')!.incomingQos2.size).toBe(20); // 21-40 stored, 41 refused
    expect(h.broker.session('pub')!.incomingQos2.has(41)).toBe(false);
  });
});

describe('malformed topic filter', () => {
  it('closes the connection (MQTT 5: DISCONNECT 0x81), as mosquitto does', () => {
    const h = new Harness();
    h.connect('a', { clientId: 'a' });
    h.send('a', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'ok', qos: 0 }, { topic: 'bad#', qos: 0 }] });
    expect(h.take('a')).toEqual({ packets: [], hex: [], closed: true });
    h.connect('b', { clientId: 'b' }, 5);
    h.send('b', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#/b', qos: 0 }] });
    expect(h.take('b')).toMatchObject({ hex: ['e00181'], closed: true });
  });
});

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

describe('protocol level', () => {
  it('answers an unsupported protocol level with CONNACK return code 1 and closes [MQTT-3.1.2-2]', () => {
    const h = new Harness();
    h.open('c1');
    // CONNECT "MQTT" level 6, clean session, keepalive 0, client id "a".
    h.raw('c1', Uint8Array.from([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x06, 0x02, 0x00, 0x00, 0x00, 0x01, 0x61]));
    expect(h.take('c1')).toEqual({ packets: [{ cmd: 'connack', returnCode: 1, sessionPresent: false, length: 2 }], hex: ['20020001'], closed: true });
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

describe('access control and wills', () => {
  it('publishes a will only where its client may publish', () => {
    const access = { users: { dev: 'pw', ops: 'pw' }, rules: [{ username: 'dev', publish: ['status/dev'] }, { username: 'ops', subscribe: ['#'] }] };
    const h = new Harness({ access });
    const login = (u: string) => ({ username: u, password: text('pw') });
    h.connect('w', { clientId: 'watch', ...login('ops') });
    h.send('w', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 0 }] });
    h.take('w');
    h.connect('a', { clientId: 'a', ...login('dev'), will: { topic: 'status/dev', payload: text('bye') } });
    h.connect('b', { clientId: 'b', ...login('dev'), will: { topic: 'status/other', payload: text('bye') } });
    h.lose('a');
    h.lose('b');
    expect(h.take('w').packets.map((p) => p.cmd === 'publish' && p.topic)).toEqual(['status/dev']);
    expect(h.broker.counters.willsPublished).toBe(1);
    expect(h.notes('publish-denied')).toMatchObject([{ clientId: 'b', topic: 'status/other' }]);
  });
});
