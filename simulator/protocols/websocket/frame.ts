/**
 * RFC 6455 section 5.2 base framing, as pure functions.
 *
 *   0                   1                   2                   3
 *  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *  | |1|2|3|       |K|             |                               |
 *  + masking key (4 bytes, only when MASK is set) + payload
 *
 * The encoder takes the masking key as an argument (the engine draws it from its injected random
 * stream), so the same call always gives the same bytes.
 */
import { localError } from './errors.ts';

export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;
export type OpcodeName = keyof typeof Opcode;

const NAMES: Record<number, OpcodeName> = {
  0x0: 'continuation',
  0x1: 'text',
  0x2: 'binary',
  0x8: 'close',
  0x9: 'ping',
  0xa: 'pong',
};

/** The opcode's name, or `reserved-0xN` for opcodes RFC 6455 section 5.2 reserves. */
export function opcodeName(opcode: number): string {
  return NAMES[opcode] ?? `reserved-0x${opcode.toString(16)}`;
}

/** Section 5.5: opcodes with the high bit set are control frames. */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** Section 5.5: a control frame's payload is at most 125 bytes. */
export const MAX_CONTROL_PAYLOAD = 125;

/** One frame, as encoded or parsed. `payload` is always unmasked. */
export interface Frame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  /** Present when the frame was (or is to be) masked. */
  maskKey?: Uint8Array;
  payload: Uint8Array;
}

export interface FrameInput {
  opcode: number;
  payload?: Uint8Array;
  /** Default true. */
  fin?: boolean;
  /** permessage-deflate marks a compressed message's first frame with RSV1 (RFC 7692 section 6). */
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** 4 bytes; every client-to-server frame has one (section 5.3), server frames none. */
  maskKey?: Uint8Array;
}

/** Header length for a payload of `length` bytes: 2, +2 or +8 for the extended length, +4 masked. */
export function headerLength(length: number, masked: boolean): number {
  const extended = length <= 125 ? 0 : length <= 0xffff ? 2 : 8;
  return 2 + extended + (masked ? 4 : 0);
}

/** XOR `data` with the 4-byte key in place, starting at key offset `offset` (section 5.3). */
export function applyMask(data: Uint8Array, key: Uint8Array, offset = 0): void {
  for (let i = 0; i < data.length; i++) data[i]! ^= key[(i + offset) & 3]!;
}

/** The frame's bytes as they go on the wire. Never changes `input.payload`. */
export function encodeFrame(input: FrameInput): Uint8Array {
  const payload = input.payload ?? new Uint8Array(0);
  const length = payload.length;
  const key = input.maskKey;
  if (key !== undefined && key.length !== 4)
    throw localError('BAD_MASK_KEY', `a masking key is 4 bytes, got ${key.length}`);
  if (input.opcode < 0 || input.opcode > 15 || !Number.isInteger(input.opcode))
    throw localError('BAD_OPCODE', `an opcode is an integer 0-15, got ${input.opcode}`);
  if (isControlOpcode(input.opcode) && length > MAX_CONTROL_PAYLOAD)
    throw localError('CONTROL_PAYLOAD_TOO_LONG', `a control frame carries at most 125 bytes, got ${length}`);
  const out = new Uint8Array(headerLength(length, key !== undefined) + length);
  const fin = input.fin ?? true;
  out[0] =
    (fin ? 0x80 : 0) | (input.rsv1 ? 0x40 : 0) | (input.rsv2 ? 0x20 : 0) | (input.rsv3 ? 0x10 : 0) | input.opcode;
  let at = 2;
  const maskBit = key !== undefined ? 0x80 : 0;
  if (length <= 125) {
    out[1] = maskBit | length;
  } else if (length <= 0xffff) {
    out[1] = maskBit | 126;
    out[2] = length >>> 8;
    out[3] = length & 0xff;
    at = 4;
  } else {
    // Section 5.2: 64-bit length, most significant bit 0. JS lengths fit in 53 bits.
    out[1] = maskBit | 127;
    const high = Math.floor(length / 2 ** 32);
    const low = length >>> 0;
    new DataView(out.buffer).setUint32(2, high);
    new DataView(out.buffer).setUint32(6, low);
    at = 10;
  }
  if (key !== undefined) {
    out.set(key, at);
    at += 4;
  }
  out.set(payload, at);
  if (key !== undefined) applyMask(out.subarray(at), key);
  return out;
}

/** A close frame's payload: 2-byte status code then a UTF-8 reason (section 5.5.1); empty without a code. */
export function closePayload(code?: number, reason: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  const out = new Uint8Array(2 + reason.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(reason, 2);
  return out;
}
