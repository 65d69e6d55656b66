/**
 * The codec's errors and edges: what it refuses to parse and to encode (naming the packet and the
 * field), empty MQTT 5 property sets, one PacketParser across reads, and the checks it makes beyond
 * mqtt-packet (issue 13 item 5). The annotated fixtures are in ./codec.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { RemoteProtocolError, LocalProtocolError } from '../../../simulator/core/errors.ts';
import {
  decodePackets,
  encodePacket,
  PacketParser,
  type MqttPacket,
  type MqttVersion,
} from '../../../simulator/protocols/mqtt/codec.ts';

const te = new TextEncoder();
/** Hex groups separated by `|` and spaces, each group one field. */
function hex(s: string): Uint8Array {
  const clean = s.replace(/[|\s]/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
/** `hex` of a fixture string with its `(annotations)` removed. */
function annotated(s: string): Uint8Array {
  return hex(s.replace(/\([^)]*\)/g, ''));
}
function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A parsed packet without mqtt-packet's `length` field (compared with what was encoded). */
function withoutLength(p: MqttPacket): Record<string, unknown> {
  const { length: _ignored, ...rest } = p as MqttPacket & { length?: number };
  return rest;
}

describe('codec errors', () => {
  function failure(bytes: string, version: MqttVersion): RemoteProtocolError {
    try {
      new PacketParser(version).push(hex(bytes));
    } catch (err) {
      expect(err).toBeInstanceOf(RemoteProtocolError);
      return err as RemoteProtocolError;
    }
    throw new Error('expected a RemoteProtocolError');
  }

  it('rejects a fifth Remaining Length byte as Malformed Packet 0x81', () => {
    const err = failure('30 ff ff ff ff 01', 5);
    expect(err.code).toBe('mqtt-malformed-remaining-length');
    expect(err.protocolCode).toBe(0x81);
  });

  it('has no MQTT reason code in 3.1.1', () => {
    expect(failure('30 ff ff ff ff 01', 4).protocolCode).toBeUndefined();
  });

  it('rejects wrong reserved header flags [MQTT-2.2.2-2]', () => {
    const err = failure('60 02 000a', 5); // PUBREL must have flags 0010
    expect(err.code).toBe('mqtt-malformed-packet');
    expect(err.message).toMatch(/^malformed PUBREL/);
    expect(err.protocolCode).toBe(0x81);
  });

  it('rejects QoS 3 in a PUBLISH', () => {
    expect(failure('36 07 0003 612f62 6869', 4).code).toBe('mqtt-malformed-packet');
  });

  it('rejects packet type 0', () => {
    expect(failure('00 00', 5).code).toBe('mqtt-reserved-packet-type');
  });

  it('rejects AUTH before MQTT 5 as a Protocol Error', () => {
    expect(failure('f0 00', 4).code).toBe('mqtt-reserved-packet-type');
  });

  it('rejects a PUBACK without a packet identifier [MQTT-2.3.1-1]', () => {
    const err = failure('40 01 00', 5);
    expect(err.code).toBe('mqtt-malformed-packet');
    expect(err.message).toBe('PUBACK: missing or zero Packet Identifier [MQTT-2.3.1-1]');
  });

  it('rejects packet identifier 0 on a QoS 1 PUBLISH', () => {
    expect(failure('32 09 0003 612f62 0000 6869', 4).message).toMatch(/zero Packet Identifier/);
  });

  it('rejects a SUBSCRIBE without topic filters as a Protocol Error 0x82 [MQTT-3.8.3-3]', () => {
    const err = failure('82 03 0001 00', 5);
    expect(err.code).toBe('mqtt-empty-subscribe');
    expect(err.protocolCode).toBe(0x82);
  });

  it('rejects a topic length that runs past the packet', () => {
    expect(failure('30 04 0009 6162', 4).code).toBe('mqtt-malformed-packet');
  });

  it('keeps failing after an error: the connection must close', () => {
    const parser = new PacketParser(4);
    expect(() => parser.push(hex('00 00'))).toThrow(RemoteProtocolError);
    expect(() => parser.push(hex('c0 00'))).toThrow(/reserved/);
  });

  it('enforces an optional maximum packet size (MQTT 5 0x95)', () => {
    const parser = new PacketParser(5, { maxPacketSize: 8 });
    try {
      parser.push(hex('30 07 0003 612f62 6869'));
      throw new Error('expected a failure');
    } catch (err) {
      expect((err as RemoteProtocolError).code).toBe('mqtt-packet-too-large');
      expect((err as RemoteProtocolError).protocolCode).toBe(0x95);
    }
  });

  it('reports trailing bytes that are not a whole packet', () => {
    expect(() => decodePackets(hex('c0 00 d0'), 4)).toThrow(/1 trailing byte/);
  });

  it('refuses to encode a packet mqtt-packet rejects, as the caller\'s mistake', () => {
    expect(() => encodePacket({ cmd: 'publish', qos: 1, dup: false, retain: false, topic: 'a', payload: new Uint8Array(0) }, 4)).toThrow(
      LocalProtocolError,
    );
  });
});

describe('encodePacket: empty MQTT 5 property sets are no property', () => {
  const hi = te.encode('hi');
  it('writes userProperties: {} on a PUBLISH as a zero Property Length (mqtt-packet alone writes 0 bytes)', () => {
    const p: MqttPacket = { cmd: 'publish', qos: 0, dup: false, retain: false, topic: 't', payload: hi, properties: { userProperties: {} } };
    expect(toHex(encodePacket(p, 5))).toBe(toHex(annotated('30 06 | 0001 74 | 00 (no properties) | 6869')));
    expect(decodePackets(encodePacket(p, 5), 5).map(withoutLength)).toEqual([{ cmd: 'publish', qos: 0, dup: false, retain: false, topic: 't', payload: hi }]);
  });

  it('keeps a success PUBACK in its 2-byte form when its only property is an empty user property set', () => {
    expect(toHex(encodePacket({ cmd: 'puback', messageId: 1, reasonCode: 0, properties: { userProperties: {} } }, 5))).toBe('40020001');
  });

  it('leaves out a user property whose value list is empty, and an empty subscriptionIdentifier list', () => {
    const p: MqttPacket = { cmd: 'puback', messageId: 1, reasonCode: 0x10, properties: { userProperties: { k: [] } } };
    expect(toHex(encodePacket(p, 5))).toBe(toHex(hex('40 04 | 0001 | 10 | 00')));
    const q: MqttPacket = { cmd: 'publish', qos: 0, dup: false, retain: false, topic: 't', payload: hi, properties: { subscriptionIdentifier: [] } };
    expect(toHex(encodePacket(q, 5))).toBe(toHex(hex('30 06 0001 74 00 6869')));
  });

  it('writes a will whose user property set is empty with a zero will Property Length', () => {
    const p: MqttPacket = {
      cmd: 'connect', clientId: 'a', clean: true, keepalive: 0,
      will: { topic: 'w', payload: te.encode('x'), properties: { userProperties: {} } },
    };
    const bytes = '10 15 | 0004 4d515454 | 05 | 06 (will 04, clean 02) | 0000 | 00 (properties) | 0001 61 | 00 (will properties) | 0001 77 | 0001 78';
    expect(toHex(encodePacket(p, 5))).toBe(toHex(annotated(bytes)));
  });

  it('keeps a user property named "__proto__"', () => {
    const userProperties = Object.create(null) as Record<string, string>;
    userProperties['__proto__'] = 'v';
    const p: MqttPacket = { cmd: 'publish', qos: 0, dup: false, retain: false, topic: 't', payload: hi, properties: { userProperties } };
    const [got] = decodePackets(encodePacket(p, 5), 5);
    expect(Object.entries((got as { properties: { userProperties: object } }).properties.userProperties)).toEqual([['__proto__', 'v']]);
  });
});

describe('encodePacket refuses what it cannot encode, naming the packet and the field', () => {
  const pub = { cmd: 'publish', qos: 0, dup: false, retain: false, topic: 't', payload: new Uint8Array(0) } as const;
  const cases: Array<[string, unknown, MqttVersion, string]> = [
    ['a QoS 3 PUBLISH (mqtt-packet fails with a TypeError)', { ...pub, qos: 3, messageId: 1 }, 4, 'cannot encode PUBLISH: qos is 3; it must be 0, 1 or 2 (section 4.3)'],
    [
      'a Packet Identifier above 65535 (mqtt-packet stops after 5 bytes)', { ...pub, qos: 1, messageId: 70000 }, 4,
      'cannot encode PUBLISH: messageId is 70000; it must be a Packet Identifier, an integer from 1 to 65535 [MQTT-2.3.1-1]',
    ],
    [
      'a QoS 1 PUBLISH without a Packet Identifier', { ...pub, qos: 1 }, 4,
      'cannot encode PUBLISH: messageId is missing; it must be a Packet Identifier, an integer from 1 to 65535 [MQTT-2.3.1-1]',
    ],
    [
      'Packet Identifier 0', { cmd: 'puback', messageId: 0 }, 4,
      'cannot encode PUBACK: messageId is 0; it must be a Packet Identifier, an integer from 1 to 65535 [MQTT-2.3.1-1]',
    ],
    ['a reason code above 255 (mqtt-packet writes 300 as 0x2c)', { cmd: 'puback', messageId: 1, reasonCode: 300 }, 5, 'cannot encode PUBACK: reasonCode is 300; it must be an integer from 0 to 255'],
    ['a reason code a PUBREL may not carry', { cmd: 'pubrel', messageId: 1, reasonCode: 0x10 }, 5, 'cannot encode PUBREL: reasonCode 0x10 is not a reason code a PUBREL may carry'],
    ['a 3.1.1 SUBACK return code other than 0, 1, 2, 0x80', { cmd: 'suback', messageId: 1, granted: [1, 5] }, 4, 'cannot encode SUBACK: granted[1] 0x05 is not a reason code a SUBACK may carry'],
    ['an empty SUBACK', { cmd: 'suback', messageId: 1, granted: [] }, 5, 'cannot encode SUBACK: granted is an array of 0; it must be a non-empty array, one code per topic filter'],
    ['a DISCONNECT reason code from another packet', { cmd: 'disconnect', reasonCode: 0x86 }, 5, 'cannot encode DISCONNECT: reasonCode 0x86 is not a reason code a DISCONNECT may carry'],
    ['a subscription with QoS 3', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }, { topic: 'b', qos: 3 }] }, 4, 'cannot encode SUBSCRIBE: subscriptions[1].qos is 3; it must be 0, 1 or 2 (section 4.3)'],
    ['Retain Handling 3', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0, rh: 3 }] }, 5, 'cannot encode SUBSCRIBE: subscriptions[0].rh is 3; it must be 0, 1 or 2 (MQTT 5 section 3.8.3.1)'],
    ['a SUBSCRIBE without a topic filter', { cmd: 'subscribe', messageId: 1, subscriptions: [] }, 4, 'cannot encode SUBSCRIBE: subscriptions is an array of 0; it must be a non-empty array [MQTT-3.8.3-3]'],
    ['an UNSUBSCRIBE topic that is not a string', { cmd: 'unsubscribe', messageId: 1, unsubscriptions: ['a', 7] }, 4, 'cannot encode UNSUBSCRIBE: unsubscriptions[1] is 7; it must be a string'],
    ['a keepalive that is not an integer', { cmd: 'connect', clientId: 'c', keepalive: 1.5 }, 4, 'cannot encode CONNECT: keepalive is 1.5; it must be an integer from 0 to 65535 seconds (section 3.1.2.10)'],
    ['a will with QoS 3', { cmd: 'connect', clientId: 'c', will: { topic: 'w', payload: new Uint8Array(0), qos: 3 } }, 4, 'cannot encode CONNECT: will.qos is 3; it must be 0, 1 or 2 (section 4.3)'],
    ['a will without a topic', { cmd: 'connect', clientId: 'c', will: { topic: '', payload: new Uint8Array(0) } }, 4, 'cannot encode CONNECT: will.topic is ""; it must be a non-empty string'],
    ['a password without a user name (mqtt-packet refuses it, even in MQTT 5)', { cmd: 'connect', clientId: 'c', password: te.encode('p') }, 5, 'cannot encode CONNECT: Username is required to use password'],
    ['a topic with an unpaired surrogate', { ...pub, topic: 'a/\ud800' }, 4, 'cannot encode PUBLISH: topic has an unpaired surrogate at index 2, which UTF-8 cannot encode [MQTT-1.5.4-1]'],
    ['a topic of 65,536 UTF-8 bytes (mqtt-packet stops after 4 bytes)', { ...pub, topic: '\u00e9'.repeat(32_768) }, 4, 'cannot encode PUBLISH: topic is 65,536 UTF-8 bytes long; a string holds at most 65,535 (MQTT 5 section 1.5.4)'],
    ['a payload that is not bytes', { ...pub, payload: 'hi' }, 4, 'cannot encode PUBLISH: payload is "hi"; it must be a Uint8Array'],
    ['a Two Byte Integer property above 65535', { ...pub, properties: { topicAlias: 70000 } }, 5, 'cannot encode PUBLISH: properties.topicAlias is 70000; it must be a Two Byte Integer, from 0 to 65535 (section 1.5.2)'],
    ['Subscription Identifier 0', { ...pub, properties: { subscriptionIdentifier: [3, 0] } }, 5, 'cannot encode PUBLISH: properties.subscriptionIdentifier[1] is 0; it must be a Subscription Identifier, from 1 to 268435455 (section 3.8.2.1.2)'],
    ['a property given twice that may appear once', { ...pub, properties: { contentType: ['a', 'b'] } }, 5, 'cannot encode PUBLISH: properties.contentType is an array; that property may appear only once'],
    ['a byte property given as a number', { ...pub, properties: { payloadFormatIndicator: 1 } }, 5, 'cannot encode PUBLISH: properties.payloadFormatIndicator is 1; it must be true or false (a Byte 0 or 1)'],
    ['an unknown property', { ...pub, properties: { colour: 'red' } }, 5, 'cannot encode PUBLISH: properties.colour is not an MQTT 5 property (MQTT 5 section 2.2.2.2)'],
    ['a property named like an Object method', { ...pub, properties: { toString: 'x' } }, 5, 'cannot encode PUBLISH: properties.toString is not an MQTT 5 property (MQTT 5 section 2.2.2.2)'],
    ['a user property value that is not a string', { ...pub, properties: { userProperties: { k: ['a', 5] } } }, 5, 'cannot encode PUBLISH: properties.userProperties["k"][1] is 5; it must be a string'],
    [
      'a will property out of range', { cmd: 'connect', clientId: 'c', will: { topic: 'w', payload: new Uint8Array(0), properties: { willDelayInterval: -1 } } }, 5,
      'cannot encode CONNECT: will.properties.willDelayInterval is -1; it must be a Four Byte Integer, from 0 to 4294967295 (section 1.5.3)',
    ],
    ['AUTH before MQTT 5', { cmd: 'auth', reasonCode: 0 }, 4, 'cannot encode AUTH: AUTH exists only in MQTT 5 (section 3.15)'],
    ['an unknown packet type', { cmd: 'hello' }, 4, 'cannot encode HELLO: cmd "hello" is not an MQTT control packet type (section 2.2.1)'],
  ];
  for (const [what, packet, version, message] of cases) {
    it(`refuses ${what}`, () => {
      let thrown: unknown;
      try {
        encodePacket(packet as MqttPacket, version);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(LocalProtocolError);
      expect((thrown as LocalProtocolError).code).toBe('mqtt-encode-invalid');
      expect((thrown as LocalProtocolError).message).toBe(message);
    });
  }

  it('ignores MQTT 5 fields in 3.1.1, where they are not written', () => {
    expect(toHex(encodePacket({ cmd: 'puback', messageId: 1, reasonCode: 0x10, properties: { colour: 'red' } } as unknown as MqttPacket, 4))).toBe('40020001');
  });

  it('accepts the largest values each field can hold', () => {
    const topic = 'a'.repeat(65_535);
    const bytes = encodePacket({ ...pub, qos: 1, messageId: 65535, topic, properties: { topicAlias: 65535, subscriptionIdentifier: 268_435_455 } }, 5);
    const [got] = decodePackets(bytes, 5);
    expect(got).toMatchObject({ messageId: 65535, topic, properties: { topicAlias: 65535, subscriptionIdentifier: 268_435_455 } });
  });
});

