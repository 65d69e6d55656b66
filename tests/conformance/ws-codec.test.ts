/**
 * Byte-level agreement with `ws`'s own codec: its Receiver decodes what the engine encodes, the
 * engine's parser decodes what its Sender frames (byte-identical with the same masking key), and
 * both reject the same bad bytes with the same RFC 6455 close code.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Receiver, Sender } from './ws-internals.ts';
import { RemoteProtocolError } from '../../simulator/core/errors.ts';
import { closePayload, encodeFrame, FrameParser, MessageAssembler, Opcode } from '../../simulator/protocols/websocket/index.ts';

type Got = { kind: string; data: string; binary?: boolean; code?: number };

/** Feeds bytes to a ws Receiver and collects what it emits (errors come on a later tick). */
async function wsReceive(bytes: Uint8Array, isServer: boolean): Promise<{ got: Got[]; error?: { code: string; status: number } }> {
  const r = new Receiver({ isServer, maxPayload: 1 << 20 });
  const got: Got[] = [];
  let error: { code: string; status: number } | undefined;
  r.on('message', (data: Buffer, binary: boolean) => got.push({ kind: 'message', data: data.toString('hex'), binary }));
  r.on('ping', (data: Buffer) => got.push({ kind: 'ping', data: data.toString('hex') }));
  r.on('pong', (data: Buffer) => got.push({ kind: 'pong', data: data.toString('hex') }));
  r.on('conclude', (code: number, reason: Buffer) => got.push({ kind: 'close', data: reason.toString('hex'), code }));
  r.on('error', (e: Error & { code: string }) => {
    const sym = Object.getOwnPropertySymbols(e).find((s) => s.description === 'status-code')!;
    error = { code: e.code, status: (e as unknown as Record<symbol, number>)[sym]! };
  });
  r.write(Buffer.from(bytes));
  await new Promise((resolve) => setImmediate(resolve));
  return error ? { got, error } : { got };
}

/** The engine's parser + assembler over the same bytes. */
function engineReceive(bytes: Uint8Array, from: 'client' | 'server'): { got: Got[]; error?: RemoteProtocolError } {
  const parser = new FrameParser({ from, maxPayload: 1 << 20 });
  const asm = new MessageAssembler(1 << 20);
  const got: Got[] = [];
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  try {
    parser.push(bytes);
    for (let f = parser.next(); f; f = parser.next()) {
      const m = asm.add(f);
      if (!m) continue;
      if (m.kind === 'message') got.push({ kind: 'message', data: hex(m.data), binary: m.binary });
      else if (m.kind === 'close') got.push({ kind: 'close', data: Buffer.from(m.reason).toString('hex'), code: m.code });
      else got.push({ kind: m.kind, data: hex(m.data) });
      if (m.kind === 'close') break;
    }
  } catch (e) {
    return { got, error: e as RemoteProtocolError };
  }
  return { got };
}

const KEY = new Uint8Array([0x12, 0x34, 0x56, 0x78]);

