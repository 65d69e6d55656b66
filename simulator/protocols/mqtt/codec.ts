/**
 * MQTT 3.1.1 / 5 packets: the one module that imports `mqtt-packet` (docs/ARCHITECTURE.md).
 *
 * Rules of this file:
 * - Packets are plain objects told apart by `cmd`, with mqtt-packet's field names (`messageId`,
 *   `returnCode` in 3.1.1, `reasonCode` in 5, `granted`, `properties`...). Byte fields are plain
 *   `Uint8Array`s, never `Buffer`s, so callers and tests do not depend on Node.
 * - `encodePacket` is pure. A packet the library refuses is the caller's mistake:
 *   `LocalProtocolError('mqtt-encode-invalid')`.
 * - `PacketParser` frames packets itself (fixed header + Remaining Length, section 2.2.3) and hands
 *   mqtt-packet exactly one whole packet at a time, so "need more bytes" is never an error, any
 *   chunking gives the same packets, and a bad packet can never read into the next one.
 *   Bad bytes are `RemoteProtocolError` with a stable code; in MQTT 5 it carries reason code 0x81
 *   (Malformed Packet) or 0x82 (Protocol Error) (MQTT 5 section 4.13). After an error the parser
 *   keeps failing with the same error: the connection must be closed ([MQTT-4.8.0-1] 3.1.1 4.8).
 * - `import { Buffer } from 'buffer'`: in the browser worker Vite resolves it to the npm package.
 */
import { Buffer } from 'buffer';
import mqttPacket from 'mqtt-packet';
import { LocalProtocolError, RemoteProtocolError } from '../../core/errors.ts';
import { checkPacket, StrictChecks, type StrictProblem } from './codec-strict.ts';
import { encodeProblem } from './encode-checks.ts';
import type { MqttRemoteErrorCode } from './errors.ts';
import {
  MAX_REMAINING_LENGTH, PACKET_TYPE, protocolLevel, REASON_MALFORMED_PACKET, REASON_PROTOCOL_ERROR,
  type MqttPacket, type MqttVersion, type MqttVersionName,
} from './packets.ts';
import { concatBytes } from './fifo.ts';
import { generate } from './codec-generate.ts';
import { decodeHot, encodeHot, type TopicCache } from './codec-hot.ts';
import { readVarint, wireSize } from './varint.ts';

import { localError, remoteError } from './errors.ts';

export * from './packets.ts';
export { wireSize };

// ------------------------------------------------------------------ encode

const HOT = { hot: true };

/**
 * The bytes of `packet` as MQTT `version` puts them on the wire. Fills the few fields the two
 * versions spell differently (CONNACK return/reason code) and omits an MQTT 5 acknowledgement's
 * reason code when it is 0x00 Success ([MQTT-3.4.2-1] allows the 2-byte form).
 *
 * An empty set of MQTT 5 properties is no property at all: `userProperties: {}`, a user property
 * whose value is `[]`, `subscriptionIdentifier: []` and `undefined`/`null` values are left out, and
 * a `properties` object left with nothing in it is dropped (so a success PUBACK keeps its short
 * form). mqtt-packet cannot write those (it returns an empty buffer for them), and on the wire
 * "zero User Properties" is exactly "no User Property" (MQTT 5 section 3.3.2.3.7).
 *
 * Everything else is checked before mqtt-packet sees it: whatever this returns, `PacketParser`
 * reads back as the same packet. A field that cannot be encoded as given is the caller's mistake:
 * `LocalProtocolError('mqtt-encode-invalid')` naming the packet and the field. (mqtt-packet
 * reports some bad fields by throwing, but writes others silently wrong: an empty user property
 * set comes out as 0 bytes, a PUBLISH with Packet Identifier 70000 as its first 5 bytes, reason
 * code 300 as 44; a QoS 3 PUBLISH fails inside it with a TypeError.)
 */
