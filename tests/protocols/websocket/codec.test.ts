import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RemoteProtocolError, LocalProtocolError } from '../../../simulator/core/errors.ts';
import {
  encodeFrame,
  FrameParser,
  closePayload,
  headerLength,
  computeAccept,
  parseClosePayload,
  MessageAssembler,
  type ParsedFrame,
} from '../../../simulator/protocols/websocket/index.ts';
import { RFC_FRAMES, RFC_HANDSHAKE_ACCEPT, RFC_HANDSHAKE_KEY, fromHex, toHex } from './fixtures.ts';

function parseAll(parser: FrameParser, bytes: Uint8Array): ParsedFrame[] {
  parser.push(bytes);
  const out: ParsedFrame[] = [];
  for (let f = parser.next(); f; f = parser.next()) out.push(f);
  return out;
}

function errorOf(fn: () => unknown): RemoteProtocolError | LocalProtocolError {
  try {
    fn();
  } catch (e) {
    return e as RemoteProtocolError;
  }
  throw new Error('expected an error');
}

describe('RFC 6455 section 5.7 examples', () => {
  for (const fx of RFC_FRAMES) {
    it(`encodes ${fx.name}`, () => {
      const bytes = encodeFrame({
        opcode: fx.opcode,
        fin: fx.fin,
        payload: fromHex(fx.payloadHex),
        ...(fx.maskKey ? { maskKey: new Uint8Array(fx.maskKey) } : {}),
      });
      expect(toHex(bytes)).toBe(fx.hex);
    });
    it(`parses ${fx.name} in one piece and one byte at a time`, () => {
      const whole = parseAll(new FrameParser(), fromHex(fx.hex));
      expect(whole).toHaveLength(1);
      expect(whole[0]!.fin).toBe(fx.fin);
      expect(whole[0]!.opcode).toBe(fx.opcode);
      expect(toHex(whole[0]!.payload)).toBe(fx.payloadHex);
      expect(whole[0]!.frameBytes).toBe(fx.hex.length / 2);
      expect(whole[0]!.maskKey ? Array.from(whole[0]!.maskKey) : undefined).toEqual(fx.maskKey);
      const parser = new FrameParser();
      const bytes = fromHex(fx.hex);
      const frames: ParsedFrame[] = [];
      for (const b of bytes) frames.push(...parseAll(parser, new Uint8Array([b])));
      expect(frames.map((f) => toHex(f.payload))).toEqual([fx.payloadHex]);
    });
  }

  it('assembles the fragmented "Hel" + "lo" into "Hello"', () => {
    const frames = parseAll(new FrameParser(), fromHex('010348656c' + '80026c6f'));
    const asm = new MessageAssembler(1000);
    expect(asm.add(frames[0]!)).toBeUndefined();
    expect(asm.add(frames[1]!)).toMatchObject({ kind: 'message', binary: false, text: 'Hello', frames: 2, wireBytes: 9 });
  });
});

describe('Sec-WebSocket-Accept', () => {
  it('matches the RFC 6455 section 1.3 example', () => {
    expect(computeAccept(RFC_HANDSHAKE_KEY)).toBe(RFC_HANDSHAKE_ACCEPT);
  });
});

describe('encodeFrame', () => {
  it('uses the 7-bit, 16-bit and 64-bit lengths at their boundaries', () => {
    expect(headerLength(125, false)).toBe(2);
    expect(headerLength(126, false)).toBe(4);
    expect(headerLength(65535, true)).toBe(8);
    expect(headerLength(65536, true)).toBe(14);
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(125) }).subarray(0, 2))).toBe('827d');
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(126) }).subarray(0, 4))).toBe('827e007e');
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(65535) }).subarray(0, 4))).toBe('827effff');
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(65536) }).subarray(0, 10))).toBe('827f0000000000010000');
  });
  it('writes a close frame with code and reason', () => {
    const payload = closePayload(1000, new TextEncoder().encode('bye'));
    expect(toHex(encodeFrame({ opcode: 8, payload }))).toBe('880503e8627965');
  });
  it('refuses a control frame over 125 bytes and a bad masking key', () => {
    expect(errorOf(() => encodeFrame({ opcode: 9, payload: new Uint8Array(126) })).code).toBe('CONTROL_PAYLOAD_TOO_LONG');
    expect(errorOf(() => encodeFrame({ opcode: 1, maskKey: new Uint8Array(3) })).code).toBe('BAD_MASK_KEY');
  });
  it('does not change the payload it masks', () => {
    const payload = new Uint8Array([1, 2, 3]);
    encodeFrame({ opcode: 2, payload, maskKey: new Uint8Array([9, 9, 9, 9]) });
    expect(Array.from(payload)).toEqual([1, 2, 3]);
  });
});

