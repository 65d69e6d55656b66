/**
 * The CLI as a hostile user drives it (issue 13): random argument lists, and random scenario files
 * made by mutating the example scenarios, through `main()` in-process. Whatever comes in, the
 * command ends with exit 0, 1 or 2; a failure says why in a message (stderr not empty); nothing
 * is an "internal error" or a stack trace, nothing throws out of main, and stderr carries no raw
 * control character (every quoted value goes through printable()).
 *
 * `npm test` runs these with the fixed seed (tests/support/fast-check-setup.ts); `npm run fuzz`
 * runs them with fresh seeds and more cases, and prints how to replay a failure. Every failure it
 * finds becomes a fixed case in `tests/cli/fuzz-regressions.test.ts`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../../simulator/cli/commands/index.ts';
import { decoders } from '../../simulator/cli/commands/decoders.ts';
import { printable } from '../../simulator/core/printable.ts';
import { fuzzFactor } from '../support/fast-check-setup.ts';
import { wirelab, type Captured } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'scenarios', 'examples');
const dir = mkdtempSync(join(tmpdir(), 'wirelab-cli-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What every run of the CLI must satisfy; returns the problem, or undefined. */
export function cliProblem(r: Captured): string | undefined {
  if (![0, 1, 2].includes(r.code)) return `exit code ${r.code}`;
  if (r.stderr.includes('internal error')) return `internal error: ${r.stderr}`;
  if (/\n\s+at .*(\.ts|\.js|\.mjs):\d+/.test(r.stderr)) return `stack trace: ${r.stderr}`;
  if (r.code !== 0 && r.stderr.trim() === '') return `exit ${r.code} with nothing on stderr`;
  if (printable(r.stderr, { keepNewlines: true }) !== r.stderr) return `raw control character on stderr: ${JSON.stringify(r.stderr)}`;
  return undefined;
}

/** Runs the CLI; an exception escaping main is a problem too. */
async function check(args: string[]): Promise<number> {
  let r: Captured;
  try {
    r = await wirelab(args);
  } catch (error) {
    throw new Error(`main threw for ${JSON.stringify(args)}: ${error instanceof Error ? error.stack : String(error)}`);
  }
  const problem = cliProblem(r);
  if (problem) throw new Error(`wirelab ${JSON.stringify(args)}: ${problem}`);
  return r.code;
}

/** Every option a command's usage names (so the fuzzer follows new options by itself). */
const optionsOf = (usage: string | undefined) => [...new Set((usage ?? '').match(/--[a-z][a-z-]*/g) ?? [])];
const OPTIONS = [...new Set([...Object.values(commands), ...Object.values(decoders)].flatMap((c) => optionsOf(c.usage)))].sort();

/** Options that write a file: their value always points into the test's own folder. */
const WRITES = /^--(out|trace)(=|$)/;

const interestingText = fc.constantFrom(
  '', '0', '-1', '1', '3', '1e308', '1e-300', 'NaN', 'Infinity', '4294967296', '9007199254740993', '268435000', '10000000000',
  '0x', 'zz', '8300', '30080006c29b33316d23', '820b000100061b5b33316d2300', '817e000568656c6c6f', '30050001ff6869',
  'a/#', '+', '#', '\u0000', '\u001b[31m', '\u009b', '\u202e', '\ud800', 'a\r\nX: 1', '__proto__', 'constructor',
  '__proto__.polluted=1', 'link.lossPct=0,1', 'durationS=31536000', 'seed=1,2,3', 'nodes.0.role=x',
  'ws', 'mqtt', 'publish', 'connect', 'subscribe', 'text', 'binary', 'close', 'ping', 'json', 'csv', '5', '3.1.1',
  'client', 'server',
);
/** A random argument list for one command: mostly its own options, sometimes another's. */
const tokens = (own: string[]) =>
  fc.array(
    fc.oneof(
      { weight: 5, arbitrary: own.length > 0 ? fc.constantFrom(...own) : interestingText },
      { weight: 1, arbitrary: fc.constantFrom(...OPTIONS) },
      { weight: 5, arbitrary: interestingText },
      { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
      { weight: 1, arbitrary: fc.nat().map(String) },
      { weight: 1, arbitrary: fc.constant(join(EXAMPLES, 'tcp-small.json')) },
    ),
    { maxLength: 8 },
  );
const SUBCOMMANDS: Record<string, string[]> = { decode: Object.keys(decoders), packet: ['mqtt'], frame: ['ws'], handshake: ['ws'] };
const knownCommand = fc.constantFrom(...Object.keys(commands)).chain((name) => {
  const sub = SUBCOMMANDS[name];
  const subUsage = (s: string): string | undefined => (name === 'decode' && Object.hasOwn(decoders, s) ? decoders[s]!.usage : commands[name]!.usage);
  const head = sub ? fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...sub) }, { weight: 1, arbitrary: interestingText }).map((s) => [name, s]) : fc.constant([name]);
  return head.chain((h) => tokens(optionsOf(h.length > 1 ? subUsage(h[1]!) : commands[name]!.usage)).map((rest) => [...h, ...rest]));
});
const otherCommand = fc.tuple(fc.oneof(fc.constantFrom('help', '--help', '-h', 'nosuch'), fc.string({ maxLength: 8 })), tokens([])).map(([n, rest]) => [n, ...rest]);
let outputs = 0;
const argv = fc.oneof({ weight: 8, arbitrary: knownCommand }, { weight: 1, arbitrary: otherCommand }).map((generated) => {
  const args = [...generated];
  // Never write outside the test's folder: a writing option's value is replaced by a fresh path there.
  for (let i = 0; i < args.length; i++) {
    if (!WRITES.test(args[i]!)) continue;
    const path = join(dir, `out-${outputs++}`);
    if (args[i]!.includes('=')) args[i] = `${args[i]!.slice(0, args[i]!.indexOf('='))}=${path}`;
    else if (i + 1 < args.length) args[i + 1] = path;
  }
  return args;
});

