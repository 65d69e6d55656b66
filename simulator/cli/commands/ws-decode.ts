/**
 * `wirelab decode ws HEX [--from client|server] [--deflate]`: the frames in the bytes, as JSON.
 * Bad bytes: the frames decoded before them and the error (stable code, RFC 6455 close code,
 * message) as JSON, a one-line message on stderr, exit code 1. Never a stack trace.
 */
import { parseOptions, choiceOption } from '../args.ts';
import { CliError } from '../io.ts';
import { printable } from '../../core/printable.ts';
import { describeFrame, FrameParser, MessageAssembler, RemoteProtocolError, type FrameDescription } from './ws-shared.ts';
import type { Command } from './types.ts';

const USAGE = `usage: wirelab decode ws HEX [--from client|server] [--deflate]

Decodes WebSocket frames (RFC 6455) from hex bytes (spaces and a 0x prefix are ignored) and
prints them as JSON. --from says which side sent them: client frames must be masked, server
frames must not be; without it both are accepted. --deflate allows RSV1 (permessage-deflate).
Bytes that break the protocol print the error (code, RFC close code, message) and exit 1.`;

export const wsDecoder: Command = {
  summary: 'WebSocket frames (RFC 6455)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseOptions(
      args,
      { from: { type: 'string' }, deflate: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      USAGE,
    );
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length === 0) throw new CliError(`expected the bytes in hex\n${USAGE}`);
    const from = values.from === undefined ? undefined : choiceOption('from', values.from, ['client', 'server'] as const, 'client');
    const text = positionals.join('').replace(/^0x/i, '').replace(/[\s:]/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new CliError(`"${positionals.join(' ')}" is not hex bytes (pairs of 0-9, a-f)`);
    const bytes = Uint8Array.from(Buffer.from(text, 'hex'));
    const parser = new FrameParser({ ...(from ? { from } : {}), allowRsv1: values.deflate ?? false });
    const assembler = values.deflate ? undefined : new MessageAssembler(Number.MAX_SAFE_INTEGER);
    const frames: (FrameDescription & { offset: number })[] = [];
    let offset = 0;
    parser.push(bytes);
    try {
      for (let f = parser.next(); f; f = parser.next()) {
        frames.push({ offset, ...describeFrame(f, f.frameBytes) });
        offset += f.frameBytes;
        assembler?.add(f);
      }
    } catch (error) {
      if (!(error instanceof RemoteProtocolError)) throw error;
      const out = { frames, error: { code: error.code, closeCode: error.protocolCode ?? null, message: error.message, offset } };
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      // Escaped as every message quoting input is (no engine message quotes frame bytes today; one may).
      io.stderr.write(`wirelab decode ws: ${error.code} (close code ${error.protocolCode}): ${printable(error.message)}\n`);
      return 1;
    }
    const out: Record<string, unknown> = { frames, bytes: bytes.length };
    if (parser.bufferedBytes > 0) {
      out.incomplete = { offset, bytes: parser.bufferedBytes, message: `the last ${parser.bufferedBytes} bytes are the start of a frame that needs more bytes` };
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      io.stderr.write(`wirelab decode ws: INCOMPLETE_FRAME: the last ${parser.bufferedBytes} bytes do not make a whole frame\n`);
      return 1;
    }
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  },
};
