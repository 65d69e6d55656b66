/**
 * The client engine against hand-fed server packets: exact bytes out, exact times.
 */
import { describe, expect, it } from 'vitest';
import { decodePackets, encodePacket, type MqttPacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { MqttClient } from '../../../simulator/protocols/mqtt/client.ts';
import { S, te, toHex, h, drain, feed, connected } from './client-harness.ts';

describe('CONNECT and CONNACK', () => {
  it('writes the exact 3.1.1 CONNECT and waits for CONNACK before publishing', () => {
    const c = new MqttClient({ clientId: 'c', keepaliveS: 10 });
    c.connect(0);
    expect(drain(c).out).toBe(h('10 0d | 0004 4d515454 | 04 | 02 | 000a | 0001 63'));
    c.publish('t', te.encode('x'), { qos: 1 }, 1000);
    expect(drain(c).out).toBe('');
    c.receiveData(new Uint8Array([0x20, 0x02, 0x00, 0x00]), 2000);
    const { out, events } = drain(c);
    expect(events).toEqual([{ type: 'connected', sessionPresent: false, reasonCode: 0 }]);
    expect(out).toBe(h('32 06 | 0001 74 | 0001 | 78'));
  });

  it('sends username, password and will in CONNECT', () => {
    const c = new MqttClient({
      clientId: 'c1', clean: false, keepaliveS: 60, username: 'u', password: te.encode('p'),
      will: { topic: 'w', payload: te.encode('x'), qos: 1, retain: true },
    });
    c.connect(0);
    expect(drain(c).out).toBe(h('10 1a 0004 4d515454 04 ec 003c 0002 6331 0001 77 0001 78 0001 75 0001 70'));
  });

  it('sends MQTT 5 clean start, session expiry, will delay and receive maximum', () => {
    const c = new MqttClient({
      version: '5', clientId: 'c', clean: false, sessionExpiryS: 300, receiveMaximum: 5, keepaliveS: 30,
      will: { topic: 'gone', payload: te.encode('bye'), qos: 1, delayS: 10 },
    });
    c.connect(0);
    const [p] = decodePackets(c.dataToSend()!, 5);
    expect(p).toMatchObject({
      cmd: 'connect', protocolVersion: 5, clean: false, keepalive: 30,
      properties: { sessionExpiryInterval: 300, receiveMaximum: 5 },
      will: { topic: 'gone', qos: 1, retain: false, properties: { willDelayInterval: 10 } },
    });
  });

  it('reports a refused CONNACK with its code and asks to close', () => {
    const c = new MqttClient({ clientId: 'c' });
    c.connect(0);
    drain(c);
    c.receiveData(new Uint8Array([0x20, 0x02, 0x00, 0x05]), 10);
    expect(drain(c).events).toEqual([
      { type: 'disconnected', reason: 'connect-refused', reasonCode: 5, detail: 'not authorized' },
      { type: 'close' },
    ]);
    expect(c.state).toBe('offline');
  });

  it('gives up when CONNACK does not come within connectTimeoutS', () => {
    const c = new MqttClient({ clientId: 'c', connectTimeoutS: 5 });
    c.connect(1000);
    drain(c);
    expect(c.nextTimer()).toBe(1000 + 5 * S);
    c.handleTimer(1000 + 5 * S);
    expect(drain(c).events).toEqual([{ type: 'disconnected', reason: 'connect-timeout' }, { type: 'close' }]);
  });
});

describe('PUBLISH as sender', () => {
  it('QoS 0 goes out at once with no packet id and is done', () => {
    const c = connected();
    const token = c.publish('a/b', te.encode('hi'), { qos: 0 }, 5);
    const { out, events } = drain(c);
    expect(out).toBe(h('30 07 0003 612f62 6869'));
    expect(events).toEqual([{ type: 'published', token, qos: 0, offset: 15 + 9 }]);
  });

  it('QoS 1: PUBACK completes the flow and frees the packet id', () => {
    const c = connected();
    const token = c.publish('a/b', te.encode('hi'), { qos: 1 }, 5);
    expect(drain(c).out).toBe(h('32 09 0003 612f62 0001 6869'));
    expect(c.packetIdsInUse).toBe(1);
    c.receiveData(new Uint8Array([0x40, 0x02, 0x00, 0x01]), 50);
    expect(drain(c).events).toEqual([{ type: 'published', token, qos: 1 }]);
    expect(c.packetIdsInUse).toBe(0);
    // A late duplicate PUBACK is ignored.
    c.receiveData(new Uint8Array([0x40, 0x02, 0x00, 0x01]), 60);
    expect(drain(c)).toEqual({ out: '', events: [] });
  });

  it('QoS 2: PUBLISH, PUBREC -> PUBREL, PUBCOMP completes', () => {
    const c = connected();
    const token = c.publish('a/b', te.encode('hi'), { qos: 2, retain: true }, 5);
    expect(drain(c).out).toBe(h('35 09 0003 612f62 0001 6869'));
    c.receiveData(new Uint8Array([0x50, 0x02, 0x00, 0x01]), 50);
    expect(drain(c)).toEqual({ out: h('62 02 0001'), events: [] });
    c.receiveData(new Uint8Array([0x70, 0x02, 0x00, 0x01]), 100);
    expect(drain(c).events).toEqual([{ type: 'published', token, qos: 2 }]);
    expect(c.packetIdsInUse).toBe(0);
  });

  it('allocates packet ids in a cycle and does not reuse a freed one at once', () => {
    const c = connected();
    c.publish('t', new Uint8Array(0), { qos: 1 }, 0);
    c.receiveData(new Uint8Array([0x40, 0x02, 0x00, 0x01]), 1);
    c.publish('t', new Uint8Array(0), { qos: 1 }, 2);
    const packets = decodePackets(new Uint8Array(Buffer.from(drain(c).out, 'hex')));
    expect(packets.map((p) => (p as { messageId?: number }).messageId)).toEqual([1, 2]);
  });

  it('keeps at most maxInflight QoS 1 messages unacknowledged; QoS 0 is not held back', () => {
    const c = connected({ maxInflight: 2 });
    for (let i = 0; i < 3; i++) c.publish('t', new Uint8Array([i]), { qos: 1 }, i);
    c.publish('t', new Uint8Array([9]), { qos: 0 }, 3);
    const first = decodePackets(new Uint8Array(Buffer.from(drain(c).out, 'hex')));
    expect(first.map((p) => [p.cmd, (p as { messageId?: number }).messageId])).toEqual([
      ['publish', 1], ['publish', 2], ['publish', undefined],
    ]);
    expect(c.inflight).toBe(2);
    expect(c.queued).toBe(1);
    c.receiveData(new Uint8Array([0x40, 0x02, 0x00, 0x01]), 10);
    expect(drain(c).out).toBe(h('32 06 0001 74 0003 02'));
  });

  it('MQTT 5: the server\'s Receive Maximum caps the window ([MQTT-3.3.4-7])', () => {
    const c = connected({ version: 5 }, { properties: { receiveMaximum: 1 } } as Partial<MqttPacket>);
    c.publish('t', new Uint8Array([1]), { qos: 1 }, 0);
    c.publish('t', new Uint8Array([2]), { qos: 2 }, 0);
    expect(c.inflight).toBe(1);
    expect(decodePackets(new Uint8Array(Buffer.from(drain(c).out, 'hex')), 5)).toHaveLength(1);
  });

  it('bounds the offline queue: the newest message is dropped when full', () => {
    const c = new MqttClient({ clientId: 'c', maxQueued: 2 });
    const tokens = [1, 2, 3].map((i) => c.publish('t', new Uint8Array([i]), { qos: 1 }, i));
    expect(drain(c).events).toEqual([{ type: 'dropped', token: tokens[2], qos: 1, reason: 'queue-full' }]);
    expect(c.queued).toBe(2);
  });

  it('drops QoS 0 while offline when queueQos0Offline is false', () => {
    const c = new MqttClient({ clientId: 'c', queueQos0Offline: false });
    const token = c.publish('t', new Uint8Array(1), { qos: 0 }, 0);
    expect(drain(c).events).toEqual([{ type: 'dropped', token, qos: 0, reason: 'offline-qos0' }]);
  });

  it('MQTT 5: drops a queued message whose expiry passed and sends another with the time left', () => {
    const c = new MqttClient({ version: 5, clientId: 'c', keepaliveS: 0 });
    const old = c.publish('t', new Uint8Array(1), { qos: 1, properties: { messageExpiryInterval: 5 } }, 0);
    c.publish('t', new Uint8Array(1), { qos: 1, properties: { messageExpiryInterval: 30 } }, 0);
    c.connect(10 * S);
    drain(c);
    c.receiveData(new Uint8Array([0x20, 0x03, 0x00, 0x00, 0x00]), 10 * S);
    const { out, events } = drain(c);
    expect(events).toContainEqual({ type: 'dropped', token: old, qos: 1, reason: 'expired' });
    const [p] = decodePackets(new Uint8Array(Buffer.from(out, 'hex')), 5);
    expect(p).toMatchObject({ cmd: 'publish', messageId: 1, properties: { messageExpiryInterval: 20 } });
  });

  it('MQTT 5: uses topic aliases when the server allows them', () => {
    const c = connected({ version: 5, topicAliases: true }, { properties: { topicAliasMaximum: 4 } } as Partial<MqttPacket>);
    c.publish('sensors/1', new Uint8Array([1]), { qos: 0 }, 0);
    c.publish('sensors/1', new Uint8Array([2]), { qos: 0 }, 0);
    const [a, b] = decodePackets(new Uint8Array(Buffer.from(drain(c).out, 'hex')), 5);
    expect(a).toMatchObject({ topic: 'sensors/1', properties: { topicAlias: 1 } });
    expect(b).toMatchObject({ topic: '', properties: { topicAlias: 1 } });
  });

  it('MQTT 5: a PUBACK with an error reason code ends the flow as refused', () => {
    const c = connected({ version: 5 });
    const token = c.publish('t', new Uint8Array(1), { qos: 1 }, 0);
    drain(c);
    c.receiveData(new Uint8Array([0x40, 0x04, 0x00, 0x01, 0x87, 0x00]), 5);
    expect(drain(c).events).toEqual([{ type: 'dropped', token, qos: 1, reason: 'refused', reasonCode: 0x87 }]);
    expect(c.packetIdsInUse).toBe(0);
  });
});

describe('PUBLISH as receiver', () => {
  it('QoS 0 is delivered, nothing is answered', () => {
    const c = connected();
    c.receiveData(new Uint8Array([0x30, 0x04, 0x00, 0x01, 0x74, 0x41]), 5);
    expect(drain(c)).toEqual({
      out: '',
      events: [{ type: 'message', topic: 't', payload: new Uint8Array([0x41]), qos: 0, retain: false, dup: false }],
    });
  });

  it('QoS 1 is delivered and acknowledged; a DUP copy is delivered again (at least once)', () => {
    const c = connected();
    const publish = (dup: boolean) => feed(c, { cmd: 'publish', topic: 't', payload: new Uint8Array([1]), qos: 1, dup, retain: false, messageId: 7 }, 5);
    publish(false);
    let d = drain(c);
    expect(d.out).toBe(h('40 02 0007'));
    expect(d.events).toHaveLength(1);
    publish(true);
    d = drain(c);
    expect(d.out).toBe(h('40 02 0007'));
    expect(d.events).toMatchObject([{ type: 'message', dup: true, messageId: 7 }]);
  });

  it('packetsToSend gives the PUBACKs for one read as separate packets, in order (mqtt.js writes each on its own)', () => {
    const c = connected();
    const pub = (id: number) => encodePacket({ cmd: 'publish', topic: 't', payload: new Uint8Array([id]), qos: 1, dup: false, retain: false, messageId: id }, 4);
    // Three QoS 1 PUBLISHes (ids 1, 2, 3) in one read: three PUBACKs of 4 bytes each (40 02 00 0n).
    c.receiveData(Uint8Array.from([...pub(1), ...pub(2), ...pub(3)]), 5);
    expect(c.packetsToSend().map(toHex)).toEqual([h('40 02 0001'), h('40 02 0002'), h('40 02 0003')]);
    // Either call empties the output.
    expect(c.packetsToSend()).toEqual([]);
    expect(c.dataToSend()).toBeUndefined();
  });

  it('QoS 2 is delivered once, on PUBREL, whatever the duplicates', () => {
    const c = connected();
    const publish = (dup: boolean) => feed(c, { cmd: 'publish', topic: 't', payload: new Uint8Array([1]), qos: 2, dup, retain: false, messageId: 5 }, 5);
    publish(false);
    expect(drain(c)).toEqual({ out: h('50 02 0005'), events: [] });
    publish(true);
    expect(drain(c)).toEqual({ out: h('50 02 0005'), events: [] });
    c.receiveData(new Uint8Array([0x62, 0x02, 0x00, 0x05]), 10);
    const d = drain(c);
    expect(d.out).toBe(h('70 02 0005'));
    expect(d.events).toMatchObject([{ type: 'message', qos: 2, messageId: 5 }]);
    // A re-sent PUBREL gets PUBCOMP again and no second delivery.
    c.receiveData(new Uint8Array([0x62, 0x02, 0x00, 0x05]), 20);
    expect(drain(c)).toEqual({ out: h('70 02 0005'), events: [] });
  });

  it('MQTT 5: resolves incoming topic aliases', () => {
    const c = connected({ version: 5, topicAliasMaximum: 2 });
    feed(c, { cmd: 'publish', topic: 'a/b', payload: new Uint8Array([1]), qos: 0, dup: false, retain: false, properties: { topicAlias: 2 } }, 1);
    feed(c, { cmd: 'publish', topic: '', payload: new Uint8Array([2]), qos: 0, dup: false, retain: false, properties: { topicAlias: 2 } }, 2);
    expect(drain(c).events.map((e) => (e as { topic: string }).topic)).toEqual(['a/b', 'a/b']);
  });

  it('MQTT 5: an alias above our maximum closes with DISCONNECT 0x94', () => {
    const c = connected({ version: 5, topicAliasMaximum: 1 });
    feed(c, { cmd: 'publish', topic: 'a', payload: new Uint8Array(0), qos: 0, dup: false, retain: false, properties: { topicAlias: 3 } }, 1);
    const d = drain(c);
    expect(d.out).toBe(h('e0 02 94 00'));
    expect(d.events).toMatchObject([{ type: 'disconnected', reason: 'protocol-error', reasonCode: 0x94 }, { type: 'close' }]);
  });
});

describe('MQTT 5 properties are carried through', () => {
  it('user properties and message expiry go out on PUBLISH and come back on the message event', () => {
    const c = connected({ version: 5 });
    c.publish('t', new Uint8Array([1]), { qos: 0, properties: { userProperties: { unit: 'C' }, messageExpiryInterval: 60 } }, 0);
    const [out] = decodePackets(new Uint8Array(Buffer.from(drain(c).out, 'hex')), 5);
    expect(out).toMatchObject({ cmd: 'publish', properties: { userProperties: { unit: 'C' }, messageExpiryInterval: 60 } });
    feed(c, { cmd: 'publish', topic: 't', payload: new Uint8Array([2]), qos: 1, dup: false, retain: false, messageId: 4, properties: { userProperties: { a: ['1', '2'] }, contentType: 'text/plain' } }, 5);
    expect(drain(c).events).toMatchObject([{ type: 'message', properties: { userProperties: { a: ['1', '2'] }, contentType: 'text/plain' } }]);
  });

  it('MQTT 5 refusal reason codes are named', () => {
    const c = new MqttClient({ version: 5, clientId: 'c' });
    c.connect(0);
    drain(c);
    c.receiveData(new Uint8Array([0x20, 0x03, 0x00, 0x86, 0x00]), 1);
    expect(drain(c).events[0]).toEqual({ type: 'disconnected', reason: 'connect-refused', reasonCode: 0x86, detail: 'bad user name or password' });
  });
});

describe('subscribe, unsubscribe, disconnect, bad bytes', () => {
  it('SUBSCRIBE/SUBACK and UNSUBSCRIBE/UNSUBACK', () => {
    const c = connected();
    const id = c.subscribe([{ topic: 'a/+', qos: 2 }, { topic: 'b', qos: 0 }], 0);
    expect(drain(c).out).toBe(h('82 0c 0001 | 0003 612f2b 02 | 0001 62 00'));
    c.receiveData(new Uint8Array([0x90, 0x04, 0x00, 0x01, 0x02, 0x80]), 5);
    expect(drain(c).events).toEqual([{ type: 'subscribed', messageId: id, granted: [2, 0x80] }]);
    const uid = c.unsubscribe(['a/+'], 6);
    expect(drain(c).out).toBe(h('a2 07 0002 0003 612f2b'));
    c.receiveData(new Uint8Array([0xb0, 0x02, 0x00, 0x02]), 7);
    expect(drain(c).events).toEqual([{ type: 'unsubscribed', messageId: uid }]);
    expect(c.packetIdsInUse).toBe(0);
  });

  it('graceful DISCONNECT writes e000 and asks to close', () => {
    const c = connected();
    c.disconnect(5);
    expect(drain(c)).toEqual({ out: 'e000', events: [{ type: 'disconnected', reason: 'client-disconnect' }, { type: 'close' }] });
    c.connectionLost(6);
    expect(drain(c).events).toEqual([]);
  });

  it('MQTT 5 server DISCONNECT is reported with its reason code', () => {
    const c = connected({ version: 5 });
    c.receiveData(new Uint8Array([0xe0, 0x02, 0x8e, 0x00]), 5);
    expect(drain(c).events).toEqual([{ type: 'disconnected', reason: 'server-disconnect', reasonCode: 0x8e }, { type: 'close' }]);
  });

  it('malformed bytes close the connection with DISCONNECT 0x81 in MQTT 5, never throw', () => {
    const c = connected({ version: 5 });
    expect(() => c.receiveData(new Uint8Array([0x60, 0x02, 0x00, 0x01]), 5)).not.toThrow();
    const d = drain(c);
    expect(d.out).toBe(h('e0 02 81 00'));
    expect(d.events).toMatchObject([{ type: 'disconnected', reason: 'protocol-error', reasonCode: 0x81 }, { type: 'close' }]);
  });

  it('3.1.1: a packet before CONNACK is a protocol error; the connection closes without DISCONNECT', () => {
    const c = new MqttClient({ clientId: 'c' });
    c.connect(0);
    drain(c);
    c.receiveData(new Uint8Array([0xd0, 0x00]), 5);
    const d = drain(c);
    expect(d.out).toBe('');
    expect(d.events).toMatchObject([{ type: 'disconnected', reason: 'protocol-error' }, { type: 'close' }]);
  });
});

describe('subscribing before the connection is up', () => {
  it('a subscribe() made offline goes out after CONNACK with its id, once, even with resubscribe', () => {
    const c = new MqttClient({ clientId: 'c', keepaliveS: 0 });
    const id = c.subscribe([{ topic: 'a', qos: 1 }], 0);
    c.connect(0);
    drain(c);
    c.receiveData(new Uint8Array([0x20, 0x02, 0x00, 0x00]), 1);
    expect(drain(c).out).toBe(h('82 06 0001 0001 61 01'));
    c.receiveData(new Uint8Array([0x90, 0x03, 0x00, 0x01, 0x01]), 2);
    expect(drain(c).events).toEqual([{ type: 'subscribed', messageId: id, granted: [1] }]);
  });

  it('an unacknowledged SUBSCRIBE is sent again on the next connection', () => {
    const c = connected({ clean: false, resubscribe: false });
    c.subscribe([{ topic: 'a', qos: 0 }], 1);
    drain(c);
    c.connectionLost(2);
    c.connect(3);
    drain(c);
    c.receiveData(new Uint8Array([0x20, 0x02, 0x01, 0x00]), 4);
    expect(drain(c).out).toBe(h('82 06 0001 0001 61 00'));
  });
});

describe('bad bytes after good ones in one read (issue 13 item 5)', () => {
  it('delivers the good PUBLISH, then closes for the ill-formed topic; nothing of the bad one is delivered', () => {
    const c = connected({ version: '5' });
    // PUBLISH QoS 0 "t" "1" | PUBLISH QoS 0 with topic byte 0xff [MQTT-1.5.4-1]
    c.receiveData(Uint8Array.from(Buffer.from(h('30 05 | 0001 74 | 00 | 31 | 30 05 | 0001 ff | 00 | 32'), 'hex')), 5);
    const { out, events } = drain(c);
    expect(events.map((e) => e.type)).toEqual(['message', 'disconnected', 'close']);
    expect(events[0]).toMatchObject({ type: 'message', topic: 't', payload: te.encode('1') });
    expect(events[1]).toMatchObject({ reason: 'protocol-error', reasonCode: 0x81 });
    expect(out).toBe(h('e0 02 | 81 | 00')); // DISCONNECT 0x81 Malformed Packet [MQTT-4.13.1-1], no properties
  });
});