export function encodePacket(packet: MqttPacket, version: MqttVersion | MqttVersionName, options: { hot?: boolean } = HOT): Uint8Array {
  const level = protocolLevel(version);
  // The packets every message crosses, without mqtt-packet (./codec-hot.ts: same bytes).
  if (options.hot !== false) {
    const hot = encodeHot(packet, level);
    if (hot !== undefined) return hot;
  }
  const p: Record<string, unknown> = { ...packet };
  if (p.cmd === 'connack') {
    if (level === 5 && p.reasonCode === undefined) p.reasonCode = p.returnCode ?? 0;
    if (level !== 5 && p.returnCode === undefined) p.returnCode = p.reasonCode ?? 0;
  }
  if ((p.cmd === 'puback' || p.cmd === 'pubrec' || p.cmd === 'pubrel' || p.cmd === 'pubcomp') && p.reasonCode === undefined) {
    p.reasonCode = 0;
  }
  if (p.cmd === 'connect' && p.protocolVersion === undefined) p.protocolVersion = level;
  const problem = encodeProblem(p, level);
  if (problem !== undefined) throw encodeError(p, problem);
  toBuffers(p);
  let out: Uint8Array;
  try {
    out = generate(p, level);
  } catch (err) {
    // mqtt-packet reports a refused field by emitting 'error' on its accumulator, which throws.
    const why = (err as Error).message;
    const detail = /variable byte integer/.test(why)
      ? `it would be longer than a Remaining Length of ${MAX_REMAINING_LENGTH.toLocaleString('en-US')} bytes allows (section 2.2.3)`
      : why;
    throw encodeError(p, detail);
  }
  // Last guard: a whole frame or nothing. mqtt-packet stops at a part it could not write and
  // returns what came before (possibly nothing); the checks above should leave no such case.
  if (!isWholeFrame(out)) {
    throw encodeError(p, `mqtt-packet wrote ${out.length} byte(s), not a whole packet`);
  }
  return out;
}

function encodeError(p: Record<string, unknown>, why: string): LocalProtocolError {
  const name = typeof p.cmd === 'string' && p.cmd !== '' ? p.cmd.toUpperCase() : 'packet';
  return localError('mqtt-encode-invalid', `cannot encode ${name}: ${why}`);
}

/** True when `b` is exactly one packet: fixed header, Remaining Length, that many bytes. */
function isWholeFrame(b: Uint8Array): boolean {
  const r = readVarint(b, 1);
  return r.kind === 'value' && 1 + r.bytes + r.value === b.length;
}

/**
 * The pieces mqtt.js writes one packet in: mqtt-packet's writeToStream, which mqtt.js calls for
 * every packet (client.ts `_writePacket`), makes one stream.write per field (fixed header byte,
 * Remaining Length, topic length, topic, packet id, each property part, payload). A TCP socket
 * joins them (the stream is corked until the next tick); the `ws` library's stream in Node writes
 * each as its own WebSocket frame (ws lib/stream.js createWebSocketStream has no _writev).
 * `bytes` is one whole packet; the pieces join to exactly those bytes, or it comes back whole.
 * An MQTT 5 PUBREC, PUBREL or PUBCOMP in mqtt.js's 6-byte form (./ack-forms.ts) is rewritten the
 * way mqtt.js writes it: without a reason code, which mqtt-packet then writes as 0x00 and 0x00.
 */
export function mqttjsWrites(bytes: Uint8Array, version: MqttVersion | MqttVersionName): Uint8Array[] {
  const level = protocolLevel(version);
  let raw: Record<string, unknown> | undefined;
  const parser = mqttPacket.parser({ protocolVersion: level });
  parser.on('packet', (p: unknown) => (raw = p as Record<string, unknown>));
  parser.on('error', () => undefined);
  parser.parse(Buffer.from(bytes));
  if (raw === undefined) return [bytes];
  const { reasonCode: _, ...noReason } = raw;
  for (const packet of [raw, noReason]) {
    const pieces: Uint8Array[] = [];
    const stream = { write: (c: Uint8Array | string) => pieces.push(Uint8Array.from(typeof c === 'string' ? Buffer.from(c, 'utf8') : c)) > 0, destroy: () => undefined };
    mqttPacket.writeToStream(packet as unknown as mqttPacket.Packet, stream as unknown as Parameters<typeof mqttPacket.writeToStream>[1], { protocolVersion: level });
    const joined = concatBytes(pieces) ?? new Uint8Array(0);
    if (Buffer.from(joined).equals(Buffer.from(bytes))) return pieces;
  }
  return [bytes];
}