describe('PacketParser keeps one mqtt-packet parser', () => {
  const connect5 = () => encodePacket({ cmd: 'connect', clientId: 'x', keepalive: 0, clean: true }, 5);
  const stream5 = (): Uint8Array => new Uint8Array([
    ...connect5(),
    ...encodePacket({ cmd: 'publish', qos: 1, dup: false, retain: false, topic: 'a/b', messageId: 9, payload: te.encode('hello'), properties: { messageExpiryInterval: 30, userProperties: { k: ['v', 'w'] } } }, 5),
    ...annotated('40 02 0009 (PUBACK 9, short form)'),
    ...encodePacket({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'x/#', qos: 2, nl: true, rap: false, rh: 1 }] }, 5),
    ...annotated('e0 00 (DISCONNECT, no reason code)'),
    ...hex('c0 00'),
  ]);

  it('gives the same packets for a stream cut in two at every byte boundary', () => {
    const wire = stream5();
    const whole = new PacketParser(4).push(wire);
    expect(whole.map((p) => p.cmd)).toEqual(['connect', 'publish', 'puback', 'subscribe', 'disconnect', 'pingreq']);
    for (let cut = 0; cut <= wire.length; cut++) {
      const parser = new PacketParser(4);
      const got = [...parser.push(wire.subarray(0, cut)), ...parser.push(wire.subarray(cut))];
      expect(got).toEqual(whole);
      expect(parser.bufferedBytes).toBe(0);
    }
  });

  it('never lets a packet read into the next one: a v5 DISCONNECT of length 0 then PINGREQ in one chunk', () => {
    // mqtt-packet bounds the DISCONNECT reason code by what it has buffered, not by the Remaining
    // Length; fed both packets at once it would read 0xc0 as the reason code.
    const got = new PacketParser(5).push(hex('e0 00 | c0 00'));
    expect(got.map(withoutLength)).toEqual([{ cmd: 'disconnect', reasonCode: 0 }, { cmd: 'pingreq' }]);
  });

  it('follows setVersion between packets', () => {
    const parser = new PacketParser(4);
    expect(parser.push(hex('c0 00'))).toEqual([{ cmd: 'pingreq', length: 0 }]);
    parser.setVersion(5);
    expect(parser.push(hex('e0 02 | 8e | 00')).map(withoutLength)).toEqual([{ cmd: 'disconnect', reasonCode: 0x8e }]);
  });

  it('reads packets after a bridge CONNECT (level 0x84) as plain 3.1.1', () => {
    // mqtt-packet keeps the CONNECT as its settings and would then add nl/rap/rh to 3.1.1 subscriptions.
    const parser = new PacketParser(4);
    const got = parser.push(annotated('10 0d | 0004 4d515454 | 84 (bridge bit + level 4) | 02 | 0000 | 0001 63 | 82 06 | 0001 | 0001 61 | 01'));
    expect(got.map((p) => p.cmd)).toEqual(['connect', 'subscribe']);
    expect(parser.version).toBe(4);
    expect(withoutLength(got[1]!)).toEqual({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 1 }] });
  });

  it('after a malformed packet that follows good ones: the same error on every later call, nothing buffered', () => {
    const parser = new PacketParser(5);
    const wire = stream5();
    expect(parser.push(wire.subarray(0, wire.length - 2)).map((p) => p.cmd)).toEqual(['connect', 'publish', 'puback', 'subscribe', 'disconnect']);
    let first: unknown;
    try {
      parser.push(annotated('c0 00 | 60 02 000a (PUBREL with flags 0000) | c0'));
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(RemoteProtocolError);
    expect((first as RemoteProtocolError).code).toBe('mqtt-malformed-packet');
    expect((first as RemoteProtocolError).message).toBe('malformed PUBREL: Invalid header flag bits, must be 0x2 for pubrel packet');
    expect((first as RemoteProtocolError).protocolCode).toBe(0x81);
    expect(parser.bufferedBytes).toBe(0);
    for (const later of [hex('c0 00'), hex('c0'), new Uint8Array(0)]) {
      expect(() => parser.push(later)).toThrow(first as Error);
      try {
        parser.push(later);
      } catch (err) {
        expect(err).toBe(first);
      }
    }
    expect(parser.bufferedBytes).toBe(0);
  });
});


