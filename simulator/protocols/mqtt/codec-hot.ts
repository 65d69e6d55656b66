/**
 * The packets every message crosses (PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, PINGREQ,
 * PINGRESP) read and written without mqtt-packet, for speed only (./codec.ts calls these first).
 *
 * Rules of this file:
 * - Each function takes only the plain, well-formed case it can be sure of and answers
 *   `undefined` for anything else, so the caller falls back to mqtt-packet and its checks. So a
 *   malformed packet, or one this file does not know (MQTT 5 properties, a PUBREL with DUP...),
 *   gets exactly the answer and the error it always got: there is no second set of rules here.
 * - What it does answer is what the fallback would have answered: `decodeHot` gives an object
 *   equal to the codec's normalised mqtt-packet packet, keys in the same order (mqtt-packet's
 *   Packet class: cmd, retain, qos, dup, length, topic, payload, then messageId, reasonCode);
 *   `encodeHot` gives the bytes mqtt-packet's writeToStream writes. tests/protocols/mqtt/
 *   codec-hot.property.test.ts holds the two paths equal over generated packets cut at every
 *   byte, and over malformed ones.
 * - Byte fields are copies (`slice`), never views on the caller's buffer, as the fallback's are.
 */
import type { MqttPacket, MqttVersion, QoS } from './packets.ts';

/** Largest Remaining Length (section 2.2.3). */
const MAX_REMAINING = 268_435_455;

/** MQTT 5 reason codes a PUBACK or PUBREC may carry (3.4.2.1, 3.5.2.1), as mqtt-packet's parser accepts them. */
const PUBACK_PUBREC_CODES = new Set([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
/** ... and a PUBREL or PUBCOMP (3.6.2.1, 3.7.2.1). */
const PUBREL_PUBCOMP_CODES = new Set([0x00, 0x92]);

const ACK_CMDS = ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const;

// ------------------------------------------------------------------ decode

/**
 * The packet in `b[start, start + total)`, whose fixed header (type byte and Remaining Length)
 * takes `headerBytes`, read as MQTT `level`; undefined when it is not one of the plain cases.
 */
/**
 * The last Topic Name a parser read, so the next PUBLISH on the same topic (a publisher's usual
 * case) reuses its string: keyed by the exact bytes, `bytes[0, length)`. `bytes` is the cache's
 * own storage, written over at each new topic (a subscriber of many publishers misses on most
 * messages: a slice per miss was a new array and ArrayBuffer each).
 */
export interface TopicCache {
  bytes: Uint8Array;
  length: number;
  text: string;
}

export function decodeHot(b: Uint8Array, start: number, total: number, headerBytes: number, level: MqttVersion, topics?: TopicCache): MqttPacket | undefined {
  const first = b[start]!;
  const type = first >> 4;
  const length = total - headerBytes;
  const pos = start + headerBytes;
  if (type === 3) return decodePublish(b, first, pos, start + total, length, level, topics);
  if (type >= 4 && type <= 7) {
    // Reserved flags: 0010 for PUBREL, 0000 for the others ([MQTT-2.2.2-1]).
    if ((first & 0x0f) !== (type === 6 ? 2 : 0)) return undefined;
    if (length < 2) return undefined;
    const messageId = (b[pos]! << 8) | b[pos + 1]!;
    if (messageId === 0) return undefined; // [MQTT-2.3.1-1]: the fallback reports it
    const cmd = ACK_CMDS[type - 4]!;
    if (level !== 5) return length === 2 ? { cmd, length, messageId } : undefined;
    if (length === 2) return { cmd, length, messageId, reasonCode: 0 };
    const reasonCode = b[pos + 2]!;
    if (!(type <= 5 ? PUBACK_PUBREC_CODES : PUBREL_PUBCOMP_CODES).has(reasonCode)) return undefined;
    // With a Property Length, only an empty one (0) is plain.
    if (length === 3 || (length === 4 && b[pos + 3] === 0)) return { cmd, length, messageId, reasonCode };
    return undefined;
  }
  if (type === 12 || type === 13) {
    if (first !== (type << 4) || length !== 0) return undefined;
    return { cmd: type === 12 ? 'pingreq' : 'pingresp', length };
  }
  return undefined;
}

function decodePublish(b: Uint8Array, first: number, pos: number, end: number, length: number, level: MqttVersion, topics: TopicCache | undefined): MqttPacket | undefined {
  const bits = (first >> 1) & 3;
  if (bits === 3) return undefined;
  const qos = bits as QoS;
  if (end - pos < 2) return undefined;
  const topicLength = (b[pos]! << 8) | b[pos + 1]!;
  const topicStart = pos + 2;
  const topicEnd = topicStart + topicLength;
  if (topicEnd > end) return undefined;
  const cached = topics !== undefined && topicLength > 0 && sameBytes(topics, b, topicStart, topicEnd);
  const topic = cached ? topics.text : topicText(b, topicStart, topicEnd);
  if (topic === undefined) return undefined;
  if (topics !== undefined && !cached) remember(topics, b, topicStart, topicLength, topic);
  let at = topicEnd;
  let messageId = 0;
  if (qos > 0) {
    if (end - at < 2) return undefined;
    messageId = (b[at]! << 8) | b[at + 1]!;
    if (messageId === 0) return undefined;
    at += 2;
  }
  if (level === 5) {
    // Only an empty Property Length (one byte, 0) is plain; properties go to mqtt-packet.
    if (at >= end || b[at] !== 0) return undefined;
    at += 1;
  }
  const retain = (first & 1) !== 0;
  const dup = (first & 8) !== 0;
  const payload = b.slice(at, end);
  return qos === 0
    ? { cmd: 'publish', retain, qos, dup, length, topic, payload }
    : { cmd: 'publish', retain, qos, dup, length, topic, payload, messageId };
}

/**
 * A Topic Name of printable ASCII without wildcards, as a string; undefined for anything else
 * (empty, U+0000, a wildcard, a control character or a byte above 0x7e), which the fallback reads
 * with its UTF-8 and topic checks.
 */
function topicText(b: Uint8Array, start: number, end: number): string | undefined {
  if (start === end) return undefined;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e || c === 0x23 || c === 0x2b) return undefined; // '#', '+'
  }
  // One string from the char codes (not one per character appended).
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

/** Whether `b[start, end)` holds exactly the bytes of the cached topic. */
function sameBytes(cache: TopicCache, b: Uint8Array, start: number, end: number): boolean {
  const length = cache.length;
  if (length !== end - start) return false;
  const cached = cache.bytes;
  for (let i = 0; i < length; i++) if (cached[i] !== b[start + i]) return false;
  return true;
}

/** The topic `text` of `b[start, start + length)` becomes the cached one (its bytes copied into the cache's storage). */
function remember(cache: TopicCache, b: Uint8Array, start: number, length: number, text: string): void {
  if (length > cache.bytes.length) cache.bytes = new Uint8Array(Math.max(length, 2 * cache.bytes.length, 32));
  const bytes = cache.bytes;
  for (let i = 0; i < length; i++) bytes[i] = b[start + i]!;
  cache.length = length;
  cache.text = text;
}

// ------------------------------------------------------------------ encode

/**
 * The bytes mqtt-packet writes for `packet` in MQTT `level`, when it is a plain case (see the
 * file's rules): a PUBLISH without MQTT 5 properties on a printable-ASCII topic, an
 * acknowledgement without properties, a PINGREQ or PINGRESP. Undefined otherwise, and for any
 * field the encoder's checks (./encode-checks.ts) would refuse.
 */
export function encodeHot(packet: MqttPacket, level: MqttVersion): Uint8Array | undefined {
  switch (packet.cmd) {
    case 'publish': return encodePublish(packet, level);
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp': {
      const p = packet as { cmd: string; messageId: unknown; reasonCode?: unknown; properties?: unknown; dup?: unknown };
      const id = p.messageId;
      if (typeof id !== 'number' || !(id >= 1 && id <= 65535) || id !== Math.floor(id)) return undefined;
      // mqtt-packet sets DUP on a PUBREL whose `dup` is truthy: not a plain case.
      if (p.dup !== undefined && p.dup !== false) return undefined;
      // Properties, even where mqtt-packet ignores them (3.1.1), go the long way with their checks.
      if (p.properties !== undefined) return undefined;
      const type = p.cmd === 'puback' ? 4 : p.cmd === 'pubrec' ? 5 : p.cmd === 'pubrel' ? 6 : 7;
      const header = (type << 4) | (type === 6 ? 2 : 0);
      if (level !== 5 || p.reasonCode === undefined || p.reasonCode === 0) return Uint8Array.of(header, 2, id >> 8, id & 0xff);
      if (typeof p.reasonCode !== 'number') return undefined;
      if (!(type <= 5 ? PUBACK_PUBREC_CODES : PUBREL_PUBCOMP_CODES).has(p.reasonCode)) return undefined;
      // A reason code other than 0 comes with an empty Property Length (mqtt-packet `confirmation`).
      return Uint8Array.of(header, 4, id >> 8, id & 0xff, p.reasonCode, 0);
    }
    case 'pingreq': return Uint8Array.of(0xc0, 0);
    case 'pingresp': return Uint8Array.of(0xd0, 0);
    default: return undefined;
  }
}