/** Byte fields to Buffers for mqtt-packet (it calls Buffer methods on them); empty properties out. */
function toBuffers(p: Record<string, unknown>): void {
  for (const key of BYTE_FIELDS) {
    const v = p[key];
    // A Buffer view on the same bytes (mqtt-packet only reads them), not a copy.
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) p[key] = Buffer.from(v.buffer as ArrayBuffer, v.byteOffset, v.byteLength);
  }
  if (p.properties !== undefined) {
    const props = prepareProps(p.properties as Record<string, unknown>);
    if (props === undefined) delete p.properties;
    else p.properties = props;
  }
  if (p.will !== undefined) {
    const will = { ...(p.will as Record<string, unknown>) };
    const payload = will.payload;
    if (payload instanceof Uint8Array && !Buffer.isBuffer(payload)) will.payload = Buffer.from(payload);
    if (will.properties !== undefined) {
      const props = prepareProps(will.properties as Record<string, unknown>);
      if (props === undefined) delete will.properties;
      else will.properties = props;
    }
    p.will = will;
  }
}

/** A copy without the empty entries (see encodePacket), binary values as Buffers; undefined if empty. */
function prepareProps(props: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(props)) {
    let v = props[key];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    if (key === 'userProperties') {
      // No prototype: a user property may be named "__proto__" (mqtt-packet's parser does the same).
      const pairs: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      let anyPair = false;
      for (const name of Object.keys(v as object)) {
        const value = (v as Record<string, unknown>)[name];
        if (Array.isArray(value) && value.length === 0) continue;
        pairs[name] = value;
        anyPair = true;
      }
      if (!anyPair) continue;
      v = pairs;
    } else if (v instanceof Uint8Array && !Buffer.isBuffer(v)) {
      v = Buffer.from(v);
    }
    out[key] = v;
    any = true;
  }
  return any ? out : undefined;
}
// ------------------------------------------------------------------ decode

/** The part of mqtt-packet's parser this module drives (its `settings` is not in the typings). */
interface InnerParser {
  settings: { protocolVersion?: number };
  parse(buf: Buffer): number;
  on(event: 'packet' | 'error', listener: (value: unknown) => void): unknown;
}

/**
 * Incremental parser: `push(bytes)` (alias `feed`) returns every packet completed so far, in order.
 * The version decides how the variable headers are read (MQTT 5 adds properties and reason
 * codes); a parsed CONNECT switches the parser to that CONNECT's protocol level, as a broker needs.
 *
 * The hot packets (./codec-hot.ts) are read without mqtt-packet. For the others one mqtt-packet
 * parser serves every PacketParser of the run (`shared()`: building one per packet was most of the
 * cost of reading a small packet, and one per connection cost about 1.7 KB a connection). It is
 * handed exactly one whole packet per call, with the version put back first: mqtt-packet bounds
 * some reads by what it has buffered rather than by the packet's Remaining Length (a v5
 * DISCONNECT of length 0 would take the next packet's first byte as its reason code), so it must
 * never see the start of the next packet. After a packet it read well it has nothing left
 * buffered and no state; after one it did not, it is thrown away and the next call makes a new one.
 *
 * After an error the buffered bytes are let go (`bufferedBytes` is 0) and every later `push`
 * throws the same error: the connection must be closed.
 */
/**
 * The empty array every new parser starts from: an empty Uint8Array still costs about 180 bytes
 * (the view and its ArrayBuffer), and a run has two parsers per device. Nothing writes into it.
 */
const NO_BYTES = new Uint8Array(0);

