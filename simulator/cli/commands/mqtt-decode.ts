/**
 * `wirelab decode mqtt HEX [--version 3.1.1|5]`: the MQTT packets in the bytes, each with every
 * field and its byte range, as JSON. Bad bytes: the packets decoded before them and the error
 * (stable code, MQTT 5 reason code, message) as JSON, a one-line message on stderr, exit code 1.
 * Never a stack trace.
 */
import { choiceOption, parseOptions } from '../args.ts';
import { CliError } from '../io.ts';
import { RemoteProtocolError } from '../../core/errors.ts';
import { printable } from '../../core/printable.ts';
import { describePackets, type PacketDescription } from '../../protocols/mqtt/inspect.ts';
import type { Command } from './types.ts';
import { readVarint } from '../../protocols/mqtt/varint.ts';

const USAGE = `usage: wirelab decode mqtt HEX [--version 3.1.1|5]

Decodes MQTT control packets from hex bytes (spaces, colons and a 0x prefix are ignored) with
mqtt-packet and prints them as JSON, every field with its byte range. --version says how to read
packets before any CONNECT (default 3.1.1); a CONNECT in the bytes sets it for what follows.
Bytes that are not whole, valid packets print the error and exit 1.`;

export const mqttDecoder: Command = {
  summary: 'MQTT 3.1.1 / 5 control packets',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseOptions(args, { version: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length === 0) throw new CliError(`expected the bytes in hex\n${USAGE}`);
    const version = choiceOption('version', values.version, ['3.1.1', '5'] as const, '3.1.1');
    const text = positionals.join('').replace(/^0x/i, '').replace(/[\s:]/g, '');
    if (!/^([0-9a-fA-F]{2})+$/.test(text)) throw new CliError(`"${positionals.join(' ')}" is not hex bytes (pairs of 0-9, a-f)`);
    const bytes = Uint8Array.from(Buffer.from(text, 'hex'));
    // Decode packet by packet so the good ones before a bad one are still shown.
    const packets: PacketDescription[] = [];
    let offset = 0;
    let level: '3.1.1' | '5' = version;
    try {
      while (offset < bytes.length) {
        const rest = bytes.subarray(offset);
        const size = packetSize(rest);
        const [d] = describePackets(rest.subarray(0, size ?? rest.length), level);
        packets.push({ ...d!, offset });
        if (d!.cmd === 'connect') level = d!.version === '5' ? '5' : '3.1.1';
        offset += d!.bytes;
      }
    } catch (error) {
      if (!(error instanceof RemoteProtocolError)) throw error;
      const out = { packets, error: { code: error.code, reasonCode: error.protocolCode ?? null, message: error.message, offset } };
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      // The message may quote the packet's own text (a topic name): escaped before it reaches a terminal.
      io.stderr.write(`wirelab decode mqtt: ${error.code}: ${printable(error.message)} (at byte ${offset})\n`);
      return 1;
    }
    io.stdout.write(`${JSON.stringify({ packets, bytes: bytes.length }, null, 2)}\n`);
    return 0;
  },
};

/** Size of the packet at the start of `b` from its Remaining Length, or undefined when cut short. */
function packetSize(b: Uint8Array): number | undefined {
  const r = readVarint(b, 1);
  return r.kind === 'value' ? Math.min(b.length, 1 + r.bytes + r.value) : undefined;
}