describe('FrameParser errors (stable code, RFC close code)', () => {
  const cases: [string, string, { from?: 'client' | 'server'; allowRsv1?: boolean; maxPayload?: number }, string, number][] = [
    ['reserved opcode 0x3', '8300', {}, 'RESERVED_OPCODE', 1002],
    ['reserved control opcode 0xb', '8b00', {}, 'RESERVED_OPCODE', 1002],
    ['RSV1 without an extension', 'c100', {}, 'UNEXPECTED_RSV', 1002],
    ['RSV2', 'a100', {}, 'UNEXPECTED_RSV', 1002],
    ['RSV1 on a ping even with deflate', 'c900', { allowRsv1: true }, 'UNEXPECTED_RSV', 1002],
    ['fragmented ping', '0900', {}, 'FRAGMENTED_CONTROL_FRAME', 1002],
    ['ping of 126 bytes', '897e007e', {}, 'CONTROL_FRAME_TOO_LONG', 1002],
    ['unmasked client frame', '8100', { from: 'client' }, 'UNMASKED_CLIENT_FRAME', 1002],
    ['masked server frame', '818000000000', { from: 'server' }, 'MASKED_SERVER_FRAME', 1002],
    ['64-bit length with its top bit set', '827f8000000000000000', {}, 'INVALID_PAYLOAD_LENGTH', 1002],
    ['frame over maxPayload', '827e0100', { maxPayload: 255 }, 'MESSAGE_TOO_BIG', 1009],
  ];
  for (const [name, hex, options, code, close] of cases) {
    it(name, () => {
      const parser = new FrameParser(options);
      const e = errorOf(() => parseAll(parser, fromHex(hex)));
      expect(e).toBeInstanceOf(RemoteProtocolError);
      expect([e.code, e.protocolCode]).toEqual([code, close]);
      // Once failed, the parser keeps failing the same way.
      expect(errorOf(() => parser.next()).code).toBe(code);
    });
  }
  it('needs more bytes without an error', () => {
    const parser = new FrameParser();
    expect(parseAll(parser, fromHex('827f00000000'))).toEqual([]);
    expect(parser.bufferedBytes).toBe(6);
  });
});

describe('MessageAssembler errors', () => {
  const frame = (hex: string) => parseAll(new FrameParser(), fromHex(hex))[0]!;
  it('continuation without a message', () => {
    const e = errorOf(() => new MessageAssembler(100).add(frame('8000')));
    expect([e.code, e.protocolCode]).toEqual(['UNEXPECTED_CONTINUATION', 1002]);
  });
  it('new data frame inside a fragmented message', () => {
    const asm = new MessageAssembler(100);
    asm.add(frame('0100'));
    const e = errorOf(() => asm.add(frame('8200')));
    expect([e.code, e.protocolCode]).toEqual(['EXPECTED_CONTINUATION', 1002]);
  });
  it('a ping between fragments is fine', () => {
    const asm = new MessageAssembler(100);
    asm.add(frame('010148'));
    expect(asm.add(frame('8900'))).toMatchObject({ kind: 'ping' });
    expect(asm.add(frame('800169'))).toMatchObject({ text: 'Hi' });
  });
  it('invalid UTF-8 is 1007, also when split across fragments', () => {
    const e = errorOf(() => new MessageAssembler(100).add(frame('8102c328')));
    expect([e.code, e.protocolCode]).toEqual(['INVALID_UTF8', 1007]);
    // "é" (c3 a9) split over two fragments is valid.
    const asm = new MessageAssembler(100);
    asm.add(frame('0101c3'));
    expect(asm.add(frame('8001a9'))).toMatchObject({ text: 'é' });
  });
  it('a message over the limit is 1009', () => {
    const asm = new MessageAssembler(3);
    asm.add(frame('0102aaaa'));
    const e = errorOf(() => asm.add(frame('8002aaaa')));
    expect([e.code, e.protocolCode]).toEqual(['MESSAGE_TOO_BIG', 1009]);
  });
  it('close payloads', () => {
    expect(parseClosePayload(new Uint8Array())).toEqual({ kind: 'close', code: 1005, reason: '' });
    expect(parseClosePayload(fromHex('03e8627965'))).toEqual({ kind: 'close', code: 1000, reason: 'bye' });
    expect(errorOf(() => parseClosePayload(fromHex('03'))).code).toBe('INVALID_CLOSE_PAYLOAD');
    for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000])
      expect(errorOf(() => parseClosePayload(closePayload(code))).code).toBe('INVALID_CLOSE_CODE');
    for (const code of [1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999])
      expect(parseClosePayload(closePayload(code)).code).toBe(code);
    expect(errorOf(() => parseClosePayload(fromHex('03e8ff'))).code).toBe('INVALID_UTF8');
  });
});

describe('properties', () => {
  const frameArb = fc.record({
    opcode: fc.constantFrom(1, 2, 9, 10),
    payload: fc.uint8Array({ maxLength: 300 }),
    masked: fc.boolean(),
    key: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  });
  it('any chunking of a valid stream yields the same frames', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }), (specs, cuts) => {
        const frames = specs.map((s) => ({ ...s, payload: s.opcode >= 8 ? s.payload.subarray(0, 125) : s.payload }));
        const encoded = frames.map((f) => encodeFrame({ opcode: f.opcode, payload: f.payload, ...(f.masked ? { maskKey: f.key } : {}) }));
        const stream = new Uint8Array(encoded.reduce((n, e) => n + e.length, 0));
        let at = 0;
        for (const e of encoded) {
          stream.set(e, at);
          at += e.length;
        }
        const parser = new FrameParser();
        const got: ParsedFrame[] = [];
        let pos = 0;
        let i = 0;
        while (pos < stream.length) {
          const n = cuts[i++ % cuts.length]!;
          got.push(...parseAll(parser, stream.subarray(pos, pos + n)));
          pos += n;
        }
        expect(got.map((f) => [f.opcode, toHex(f.payload), f.frameBytes])).toEqual(
          frames.map((f, j) => [f.opcode, toHex(f.payload), encoded[j]!.length]),
        );
      }),
    );
  });
  it('random bytes never throw anything but a RemoteProtocolError with a close code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom<'client' | 'server' | undefined>('client', 'server', undefined), (bytes, from) => {
        const parser = new FrameParser({ from, maxPayload: 1 << 16 });
        const asm = new MessageAssembler(1 << 16);
        try {
          for (const f of parseAll(parser, bytes)) asm.add(f);
        } catch (e) {
          expect(e).toBeInstanceOf(RemoteProtocolError);
          expect([1002, 1007, 1009]).toContain((e as RemoteProtocolError).protocolCode);
        }
      }),
    );
  });
});