export class PacketParser {
  #level: MqttVersion;
  /** Starts as the shared NO_BYTES (never written into: #append replaces it before writing). */
  #buf: Uint8Array<ArrayBuffer> = NO_BYTES;
  #len = 0;
  #error: RemoteProtocolError | undefined;
  readonly #maxPacketSize: number | undefined;
  /** Whether the plain hot packets are read by ./codec-hot.ts (false only to test it against mqtt-packet). */
  readonly #hot: boolean;
  /** The fixed header size of the packet #frameAt last measured. */
  #headerBytes = 0;
  /** The last Topic Name the hot reader read (./codec-hot.ts). */
  readonly #topics: TopicCache = { bytes: NO_BYTES, length: 0, text: '' };

  /**
   * `maxPacketSize`: larger packets are an error (MQTT 5). `hot: false` reads every packet with
   * mqtt-packet, the reference ./codec-hot.ts is tested against.
   */
  constructor(version: MqttVersion | MqttVersionName = 4, options: { maxPacketSize?: number; hot?: boolean } = {}) {
    this.#level = protocolLevel(version);
    this.#hot = options.hot ?? true;
    this.#maxPacketSize = options.maxPacketSize;
  }

  get version(): MqttVersion {
    return this.#level;
  }

  setVersion(version: MqttVersion | MqttVersionName): void {
    this.#level = protocolLevel(version);
  }

  /** Bytes received but not yet part of a whole packet. */
  get bufferedBytes(): number {
    return this.#len;
  }

  feed(bytes: Uint8Array): MqttPacket[] {
    return this.push(bytes);
  }

  /** Every packet completed so far, in order; throws the error (and drops those packets) if any bytes were bad. */
  push(bytes: Uint8Array): MqttPacket[] {
    const { packets, error } = this.read(bytes);
    if (error !== undefined) throw error;
    return packets;
  }

