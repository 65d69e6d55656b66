import { describe, expect, it } from 'vitest';
import { Receiver } from '../../conformance/ws-internals.ts';
import { wirelab } from '../../cli/helpers.ts';
import { RFC_FRAMES, RFC_HANDSHAKE_ACCEPT, RFC_HANDSHAKE_KEY } from './fixtures.ts';


describe('wirelab frame ws', () => {
  it('prints the RFC 6455 masked "Hello" example', async () => {
    const r = await wirelab(['frame', 'ws', '--payload', 'Hello', '--masked', '--mask-key', '37fa213d']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hex).toBe('818537fa213d7f9f4d5158');
    expect(out.bytes).toBe(11);
    expect(out.frame).toMatchObject({ fin: true, opcode: 1, opcodeName: 'text', masked: true, maskKey: '37fa213d', payloadBytes: 5, headerBytes: 6, payloadText: 'Hello' });
    expect(out.frame.fields.map((f: { name: string }) => f.name)).toEqual(['FIN, RSV1-3, opcode', 'MASK, payload length', 'masking key', 'payload (masked on the wire)']);
  });

  it('uses the 16-bit and 64-bit lengths for 126 and 65536 bytes', async () => {
    const a = JSON.parse((await wirelab(['frame', 'ws', '--payload-bytes', '126', '--opcode', 'binary'])).stdout);
    expect([a.bytes, a.hex.slice(0, 8), a.frame.lengthEncoding]).toEqual([130, '827e007e', '16-bit']);
    const b = JSON.parse((await wirelab(['frame', 'ws', '--payload-bytes', '65536', '--opcode', 'binary', '--masked'])).stdout);
    expect([b.bytes, b.hex.slice(0, 20), b.frame.lengthEncoding, b.frame.headerBytes]).toEqual([65550, '82ff0000000000010000', '64-bit', 14]);
  });

  it('writes close frames with code and reason, and ws agrees', async () => {
    const r = JSON.parse((await wirelab(['frame', 'ws', '--opcode', 'close', '--close-code', '1001', '--payload', 'bye'])).stdout);
    expect(r.hex).toBe('880503e9627965');
    expect(r.frame).toMatchObject({ closeCode: 1001, closeReason: 'bye' });
    const got = await new Promise<[number, string]>((resolve) => {
      const rec = new Receiver({ isServer: false });
      rec.on('conclude', (code: number, reason: Buffer) => resolve([code, reason.toString()]));
      rec.write(Buffer.from(r.hex, 'hex'));
    });
    expect(got).toEqual([1001, 'bye']);
  });

  it('refuses a ping over 125 bytes with exit 1 and bad options with exit 2, without a stack trace', async () => {
    const ping = await wirelab(['frame', 'ws', '--opcode', 'ping', '--payload-bytes', '126']);
    expect(ping.code).toBe(1);
    expect(ping.stderr).toBe('wirelab frame: a ping frame carries at most 125 bytes (RFC 6455 section 5.5), got 126\n');
    const bad = await wirelab(['frame', 'ws', '--opcode', 'pong2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('wirelab frame: --opcode: expected one of text, binary, ping, pong, close, got "pong2"');
    const key = await wirelab(['frame', 'ws', '--masked', '--mask-key', 'xyz']);
    expect(key.code).toBe(2);
    expect(key.stderr).not.toMatch(/at .*\.ts/);
    const proto = await wirelab(['frame', 'mqtt']);
    expect(proto.code).toBe(2);
  });
});

describe('wirelab decode ws', () => {
  for (const fx of RFC_FRAMES.slice(0, 6)) {
    it(`decodes ${fx.name}`, async () => {
      const r = await wirelab(['decode', 'ws', fx.hex]);
      expect(r.code).toBe(fx.opcode === 0 ? 1 : 0);
      const out = JSON.parse(r.stdout);
      if (fx.opcode === 0) {
        // A continuation with nothing before it breaks the message rules.
        expect(out.error).toMatchObject({ code: 'UNEXPECTED_CONTINUATION', closeCode: 1002 });
        return;
      }
      expect(out.frames).toHaveLength(1);
      expect(out.frames[0]).toMatchObject({ opcode: fx.opcode, fin: fx.fin, payloadHex: fx.payloadHex, frameBytes: fx.hex.length / 2 });
    });
  }

  it('decodes several frames in a row, with offsets', async () => {
    const r = await wirelab(['decode', 'ws', '0x010348656c 80026c6f', '--from', 'server']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.frames.map((f: { offset: number; payloadText: string }) => [f.offset, f.payloadText])).toEqual([[0, 'Hel'], [5, 'lo']]);
  });

  it('reports bad bytes with code, close code and message, exit 1', async () => {
    const cases: [string[], string, number][] = [
      [['8100', '--from', 'client'], 'UNMASKED_CLIENT_FRAME', 1002],
      [['818000000000', '--from', 'server'], 'MASKED_SERVER_FRAME', 1002],
      [['8300'], 'RESERVED_OPCODE', 1002],
      [['c100'], 'UNEXPECTED_RSV', 1002],
      [['8102c328'], 'INVALID_UTF8', 1007],
      [['880203ed'], 'INVALID_CLOSE_CODE', 1002],
      [['897e007e'], 'CONTROL_FRAME_TOO_LONG', 1002],
    ];
    for (const [args, code, close] of cases) {
      const r = await wirelab(['decode', 'ws', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      const out = JSON.parse(r.stdout);
      expect([out.error.code, out.error.closeCode]).toEqual([code, close]);
      expect(r.stderr).toBe(`wirelab decode ws: ${code} (close code ${close}): ${out.error.message}\n`);
    }
  });

  it('says when the bytes end inside a frame', async () => {
    const r = await wirelab(['decode', 'ws', '8105486564']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).incomplete).toMatchObject({ offset: 0, bytes: 5 });
  });

  it('annotates a non-minimal length as the bytes on the wire have it (issue 13: it said 7-bit, payload at byte 2)', async () => {
    // 81 | 7e (length 126: a 16-bit length follows) | 0005 | "hello": 5 would fit in 7 bits.
    const r = await wirelab(['decode', 'ws', '817e000568656c6c6f']);
    expect(r.code).toBe(0);
    const frame = JSON.parse(r.stdout).frames[0];
    expect(frame).toMatchObject({ lengthEncoding: '16-bit', payloadBytes: 5, headerBytes: 4, frameBytes: 9 });
    expect(frame.fields.map((f: { name: string; offset: number; length: number; value: string }) => [f.name, f.offset, f.length, f.value])).toEqual([
      ['FIN, RSV1-3, opcode', 0, 1, 'FIN; opcode 0x1 (text)'],
      ['MASK, payload length', 1, 1, 'not masked; length 126: 16-bit length follows'],
      ['extended payload length (16-bit)', 2, 2, '5 (not minimal: 7-bit would do; RFC 6455 section 5.2)'],
      ['payload', 4, 5, 'hello'],
    ]);
  });

  it('allows RSV1 with --deflate', async () => {
    const r = await wirelab(['decode', 'ws', 'c107f248cdc9c90700', '--deflate']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).frames[0]).toMatchObject({ rsv1: true, payloadBytes: 7 });
  });

  it('rejects text that is not hex with exit 2', async () => {
    const r = await wirelab(['decode', 'ws', 'zz']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('wirelab decode: "zz" is not hex bytes (pairs of 0-9, a-f)');
  });
});

describe('wirelab handshake ws', () => {
  it('prints the request and response for the RFC 6455 section 1.3 key, with exact sizes', async () => {
    const r = await wirelab(['handshake', 'ws', '--key', RFC_HANDSHAKE_KEY, '--host', 'server.example.com', '--path', '/chat']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.accept).toBe(RFC_HANDSHAKE_ACCEPT);
    expect(out.request.text).toBe(
      'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${RFC_HANDSHAKE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    expect(out.request.bytes).toBe(out.request.text.length);
    expect(out.response.text).toBe(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${RFC_HANDSHAKE_ACCEPT}\r\n\r\n`,
    );
    expect(out.response.bytes).toBe(129);
    expect(out.totalBytes).toBe(out.request.bytes + 129);
  });

  it('offers permessage-deflate and a subprotocol when asked', async () => {
    const out = JSON.parse((await wirelab(['handshake', 'ws', '--key', RFC_HANDSHAKE_KEY, '--deflate', '--protocol', 'mqtt'])).stdout);
    expect(out.request.text).toContain('\r\nSec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n');
    expect(out.response.text).toContain('\r\nSec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Extensions: permessage-deflate\r\n');
  });

  it('rejects a key that is not 16 bytes of base64', async () => {
    const r = await wirelab(['handshake', 'ws', '--key', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('wirelab handshake: --key: expected 16 bytes in base64 (24 characters), got "abc"');
  });
});

describe('wirelab frame/handshake PROTOCOL', () => {
  it('knows only ws: another protocol or none is a usage error naming what it knows', async () => {
    const frame = await wirelab(['frame', 'mqtt']);
    expect(frame.code).toBe(2);
    expect(frame.stderr.split('\n')[0]).toBe('wirelab frame: unknown protocol "mqtt": frame knows ws');
    const handshake = await wirelab(['handshake']);
    expect(handshake.code).toBe(2);
    expect(handshake.stderr.split('\n')[0]).toBe('wirelab handshake: expected a protocol: handshake knows ws');
    const help = await wirelab(['handshake', '--help']);
    expect([help.code, help.stdout.split('\n')[0]]).toEqual([0, 'usage: wirelab handshake ws [--key BASE64] [--host HOST] [--path PATH] [--protocol NAME]... [--deflate]']);
  });
});
