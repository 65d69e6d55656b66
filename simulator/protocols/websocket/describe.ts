/**
 * Plain-JSON descriptions of frames for people: the CLI's `frame ws` / `decode ws` and the site's
 * byte inspector. `fields` names every byte range of the frame, in order, so a hex view can
 * annotate the bytes (RFC 6455 section 5.2).
 */
import { isControlOpcode, Opcode, opcodeName, type Frame } from './frame.ts';
import { decodeUtf8 } from './utf8.ts';

export interface FrameField {
  name: string;
  /** Byte offset from the start of the frame, and length in bytes. */
  offset: number;
  length: number;
  /** What the bytes say, readable. */
  value: string;
}

export interface FrameDescription {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  opcodeName: string;
  control: boolean;
  masked: boolean;
  maskKey?: string;
  /** Which payload length encoding the frame uses: 7-bit, 16-bit or 64-bit (section 5.2). */
  lengthEncoding: '7-bit' | '16-bit' | '64-bit';
  payloadBytes: number;
  headerBytes: number;
  frameBytes: number;
  /** The unmasked payload, as hex. */
  payloadHex: string;
  /** Text and close-reason payloads that are valid UTF-8. */
  payloadText?: string;
  closeCode?: number;
  closeReason?: string;
  fields: FrameField[];
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Describes one frame; `frameBytes` is its size on the wire. */
export function describeFrame(frame: Frame, frameBytes: number): FrameDescription {
  const n = frame.payload.length;
  const masked = frame.maskKey !== undefined;
  const headerBytes = frameBytes - n;
  // The encoding the frame used on the wire, read from its header size, not the one its length
  // needs: a sender may spend more bytes than it must (RFC 6455 section 5.2 says it MUST NOT;
  // like the ws library the parser accepts it, and the description says so).
  const extendedBytes = headerBytes - 2 - (masked ? 4 : 0);
  const lengthEncoding = extendedBytes === 8 ? '64-bit' : extendedBytes === 2 ? '16-bit' : '7-bit';
  const minimal = n <= 125 ? '7-bit' : n <= 0xffff ? '16-bit' : '64-bit';
  const nonMinimal = lengthEncoding !== minimal ? ` (not minimal: ${minimal} would do; RFC 6455 section 5.2)` : '';
  const name = opcodeName(frame.opcode);
  const flags = [frame.fin ? 'FIN' : 'no FIN', frame.rsv1 ? 'RSV1' : '', frame.rsv2 ? 'RSV2' : '', frame.rsv3 ? 'RSV3' : '']
    .filter((x) => x !== '')
    .join(', ');
  const fields: FrameField[] = [
    { name: 'FIN, RSV1-3, opcode', offset: 0, length: 1, value: `${flags}; opcode 0x${frame.opcode.toString(16)} (${name})` },
    { name: 'MASK, payload length', offset: 1, length: 1, value: `${masked ? 'masked' : 'not masked'}; length ${lengthEncoding === '7-bit' ? n : lengthEncoding === '16-bit' ? '126: 16-bit length follows' : '127: 64-bit length follows'}` },
  ];
  let at = 2;
  if (lengthEncoding === '16-bit') {
    fields.push({ name: 'extended payload length (16-bit)', offset: at, length: 2, value: `${n}${nonMinimal}` });
    at += 2;
  } else if (lengthEncoding === '64-bit') {
    fields.push({ name: 'extended payload length (64-bit)', offset: at, length: 8, value: `${n}${nonMinimal}` });
    at += 8;
  }
  if (masked) {
    fields.push({ name: 'masking key', offset: at, length: 4, value: hex(frame.maskKey!) });
    at += 4;
  }
  const d: FrameDescription = {
    fin: frame.fin,
    rsv1: frame.rsv1,
    rsv2: frame.rsv2,
    rsv3: frame.rsv3,
    opcode: frame.opcode,
    opcodeName: name,
    control: isControlOpcode(frame.opcode),
    masked,
    lengthEncoding,
    payloadBytes: n,
    headerBytes,
    frameBytes,
    payloadHex: hex(frame.payload),
    fields,
  };
  if (masked) d.maskKey = hex(frame.maskKey!);
  if (frame.opcode === Opcode.close && n >= 2) {
    d.closeCode = (frame.payload[0]! << 8) | frame.payload[1]!;
    const reason = decodeUtf8(frame.payload.subarray(2));
    if (reason !== undefined) d.closeReason = reason;
    fields.push({ name: 'close code', offset: at, length: 2, value: String(d.closeCode) });
    if (n > 2) fields.push({ name: 'close reason', offset: at + 2, length: n - 2, value: reason ?? '(not UTF-8)' });
  } else if (n > 0) {
    const text = frame.opcode === Opcode.binary || frame.rsv1 ? undefined : decodeUtf8(frame.payload);
    if (text !== undefined && frame.opcode !== Opcode.binary) d.payloadText = text;
    fields.push({ name: masked ? 'payload (masked on the wire)' : 'payload', offset: at, length: n, value: text ?? `${n} bytes` });
  }
  // Fields last, so a reader of the JSON sees the summary first.
  const { fields: annotated, ...summary } = d;
  return { ...summary, fields: annotated };
}