  /**
   * Like `push`, but the good packets that came before a bad one are returned with the error, so
   * an engine acts on them before it closes the connection: what the peer's application sees then
   * does not depend on how TCP cut the bytes into reads. After an error, `error` is that same
   * error on every call and `packets` is empty.
   */
  read(bytes: Uint8Array): { packets: MqttPacket[]; error: RemoteProtocolError | undefined } {
    const packets: MqttPacket[] = [];
    this.readInto(bytes, packets);
    return { packets, error: this.#error };
  }

  /**
   * `read` for the engines, without a result object and array per call: the packets go into
   * `out[0..n)` (over what was there; slots past n are left as they were) and n is returned; the
   * error, if the bytes were bad, is `failure` afterwards.
   */
  readInto(bytes: Uint8Array, out: MqttPacket[]): number {
    if (this.#error !== undefined) return 0;
    // With nothing buffered, packets are read straight from `bytes`: only an unfinished packet's
    // start is copied, to wait for the rest.
    const direct = this.#len === 0;
    if (!direct) this.#append(bytes);
    const src = direct ? bytes : this.#buf;
    const end = direct ? bytes.length : this.#len;
    let n = 0;
    let pos = 0;
    try {
      for (;;) {
        const total = this.#frameAt(src, pos, end);
        if (total === 0) break;
        const headerBytes = this.#headerBytes;
        // (Decoded before it is counted: a packet that throws is not one.)
        const packet = (this.#hot ? decodeHot(src, pos, total, headerBytes, this.#level, this.#topics) : undefined) ?? this.#decodeOne(src.subarray(pos, pos + total), headerBytes);
        out[n++] = packet;
        pos += total;
      }
    } catch (err) {
      if (err !== this.#error) throw err;
      return n;
    }
    if (direct) {
      if (pos < end) this.#append(bytes.subarray(pos));
    } else if (pos > 0) {
      this.#buf.copyWithin(0, pos, this.#len);
      this.#len -= pos;
    }
    return n;
  }

  /** The error that stopped this parser (the bytes were bad), or undefined. */
  get failure(): RemoteProtocolError | undefined {
    return this.#error;
  }

  #append(bytes: Uint8Array): void {
    const need = this.#len + bytes.length;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2, 64));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(bytes, this.#len);
    this.#len = need;
  }

  /**
   * Size of the packet starting at `pos` in `b` (whose bytes end at `end`) when it is all there,
   * with its fixed header's size in #headerBytes; 0 to wait for more.
   */
  #frameAt(b: Uint8Array, pos: number, end: number): number {
    const avail = end - pos;
    if (avail < 2) return 0;
    const type = b[pos]! >> 4;
    if (type === 0) {
      this.#fail('mqtt-reserved-packet-type', 'packet type 0 is reserved and forbidden (section 2.2.1)', REASON_MALFORMED_PACKET);
    }
    if (type === 15 && this.#level !== 5) {
      this.#fail('mqtt-reserved-packet-type', 'packet type 15 (AUTH) does not exist before MQTT 5 (3.1.1 section 2.2.1)', REASON_PROTOCOL_ERROR);
    }
    // Remaining Length: variable byte integer of at most four bytes (section 2.2.3, MQTT 5 1.5.5),
    // read here without ./varint.ts's result object (this runs for every packet).
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 4; i++) {
      if (pos + 1 + i >= end) return 0;
      const byte = b[pos + 1 + i]!;
      value += (byte & 0x7f) * mul;
      mul *= 128;
      if ((byte & 0x80) === 0) {
        const total = 2 + i + value;
        if (this.#maxPacketSize !== undefined && total > this.#maxPacketSize) {
          this.#fail('mqtt-packet-too-large', `packet of ${total} bytes exceeds the maximum packet size ${this.#maxPacketSize} (MQTT 5 section 3.1.2.11.4)`, 0x95);
        }
        this.#headerBytes = 2 + i;
        return total <= avail ? total : 0;
      }
    }
    this.#fail('mqtt-malformed-remaining-length', 'Remaining Length has a fifth byte; at most four are allowed (section 2.2.3)', REASON_MALFORMED_PACKET);
  }

  /** mqtt-packet's reading of one whole packet, with the codec's checks. */
  #decodeOne(whole: Uint8Array, headerBytes: number): MqttPacket {
    const inner = shared();
    inner.got.length = 0;
    inner.failure = undefined;
    inner.strict.problem = undefined;
    inner.settings.protocolVersion = this.#level;
    inner.parser.settings = inner.settings;
    let left = 0;
    try {
      // A view, not a copy: normalise() copies every byte field out of it before #buf is reused.
      left = inner.parser.parse(Buffer.from(whole.buffer as ArrayBuffer, whole.byteOffset, whole.length));
    } catch (err) {
      inner.failure ??= err;
    }
    const cmdName = cmdOf(whole[0]!);
    if (inner.failure !== undefined || inner.got.length !== 1 || left !== 0) {
      sharedInner = undefined; // it may hold half a packet: the next packet gets a new one
      const why = inner.failure instanceof Error ? inner.failure.message : 'packet could not be read';
      this.#fail('mqtt-malformed-packet', `malformed ${cmdName}: ${why}`, REASON_MALFORMED_PACKET);
    }
    const strict = inner.strict.problem as StrictProblem | undefined; // set while it parsed
    const raw = inner.got[0] as Record<string, unknown>;
    inner.got.length = 0;
    if (strict !== undefined) this.#fail(strict.code, `${cmdName}: ${strict.message}`, strict.reason);
    const packet = normalise(raw);
    packet.length = whole.length - headerBytes;
    const problem = checkPacket(packet, this.#level);
    if (problem !== undefined) this.#fail(problem.code, `${cmdName}: ${problem.message}`, problem.reason);
    if (packet.cmd === 'connect' && packet.protocolVersion !== undefined) this.#level = packet.protocolVersion;
    return packet;
  }

  #fail(code: MqttRemoteErrorCode, message: string, reason: number): never {
    this.#error = new RemoteProtocolError(code, message, this.#level === 5 ? reason : undefined);
    // Nothing after a bad packet is read ([MQTT-4.8.0-1]): let the bytes and any half-read state go.
    this.#buf = new Uint8Array(0);
    this.#len = 0;
    throw this.#error;
  }
}

