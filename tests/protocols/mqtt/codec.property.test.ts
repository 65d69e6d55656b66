import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalProtocolError, RemoteProtocolError } from '../../../simulator/core/errors.ts';
import { decodePackets, encodePacket, PacketParser, type MqttPacket, type MqttVersion } from '../../../simulator/protocols/mqtt/codec.ts';

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
      { seed: 101, numRuns: 300 },
    );
  }, 30_000);

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
      { seed: 102, numRuns: 2000 },
    );
  }, 30_000);

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
      { seed: 103, numRuns: 3000 },
    );
  }, 30_000);

  it('encodePacket gives one whole packet that decodes to the same packet, or throws mqtt-encode-invalid; never 0 bytes', () => {
    let encoded = 0;
    let refused = 0;
    fc.assert(
      fc.property(version, anyPacket, (v, p) => {
        let bytes: Uint8Array;
        try {
          bytes = encodePacket(p as unknown as MqttPacket, v);
        } catch (err) {
          expect(err).toBeInstanceOf(LocalProtocolError);
          expect((err as LocalProtocolError).code).toBe('mqtt-encode-invalid');
          expect((err as LocalProtocolError).message.startsWith(`cannot encode ${String(p.cmd).toUpperCase()}: `)).toBe(true);
          refused++;
          return;
        }
        encoded++;
        expect(bytes.length).toBeGreaterThanOrEqual(2);
        const [got, ...rest] = decodePackets(bytes, v);
        expect(rest).toEqual([]);
        expect(strip(got!)).toEqual(canonical(p, v));
      }),
      { seed: 104, numRuns: 1500 },
    );
    // Both outcomes must really be exercised, or the property says nothing.
    expect(encoded).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });
});

// ---------------------------------------------------------------- encodePacket on any fields

/** Mostly valid values, sometimes not: each bad one must be refused, never half-written. */
function sometimes<T>(good: fc.Arbitrary<T>, ...bad: unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
}
const text = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('\ud800', 'a\udc00b', '\u0000', '\u00e9'.repeat(32_768), 'a'.repeat(65_535)) },
);
const anyId = sometimes(id, 0, -1, 65_536, 1.5, undefined);
const anyQos = sometimes(qos, 3, -1, 0.5);
const anyByte = sometimes(fc.integer({ min: 0, max: 255 }), 256, -1, 2.5);
const userProperties = fc.oneof(
  fc.constant({}),
  fc.dictionary(
    fc.string({ maxLength: 5 }),
    // Non-empty values in lists: mqtt-packet's parser drops a repeated user property whose first value is "".
    fc.oneof(fc.string({ maxLength: 5 }), fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 3 })),
    { maxKeys: 3 },
  ),
  fc.constant({ k: [] }),
  fc.constant({ k: 5 }),
);
const properties = fc.option(
  fc.record(
    {
      payloadFormatIndicator: sometimes(fc.boolean(), 1),
      messageExpiryInterval: sometimes(fc.integer({ min: 0, max: 0xffff_ffff }), -1, 2 ** 32, 0.5),
      contentType: sometimes(text, 7, ['a', 'b']),
      correlationData: sometimes(fc.uint8Array({ maxLength: 8 }), 'bytes'),
      subscriptionIdentifier: sometimes(
        fc.oneof(fc.integer({ min: 1, max: 268_435_455 }), fc.array(fc.integer({ min: 1, max: 268_435_455 }), { maxLength: 3 })),
        0, 268_435_456,
      ),
      topicAlias: sometimes(fc.integer({ min: 0, max: 65_535 }), 65_536),
      reasonString: text,
      userProperties,
      colour: fc.constant('red'),
    },
    { requiredKeys: [] },
  ).map((r) => {
    // An unknown property only now and then.
    const { colour, ...rest } = r as Record<string, unknown>;
    return colour !== undefined && (Object.keys(rest).length % 4 === 0) ? r : rest;
  }),
  { nil: undefined },
);
const anySubscription = fc.record({ topic: text, qos: anyQos, nl: fc.option(fc.boolean(), { nil: undefined }), rap: fc.option(fc.boolean(), { nil: undefined }), rh: fc.option(sometimes(fc.constantFrom(0, 1, 2), 3), { nil: undefined }) }, { requiredKeys: ['topic', 'qos'] });

