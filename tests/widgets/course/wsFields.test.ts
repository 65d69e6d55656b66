import { describe, expect, it } from 'vitest';
import { describeHttpHead, describeWsFrame, wsHeaderBytes } from '../../../src/worker/course/wsFields.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('describeWsFrame', () => {
  it('labels RFC 6455 section 5.7\'s unmasked "Hello" (server to client)', () => {
    const fields = describeWsFrame(bytes(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
    expect(fields.map((f) => [f.name, f.start, f.end])).toEqual([
      ['FIN, RSV1-3, opcode', 0, 1],
      ['MASK, payload length', 1, 2],
      ['Payload', 2, 7],
    ]);
    expect(fields[0]!.bits!.map((b) => b.value)).toEqual(['1: last frame of the message', '0: no extension', '0: reserved', '0: reserved', '0x1: text']);
    expect(fields[1]!.bits!.map((b) => b.value)).toEqual(['0: not masked (server to client)', '5: the payload length itself']);
    expect(wsHeaderBytes(fields)).toBe(2);
  });

  it('labels RFC 6455 section 5.7\'s masked "Hello" (client to server): 4-byte key before the payload', () => {
    const fields = describeWsFrame(bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58));
    expect(fields.map((f) => [f.name, f.start, f.end])).toEqual([
      ['FIN, RSV1-3, opcode', 0, 1],
      ['MASK, payload length', 1, 2],
      ['Masking key', 2, 6],
      ['Payload (masked)', 6, 11],
    ]);
    expect(wsHeaderBytes(fields)).toBe(6);
  });

  it('reads the 16-bit and 64-bit extended lengths (RFC 6455 section 5.7: 256 bytes and 64 KiB binary)', () => {
    const f16 = describeWsFrame(bytes(0x82, 0x7e, 0x01, 0x00));
    expect(f16[2]).toEqual({ name: 'Extended payload length (16 bits)', start: 2, end: 4, value: '256 bytes' });
    expect(f16[1]!.bits![1]!.value).toBe('126: the length is in the next 2 bytes');
    const f64 = describeWsFrame(bytes(0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0));
    expect(f64[2]).toEqual({ name: 'Extended payload length (64 bits)', start: 2, end: 10, value: '65,536 bytes' });
    expect(f64[3]!.start).toBe(10);
  });

  it('says a frame shorter than two bytes is incomplete', () => {
    expect(describeWsFrame(bytes(0x81))[0]!.name).toBe('Incomplete frame');
  });
});

describe('describeHttpHead', () => {
  it('gives one field per line with its byte range, and the blank line that ends the head', () => {
    const head = new TextEncoder().encode('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
    const fields = describeHttpHead(head, { 'sec-websocket-accept': 'checked' });
    expect(fields.map((f) => [f.name, f.start, f.end, f.value])).toEqual([
      ['Status line', 0, 34, 'HTTP/1.1 101 Switching Protocols'],
      ['Upgrade header', 34, 54, 'websocket'],
      ['Sec-WebSocket-Accept header', 54, 106, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo= (checked)'],
      ['Blank line', 106, 108, 'CRLF: end of the HTTP head; WebSocket frames may follow'],
    ]);
    expect(fields.at(-1)!.end).toBe(head.length);
  });
});
