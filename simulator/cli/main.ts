/** Entry point of the `wirelab` command (bin/wirelab.mjs). Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`wirelab: no commands yet (${argv.join(' ')})\n`);
  return 2;
}