const anyPacket: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ qos: anyQos, dup: fc.boolean(), retain: fc.boolean(), topic: text, payload: sometimes(bytes, 'text'), messageId: anyId, properties }, { requiredKeys: ['qos', 'dup', 'retain', 'topic', 'payload'] })
    .map((r) => ({ cmd: 'publish', ...r })),
  fc.record({ cmd: fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp'), messageId: anyId, reasonCode: fc.option(anyByte, { nil: undefined }), properties }, { requiredKeys: ['cmd', 'messageId'] }),
  fc.record({ messageId: anyId, subscriptions: fc.array(anySubscription, { maxLength: 3 }), properties }, { requiredKeys: ['messageId', 'subscriptions'] })
    .map((r) => ({ cmd: 'subscribe', ...r })),
  fc.record({ cmd: fc.constantFrom('suback', 'unsuback'), messageId: anyId, granted: fc.array(fc.oneof(fc.constantFrom(0, 1, 2, 0x80, 0x11, 0x87), anyByte), { maxLength: 3 }), properties }, { requiredKeys: ['cmd', 'messageId', 'granted'] }),
  fc.record({ messageId: anyId, unsubscriptions: fc.array(text, { maxLength: 3 }), properties }, { requiredKeys: ['messageId', 'unsubscriptions'] })
    .map((r) => ({ cmd: 'unsubscribe', ...r })),
  fc.record({ sessionPresent: fc.boolean(), reasonCode: fc.option(anyByte, { nil: undefined }), returnCode: fc.option(anyByte, { nil: undefined }), properties }, { requiredKeys: ['sessionPresent'] })
    .map((r) => ({ cmd: 'connack', ...r })),
  fc.record({ cmd: fc.constantFrom('disconnect', 'auth'), reasonCode: fc.option(fc.oneof(fc.constantFrom(0, 4, 0x18, 0x8e), anyByte), { nil: undefined }), properties }, { requiredKeys: ['cmd'] }),
  fc.record(
    {
      clientId: text,
      clean: fc.boolean(),
      keepalive: sometimes(fc.integer({ min: 0, max: 65_535 }), 65_536, 1.5),
      username: text,
      password: fc.uint8Array({ maxLength: 8 }),
      will: fc.record({ topic: text, payload: sometimes(bytes, 'text'), qos: anyQos, retain: fc.boolean(), properties }, { requiredKeys: ['topic', 'payload'] }),
      properties,
    },
    { requiredKeys: ['clientId'] },
  ).map((r) => ({ cmd: 'connect', ...r })),
  fc.constantFrom({ cmd: 'pingreq' }, { cmd: 'pingresp' }),
);

/** Properties as they come back from the wire: no empty sets, a single value not in a list. */
function canonicalProps(props: unknown): Record<string, unknown> | undefined {
  if (props === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(props as Record<string, unknown>)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    if (name === 'userProperties') {
      const pairs: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(value as Record<string, unknown>)) {
        if (Array.isArray(val) && val.length === 0) continue;
        pairs[k] = Array.isArray(val) && val.length === 1 ? val[0] : val;
      }
      if (Object.keys(pairs).length > 0) out[name] = pairs;
    } else {
      out[name] = Array.isArray(value) && value.length === 1 ? value[0] : value;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The packet PacketParser gives back for an accepted `p` (defaults filled, unwritten fields gone). */
function canonical(p: Record<string, unknown>, v: MqttVersion): Record<string, unknown> {
  const v5 = v === 5;
  const out: Record<string, unknown> = { ...p };
  const props = v5 ? canonicalProps(p.properties) : undefined;
  if (props === undefined) delete out.properties;
  else out.properties = props;
  switch (p.cmd) {
    case 'publish':
      if (p.qos === 0) delete out.messageId;
      break;
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      if (v5) out.reasonCode = p.reasonCode ?? 0;
      else delete out.reasonCode;
      break;
    case 'subscribe':
      out.subscriptions = (p.subscriptions as Array<Record<string, unknown>>).map((s) =>
        v5 ? { topic: s.topic, qos: s.qos, nl: s.nl ?? false, rap: s.rap ?? false, rh: s.rh ?? 0 } : { topic: s.topic, qos: s.qos });
      break;
    case 'unsuback':
      if (!v5) delete out.granted;
      break;
    case 'connack':
      delete out.returnCode;
      delete out.reasonCode;
      if (v5) out.reasonCode = p.reasonCode ?? p.returnCode ?? 0;
      else out.returnCode = p.returnCode ?? p.reasonCode ?? 0;
      break;
    case 'disconnect': case 'auth':
      if (v5) out.reasonCode = p.reasonCode ?? 0;
      else delete out.reasonCode;
      break;
    case 'connect': {
      Object.assign(out, { protocolId: 'MQTT', protocolVersion: v, clean: p.clean ?? true, keepalive: p.keepalive ?? 0 });
      if (p.will !== undefined) {
        const w = p.will as Record<string, unknown>;
        const will: Record<string, unknown> = { topic: w.topic, payload: w.payload, qos: w.qos ?? 0, retain: w.retain ?? false };
        const wp = v5 ? canonicalProps(w.properties) : undefined;
        if (wp !== undefined) will.properties = wp;
        out.will = will;
      }
      break;
    }
  }
  return out;
}