function encodePublish(p: MqttPacket & { cmd: 'publish' }, level: MqttVersion): Uint8Array | undefined {
  const qos = p.qos;
  if (qos !== 0 && qos !== 1 && qos !== 2) return undefined;
  if (p.properties !== undefined) return undefined;
  const { topic, payload, dup, retain } = p;
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > 65535) return undefined;
  if (!(payload instanceof Uint8Array)) return undefined;
  if ((dup !== undefined && typeof dup !== 'boolean') || (retain !== undefined && typeof retain !== 'boolean')) return undefined;
  const id = p.messageId;
  if (qos > 0 && (typeof id !== 'number' || !(id >= 1 && id <= 65535) || id !== Math.floor(id))) return undefined;
  const length = 2 + topic.length + (qos > 0 ? 2 : 0) + (level === 5 ? 1 : 0) + payload.length;
  if (length > MAX_REMAINING) return undefined;
  const lengthBytes = length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4;
  const out = new Uint8Array(1 + lengthBytes + length);
  out[0] = 0x30 | (dup === true ? 8 : 0) | (qos << 1) | (retain === true ? 1 : 0);
  let at = 1;
  for (let n = length; ; ) {
    const byte = n & 0x7f;
    n = Math.floor(n / 128);
    out[at++] = n > 0 ? byte | 0x80 : byte;
    if (n === 0) break;
  }
  out[at++] = topic.length >> 8;
  out[at++] = topic.length & 0xff;
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x23 || c === 0x2b) return undefined; // see topicText
    out[at++] = c;
  }
  if (qos > 0) {
    out[at++] = id! >> 8;
    out[at++] = id! & 0xff;
  }
  if (level === 5) out[at++] = 0; // Property Length 0
  out.set(payload, at);
  return out;
}
