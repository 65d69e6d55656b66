/**
 * simulator/protocols/mqtt/codec-hot.ts against mqtt-packet: the codec reads PUBLISH, the four
 * acknowledgements and the pings itself, and falls back to mqtt-packet for anything else. These
 * properties hold the two paths equal: the same packets (same fields, same key order, plain
 * Uint8Arrays), the same errors (code, message, MQTT 5 reason code) and the same good packets
 * before an error, for well-formed and malformed bytes, whole or cut at every byte; and the same
 * bytes or the same refusal from the encoder. The reference is the codec itself with `hot: false`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalProtocolError } from '../../../simulator/core/errors.ts';
import { decodeHot } from '../../../simulator/protocols/mqtt/codec-hot.ts';
import { encodePacket, PacketParser, type MqttPacket, type MqttVersion } from '../../../simulator/protocols/mqtt/codec.ts';

const version = fc.constantFrom<MqttVersion>(3, 4, 5);
const id = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.constantFrom(1, 255, 256, 65535) });
const qos = fc.constantFrom<0 | 1 | 2>(0, 1, 2);
/** Mostly printable ASCII topics (the hot reader's case), and the ones it must leave to mqtt-packet. */
const topic = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[ -"$-*,-~]{1,24}$/) },
  // A few topics again and again: the hot reader keeps the last one's string (a topic cache).
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'sensors/1', 'sensors/12') },
  { weight: 2, arbitrary: fc.constantFrom('', 'a\u00e9', '\u00ff', 'caf\u00e9/\u{1f600}', '\ufeffx', 'a\u007fb', 'tab\there', 'x'.repeat(300)) },
);
const payload = fc.oneof({ weight: 6, arbitrary: fc.uint8Array({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 120, maxLength: 20_000 }) });
const ackCmd = fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp');
const reasonCode = fc.option(fc.constantFrom(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x92, 0x97, 0x99), { nil: undefined });
const props = fc.option(
  fc.record({ messageExpiryInterval: fc.integer({ min: 0, max: 1000 }), reasonString: fc.string({ maxLength: 4 }), topicAlias: fc.integer({ min: 1, max: 10 }) }, { requiredKeys: [] }),
  { nil: undefined },
);