describe("ws's Receiver decodes the engine's frames", () => {
  it('text, binary, fragmented, ping, pong and close, masked as a client sends them', async () => {
    const frames = [
      encodeFrame({ opcode: Opcode.text, payload: Buffer.from('héllo'), maskKey: KEY }),
      encodeFrame({ opcode: Opcode.binary, payload: new Uint8Array(70000).fill(7), maskKey: KEY }),
      encodeFrame({ opcode: Opcode.text, payload: Buffer.from('frag'), fin: false, maskKey: KEY }),
      encodeFrame({ opcode: Opcode.ping, payload: Buffer.from('p'), maskKey: KEY }),
      encodeFrame({ opcode: Opcode.continuation, payload: Buffer.from('ment'), maskKey: KEY }),
      encodeFrame({ opcode: Opcode.pong, payload: new Uint8Array(0), maskKey: KEY }),
      encodeFrame({ opcode: Opcode.close, payload: closePayload(1000, Buffer.from('bye')), maskKey: KEY }),
    ];
    const bytes = Buffer.concat(frames);
    const ws = await wsReceive(bytes, true);
    expect(ws.error).toBeUndefined();
    expect(ws.got).toEqual([
      { kind: 'message', data: Buffer.from('héllo').toString('hex'), binary: false },
      { kind: 'message', data: '07'.repeat(70000), binary: true },
      { kind: 'ping', data: '70' },
      { kind: 'message', data: Buffer.from('fragment').toString('hex'), binary: false },
      { kind: 'pong', data: '' },
      { kind: 'close', data: Buffer.from('bye').toString('hex'), code: 1000 },
    ]);
    expect(engineReceive(bytes, 'client').got).toEqual(ws.got);
  });

  it('any frame the engine encodes, ws decodes to the same message (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 70000 }), fc.boolean(), fc.uint8Array({ minLength: 4, maxLength: 4 }), async (payload, masked, key) => {
        const bytes = encodeFrame({ opcode: Opcode.binary, payload, ...(masked ? { maskKey: key } : {}) });
        const ws = await wsReceive(bytes, masked);
        expect(ws.got).toEqual([{ kind: 'message', data: Buffer.from(payload).toString('hex'), binary: true }]);
      }),
      { numRuns: 30 },
    );
  });
});

describe("the engine decodes ws's Sender frames, byte for byte", () => {
  for (const [name, opcode, size, mask] of [
    ['text 0', 1, 0, true],
    ['text 125', 1, 125, true],
    ['binary 126', 2, 126, false],
    ['binary 65535', 2, 65535, true],
    ['binary 65536', 2, 65536, false],
    ['ping 125', 9, 125, true],
  ] as const) {
    it(name, () => {
      const payload = Buffer.alloc(size, 0x61);
      const expected = payload.toString('hex');
      const parts = Sender.frame(payload, {
        fin: true,
        opcode,
        mask,
        readOnly: false,
        rsv1: false,
        generateMask: (m: Buffer) => m.set(KEY),
      });
      const wsBytes = Buffer.concat(parts);
      const ours = encodeFrame({ opcode, payload: Buffer.alloc(size, 0x61), ...(mask ? { maskKey: KEY } : {}) });
      expect(Buffer.from(ours).equals(wsBytes)).toBe(true);
      const parsed = engineReceive(wsBytes, mask ? 'client' : 'server');
      expect(parsed.error).toBeUndefined();
      expect(parsed.got[0]!.data).toBe(expected);
    });
  }
});

describe('both reject bad bytes with the same close code', () => {
  const cases: [string, string, boolean][] = [
    ['reserved opcode', '830000000000', true],
    ['RSV2 set', 'a10000000000', true],
    ['fragmented ping', '098000000000', true],
    ['ping of 126 bytes', '89fe007e00000000', true],
    ['unmasked client frame', '8100', true],
    ['masked server frame', '818000000000', false],
    ['continuation first', '808000000000', true],
    ['text inside a fragmented text', '018000000000' + '818000000000', true],
    ['invalid UTF-8', '8182000000007f80'.replace('7f80', 'c328'), true],
    ['close with 1 byte', '88810000000003', true],
    ['close code 1005', '8882000000000' + '3ed', true],
    ['close code 2999', '888200000000' + '0bb7', true],
    ['close reason not UTF-8', '888300000000' + '03e8ff', true],
  ];
  for (const [name, hex, isServer] of cases) {
    it(name, async () => {
      const bytes = Buffer.from(hex, 'hex');
      const ws = await wsReceive(bytes, isServer);
      const ours = engineReceive(bytes, isServer ? 'client' : 'server');
      expect(ws.error, 'ws rejects it').toBeDefined();
      expect(ours.error, 'the engine rejects it').toBeInstanceOf(RemoteProtocolError);
      expect(ours.error!.protocolCode).toBe(ws.error!.status);
    });
  }
});
