/**
 * The command registry: `wirelab NAME ...` runs `commands[NAME]`. To add a command, write
 * `./<name>.ts` exporting a `Command` (./types.ts) and add one line here. `decode` dispatches on
 * its first argument through its own registry, ./decoders.ts (`decode ws`, `decode mqtt`).
 */
import { decodeCommand } from './decode.ts';
import { packetCommand } from './mqtt-packet.ts';
import { runCommand } from './run.ts';
import { schemaCommand } from './schema.ts';
import { sweepCommand } from './sweep.ts';
import { sweepMergeCommand } from './sweep-merge.ts';
import type { Command } from './types.ts';
import { frameCommand } from './ws-frame.ts';
import { handshakeCommand } from './ws-handshake.ts';

export type { Command } from './types.ts';

export const commands: Record<string, Command> = {
  run: runCommand,
  sweep: sweepCommand,
  'sweep-merge': sweepMergeCommand,
  schema: schemaCommand,
  decode: decodeCommand,
  packet: packetCommand,
  frame: frameCommand,
  handshake: handshakeCommand,
};
