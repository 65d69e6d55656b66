/** `wirelab sweep-merge SHARD... [--out FILE]`: the CSV of a sweep run in shards (../sweep-shard.ts). */
import { parseOptions } from '../args.ts';
import { mergeShards } from '../sweep-shard.ts';
import { writeOutput } from './run.ts';
import type { Command } from './types.ts';

const usage = `usage: wirelab sweep-merge SHARD.json... [--out FILE]

Puts together the shard files of one sweep (wirelab sweep ... --shard K/N --out FILE, for K = 1..N)
and prints its CSV: the same bytes as the sweep run in one go. Every shard must be there once, and
all from the same sweep (scenario, --set, --runs, --seed); the files may come in any order.`;

export const sweepMergeCommand: Command = {
  summary: 'put the shard files of a sweep together into its CSV',
  usage,
  async run(args, io) {
    const { values, positionals } = parseOptions(args, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, usage);
    if (values.help) {
      io.stdout.write(`${usage}\n`);
      return 0;
    }
    const text = mergeShards(positionals);
    if (values.out !== undefined) writeOutput(values.out, text);
    else io.stdout.write(text);
    return 0;
  },
};
