import { main } from '../../simulator/cli/main.ts';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `wirelab ...args` in-process with captured output; `tty` makes stderr look like a terminal. */
export async function wirelab(args: string[], { tty = false } = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty, columns: 80 },
  });
  return { code, stdout, stderr };
}
