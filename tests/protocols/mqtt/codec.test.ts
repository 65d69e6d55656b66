/**
 * Annotated byte fixtures: each one becomes a parse case (bytes -> packet), a generate case
 * (packet -> bytes) and a round trip, in 3.1.1 or 5. Bytes are written by hand from the spec's
 * figures, one group per field, so a wrong byte points at the field it belongs to.
 */
import { describe, expect, it } from 'vitest';
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
function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

interface Fixture {
  name: string;
  version: MqttVersion;
  bytes: string;
  packet: MqttPacket;
  /** What parsing yields when it adds defaults the packet above leaves out. */
  parsed?: Record<string, unknown>;
  /** Only parse (the encoder writes another valid form: see `note`). */
  parseOnly?: boolean;
  note?: string;
}

const fixtures: Fixture[] = [
  {
    name: '3.1.1 CONNECT, clean session, keepalive 10, client id "abc"',
    version: 4,
    bytes: '10 0f | 0004 4d515454 (protocol name "MQTT") | 04 (level 4) | 02 (flags: clean session) | 000a (keepalive 10) | 0003 616263 (client id)',
    packet: { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 10, clientId: 'abc' },
  },
  {
    name: '3.1.1 CONNECT with username, password and a retained QoS 1 will, clean session 0',
    version: 4,
    bytes:
      '10 1a | 0004 4d515454 | 04 | ec (user 80, password 40, will retain 20, will QoS 1 08, will 04) | 003c |' +
      ' 0002 6331 (client id "c1") | 0001 77 (will topic "w") | 0001 78 (will payload "x") | 0001 75 (user "u") | 0001 70 (password "p")',
    packet: {
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, keepalive: 60, clientId: 'c1',
      will: { topic: 'w', payload: te.encode('x'), qos: 1, retain: true },
      username: 'u', password: te.encode('p'),
    },
  },
  {
    name: '5 CONNECT, clean start, session expiry 60 s',
    version: 5,
    bytes: '10 15 | 0004 4d515454 | 05 | 02 | 000a | 05 (properties length) 11 0000003c (session expiry interval 60) | 0003 616263',
    packet: {
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 10, clientId: 'abc',
      properties: { sessionExpiryInterval: 60 },
    },
  },
  {
    name: '3.1.1 CONNACK, session present, accepted',
    version: 4,
    bytes: '20 02 | 01 (session present) | 00 (return code: accepted)',
    packet: { cmd: 'connack', sessionPresent: true, returnCode: 0 },
  },
  {
    name: '3.1.1 CONNACK refused: not authorized',
    version: 4,
    bytes: '20 02 | 00 | 05 (not authorized)',
    packet: { cmd: 'connack', sessionPresent: false, returnCode: 5 },
  },
  {
    name: '5 CONNACK success, no properties',
    version: 5,
    bytes: '20 03 | 00 | 00 (reason: success) | 00 (properties length)',
    packet: { cmd: 'connack', sessionPresent: false, reasonCode: 0 },
  },
  {
    name: '5 CONNACK with Receive Maximum 10',
    version: 5,
    bytes: '20 06 | 00 | 00 | 03 21 000a (receive maximum 10)',
    packet: { cmd: 'connack', sessionPresent: false, reasonCode: 0, properties: { receiveMaximum: 10 } },
  },
  {
    name: '3.1.1 PUBLISH QoS 0 "a/b" payload "hi"',
    version: 4,
    bytes: '30 (type 3, no flags) 07 | 0003 612f62 (topic) | 6869 (payload, no packet id at QoS 0)',
    packet: { cmd: 'publish', qos: 0, dup: false, retain: false, topic: 'a/b', payload: te.encode('hi') },
  },
  {
    name: '3.1.1 PUBLISH QoS 1, DUP and RETAIN set, packet id 10',
    version: 4,
    bytes: '3b (DUP 08 | QoS 1 02 | RETAIN 01) 09 | 0003 612f62 | 000a (packet id) | 6869',
    packet: { cmd: 'publish', qos: 1, dup: true, retain: true, topic: 'a/b', messageId: 10, payload: te.encode('hi') },
  },
  {
    name: '3.1.1 PUBLISH QoS 2, packet id 0x1234',
    version: 4,
    bytes: '34 (QoS 2 04) 09 | 0003 612f62 | 1234 | 6869',
    packet: { cmd: 'publish', qos: 2, dup: false, retain: false, topic: 'a/b', messageId: 0x1234, payload: te.encode('hi') },
  },
  {
    name: '5 PUBLISH QoS 1 with message expiry 30 s',
    version: 5,
    bytes: '32 0f | 0003 612f62 | 0001 | 05 (properties length) 02 0000001e (message expiry interval 30) | 6869',
    packet: {
      cmd: 'publish', qos: 1, dup: false, retain: false, topic: 'a/b', messageId: 1, payload: te.encode('hi'),
      properties: { messageExpiryInterval: 30 },
    },
  },
  {
    name: '5 PUBLISH QoS 0 with a topic alias and an empty topic',
    version: 5,
    bytes: '30 08 | 0000 (empty topic: use the alias) | 03 23 0002 (topic alias 2) | 6869',
    packet: {
      cmd: 'publish', qos: 0, dup: false, retain: false, topic: '', payload: te.encode('hi'),
      properties: { topicAlias: 2 },
    },
  },
  {
    name: '5 PUBLISH QoS 0 carrying a user property',
    version: 5,
    bytes: '30 0e | 0001 74 ("t") | 08 26 0001 6b 0002 7676 (user property k=vv) | 6869',
    packet: {
      cmd: 'publish', qos: 0, dup: false, retain: false, topic: 't', payload: te.encode('hi'),
      properties: { userProperties: { k: 'vv' } },
    },
  },
  { name: '3.1.1 PUBACK id 10', version: 4, bytes: '40 02 | 000a', packet: { cmd: 'puback', messageId: 10 } },
  { name: '3.1.1 PUBREC id 10', version: 4, bytes: '50 02 | 000a', packet: { cmd: 'pubrec', messageId: 10 } },
  {
    name: '3.1.1 PUBREL id 10 (reserved flags 0010 [MQTT-3.6.1-1])',
    version: 4,
    bytes: '62 02 | 000a',
    packet: { cmd: 'pubrel', messageId: 10 },
  },
  { name: '3.1.1 PUBCOMP id 10', version: 4, bytes: '70 02 | 000a', packet: { cmd: 'pubcomp', messageId: 10 } },
  {
    name: '5 PUBACK success in the short form [MQTT-3.4.2-1]',
    version: 5,
    bytes: '40 02 | 000a',
    packet: { cmd: 'puback', messageId: 10, reasonCode: 0 },
  },
  {
    name: '5 PUBACK 0x10 No matching subscribers, without properties length',
    version: 5,
    bytes: '40 03 | 000a | 10',
    packet: { cmd: 'puback', messageId: 10, reasonCode: 0x10 },
    parseOnly: true,
    note: 'mqtt-packet writes the 4-byte form with a zero properties length, also valid',
  },
  {
    name: '5 PUBACK 0x10 with zero properties length',
    version: 5,
    bytes: '40 04 | 000a | 10 | 00',
    packet: { cmd: 'puback', messageId: 10, reasonCode: 0x10 },
  },
  {
    name: '5 PUBREC 0x87 Not authorized',
    version: 5,
    bytes: '50 04 | 0007 | 87 | 00',
    packet: { cmd: 'pubrec', messageId: 7, reasonCode: 0x87 },
  },
  {
    name: '3.1.1 SUBSCRIBE "a/#" QoS 1 (reserved flags 0010 [MQTT-3.8.1-1])',
    version: 4,
    bytes: '82 08 | 0001 | 0003 612f23 | 01 (requested QoS)',
    packet: { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#', qos: 1 }] },
  },
  {
    name: '5 SUBSCRIBE "a/+" QoS 2 with No Local',
    version: 5,
    bytes: '82 09 | 0002 | 00 (properties length) | 0003 612f2b | 06 (QoS 2, No Local 04)',
    packet: { cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'a/+', qos: 2, nl: true, rap: false, rh: 0 }] },
  },
  {
    name: '3.1.1 SUBACK granted 1 and failure 0x80',
    version: 4,
    bytes: '90 04 | 0001 | 01 80',
    packet: { cmd: 'suback', messageId: 1, granted: [1, 0x80] },
  },
  {
    name: '5 SUBACK granted 0 and 0x87 Not authorized',
    version: 5,
    bytes: '90 05 | 0001 | 00 | 00 87',
    packet: { cmd: 'suback', messageId: 1, granted: [0, 0x87] },
  },
  {
    name: '3.1.1 UNSUBSCRIBE "a/b"',
    version: 4,
    bytes: 'a2 07 | 0002 | 0003 612f62',
    packet: { cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['a/b'] },
  },
  { name: '3.1.1 UNSUBACK id 2', version: 4, bytes: 'b0 02 | 0002', packet: { cmd: 'unsuback', messageId: 2 } },
  {
    name: '5 UNSUBACK id 2, success',
    version: 5,
    bytes: 'b0 04 | 0002 | 00 | 00',
    packet: { cmd: 'unsuback', messageId: 2, granted: [0] },
  },
  { name: 'PINGREQ', version: 4, bytes: 'c0 00', packet: { cmd: 'pingreq' } },
  { name: 'PINGRESP', version: 4, bytes: 'd0 00', packet: { cmd: 'pingresp' } },
  { name: '3.1.1 DISCONNECT', version: 4, bytes: 'e0 00', packet: { cmd: 'disconnect' } },
  {
    name: '5 DISCONNECT 0x04 Disconnect with Will Message',
    version: 5,
    bytes: 'e0 02 | 04 | 00',
    packet: { cmd: 'disconnect', reasonCode: 4 },
  },
];