/** Every [path, value] inside a JSON value, the root first. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

const EXAMPLE_FILES = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();
const examples = EXAMPLE_FILES.map((f) => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as unknown);

const edgeValue = fc.oneof(
  fc.constantFrom(
    0, -1, 1, 0.5, 100, 1e-300, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 31_536_000, 86_400, 86_401, 1e10, 5e9, 268_435_000,
    '', 'a', 'a/#', '+', '\u0000', '\u001b[2J', '\u202e', '\ud800', '__proto__', 'ws-client', 'ws-server', 'mqtt-client',
    'mqtt-broker', 'tcp-sender', 'tcp-sink', 'x'.repeat(70_000), null, true, false, [], {},
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('set', 'set', 'set', 'delete', 'add-key'),
  key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', 'lossPct', 'burstLoss', 'payloadBytes', 'everyMs', 'durationS', 'nodes', 'ws', 'mqtt', 'tcp'),
  value: edgeValue,
  number: fc.oneof(fc.constantFrom(0, 1, 2, 5, 10, 60, 100, 1000, 1e-3, 1e6, 1e9, 86_400, 1e308), fc.double({ min: 0, max: 1e4, noNaN: true }), fc.integer({ min: -10, max: 100_000 })),
});

/** Applies mutations to a copy of an example (JSON text, so a `__proto__` key stays an own key, as JSON.parse makes it). */
function mutate(example: unknown, mutations: { at: number; op: string; key: string; value: unknown; number: number }[]): string {
  const copy = JSON.parse(JSON.stringify(example)) as Record<string, unknown>;
  for (const m of mutations) {
    const all = paths(copy);
    const path = all[m.at % all.length]!;
    if (path.length === 0) continue;
    const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else if (m.op === 'add-key' && parent[last] !== null && typeof parent[last] === 'object' && !Array.isArray(parent[last])) {
      Object.defineProperty(parent[last], m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    } else if (typeof parent[last] === 'number' && m.op === 'set') {
      // A number stays a number most of the time, so the file still reaches the engines.
      parent[last] = typeof m.value === 'number' ? m.value : m.number;
    } else {
      parent[last] = m.value;
    }
  }
  return JSON.stringify(copy);
}

/** Budgets small enough that an accepted run ends in well under a second (a run past them stops cleanly: exit 1). */
const SMALL = ['--max-events', '100000', '--max-messages', '5000'];

let files = 0;
describe('the CLI under random input', () => {
  it('ends every random argument list with exit 0, 1 or 2 and a plain message', async () => {
    await fc.assert(fc.asyncProperty(argv, async (args) => void (await check(args))), { numRuns: 300 });
  }, 120_000 * fuzzFactor);

  it('runs or refuses every randomly mutated example scenario, and sweeps over it, by name', async () => {
    const codes: number[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: examples.length - 1 }),
        fc.array(mutation, { maxLength: 3 }),
        fc.constantFrom('run', 'run-csv', 'sweep'),
        fc.oneof(fc.constantFrom('seed', 'durationS', 'link.lossPct', 'link.latencyMs', 'nodes.0.role', 'nodes.1.send.0.everyMs'), fc.string({ maxLength: 10 })),
        fc.constantFrom('1,2', '0,100', '1e308', '31536000', '-1', 'x,y', '{}', 'null'),
        async (which, mutations, how, sweepPath, sweepValues) => {
          const file = join(dir, `scenario-${files++}.json`);
          writeFileSync(file, mutate(examples[which], mutations));
          let code: number;
          if (how === 'run') code = await check(['run', file, ...SMALL]);
          else if (how === 'run-csv') code = await check(['run', file, '--format', 'csv', '--seed', '7', ...SMALL]);
          else code = await check(['sweep', file, '--set', `${sweepPath}=${sweepValues}`, '--runs', '2', ...SMALL]);
          codes[code] = (codes[code] ?? 0) + 1;
        },
      ),
      { numRuns: 60 },
    );
    // The mutations leave enough intact that files reach the engines and run, not only the schema's refusals.
    expect(codes[0] ?? 0).toBeGreaterThan(0);
    expect(codes[2] ?? 0).toBeGreaterThan(0);
  }, 300_000 * fuzzFactor);
});
