/**
 * `npm run fuzz -- [--duration 10m] [--factor 10] [--seed N] [test files...]`
 *
 * Runs every property test (each test file under tests/ that calls fc.assert or fc.check, browser
 * tests aside) again and again with a fresh random seed per round and `factor` times its usual
 * number of cases, until `duration` (s, m or h; default 10m) has passed. `npm test` checks the same
 * properties with one fixed seed (tests/support/fast-check-setup.ts); this command explores.
 *
 * A failure prints the seed, the failing tests, fast-check's counterexample and the command that
 * replays it. Keep what it finds: fix the bug and add the case as a fixed regression test.
 * Exit status: 0 when no round failed, 1 when one did, 2 on bad arguments.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

interface Args {
  durationMs: number;
  factor: number;
  seed: number | undefined;
  files: string[];
}

function usage(message: string): never {
  console.error(`fuzz: ${message}\nusage: npm run fuzz -- [--duration 10m] [--factor 10] [--seed N] [test files...]`);
  process.exit(2);
}

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
  if (!m) usage(`--duration must look like 90s, 10m or 2h, got ${JSON.stringify(text)}`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

function parseArgs(argv: string[]): Args {
  const out: Args = { durationMs: 600_000, factor: 10, seed: undefined, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--duration') out.durationMs = parseDuration(value());
    else if (flag === '--factor') {
      out.factor = Number(value());
      if (!(out.factor >= 1)) usage('--factor must be a number >= 1');
    } else if (flag === '--seed') {
      out.seed = Number(value());
      if (!Number.isSafeInteger(out.seed)) usage('--seed must be an integer');
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else out.files.push(a);
  }
  return out;
}

/** Test files (not browser tests) that hold a property: they call fc.assert or fc.check. */
export function propertyFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (relative(root, path) !== join('tests', 'browser')) walk(path);
      } else if (name.endsWith('.test.ts') && /\bfc\.(assert|check)\(/.test(readFileSync(path, 'utf8'))) out.push(relative(root, path));
    }
  };
  walk(join(root, 'tests'));
  return out;
}

interface Failure {
  file: string;
  test: string;
  message: string;
}

/** One round: vitest over the files with this seed; resolves to the failed tests (none: passed). */
function round(files: string[], seed: number, factor: number, deadline: number): Promise<{ failures: Failure[]; interrupted: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'wirelab-fuzz-'));
  const report = join(dir, 'report.json');
  const child = spawn(
    'npx',
    ['vitest', 'run', '--project', 'unit', '--reporter=json', `--outputFile=${report}`, '--testTimeout=0', ...files],
    { env: { ...process.env, WIRELAB_FC_SEED: String(seed), WIRELAB_FC_RUNS_FACTOR: String(factor) }, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let interrupted = false;
  // Stop the round (vitest and its workers: the whole process group) when the time is up.
  const stop = setTimeout(() => {
    interrupted = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  }, Math.max(0, deadline - Date.now()));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(stop);
      const failures: Failure[] = [];
      let parsed: { testResults?: { name: string; message?: string; assertionResults?: { ancestorTitles?: string[]; title: string; status: string; failureMessages?: string[] }[] }[] } | undefined;
      try {
        parsed = JSON.parse(readFileSync(report, 'utf8'));
      } catch {
        parsed = undefined;
      }
      rmSync(dir, { recursive: true, force: true });
      if (interrupted) return resolve({ failures, interrupted });
      for (const file of parsed?.testResults ?? []) {
        const rel = relative(process.cwd(), file.name);
        for (const t of file.assertionResults ?? [])
          if (t.status === 'failed') failures.push({ file: rel, test: [...(t.ancestorTitles ?? []), t.title].join(' > '), message: (t.failureMessages ?? []).join('\n') });
        if ((file.assertionResults ?? []).length === 0 && file.message) failures.push({ file: rel, test: '(the file did not load)', message: file.message });
      }
      if (failures.length === 0 && code !== 0) failures.push({ file: '(vitest)', test: `exit ${code}`, message: stderr.slice(-4000) });
      resolve({ failures, interrupted });
    });
  });
}

/** fast-check's "{ seed: N, path: "..." }" line from a failure message, when there is one. */
function fastCheckPath(message: string): string | undefined {
  return /path: "([^"]*)"/.exec(message)?.[1];
}

/** vitest's -t takes a regular expression: the test's name, matched literally. */
function namePattern(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const files = args.files.length > 0 ? args.files : propertyFiles(process.cwd());
  const started = Date.now();
  const deadline = started + args.durationMs;
  console.log(`fuzz: ${files.length} property files, ${args.factor}x their run counts, for ${Math.round(args.durationMs / 1000)} s`);
  let rounds = 0;
  let failed = 0;
  while (Date.now() < deadline) {
    const seed = args.seed ?? randomInt(0, 2 ** 31);
    const { failures, interrupted } = await round(files, seed, args.factor, deadline);
    if (interrupted) {
      console.log(`fuzz: round with seed ${seed} stopped unfinished at the time limit`);
      break;
    }
    rounds++;
    if (failures.length === 0) console.log(`fuzz: round ${rounds} seed ${seed}: all passed (${Math.round((Date.now() - started) / 1000)} s)`);
    for (const f of failures) {
      failed++;
      const path = fastCheckPath(f.message);
      const env = `WIRELAB_FC_SEED=${seed} WIRELAB_FC_RUNS_FACTOR=${args.factor}${path ? ` WIRELAB_FC_PATH=${path}` : ''}`;
      console.log(`\nFAILED with seed ${seed}: ${f.file} > ${f.test}\n${f.message.split('\n').slice(0, 12).join('\n')}`);
      console.log(`replay: ${env} npx vitest run --project unit ${f.file} -t ${shellQuote(namePattern(f.test))}\n`);
    }
    if (args.seed !== undefined) break; // one given seed: one round
  }
  console.log(`fuzz: ${rounds} rounds, ${failed} failures`);
  process.exit(failed > 0 ? 1 : 0);
}

await main();
