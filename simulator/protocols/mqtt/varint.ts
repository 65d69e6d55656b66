/**
 * MQTT's Variable Byte Integer (3.1.1 section 2.2.3, MQTT 5 section 1.5.5): seven bits per byte,
 * least significant group first, the top bit set on every byte but the last, at most four bytes
 * (so at most 268,435,455). The Remaining Length, the MQTT 5 Property Length and the
 * Subscription Identifier are written this way. The one reader and the one size rule of the
 * project: every other place that walks these bytes calls them.
 */

/** The largest value four bytes can hold (section 2.2.3). */
export const MAX_VARINT = 268_435_455;

/** What `readVarint` found at a position. */
export type VarintRead =
  /** A complete integer of `bytes` bytes. */
  | { kind: 'value'; value: number; bytes: number }
  /** The bytes end (at `end`) before the last byte of the integer: wait for more, or it was cut off. */
  | { kind: 'incomplete' }
  /** A fifth byte would be needed: malformed ([MQTT-1.5.5-1] in MQTT 5; 3.1.1 section 2.2.3). */
  | { kind: 'too-long' };

/** Reads the integer starting at `at` in `b`, looking no further than `end` (default: the end of `b`). */
export function readVarint(b: Uint8Array, at: number, end: number = b.length): VarintRead {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 4; i++) {
    if (at + i >= end) return { kind: 'incomplete' };
    const byte = b[at + i]!;
    value += (byte & 0x7f) * mul;
    mul *= 128;
    if ((byte & 0x80) === 0) return { kind: 'value', value, bytes: i + 1 };
  }
  return { kind: 'too-long' };
}

/** How many bytes `value` takes as a Variable Byte Integer (1 to 4). */
export function varintSize(value: number): number {
  return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
}

/** Whole size on the wire of a packet whose Remaining Length is `remainingLength`: type byte, length, rest. */
export function wireSize(remainingLength: number): number {
  return 1 + varintSize(remainingLength) + remainingLength;
}

/** The Remaining Length of the packet at the start of `b`, when its length bytes are all there and valid. */
export function remainingLengthOf(b: Uint8Array): { value: number; bytes: number } | undefined {
  const r = readVarint(b, 1);
  return r.kind === 'value' ? { value: r.value, bytes: r.bytes } : undefined;
}

/** Bytes of the fixed header (type byte and Remaining Length) of `b`, a whole packet: without a result object. */
export function fixedHeaderSize(b: Uint8Array): number {
  let n = 2;
  while (n < 5 && n <= b.length && (b[n - 1]! & 0x80) !== 0) n++;
  return n;
}