function withoutLength(p: MqttPacket): Record<string, unknown> {
  const { length: _ignored, ...rest } = p as MqttPacket & { length?: number };
  return rest;
}

describe('codec fixtures', () => {
  for (const f of fixtures) {
    const bytes = hex(f.bytes.replace(/\([^)]*\)/g, ''));
    it(`parses ${f.name}`, () => {
      const [p, ...rest] = decodePackets(bytes, f.version);
      expect(rest).toEqual([]);
      expect(withoutLength(p!)).toEqual(f.parsed ?? f.packet);
      expect(p!.length).toBe(bytes.length - 2);
    });
    if (!f.parseOnly) {
      it(`generates ${f.name}`, () => {
        expect(toHex(encodePacket(f.packet, f.version))).toBe(toHex(bytes));
      });
    }
    it(`parses ${f.name} one byte at a time`, () => {
      const parser = new PacketParser(f.version);
      const got: MqttPacket[] = [];
      for (let i = 0; i < bytes.length; i++) {
        const out = parser.push(bytes.subarray(i, i + 1));
        if (i < bytes.length - 1) expect(out).toEqual([]);
        got.push(...out);
      }
      expect(got.map(withoutLength)).toEqual([f.parsed ?? f.packet]);
      expect(parser.bufferedBytes).toBe(0);
    });
  }

  it('accepts the version as "3.1.1" or "5" too', () => {
    const p: MqttPacket = { cmd: 'puback', messageId: 3, reasonCode: 0x10 };
    expect(toHex(encodePacket(p, '3.1.1'))).toBe('40020003');
    expect(toHex(encodePacket(p, '5'))).toBe('400400031000');
  });

  it('maps CONNACK reasonCode to the 3.1.1 return code and back', () => {
    expect(toHex(encodePacket({ cmd: 'connack', sessionPresent: false, reasonCode: 5 }, 4))).toBe('20020005');
    expect(toHex(encodePacket({ cmd: 'connack', sessionPresent: true, returnCode: 0 }, 5))).toBe('2003010000');
  });

  it('switches a broker-side parser to the version of the CONNECT it read', () => {
    const parser = new PacketParser(4);
    const connect = encodePacket({ cmd: 'connect', clientId: 'x', protocolVersion: 5, keepalive: 0, clean: true }, 5);
    const disconnect = hex('e0 02 | 8e | 00'); // 0x8E Session taken over
    const got = parser.push(new Uint8Array([...connect, ...disconnect]));
    expect(parser.version).toBe(5);
    expect(got.map((p) => p.cmd)).toEqual(['connect', 'disconnect']);
    expect((got[1] as { reasonCode?: number }).reasonCode).toBe(0x8e);
  });
});
