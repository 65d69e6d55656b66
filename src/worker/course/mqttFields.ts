/**
 * MQTT packets for the byte inspector. Fields, byte ranges and values come from the MQTT engine's
 * inspector (`describePacket`, simulator/protocols/mqtt/inspect.ts); the bits inside the flag
 * bytes (fixed header, CONNECT flags, CONNACK flags), which it gives as one value, are labelled
 * here from the layout of the MQTT 3.1.1 and 5.0 specifications (sections 2 and 3). Without the
 * inspector's answer (if it refuses the bytes) `describeMqtt` labels the packets the chapters show on
 * its own. This reads bytes the codec (mqtt-packet) produced; it never encodes or validates.
 */
import { describePacket } from '../../../simulator/protocols/mqtt/inspect.ts';
import { readVarint } from '../../../simulator/protocols/mqtt/varint.ts';
import type { BitField, ByteField, AnnotatedBytes } from './types.ts';

/** A field as the engine's inspector (simulator/protocols/mqtt/inspect.ts) gives it. */
interface InspectorField {
  name?: string;
  start?: number;
  end?: number;
  offset?: number;
  length?: number;
  value?: unknown;
  note?: string;
}

const TYPES = ['reserved', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'];

/** The fixed header: type and flags, then the Remaining Length varint ([MQTT-2.2.3]). */
export function fixedHeaderFields(bytes: Uint8Array): { fields: ByteField[]; headerEnd: number } {
  const b0 = bytes[0] ?? 0;
  const type = b0 >> 4;
  const bits: BitField[] = [{ name: 'Packet type', byte: 0, hi: 7, lo: 4, value: `${type}: ${TYPES[type] ?? 'reserved'}` }];
  if (type === 3) {
    bits.push(
      { name: 'DUP', byte: 0, hi: 3, lo: 3, value: b0 & 0x08 ? '1: a resend' : '0: first attempt' },
      { name: 'QoS', byte: 0, hi: 2, lo: 1, value: String((b0 >> 1) & 3) },
      { name: 'RETAIN', byte: 0, hi: 0, lo: 0, value: b0 & 1 ? '1: the broker keeps it as the topic\'s last value' : '0: not retained' },
    );
  } else {
    bits.push({ name: 'Flags', byte: 0, hi: 3, lo: 0, value: `${(b0 & 0x0f).toString(2).padStart(4, '0')} (fixed for this type)` });
  }
  const { value: remaining, length } = varintAt(bytes, 1);
  const headerEnd = 1 + length;
  return {
    fields: [
      { name: 'Packet type and flags', start: 0, end: 1, value: `0x${b0.toString(16).padStart(2, '0')}`, bits },
      { name: 'Remaining Length', start: 1, end: headerEnd, value: remaining === undefined ? 'not a complete variable-length integer' : `${remaining} bytes follow (${headerEnd - 1}-byte variable-length integer)` },
    ],
    headerEnd,
  };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const FIELD_NAMES: Record<string, string> = {
  fixedHeader: 'Packet type and flags',
  remainingLength: 'Remaining Length',
  packetId: 'Packet identifier',
  keepalive: 'Keep alive',
  clientId: 'Client identifier',
  topicName: 'Topic name',
};

/** "variableHeader.topicName" -> "Topic name"; "properties.topicAlias" -> "Property: topic alias". */
export function fieldName(path: string): string {
  const parts = path.split('.');
  const last = parts[parts.length - 1]!;
  if (path === 'properties.length') return 'Property length';
  const words = FIELD_NAMES[last] ?? last.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().replace(/^./, (c) => c.toUpperCase());
  return parts[0] === 'properties' ? `Property: ${words.toLowerCase()}` : words;
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const v = value as { bytes?: unknown; text?: unknown };
    if (typeof v.bytes === 'number') return `${v.bytes} ${v.bytes === 1 ? 'byte' : 'bytes'}${typeof v.text === 'string' ? ` "${v.text}"` : ''}`;
    return JSON.stringify(value);
  }
  return typeof value === 'string' && value !== '' && !value.startsWith('0x') && Number.isNaN(Number(value)) ? `"${value}"` : String(value);
}

/**
 * The engine inspector's fields as ours: its byte ranges and values, readable names, and the bits
 * of the flag bytes (which it describes as one value) from our own reading of the layout.
 */
export function fromInspector(described: unknown, bytes: Uint8Array, version: '3.1.1' | '5'): ByteField[] | undefined {
  const list = Array.isArray(described) ? described : (described as { fields?: unknown })?.fields;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const ours = describeMqtt(bytes, version);
  const fields: ByteField[] = [];
  for (const raw of list as InspectorField[]) {
    const start = num(raw.start) ?? num(raw.offset);
    const end = num(raw.end) ?? (start !== undefined && num(raw.length) !== undefined ? start + raw.length! : undefined);
    if (start === undefined || end === undefined || typeof raw.name !== 'string') return undefined;
    const note = (raw as { note?: unknown }).note;
    const value = [valueText(raw.value), typeof note === 'string' ? `(${note})` : ''].filter(Boolean).join(' ');
    const field: ByteField = { name: fieldName(raw.name), start, end, value };
    const bits = ours.find((f) => f.start === start && f.end === end && f.bits)?.bits;
    if (bits) field.bits = bits;
    fields.push(field);
  }
  return fields;
}

/**
 * The Variable Byte Integer at `at` ([MQTT-1.5.5]), read by the engine's one reader: its value and
 * its length in bytes; a cut-off or over-long one has no value and spans what is there (1-4 bytes).
 */
function varintAt(bytes: Uint8Array, at: number): { value: number | undefined; length: number } {
  const r = readVarint(bytes, at);
  return r.kind === 'value' ? { value: r.value, length: r.bytes } : { value: undefined, length: Math.max(1, Math.min(bytes.length - at, 4)) };
}

const decoder = new TextDecoder();

/** Reads the fields after the fixed header, in order; stops quietly at the end of the bytes. */
class FieldReader {
  readonly fields: ByteField[] = [];
  constructor(
    readonly bytes: Uint8Array,
    public at: number,
  ) {}

  get left(): number {
    return this.bytes.length - this.at;
  }

  u16(name: string, describe: (v: number) => string): number | undefined {
    if (this.left < 2) return undefined;
    const v = (this.bytes[this.at]! << 8) | this.bytes[this.at + 1]!;
    this.fields.push({ name, start: this.at, end: this.at + 2, value: describe(v) });
    this.at += 2;
    return v;
  }

  byte(name: string, describe: (v: number) => string, bits?: (v: number, at: number) => BitField[]): number | undefined {
    if (this.left < 1) return undefined;
    const v = this.bytes[this.at]!;
    const field: ByteField = { name, start: this.at, end: this.at + 1, value: describe(v) };
    if (bits) field.bits = bits(v, this.at);
    this.fields.push(field);
    this.at += 1;
    return v;
  }

  /** A UTF-8 string or binary data with its 2-byte length ([MQTT-1.5.3], [MQTT-1.5.4]). */
  prefixed(name: string, text: boolean): void {
    const n = this.u16(`${name} length`, (v) => `${v} bytes follow`);
    if (n === undefined) return;
    const end = Math.min(this.bytes.length, this.at + n);
    this.fields.push({ name, start: this.at, end, value: text ? `"${decoder.decode(this.bytes.subarray(this.at, end))}"` : `${n} bytes` });
    this.at = end;
  }

  /** MQTT 5 properties: the length, then the properties as one field. */
  properties(): void {
    if (this.left < 1) return;
    const { value, length } = varintAt(this.bytes, this.at);
    this.fields.push({
      name: 'Property length',
      start: this.at,
      end: this.at + length,
      value: value === undefined ? 'not a complete variable-length integer' : value === 0 ? '0: no properties' : `${value} bytes of properties follow`,
    });
    this.at += length;
    if (value !== undefined && value > 0) {
      const end = Math.min(this.bytes.length, this.at + value);
      this.fields.push({ name: 'Properties', start: this.at, end, value: `${value} bytes (identifier, value) pairs` });
      this.at = end;
    }
  }

  rest(name: string, describe: (n: number) => string): void {
    if (this.left <= 0) return;
    this.fields.push({ name, start: this.at, end: this.bytes.length, value: describe(this.left) });
    this.at = this.bytes.length;
  }
}

const bit = (v: number, b: number) => (v >> b) & 1;

/** The packets the chapters show, field by field (MQTT 3.1.1 section 3, MQTT 5.0 section 3). */
export function describeMqtt(bytes: Uint8Array, version: '3.1.1' | '5'): ByteField[] {
  const fixed = fixedHeaderFields(bytes);
  const r = new FieldReader(bytes, fixed.headerEnd);
  const type = (bytes[0] ?? 0) >> 4;
  const v5 = version === '5';
  if (type === 1) {
    // CONNECT: protocol name, level, flags, keep alive, [properties], payload (section 3.1)
    r.prefixed('Protocol name', true);
    r.byte('Protocol level', (v) => `${v}: ${v === 4 ? 'MQTT 3.1.1' : v === 5 ? 'MQTT 5' : 'other'}`);
    const flags = r.byte('Connect flags', (v) => `0x${v.toString(16).padStart(2, '0')}`, (v, at) => [
      { name: 'User name flag', byte: at, hi: 7, lo: 7, value: bit(v, 7) ? '1: a user name follows' : '0: no user name' },
      { name: 'Password flag', byte: at, hi: 6, lo: 6, value: bit(v, 6) ? '1: a password follows' : '0: no password' },
      { name: 'Will retain', byte: at, hi: 5, lo: 5, value: String(bit(v, 5)) },
      { name: 'Will QoS', byte: at, hi: 4, lo: 3, value: String((v >> 3) & 3) },
      { name: 'Will flag', byte: at, hi: 2, lo: 2, value: bit(v, 2) ? '1: a Last Will follows' : '0: no Last Will' },
      { name: v5 ? 'Clean start' : 'Clean session', byte: at, hi: 1, lo: 1, value: bit(v, 1) ? '1: start without a stored session' : '0: resume the stored session' },
      { name: 'Reserved', byte: at, hi: 0, lo: 0, value: `${bit(v, 0)} (must be 0)` },
    ]);
    r.u16('Keep alive', (v) => `${v} seconds`);
    if (v5) r.properties();
    r.prefixed('Client identifier', true);
    if (flags !== undefined && bit(flags, 2)) {
      if (v5) r.properties();
      r.prefixed('Will topic', true);
      r.prefixed('Will payload', false);
    }
    if (flags !== undefined && bit(flags, 7)) r.prefixed('User name', true);
    if (flags !== undefined && bit(flags, 6)) r.prefixed('Password', false);
  } else if (type === 2) {
    // CONNACK: acknowledge flags, return/reason code, [properties] (section 3.2)
    r.byte('Acknowledge flags', (v) => `0x${v.toString(16).padStart(2, '0')}`, (v, at) => [
      { name: 'Reserved', byte: at, hi: 7, lo: 1, value: 'must be 0' },
      { name: 'Session present', byte: at, hi: 0, lo: 0, value: bit(v, 0) ? '1: the broker kept a session' : '0: a new session' },
    ]);
    r.byte(v5 ? 'Reason code' : 'Return code', (v) => (v === 0 ? '0: accepted' : `0x${v.toString(16)}: refused`));
    if (v5) r.properties();
  } else if (type === 3) {
    // PUBLISH: topic name, [packet identifier], [properties], payload (section 3.3)
    const qos = ((bytes[0] ?? 0) >> 1) & 3;
    r.prefixed('Topic name', true);
    if (qos > 0) r.u16('Packet identifier', (v) => `${v} (QoS ${qos} needs one, to match the acknowledgement)`);
    if (v5) r.properties();
    r.rest('Payload', (n) => `${n} ${n === 1 ? 'byte' : 'bytes'} of application data`);
  } else if (type >= 4 && type <= 7) {
    // PUBACK, PUBREC, PUBREL, PUBCOMP: packet identifier, [reason code, properties] (sections 3.4-3.7)
    r.u16('Packet identifier', (v) => `${v}: the PUBLISH this answers`);
    if (v5 && r.left > 0) {
      r.byte('Reason code', (v) => (v === 0 ? '0: success' : `0x${v.toString(16)}`));
      r.properties();
    }
  } else {
    r.rest('Variable header and payload', (n) => `${n} bytes`);
  }
  r.rest('Remaining bytes', (n) => `${n} bytes`);
  return [...fixed.fields, ...r.fields];
}

export function annotateMqtt(bytes: Uint8Array, version: '3.1.1' | '5', title: string, displayLimit: number): AnnotatedBytes {
  let fields: ByteField[] | undefined;
  try {
    fields = fromInspector(describePacket(bytes, version), bytes, version);
  } catch {
    fields = undefined;
  }
  fields ??= describeMqtt(bytes, version);
  let note: string | undefined;
  const type = (bytes[0] ?? 0) >> 4;
  if (version === '5' && type >= 4 && type <= 7 && bytes.length === 4) {
    note = 'MQTT 5 leaves out the reason code when it is 0 (success) and there are no properties, as here.';
  }
  return { title, bytes: bytes.slice(0, displayLimit), totalBytes: bytes.length, fields, ...(note ? { note } : {}) };
}