/** The one mqtt-packet parser PacketParsers share, with what it reported for the packet in hand. */
interface SharedInner {
  parser: InnerParser;
  /** What it reads the version from; put back before each packet (a CONNECT replaces it). */
  settings: { protocolVersion: MqttVersion };
  got: unknown[];
  failure: unknown;
  /** The checks mqtt-packet does not make (./codec-strict.ts). */
  strict: StrictChecks;
}
let sharedInner: SharedInner | undefined;

function shared(): SharedInner {
  if (sharedInner !== undefined) return sharedInner;
  const settings = { protocolVersion: 4 as MqttVersion };
  const parser = mqttPacket.parser(settings) as unknown as InnerParser;
  const inner: SharedInner = { parser, settings, got: [], failure: undefined, strict: new StrictChecks(parser) };
  parser.on('packet', (p) => {
    inner.got.push(p);
  });
  parser.on('error', (e) => {
    inner.failure ??= e;
  });
  sharedInner = inner;
  return inner;
}

/** Every packet in `bytes`, which must hold whole packets only (for tests and the CLI). */
export function decodePackets(bytes: Uint8Array, version: MqttVersion | MqttVersionName = 4): MqttPacket[] {
  const parser = new PacketParser(version);
  const packets = parser.push(bytes);
  if (parser.bufferedBytes > 0) {
    throw remoteError(
      'mqtt-truncated',
      `${parser.bufferedBytes} trailing byte(s) do not make a whole packet`,
      protocolLevel(version) === 5 ? REASON_MALFORMED_PACKET : undefined,
    );
  }
  return packets;
}

/** Upper-case packet names by type number (section 2.2.1), for error messages. */
const CMD_NAMES: readonly string[] = (() => {
  const names = new Array<string>(16).fill('packet');
  for (const [cmd, type] of Object.entries(PACKET_TYPE)) names[type] = cmd.toUpperCase();
  return names;
})();

function cmdOf(firstByte: number): string {
  return CMD_NAMES[firstByte >> 4]!;
}

/** A packet's byte fields, copied out of the parser's buffer as plain Uint8Arrays. */
const BYTE_FIELDS = ['payload', 'password'] as const;

/** mqtt-packet's Packet instance to our plain object: no Buffers, no fields that do not apply. */
function normalise(raw: Record<string, unknown>): MqttPacket {
  // Built key by key rather than copied then trimmed: `delete` would leave a slow dictionary object.
  const publish = raw.cmd === 'publish';
  const out: Record<string, unknown> = {};
  // for-in, not Object.keys (no array per packet): mqtt-packet's Packet has no inherited enumerable keys.
  for (const k in raw) {
    const v = raw[k];
    if (v === null || v === undefined) continue;
    if (!publish && (k === 'qos' || k === 'dup' || k === 'retain' || k === 'topic' || k === 'payload')) continue;
    out[k] = v;
  }
  for (const key of BYTE_FIELDS) {
    if (out[key] instanceof Uint8Array) out[key] = new Uint8Array(out[key] as Uint8Array);
  }
  if (out.properties !== undefined) out.properties = plainProps(out.properties as Record<string, unknown>);
  if (out.will !== undefined) {
    const will = { ...(out.will as Record<string, unknown>) };
    if (will.payload instanceof Uint8Array) will.payload = Uint8Array.from(will.payload);
    if (will.properties !== undefined) will.properties = plainProps(will.properties as Record<string, unknown>);
    out.will = will;
  }
  return out as unknown as MqttPacket;
}

function plainProps(props: Record<string, unknown>): Record<string, unknown> {
  const out = { ...props };
  for (const key of ['correlationData', 'authenticationData']) {
    if (out[key] instanceof Uint8Array) out[key] = Uint8Array.from(out[key] as Uint8Array);
  }
  return out;
}
