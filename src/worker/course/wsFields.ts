/**
 * Labels the bytes the WebSocket engine produced, field by field and bit by bit, for the byte
 * inspector. It reads the header layout of RFC 6455 section 5.2; it does not encode anything
 * (the engine did) and it does not validate (the engine's parser does).
 */
import { opcodeName } from '../../../simulator/protocols/websocket/frame.ts';
import type { BitField, ByteField } from './types.ts';

/** "text", "close"... or "reserved" (the engine's name without its hex, which the field shows already). */
const opcodeLabel = (opcode: number) => (opcodeName(opcode).startsWith('reserved') ? 'reserved' : opcodeName(opcode));

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Fields of one frame at the start of `bytes` (RFC 6455 section 5.2). */
export function describeWsFrame(bytes: Uint8Array): ByteField[] {
  if (bytes.length < 2) return [{ name: 'Incomplete frame', start: 0, end: bytes.length, value: 'fewer than the 2 header bytes every frame has' }];
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  const opcode = b0 & 0x0f;
  const masked = (b1 & 0x80) !== 0;
  const len7 = b1 & 0x7f;
  const firstBits: BitField[] = [
    { name: 'FIN', byte: 0, hi: 7, lo: 7, value: b0 & 0x80 ? '1: last frame of the message' : '0: more frames follow' },
    { name: 'RSV1', byte: 0, hi: 6, lo: 6, value: b0 & 0x40 ? '1: set by an extension (permessage-deflate: compressed)' : '0: no extension' },
    { name: 'RSV2', byte: 0, hi: 5, lo: 5, value: b0 & 0x20 ? '1' : '0: reserved' },
    { name: 'RSV3', byte: 0, hi: 4, lo: 4, value: b0 & 0x10 ? '1' : '0: reserved' },
    { name: 'Opcode', byte: 0, hi: 3, lo: 0, value: `${hex(opcode)}: ${opcodeLabel(opcode)}` },
  ];
  const secondBits: BitField[] = [
    { name: 'MASK', byte: 1, hi: 7, lo: 7, value: masked ? '1: a masking key follows (client to server)' : '0: not masked (server to client)' },
    {
      name: 'Payload length (7 bits)',
      byte: 1,
      hi: 6,
      lo: 0,
      value: len7 <= 125 ? `${len7}: the payload length itself` : len7 === 126 ? '126: the length is in the next 2 bytes' : '127: the length is in the next 8 bytes',
    },
  ];
  const fields: ByteField[] = [
    { name: 'FIN, RSV1-3, opcode', start: 0, end: 1, value: `${hex(b0)}`, bits: firstBits },
    { name: 'MASK, payload length', start: 1, end: 2, value: `${hex(b1)}`, bits: secondBits },
  ];
  let offset = 2;
  let length = len7;
  if (len7 === 126 && bytes.length >= 4) {
    length = (bytes[2]! << 8) | bytes[3]!;
    fields.push({ name: 'Extended payload length (16 bits)', start: 2, end: 4, value: `${length} bytes` });
    offset = 4;
  } else if (len7 === 127 && bytes.length >= 10) {
    let n = 0;
    for (let i = 2; i < 10; i++) n = n * 256 + bytes[i]!;
    length = n;
    fields.push({ name: 'Extended payload length (64 bits)', start: 2, end: 10, value: `${length.toLocaleString('en-US')} bytes` });
    offset = 10;
  }
  if (masked) {
    fields.push({
      name: 'Masking key',
      start: offset,
      end: offset + 4,
      value: 'random, from the client\'s random stream; payload byte i is XORed with key byte i mod 4',
    });
    offset += 4;
  }
  fields.push({
    name: masked ? 'Payload (masked)' : 'Payload',
    start: offset,
    end: offset + length,
    value: `${length.toLocaleString('en-US')} ${length === 1 ? 'byte' : 'bytes'} of application data${masked ? ', XORed with the key' : ''}`,
  });
  return fields;
}

/** Header bytes of a frame: everything before the payload. */
export function wsHeaderBytes(fields: ByteField[]): number {
  const payload = fields[fields.length - 1];
  return payload ? payload.start : 0;
}

const decoder = new TextDecoder();

/**
 * Fields of an HTTP/1.1 request or response head (the WebSocket upgrade): one per line, CRLF
 * included, and the blank line that ends the head (RFC 9112 section 2.1).
 */
export function describeHttpHead(bytes: Uint8Array, notes: Record<string, string> = {}): ByteField[] {
  const fields: ByteField[] = [];
  let start = 0;
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0x0d || bytes[i + 1] !== 0x0a) continue;
    const line = decoder.decode(bytes.subarray(start, i));
    const end = i + 2;
    if (line === '') {
      fields.push({ name: 'Blank line', start, end, value: 'CRLF: end of the HTTP head; WebSocket frames may follow' });
      return fields;
    }
    const colon = line.indexOf(':');
    if (fields.length === 0) {
      fields.push({ name: line.startsWith('HTTP/') ? 'Status line' : 'Request line', start, end, value: line });
    } else if (colon > 0) {
      const name = line.slice(0, colon);
      const note = notes[name.toLowerCase()];
      fields.push({ name: `${name} header`, start, end, value: line.slice(colon + 1).trim() + (note ? ` (${note})` : '') });
    } else {
      fields.push({ name: 'Line', start, end, value: line });
    }
    start = end;
    i++;
  }
  if (start < bytes.length) fields.push({ name: 'Incomplete line', start, end: bytes.length, value: decoder.decode(bytes.subarray(start)) });
  return fields;
}
