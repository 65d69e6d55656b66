/**
 * A big run within the limits (simulator/scenarios/limits.ts ASK_LIMITS) starts only when the user
 * agrees, as the Lab asks with "Run anyway": on a terminal `wirelab run` and `sweep` ask y/N;
 * elsewhere they need --yes, and without it refuse with exit 2 saying what the run would take.
 * Past a limit (RUN_LIMITS) nothing is asked: the run is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../simulator/cli/main.ts';
import { wirelab } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'wirelab-ask-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

/** 200 MiB to send over a link that loses everything: its estimate is big, its run is quick (no SYN arrives). */
const BIG = file('big.json', {
  schema: 'wirelab/scenario@1',
  seed: 1,
  durationS: 5,
  nodes: [
    { id: 'a', role: 'tcp-sender', to: 'b', bytes: 200 * 1024 * 1024, link: { lossPct: 100 } },
    { id: 'b', role: 'tcp-sink' },
  ],
});
// The estimate (simulator/scenarios/estimate.ts): 1 message; 209,715,200 / 1448 = 144,830.9 -> 144,831
// segments x 8 events + 200 per node x 2 = 1,159,048 events; held: 209,715,200 + 1 x 2 x 160 = 209,715,520 bytes = 210 MB, past the 134 MB (128 MiB) that ask.
const NOTE =
  'it would carry about 1 message, take about 1,159,048 simulator events and hold up to about 210 MB of messages in memory ' +
  '(past 134 MB held, a run is big enough to ask first): it may take a minute or more and several hundred MB';

/** `wirelab ...args` with a terminal that answers `answer` (and records the questions). */
async function onTerminal(args: string[], answer: string | null) {
  let stdout = '';
  let stderr = '';
  const questions: string[] = [];
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    ask: async (q) => {
      questions.push(q);
      return answer;
    },
  });
  return { code, stdout, stderr, questions };
}

describe('a big run asks first', () => {
  it('is refused without --yes when there is no terminal to ask, saying what it would take, exit 2', async () => {
    expect(await wirelab(['run', BIG])).toEqual({ code: 2, stdout: '', stderr: `wirelab run: ${BIG} is big (estimated before running): ${NOTE}. Run it anyway with --yes.\n` });
  });

  it('asks on a terminal: "n" (or no answer) does not run it, exit 1; "y" runs it', async () => {
    for (const answer of ['n', '', null]) {
      const no = await onTerminal(['run', BIG], answer);
      expect([answer, no.code, no.stdout, no.stderr]).toEqual([answer, 1, '', 'wirelab run: not run (answer y to run it, or pass --yes)\n']);
      expect(no.questions).toEqual([`${BIG} is big: ${NOTE}.\nRun it anyway? [y/N] `]);
    }
    const yes = await onTerminal(['run', BIG], 'y');
    expect(yes.code).toBe(0);
    // Ran: the connection never opened over a link that drops everything, so nothing was sent.
    expect(JSON.parse(yes.stdout).flows).toMatchObject([{ sent: 0, delivered: 0 }]);
  });

  it('runs with --yes (or -y) without asking', async () => {
    for (const flag of ['--yes', '-y']) {
      const r = await onTerminal(['run', BIG, flag], 'n');
      expect([flag, r.code, r.questions]).toEqual([flag, 0, []]);
    }
  });

  it('never asks about a small run', async () => {
    const r = await onTerminal(['run', join(import.meta.dirname, '..', '..', 'scenarios', 'examples', 'tcp-small.json')], 'n');
    expect([r.code, r.questions]).toEqual([0, []]);
  });

  it('asks about a sweep that is big in all, though each run is small', async () => {
    // 1,000 messages a run (every 100 ms for 100 s) x 2 values x 60 runs = 120,000, past the 100,000 that ask.
    const path = file('sweep.json', { schema: 'wirelab/scenario@1', seed: 1, durationS: 100, nodes: [{ id: 's', role: 'ws-server' }, { id: 'c', role: 'ws-client', send: [{ payloadBytes: 20, everyMs: 100 }] }] });
    const r = await wirelab(['sweep', path, '--set', 'link.latencyMs=1,2', '--runs', '60']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^wirelab sweep: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is big \\(estimated before running\\): it would carry about 120,000 messages, take about 1,008,000 simulator events and hold up to about 0 MB of messages in memory \\(past 100,000 messages, a run is big enough to ask first\\)`));
  });

  it('refuses a run past a limit without asking, even with --yes', async () => {
    const path = file('huge.json', { schema: 'wirelab/scenario@1', seed: 1, durationS: 86_400, nodes: [{ id: 's', role: 'ws-server' }, { id: 'c', role: 'ws-client', send: [{ payloadBytes: 20, everyMs: 1 }] }] });
    const r = await onTerminal(['run', path, '--yes'], 'y');
    expect(r.code).toBe(2);
    expect(r.questions).toEqual([]);
    expect(r.stderr.split('\n')[0]).toBe(`wirelab run: ${path} is too big to run (checked before running):`);
  });
});
