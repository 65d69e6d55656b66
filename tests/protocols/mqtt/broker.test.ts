/** The broker engine: connecting, routing, retained messages, access control and bad input (sessions: ./broker-sessions.test.ts; MQTT 5: ./broker-mqtt5.test.ts). */
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

describe('protocol level', () => {
  it('answers an unsupported protocol level with CONNACK return code 1 and closes [MQTT-3.1.2-2]', () => {
    const h = new Harness();
    h.open('c1');
    // CONNECT "MQTT" level 6, clean session, keepalive 0, client id "a".
    h.raw('c1', Uint8Array.from([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x06, 0x02, 0x00, 0x00, 0x00, 0x01, 0x61]));
    expect(h.take('c1')).toEqual({ packets: [{ cmd: 'connack', returnCode: 1, sessionPresent: false, length: 2 }], hex: ['20020001'], closed: true });
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
