/** `wirelab decode PROTOCOL HEX [options]`: dispatches to ./decoders.ts. */
import { CliError } from '../io.ts';
import { decoders } from './decoders.ts';
import type { Command } from './types.ts';

function usage(): string {
  const names = Object.keys(decoders).sort();
  const list = names.length === 0 ? '  (none yet)' : names.map((n) => `  ${n.padEnd(8)} ${decoders[n]!.summary}`).join('\n');
  return `usage: wirelab decode PROTOCOL HEX [options]\n\nprotocols:\n${list}`;
}

export const decodeCommand: Command = {
  summary: 'decode bytes (hex) as WebSocket frames or MQTT packets',
  get usage() {
    return usage();
  },
  async run(args, io) {
    const [protocol, ...rest] = args;
    if (protocol === undefined || protocol === '--help' || protocol === '-h') {
      if (protocol === undefined) throw new CliError(`expected a protocol\n${usage()}`);
      io.stdout.write(`${usage()}\n`);
      return 0;
    }
    // Own keys only: `decode constructor` must not find Object.prototype's (it was an internal error).
    const decoder = Object.hasOwn(decoders, protocol) ? decoders[protocol] : undefined;
    if (decoder === undefined) throw new CliError(`unknown protocol "${protocol}"\n${usage()}`);
    return decoder.run(rest, io);
  },
};
