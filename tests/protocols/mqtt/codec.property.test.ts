import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RemoteProtocolError } from '../../../simulator/core/errors.ts';
import { encodePacket, PacketParser, type MqttPacket, type MqttVersion } from '../../../simulator/protocols/mqtt/codec.ts';

const version = fc.constantFrom<MqttVersion>(4, 5);
const id = fc.integer({ min: 1, max: 65535 });
const qos = fc.constantFrom<0 | 1 | 2>(0, 1, 2);
const topic = fc.stringMatching(/^[a-z0-9/]{1,20}$/);
const bytes = fc.uint8Array({ maxLength: 300 });

/** Packets every version can carry, in the form the parser gives back. */
const packet: fc.Arbitrary<MqttPacket> = fc.oneof(
  fc.record({ qos, dup: fc.boolean(), retain: fc.boolean(), topic, payload: bytes, id }).map(
    ({ qos, dup, retain, topic, payload, id }): MqttPacket =>
      qos === 0
        ? { cmd: 'publish', qos, dup: false, retain, topic, payload }
        : { cmd: 'publish', qos, dup, retain, topic, payload, messageId: id },
  ),
  fc.record({ cmd: fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp'), id }).map(
    ({ cmd, id }) => ({ cmd, messageId: id }) as MqttPacket,
  ),
  fc.record({ id, subs: fc.array(fc.record({ topic, qos }), { minLength: 1, maxLength: 4 }) }).map(
    ({ id, subs }): MqttPacket => ({ cmd: 'subscribe', messageId: id, subscriptions: subs }),
  ),
  fc.record({ id, topics: fc.array(topic, { minLength: 1, maxLength: 4 }) }).map(
    ({ id, topics }): MqttPacket => ({ cmd: 'unsubscribe', messageId: id, unsubscriptions: topics }),
  ),
  fc.record({ id, granted: fc.array(fc.constantFrom(0, 1, 2), { minLength: 1, maxLength: 4 }) }).map(
    ({ id, granted }): MqttPacket => ({ cmd: 'suback', messageId: id, granted }),
  ),
  fc.record({ clientId: fc.stringMatching(/^[a-zA-Z0-9]{1,23}$/), keepalive: fc.integer({ min: 0, max: 65535 }), clean: fc.boolean() }).map(
    (c): MqttPacket => ({ cmd: 'connect', ...c }),
  ),
  fc.constantFrom<MqttPacket>({ cmd: 'pingreq' }, { cmd: 'pingresp' }, { cmd: 'disconnect' }),
);

/** What the parser adds on top of what was encoded. */
function expected(p: MqttPacket, v: MqttVersion): object {
  switch (p.cmd) {
    case 'connect':
      return { ...p, protocolId: 'MQTT', protocolVersion: v };
    case 'subscribe':
      return v === 5 ? { ...p, subscriptions: p.subscriptions.map((s) => ({ ...s, nl: false, rap: false, rh: 0 })) } : p;
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      return v === 5 ? { ...p, reasonCode: 0 } : p;
    case 'disconnect':
      return v === 5 ? { ...p, reasonCode: 0 } : p;
    default:
      return p;
  }
}

function strip(p: MqttPacket): Record<string, unknown> {
  const { length: _length, ...rest } = p as MqttPacket & { length?: number };
  return rest;
}

/** Cuts `b` at the given offsets (any order, duplicates fine). */
function chunks(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, b.length]) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  return out;
}

describe('codec properties', () => {
  it('decode(encode(p)) gives p back, in any chunking', () => {
    fc.assert(
      fc.property(version, fc.array(packet, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (v, packets, cuts) => {
        const wire = new Uint8Array(packets.flatMap((p) => Array.from(encodePacket(p, v))));
        const parser = new PacketParser(v);
        const got = chunks(wire, cuts).flatMap((c) => parser.push(c));
        expect(got.map(strip)).toEqual(packets.map((p) => expected(p, v)));
        expect(parser.bufferedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes never throw anything but RemoteProtocolError, and chunking does not change the outcome', () => {
    fc.assert(
      fc.property(version, fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 6 }), (v, b, cuts) => {
        const run = (parts: Uint8Array[]): { packets: unknown[]; error?: string } => {
          const parser = new PacketParser(v);
          const packets: unknown[] = [];
          try {
            for (const part of parts) packets.push(...parser.push(part));
          } catch (err) {
            if (!(err instanceof RemoteProtocolError)) throw err;
            return { packets, error: err.code };
          }
          return { packets };
        };
        const whole = run([b]);
        const split = run(chunks(b, cuts));
        expect(split.error).toBe(whole.error);
        if (whole.error === undefined) expect(split.packets).toEqual(whole.packets);
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes after a valid header byte still never throw anything else', () => {
    const header = fc.integer({ min: 1, max: 15 }).chain((t) => fc.integer({ min: 0, max: 15 }).map((f) => (t << 4) | f));
    fc.assert(
      fc.property(version, header, fc.uint8Array({ maxLength: 60 }), (v, h, body) => {
        const b = new Uint8Array([h, body.length, ...body]);
        try {
          new PacketParser(v).push(b);
        } catch (err) {
          expect(err).toBeInstanceOf(RemoteProtocolError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