/** Packets as an application writes them, for the encoder; the wire form comes from the reference encoder. */
const packet: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ qos, dup: fc.boolean(), retain: fc.boolean(), topic, payload, messageId: id, properties: props }).map((r) => ({ cmd: 'publish', ...r, dup: r.qos > 0 && r.dup })) },
  { weight: 3, arbitrary: fc.record({ cmd: ackCmd, messageId: id, reasonCode, properties: fc.option(fc.constant({ reasonString: 'no' }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, unknown>>({ cmd: 'pingreq' }, { cmd: 'pingresp' }, { cmd: 'disconnect' }, { cmd: 'suback', messageId: 7, granted: [0, 1] }) },
);

/** The reference encoding, or nothing when the packet cannot be written in `v` (say, a reason code 3.1.1 has not). */
function wire(p: Record<string, unknown>, v: MqttVersion): Uint8Array | undefined {
  try {
    return encodePacket(p as unknown as MqttPacket, v, { hot: false });
  } catch {
    return undefined;
  }
}

/** Bytes near a valid packet: a byte changed, one cut off or one added, the length byte changed. */
const mutation = fc.record({ kind: fc.constantFrom('set', 'cut', 'add', 'length', 'flags'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });
function mutate(b: Uint8Array, m: { kind: string; at: number; byte: number }): Uint8Array {
  const out = Array.from(b);
  const at = m.at % (b.length + 1);
  if (m.kind === 'set' && b.length > 0) out[at % b.length] = m.byte;
  if (m.kind === 'cut') out.splice(at, 1);
  if (m.kind === 'add') out.splice(at, 0, m.byte);
  if (m.kind === 'length' && b.length > 1) out[1] = m.byte & 0x7f;
  if (m.kind === 'flags') out[0] = (out[0]! & 0xf0) | (m.byte & 0x0f);
  return Uint8Array.from(out);
}

interface Outcome {
  packets: unknown[];
  keys: string[][];
  error?: { code: string; message: string; reason: number | undefined };
  buffered: number;
}

/** What a parser makes of `parts`, fed in order (read(): good packets before an error count too). */
function outcome(v: MqttVersion, parts: Uint8Array[], hot: boolean): Outcome {
  const parser = new PacketParser(v, { hot });
  const packets: MqttPacket[] = [];
  for (const part of parts) {
    const r = parser.read(part);
    packets.push(...r.packets);
    if (r.error !== undefined) {
      const e = r.error;
      return { packets, keys: packets.map((p) => Object.keys(p)), error: { code: e.code, message: e.message, reason: e.protocolCode }, buffered: parser.bufferedBytes };
    }
  }
  return { packets, keys: packets.map((p) => Object.keys(p)), buffered: parser.bufferedBytes };
}

/** Plain Uint8Arrays only, never Buffers, in what the parser returns. */
function noBuffers(packets: unknown[]): void {
  for (const p of packets as Array<Record<string, unknown>>) {
    for (const v of Object.values(p)) if (v instanceof Uint8Array) expect(Object.getPrototypeOf(v)).toBe(Uint8Array.prototype);
  }
}

/** `whole` as two reads cut at every byte, and one byte at a time, each against the reference read whole. */
function sameEverywhere(v: MqttVersion, whole: Uint8Array): Outcome {
  const reference = outcome(v, [whole], false);
  expect(outcome(v, [whole], true)).toStrictEqual(reference);
  noBuffers(reference.packets);
  for (let cut = 0; cut <= whole.length; cut++) {
    const parts = [whole.subarray(0, cut), whole.subarray(cut)];
    expect(outcome(v, parts, true)).toStrictEqual(outcome(v, parts, false));
  }
  const bytes = Array.from(whole, (b) => Uint8Array.of(b));
  expect(outcome(v, bytes, true)).toStrictEqual(outcome(v, bytes, false));
  return reference;
}

/** How many packets the hot reader itself took (else the properties would say nothing about it). */
function hotCount(v: MqttVersion, b: Uint8Array): number {
  let n = 0;
  for (let pos = 0; pos + 1 < b.length; ) {
    let len = 0;
    let mul = 1;
    let i = 1;
    for (; i <= 4 && pos + i < b.length; i++) {
      len += (b[pos + i]! & 0x7f) * mul;
      mul *= 128;
      if ((b[pos + i]! & 0x80) === 0) break;
    }
    const total = i + 1 + len;
    if (i > 4 || pos + total > b.length) break;
    if (decodeHot(b, pos, total, i + 1, v) !== undefined) n++;
    pos += total;
  }
  return n;
}

describe('hot codec against mqtt-packet', () => {
  it('reads well-formed packets exactly as mqtt-packet does, cut at every byte', () => {
    let hot = 0;
    let all = 0;
    fc.assert(
      fc.property(version, fc.array(packet, { minLength: 1, maxLength: 3 }), (v, ps) => {
        const parts = ps.map((p) => wire(p, v)).filter((b): b is Uint8Array => b !== undefined && b.length < 600);
        if (parts.length === 0) return;
        const whole = Uint8Array.from(parts.flatMap((b) => Array.from(b)));
        const r = sameEverywhere(v, whole);
        expect(r.error).toBeUndefined();
        hot += hotCount(v, whole);
        all += parts.length;
      }),
      { seed: 1201, numRuns: 300 },
    );
    // Most of them, but not all, are the hot reader's (the rest prove the fallback joins in right).
    expect(hot).toBeGreaterThan(all * 0.5);
    expect(hot).toBeLessThan(all);
  }, 60_000);

  it('gives the same errors, and the same packets before them, for malformed bytes', () => {
    let errors = 0;
    fc.assert(
      fc.property(version, packet, mutation, fc.option(packet, { nil: undefined }), (v, p, m, after) => {
        const b = wire(p, v);
        if (b === undefined || b.length > 600) return;
        const next = after === undefined ? undefined : wire(after, v);
        const bad = mutate(b, m);
        const whole = next === undefined || next.length > 600 ? bad : Uint8Array.from([...bad, ...next]);
        if (sameEverywhere(v, whole).error !== undefined) errors++;
      }),
      { seed: 1202, numRuns: 600 },
    );
    expect(errors).toBeGreaterThan(100);
  }, 60_000);

  it('fixed malformed cases: each refused with the reference error', () => {
    const cases: Array<[MqttVersion, number[]]> = [
      [4, [0x40, 0x02, 0x00, 0x00]], // PUBACK with Packet Identifier 0 [MQTT-2.3.1-1]
      [4, [0x40, 0x03, 0x00, 0x01, 0x00]], // 3.1.1 PUBACK of Remaining Length 3
      [4, [0x62 ^ 0x02, 0x02, 0x00, 0x01]], // PUBREL without its 0010 flags [MQTT-2.2.2-1]
      [5, [0x40, 0x03, 0x00, 0x01, 0x05]], // PUBACK reason code 0x05 is none
      [5, [0x70, 0x03, 0x00, 0x01, 0x10]], // PUBCOMP may not carry 0x10
      [5, [0x40, 0x04, 0x00, 0x01, 0x00, 0x05]], // Property Length 5 in a packet of 4
      [4, [0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]], // PUBLISH with both QoS bits set
      [4, [0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00]], // QoS 1 PUBLISH with Packet Identifier 0
      [4, [0x30, 0x04, 0x00, 0x01, 0x2b, 0x78]], // topic "+": a wildcard in a Topic Name
      [4, [0x30, 0x04, 0x00, 0x01, 0x00, 0x78]], // topic holds U+0000
      [4, [0x30, 0x04, 0x00, 0x01, 0xff, 0x78]], // ill-formed UTF-8
      [4, [0x30, 0x03, 0x00, 0x05, 0x61]], // topic runs past the packet
      [5, [0x30, 0x04, 0x00, 0x01, 0x61, 0x05]], // MQTT 5 Property Length past the end
      [4, [0xc0, 0x01, 0x00]], // PINGREQ with a body
      [4, [0xc1, 0x00]], // PINGREQ with flags
      [4, [0xd0, 0x00, 0x30]], // PINGRESP then the start of a PUBLISH: waits
    ];
    for (const [v, bytes] of cases) {
      const r = sameEverywhere(v, Uint8Array.from(bytes));
      if (bytes[0] === 0xd0) expect(r).toStrictEqual({ packets: [{ cmd: 'pingresp', length: 0 }], keys: [['cmd', 'length']], buffered: 1 });
      else expect(r.error?.code).toMatch(/^mqtt-/);
    }
  });

  it('encodes exactly as mqtt-packet writes, or refuses with the same error', () => {
    const field = fc.oneof(fc.constant(undefined), fc.constantFrom(null, 0, -1, 1.5, 70_000, 'x', true, Uint8Array.of(1)));
    const odd = fc.record({ base: packet, key: fc.constantFrom('qos', 'dup', 'retain', 'topic', 'payload', 'messageId', 'reasonCode', 'properties'), value: field }).map(({ base, key, value }) => ({ ...base, [key]: value }));
    let same = 0;
    let refused = 0;
    fc.assert(
      fc.property(version, fc.oneof(packet, odd), (v, p) => {
        const run = (hot: boolean): { bytes?: number[]; error?: string } => {
          try {
            return { bytes: Array.from(encodePacket(p as unknown as MqttPacket, v, { hot })) };
          } catch (err) {
            if (err instanceof LocalProtocolError) return { error: `${err.code}: ${err.message}` };
            return { error: `${(err as Error).name}: ${(err as Error).message}` };
          }
        };
        const reference = run(false);
        expect(run(true)).toStrictEqual(reference);
        if (reference.error === undefined) same++;
        else refused++;
      }),
      { seed: 1203, numRuns: 2000 },
    );
    expect(same).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(100);
  });

  it('a packet mqtt-packet fails on leaves nothing behind for the next parser (they share one mqtt-packet parser)', () => {
    const good: Record<string, unknown>[] = [
      { cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/+', qos: 1 }] },
      { cmd: 'connect', clientId: 'c1', keepalive: 30, clean: true, protocolVersion: 4 },
      { cmd: 'unsubscribe', messageId: 9, unsubscriptions: ['x'] },
    ];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 15 }), fc.uint8Array({ maxLength: 40 }), fc.constantFrom(...good), (type, body, p) => {
        // A packet of any type with random contents, to a parser of its own (it may fail half-way in mqtt-packet)...
        try {
          new PacketParser(4).push(Uint8Array.from([type << 4 | (type === 6 || type === 8 || type === 10 ? 2 : 0), body.length, ...body]));
        } catch {
          // refused: what matters is the next parser
        }
        // ...and then a good one to another parser reads exactly as it does to a fresh process.
        const bytes = encodePacket(p as unknown as MqttPacket, 4, { hot: false });
        const [got] = new PacketParser(4).push(bytes);
        const { length: _, ...rest } = got as MqttPacket & { length: number };
        expect(rest).toStrictEqual(p.cmd === 'connect' ? { ...p, protocolId: 'MQTT' } : p);
      }),
      { seed: 1204, numRuns: 500 },
    );
  });

  it('the hot reader copies byte fields: the payload outlives the bytes it was read from', () => {
    const b = Uint8Array.from([0x30, 0x05, 0x00, 0x01, 0x61, 0x68, 0x69]); // PUBLISH "a", payload "hi"
    const [p] = new PacketParser(4).push(b) as Array<MqttPacket & { cmd: 'publish' }>;
    b.fill(0);
    expect(Array.from(p!.payload)).toEqual([0x68, 0x69]);
    expect(p).toStrictEqual({ cmd: 'publish', retain: false, qos: 0, dup: false, length: 5, topic: 'a', payload: Uint8Array.of(0x68, 0x69) });
  });

  it('keeps the last topic read, so a topic of the same length differing in its last byte, or a longer or shorter one, is read again', () => {
    // One parser, as a subscriber of many publishers reads them: every change of topic is a miss
    // that must replace the cached bytes whole (sensors/1 -> sensors/2 differ only in the last).
    const topics = ['sensors/1', 'sensors/2', 'sensors/1', 'sensors/12', 'sensors/2', 'sensors/1', 'b', 'sensors/13', 'sensors/12', 'sensors/12', 'a'];
    const parser = new PacketParser(4);
    const bytes = topics.map((t) => encodePacket({ cmd: 'publish', qos: 0, dup: false, retain: false, topic: t, payload: Uint8Array.of(1) }, 4));
    const read = bytes.flatMap((b) => parser.push(b)).map((p) => (p as { topic: string }).topic);
    expect(read).toEqual(topics);
    // Bytes laid over the source after reading do not reach the cache.
    const again = encodePacket({ cmd: 'publish', qos: 0, dup: false, retain: false, topic: 'z/9', payload: Uint8Array.of(1) }, 4);
    expect((parser.push(again)[0] as { topic: string }).topic).toBe('z/9');
    again.fill(0x41, 4, 7); // 'AAA' where the topic was
    const next = encodePacket({ cmd: 'publish', qos: 0, dup: false, retain: false, topic: 'AAA', payload: Uint8Array.of(1) }, 4);
    expect((parser.push(next)[0] as { topic: string }).topic).toBe('AAA');
  });
});
