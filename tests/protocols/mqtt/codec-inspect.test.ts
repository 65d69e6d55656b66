/** describePacket / describePackets (the byte inspector) and the `packet mqtt` / `decode mqtt` commands. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RemoteProtocolError } from '../../../simulator/core/errors.ts';
import { encodePacket, type MqttPacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { describePacket, describePackets } from '../../../simulator/protocols/mqtt/inspect.ts';
import { wirelab } from '../../cli/helpers.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/[\s|]/g, ''), 'hex'));
const ranges = (d: ReturnType<typeof describePacket>) => d.fields.map((f) => [f.name, f.start, f.end, f.value]);

describe('describePacket', () => {
  it('labels every byte of a 3.1.1 QoS 1 PUBLISH', () => {
    const d = describePacket(hex('3b 09 | 0003 612f62 | 000a | 6869'), '3.1.1');
    expect(d.type).toBe('PUBLISH');
    expect(d.fixedHeader).toEqual({ byte: '0x3b', packetType: 3, flags: '1011', dup: true, qos: 1, retain: true });
    expect(ranges(d)).toEqual([
      ['fixedHeader', 0, 1, '0x3b'],
      ['remainingLength', 1, 2, 9],
      ['variableHeader.topicName', 2, 7, 'a/b'],
      ['variableHeader.packetId', 7, 9, 10],
      ['payload', 9, 11, { bytes: 2, hex: '6869', text: 'hi' }],
    ]);
  });

  it('labels MQTT 5 properties one by one', () => {
    const d = describePacket(hex('20 06 | 00 | 00 | 03 21 000a'), '5');
    expect(ranges(d)).toEqual([
      ['fixedHeader', 0, 1, '0x20'],
      ['remainingLength', 1, 2, 6],
      ['variableHeader.acknowledgeFlags', 2, 3, 0],
      ['variableHeader.reasonCode', 3, 4, 0],
      ['properties.length', 4, 5, 3],
      ['properties.receiveMaximum', 5, 8, 10],
    ]);
    expect(d.properties).toEqual({ receiveMaximum: 10 });
  });

  it('shows a CONNECT with will and credentials field by field', () => {
    const d = describePacket(hex('10 1a 0004 4d515454 04 ec 003c 0002 6331 0001 77 0001 78 0001 75 0001 70'));
    expect(d.fields.map((f) => f.name)).toEqual([
      'fixedHeader', 'remainingLength', 'variableHeader.protocolName', 'variableHeader.protocolLevel', 'variableHeader.connectFlags',
      'variableHeader.keepalive', 'payload.clientId', 'payload.willTopic', 'payload.willPayload', 'payload.username', 'payload.password',
    ]);
    expect(d.variableHeader.connectFlags).toEqual({ username: true, password: true, willRetain: true, willQos: 1, will: true, clean: false });
    expect(d.fields[4]!.note).toBe('username, password, will retain, will QoS 1, will');
  });

  it('throws the codec error for bad bytes', () => {
    expect(() => describePacket(hex('40 01 00'), '5')).toThrow(RemoteProtocolError);
    expect(() => describePacket(hex('30 07 0003'), '3.1.1')).toThrow(/trailing byte/);
  });

  it('the field ranges of any packet tile it exactly, in order', () => {
    const packet: fc.Arbitrary<MqttPacket> = fc.oneof(
      fc.record({ topic: fc.stringMatching(/^[a-z/]{1,12}$/), qos: fc.constantFrom<0 | 1 | 2>(0, 1, 2), payload: fc.uint8Array({ maxLength: 40 }), retain: fc.boolean() }).map(
        (p): MqttPacket => ({ cmd: 'publish', ...p, dup: false, ...(p.qos > 0 ? { messageId: 9 } : {}), properties: { messageExpiryInterval: 5, userProperties: { a: 'b' } } }),
      ),
      fc.constant<MqttPacket>({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/#', qos: 1 }, { topic: 'b', qos: 2 }] }),
      fc.constant<MqttPacket>({ cmd: 'connect', clientId: 'x', keepalive: 5, clean: true, will: { topic: 'w', payload: new Uint8Array([1]), qos: 2 } }),
      fc.constant<MqttPacket>({ cmd: 'unsuback', messageId: 4, granted: [0, 0x11] }),
      fc.constant<MqttPacket>({ cmd: 'disconnect', reasonCode: 0x8e }),
    );
    fc.assert(
      fc.property(packet, fc.constantFrom('3.1.1' as const, '5' as const), (p, v) => {
        const bytes = encodePacket(p, v);
        const d = describePackets(bytes, v)[0]!;
        let at = 0;
        for (const f of d.fields) {
          expect(f.start).toBe(at);
          at = f.end;
        }
        expect(at).toBe(bytes.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('wirelab packet mqtt / decode mqtt', () => {
  it('builds a PUBLISH with every option and shows its bytes', async () => {
    const r = await wirelab(['packet', 'mqtt', 'publish', '--qos', '1', '--topic', 'a/b', '--payload-bytes', '2', '--packet-id', '7', '--retain', '--dup']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hex).toBe('3b090003612f6200070000');
    expect(out.bytes).toBe(11);
    expect(out.fixedHeader).toEqual({ byte: '0x3b', packetType: 3, flags: '1011', dup: true, qos: 1, retain: true });
    expect(out.remainingLength).toEqual({ value: 9, bytes: 1 });
    expect(out.variableHeader).toEqual({ topic: 'a/b', packetId: 7 });
    expect(out.payload).toEqual({ bytes: 2, hex: '0000' });
  });

  it('builds every type in both versions', async () => {
    for (const version of ['3.1.1', '5']) {
      for (const type of ['connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect']) {
        const r = await wirelab(['packet', 'mqtt', type, '--version', version]);
        expect(r.code, `${type} ${version}: ${r.stderr}`).toBe(0);
        expect(JSON.parse(r.stdout).type).toBe(type.toUpperCase());
      }
    }
  });

  it('builds a CONNECT with credentials and keepalive', async () => {
    const r = await wirelab(['packet', 'mqtt', 'connect', '--client-id', 'c', '--keepalive', '10', '--username', 'u', '--password', 'p']);
    expect(JSON.parse(r.stdout).hex).toBe('101300044d51545404c2000a000163000175000170');
  });

  it('refuses impossible packets with a message, exit 2', async () => {
    const r = await wirelab(['packet', 'mqtt', 'publish', '--dup']);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe('wirelab packet: --dup: only a QoS 1 or 2 PUBLISH may have DUP set [MQTT-3.3.1-2]\n');
    expect((await wirelab(['packet', 'mqtt', 'publish', '--qos', '3'])).stderr).toMatch(/--qos: expected 0, 1 or 2/);
    expect((await wirelab(['packet', 'mqtt', 'bogus'])).stderr).toMatch(/expected one of connect, connack/);
  });

  it('decodes several packets, following a CONNECT\'s version', async () => {
    const connect = Buffer.from(encodePacket({ cmd: 'connect', clientId: 'c', keepalive: 0, clean: true }, 5)).toString('hex');
    const r = await wirelab(['decode', 'mqtt', `${connect} e0 02 8e 00`]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.packets.map((p: { type: string; offset: number; version: string }) => [p.type, p.offset, p.version])).toEqual([
      ['CONNECT', 0, '5'], ['DISCONNECT', connect.length / 2, '5'],
    ]);
    expect(out.packets[1].variableHeader).toEqual({ reasonCode: 0x8e });
  });

  it('prints the error and exits 1 for bad bytes, after the good packets; never a stack trace', async () => {
    const r = await wirelab(['decode', 'mqtt', 'c000 40 01 00', '--version', '5']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.packets).toHaveLength(1);
    expect(out.error).toEqual({ code: 'mqtt-malformed-packet', reasonCode: 0x81, message: 'PUBACK: missing or zero Packet Identifier [MQTT-2.3.1-1]', offset: 2 });
    expect(r.stderr).toBe('wirelab decode mqtt: mqtt-malformed-packet: PUBACK: missing or zero Packet Identifier [MQTT-2.3.1-1] (at byte 2)\n');
    const cut = await wirelab(['decode', 'mqtt', '30 07 0003']);
    expect(cut.code).toBe(1);
    expect(JSON.parse(cut.stdout).error.code).toBe('mqtt-truncated');
    expect(cut.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('hostile bytes and names (issue 13 items 5 and 6)', () => {
  it('decode mqtt 30050001ff6869: the error, exit 1, no crash (it threw "Invalid code point")', async () => {
    const r = await wirelab(['decode', 'mqtt', '30050001ff6869']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toEqual({
      code: 'mqtt-malformed-utf8', reasonCode: null, offset: 0,
      message: 'PUBLISH: a UTF-8 string is ill-formed UTF-8: byte 0xff at 0 cannot start a character ([MQTT-1.5.3-1], MQTT 5 [MQTT-1.5.4-1])',
    });
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('decode mqtt exits 1 on U+0000 in a topic and on a wildcard PUBLISH topic', async () => {
    const nul = await wirelab(['decode', 'mqtt', '30 05 0001 00 6869']);
    expect([nul.code, JSON.parse(nul.stdout).error.code]).toEqual([1, 'mqtt-malformed-utf8']);
    const wild = await wirelab(['decode', 'mqtt', '30 07 0003 612f23 6869']);
    expect([wild.code, JSON.parse(wild.stdout).error.code]).toEqual([1, 'mqtt-bad-topic-name']);
    expect(wild.stderr).toBe('wirelab decode mqtt: mqtt-bad-topic-name: PUBLISH: topic name "a/#" contains a wildcard (+ or #) [MQTT-3.3.2-2] (at byte 0)\n');
  });

  it("packet mqtt publish --topic 'a/#' is refused with exit 2 (it built an invalid packet)", async () => {
    const r = await wirelab(['packet', 'mqtt', 'publish', '--topic', 'a/#']);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe('wirelab packet: cannot encode PUBLISH: topic "a/#" contains a wildcard (+ or #), which a Topic Name may not [MQTT-3.3.2-2]\n');
    expect((await wirelab(['packet', 'mqtt', 'subscribe', '--topic', 'a/#'])).code).toBe(0); // a filter may
  });

  it('the inspector never throws anything but the codec error, whatever the bytes (fixed seed)', () => {
    // Half random bytes, half a valid fixed header and Remaining Length around a random body.
    const framed = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 60 })).map(([first, body]) => Uint8Array.of(first, body.length, ...body));
    fc.assert(
      fc.property(fc.constantFrom('3.1.1' as const, '5' as const), fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 48 }), framed), (version, bytes) => {
        try {
          describePackets(bytes, version);
        } catch (err) {
          expect(err).toBeInstanceOf(RemoteProtocolError);
        }
      }),
      { seed: 13, numRuns: 3000 },
    );
  });
});
