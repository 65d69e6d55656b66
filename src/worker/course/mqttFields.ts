/**
 * MQTT packets for the byte inspector. The field labels come from the MQTT engine's inspector
 * (`describePacket` in simulator/protocols/mqtt/inspect.ts). Until that module is part of the
 * build, only the fixed header ([MQTT-2.2]) is labelled here and the rest is one field.
 */
import type { BitField, ByteField, AnnotatedBytes } from './types.ts';

/** Whatever shape the inspector's fields take, we need these. */
interface InspectorField {
  name?: string;
  label?: string;
  start?: number;
  end?: number;
  offset?: number;
  length?: number;
  value?: unknown;
  description?: string;
  bits?: { name?: string; label?: string; hi?: number; lo?: number; bit?: number; bits?: [number, number]; value?: unknown; description?: string; byte?: number }[];
}

type Describe = (bytes: Uint8Array, version: '3.1.1' | '5') => unknown;

// Loaded through a glob so the site builds while the inspector is being written.
const modules = import.meta.glob<{ describePacket?: Describe }>('../../../simulator/protocols/mqtt/inspect.ts', { eager: true });
const describePacket: Describe | undefined = Object.values(modules)[0]?.describePacket;

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
  let remaining = 0;
  let multiplier = 1;
  let i = 1;
  for (; i < Math.min(bytes.length, 5); i++) {
    remaining += (bytes[i]! & 0x7f) * multiplier;
    multiplier *= 128;
    if ((bytes[i]! & 0x80) === 0) break;
  }
  const headerEnd = i + 1;
  return {
    fields: [
      { name: 'Packet type and flags', start: 0, end: 1, value: `0x${b0.toString(16).padStart(2, '0')}`, bits },
      { name: 'Remaining Length', start: 1, end: headerEnd, value: `${remaining} bytes follow (${headerEnd - 1}-byte variable-length integer)` },
    ],
    headerEnd,
  };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The inspector's output as our fields, or undefined when it does not look like a field list. */
export function fromInspector(described: unknown): ByteField[] | undefined {
  const list = Array.isArray(described) ? described : (described as { fields?: unknown })?.fields;
  if (!Array.isArray(list)) return undefined;
  const fields: ByteField[] = [];
  for (const raw of list as InspectorField[]) {
    const start = num(raw.start) ?? num(raw.offset);
    const end = num(raw.end) ?? (start !== undefined && num(raw.length) !== undefined ? start + raw.length! : undefined);
    if (start === undefined || end === undefined) return undefined;
    const value = raw.description ?? (raw.value === undefined ? '' : String(raw.value));
    const field: ByteField = { name: raw.name ?? raw.label ?? 'field', start, end, value };
    if (Array.isArray(raw.bits) && raw.bits.length > 0) {
      field.bits = raw.bits.map((b) => {
        const hi = num(b.hi) ?? b.bits?.[0] ?? num(b.bit) ?? 7;
        const lo = num(b.lo) ?? b.bits?.[1] ?? num(b.bit) ?? hi;
        return { name: b.name ?? b.label ?? 'bits', byte: num(b.byte) ?? start, hi: Math.max(hi, lo), lo: Math.min(hi, lo), value: b.description ?? String(b.value ?? '') };
      });
    }
    fields.push(field);
  }
  return fields;
}

export function annotateMqtt(bytes: Uint8Array, version: '3.1.1' | '5', title: string, displayLimit: number): AnnotatedBytes {
  let fields = describePacket ? fromInspector(describePacket(bytes, version)) : undefined;
  let note: string | undefined;
  if (!fields) {
    const fixed = fixedHeaderFields(bytes);
    fields = [...fixed.fields];
    if (fixed.headerEnd < bytes.length) fields.push({ name: 'Variable header and payload', start: fixed.headerEnd, end: bytes.length, value: `${bytes.length - fixed.headerEnd} bytes` });
    note = 'Only the fixed header is labelled in this build.';
  }
  return { title, bytes: bytes.slice(0, displayLimit), totalBytes: bytes.length, fields, ...(note ? { note } : {}) };
}