describe('what the codec checks beyond mqtt-packet (issue 13 item 5)', () => {
  const error = (bytes: Uint8Array, version: '3.1.1' | '5') => {
    const r = new PacketParser(version).read(bytes);
    return r.error === undefined ? undefined : { code: r.error.code, reason: r.error.protocolCode, message: r.error.message };
  };

  it('refuses ill-formed UTF-8 in a topic name: 0xff can start no character [MQTT-1.5.3-1]', () => {
    // The inspector crashed on exactly these bytes ("Invalid code point").
    expect(error(annotated('30 05 | 0001 ff (topic: one byte 0xff) | 6869'), '3.1.1')).toEqual({
      code: 'mqtt-malformed-utf8', reason: undefined,
      message: 'PUBLISH: a UTF-8 string is ill-formed UTF-8: byte 0xff at 0 cannot start a character ([MQTT-1.5.3-1], MQTT 5 [MQTT-1.5.4-1])',
    });
    expect(error(annotated('30 06 | 0001 ff | 00 (no properties) | 6869'), '5')?.reason).toBe(0x81);
  });

  it('refuses a surrogate code point, an overlong form and a cut-off character in a client id', () => {
    const connect = (id: string) => annotated(`10 ${(12 + id.length / 2).toString(16).padStart(2, '0')} | 0004 4d515454 | 04 | 02 | 0000 | 00${(id.length / 2).toString(16).padStart(2, '0')} ${id}`);
    expect(error(connect('ed a0 80'.replace(/ /g, '')), '3.1.1')?.message).toMatch(/byte 0xa0 at 1/); // U+D800 encoded
    expect(error(connect('c0af'), '3.1.1')?.message).toMatch(/byte 0xc0 at 0 cannot start/); // overlong '/'
    expect(error(connect('61e282'), '3.1.1')?.message).toMatch(/character at byte 1 is cut off/);
    expect(error(connect('61e282ac'), '3.1.1')).toBeUndefined(); // "a€" is fine
  });

  it('refuses U+0000 in a topic name, a topic filter and a client id [MQTT-1.5.3-2]', () => {
    expect(error(annotated('30 05 | 0001 00 | 6869'), '3.1.1')?.code).toBe('mqtt-malformed-utf8');
    expect(error(annotated('82 08 | 0001 (id) | 0003 61 00 62 (filter "a\\0b") | 00'), '3.1.1')?.message).toBe(
      'SUBSCRIBE: a UTF-8 string holds U+0000 at byte 1 ([MQTT-1.5.3-2], MQTT 5 [MQTT-1.5.4-2])',
    );
    expect(error(annotated('10 0d | 0004 4d515454 | 04 | 02 | 0000 | 0001 00'), '3.1.1')?.code).toBe('mqtt-malformed-utf8');
  });

  it('refuses a wildcard in a PUBLISH topic name [MQTT-3.3.2-2]; MQTT 5 with 0x90 Topic Name invalid', () => {
    expect(error(annotated('30 05 | 0001 23 (topic "#") | 6869'), '3.1.1')).toEqual({
      code: 'mqtt-bad-topic-name', reason: undefined, message: 'PUBLISH: topic name "#" contains a wildcard (+ or #) [MQTT-3.3.2-2]',
    });
    expect(error(annotated('30 07 | 0003 612f2b (topic "a/+") | 00 | 78'), '5')?.reason).toBe(0x90);
    // In a filter the same characters are the point.
    expect(error(annotated('82 08 | 0001 | 0003 612f23 (filter "a/#") | 00'), '3.1.1')).toBeUndefined();
  });

  it('refuses an MQTT 5 Property Length cut off by the end of the packet, or running past it', () => {
    // PUBACK: id 1, reason 0x00, then 0x80: a Variable Byte Integer that says "more bytes follow".
    expect(error(annotated('40 04 | 0001 | 00 | 80 (cut off)'), '5')).toEqual({
      code: 'mqtt-malformed-properties', reason: 0x81,
      message: 'PUBACK: the Property Length is cut off by the end of the packet (MQTT 5 section 2.2.2.1)',
    });
    // PUBLISH: topic "a", Property Length 5 but only 1 byte after it (mqtt-packet notices this one itself).
    expect(error(annotated('30 05 | 0001 61 | 05 (5 bytes of properties?) | 68'), '5')).toEqual({
      code: 'mqtt-malformed-packet', reason: 0x81, message: 'malformed PUBLISH: Unknown property',
    });
    // An acknowledgement that ends before its properties simply has none (MQTT 5 section 3.4.2.2.1).
    expect(error(annotated('40 03 | 0001 | 10'), '5')).toBeUndefined();
  });

  it('keeps the good packets that came before a bad one in the same read, and gives the error with them', () => {
    const parser = new PacketParser('3.1.1');
    const r = parser.read(annotated('c0 00 (PINGREQ) | 30 05 0001 61 6869 (PUBLISH "a") | 30 05 0001 ff 6869 (bad UTF-8)'));
    expect(r.packets.map((p) => p.cmd)).toEqual(['pingreq', 'publish']);
    expect(r.error?.code).toBe('mqtt-malformed-utf8');
    // Then nothing more: the connection must be closed ([MQTT-4.8.0-1]).
    expect(parser.read(hex('c0 00'))).toEqual({ packets: [], error: r.error });
  });

  it('will not encode what it would refuse to read: U+0000 and wildcard topic names', () => {
    const publish = (topic: string): MqttPacket => ({ cmd: 'publish', topic, payload: new Uint8Array(0), qos: 0, dup: false, retain: false });
    expect(() => encodePacket(publish('a/#'), 4)).toThrow('cannot encode PUBLISH: topic "a/#" contains a wildcard (+ or #), which a Topic Name may not [MQTT-3.3.2-2]');
    expect(() => encodePacket(publish('a\u0000'), 4)).toThrow(LocalProtocolError);
    expect(() => encodePacket({ cmd: 'connect', clientId: '\u0000' }, 4)).toThrow(/clientId holds U\+0000 at index 0/);
  });
});
