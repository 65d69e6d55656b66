/** `wirelab schema`: prints the scenario format as JSON Schema (docs/scenario.schema.json). */
import { scenarioJsonSchema } from '../../scenarios/schema.ts';
import { printable } from '../../core/printable.ts';
import { parseOptions } from '../args.ts';
import type { Command } from './types.ts';

const usage = 'usage: wirelab schema\n\nPrints the JSON Schema of wirelab/scenario@1 (the file docs/scenario.schema.json).';

export const schemaCommand: Command = {
  summary: 'print the scenario format as JSON Schema',
  usage,
  async run(args, io) {
    const { positionals, values } = parseOptions(args, { help: { type: 'boolean', short: 'h' } }, usage);
    if (values.help) {
      io.stdout.write(`${usage}\n`);
      return 0;
    }
    if (positionals.length > 0) {
      io.stderr.write(`wirelab schema: unexpected argument "${printable(positionals[0]!)}"\n${usage}\n`);
      return 2;
    }
    io.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
    return 0;
  },
};
