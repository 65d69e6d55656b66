/**
 * `wirelab frame ws --payload-bytes N [--opcode text|binary|ping|pong|close] [--masked|--unmasked]
 *  [--payload TEXT] [--mask-key HEX] [--close-code N] [--no-fin] [--rsv1]`: one frame's bytes.
 */
import { randomBytes } from 'node:crypto';
import { parseOptions, choiceOption, integerOption } from '../args.ts';
import { CliError } from '../io.ts';
import { closePayload, describeFrame, encodeFrame, encodeUtf8, Opcode, LocalProtocolError, MAX_CONTROL_PAYLOAD, wsOnlyCommand } from './ws-shared.ts';
import { LIMITS } from '../../scenarios/limits.ts';
import type { Command } from './types.ts';

const USAGE = `usage: wirelab frame ws [--payload-bytes N] [--payload TEXT] [--opcode text|binary|ping|pong|close]
                        [--masked|--unmasked] [--mask-key HEX] [--close-code N] [--no-fin] [--rsv1]

Prints one WebSocket frame (RFC 6455 section 5.2) as JSON: hex, bytes (total length) and the
decoded fields. Frames are unmasked (as a server sends them) unless --masked (as every client
frame is); the masking key is random unless --mask-key gives its 8 hex digits. The payload is
--payload's UTF-8 bytes, or --payload-bytes N filler bytes; a close frame's payload is its code
(--close-code, default 1000) followed by the reason.`;

const OPCODES = ['text', 'binary', 'ping', 'pong', 'close'] as const;

function filler(n: number, binary: boolean): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = binary ? i & 0xff : 0x61 + (i % 26);
  return out;
}

export const wsFrameCommand: Command = {
  summary: 'print the bytes of one WebSocket frame',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseOptions(
      args,
      {
        'payload-bytes': { type: 'string' },
        payload: { type: 'string' },
        opcode: { type: 'string' },
        masked: { type: 'boolean' },
        unmasked: { type: 'boolean' },
        'mask-key': { type: 'string' },
        'close-code': { type: 'string' },
        'no-fin': { type: 'boolean' },
        rsv1: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
    );
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
    if (values.masked && values.unmasked) throw new CliError('--masked and --unmasked exclude each other');
    const opcodeName = choiceOption('opcode', values.opcode, OPCODES, 'text');
    const opcode = Opcode[opcodeName];
    const size = integerOption('payload-bytes', values['payload-bytes']);
    if (size !== undefined && size > LIMITS.printedPayloadBytes)
      throw new CliError(`--payload-bytes: expected at most ${LIMITS.printedPayloadBytes} [limit printedPayloadBytes: every byte is printed], got ${size}`);
    if (values.payload !== undefined && values.payload.length > LIMITS.printedPayloadBytes)
      throw new CliError(`--payload: expected at most ${LIMITS.printedPayloadBytes} characters [limit printedPayloadBytes], got ${values.payload.length}`);
    let payload: Uint8Array;
    if (opcode === Opcode.close) {
      const code = integerOption('close-code', values['close-code']) ?? 1000;
      if (code > 0xffff) throw new CliError(`--close-code: expected 0-65535, got ${code}`);
      const reason = values.payload !== undefined ? encodeUtf8(values.payload) : filler(Math.max(0, (size ?? 2) - 2), false);
      payload = size === 0 && values.payload === undefined ? new Uint8Array(0) : closePayload(code, reason);
    } else {
      if (values['close-code'] !== undefined) throw new CliError('--close-code goes with --opcode close');
      payload = values.payload !== undefined ? encodeUtf8(values.payload) : filler(size ?? 0, opcode === Opcode.binary);
    }
    if (size !== undefined && payload.length !== size)
      throw new CliError(`--payload-bytes ${size} does not match the payload's ${payload.length} bytes`);
    if (opcode >= 8 && payload.length > MAX_CONTROL_PAYLOAD)
      throw new CliError(`a ${opcodeName} frame carries at most 125 bytes (RFC 6455 section 5.5), got ${payload.length}`, 1);
    let maskKey: Uint8Array | undefined;
    if (values['mask-key'] !== undefined) {
      if (values.unmasked) throw new CliError('--mask-key goes with --masked');
      if (!/^[0-9a-fA-F]{8}$/.test(values['mask-key'])) throw new CliError(`--mask-key: expected 8 hex digits, got "${values['mask-key']}"`);
      maskKey = Uint8Array.from(Buffer.from(values['mask-key'], 'hex'));
    } else if (values.masked) maskKey = new Uint8Array(randomBytes(4));
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame({ opcode, payload, fin: !values['no-fin'], rsv1: values.rsv1 ?? false, ...(maskKey ? { maskKey } : {}) });
    } catch (error) {
      if (error instanceof LocalProtocolError) throw new CliError(`${error.code}: ${error.message}`, 1);
      throw error;
    }
    const frame = { fin: !values['no-fin'], rsv1: values.rsv1 ?? false, rsv2: false, rsv3: false, opcode, payload, ...(maskKey ? { maskKey } : {}) };
    const out = { hex: Buffer.from(bytes).toString('hex'), bytes: bytes.length, frame: describeFrame(frame, bytes.length) };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  },
};

/** `wirelab frame PROTOCOL ...`: only WebSocket has frames. */
export const frameCommand: Command = wsOnlyCommand('frame', 'print the bytes of one WebSocket frame (frame ws --help)', wsFrameCommand);
