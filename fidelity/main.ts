/**
 * `npm run fidelity` (through fidelity/run.sh, which installs and builds what this needs):
 * checks the emulated link, runs each case of the grid on the real testbed and in the simulator,
 * and prints the side-by-side table. Options:
 *   --full          the whole grid (default: --quick, a subset touching every kind of case)
 *   --runs N        real and simulated runs per case (default 3)
 *   --only TEXT     only the cases whose id contains TEXT (repeatable)
 *   --jobs N        real runs of a case at once, each on its own link (default 3: all runs of a case
 *                   side by side, so they see the same machine; 1 runs them one after another)
 *   --congestion X  Linux congestion control in both namespaces (default: the machine's default)
 *   --write         write the results to docs/FIDELITY.md and the site's "How we know" page
 *   --sim-only      no testbed (no root needed): re-run the simulated side of every case in the last
 *                   report (its runs per case, its congestion control) and print the table with the
 *                   report's real cells; with --write, put it in both files, with a line saying so
 *                   and why (--why TEXT, required then). See ./resim.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { caseMetrics, fidelityGrid } from './cases.ts';
import { renderReport, replaceBetween, type Report } from './report.ts';
import { parseTable, reportSettings, resimNote, resimTable, resimulatedRows, withResimulatedTable } from './resim.ts';
import { runSim } from './sim.ts';
import { buildRows, markdownTable, type Row, type RunMetrics } from './table.ts';
import { runReal, type Env } from './testbed/real.ts';
import { verifyLink } from './testbed/verify.ts';

interface Args {
  scope: 'quick' | 'full';
  runs: number;
  jobs: number;
  only: string[];
  congestion: string | undefined;
  write: boolean;
  simOnly: boolean;
  why: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { scope: 'quick', runs: 3, jobs: 3, only: [], congestion: undefined, write: false, simOnly: false, why: undefined };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--full') a.scope = 'full';
    else if (k === '--quick') a.scope = 'quick';
    else if (k === '--runs') a.runs = Number(v());
    else if (k === '--only') a.only.push(v());
    else if (k === '--jobs') a.jobs = Number(v());
    else if (k === '--congestion') a.congestion = v();
    else if (k === '--write') a.write = true;
    else if (k === '--sim-only') a.simOnly = true;
    else if (k === '--why') a.why = v();
    else throw new Error(`unknown option ${k} (see fidelity/main.ts)`);
  }
  if (!Number.isInteger(a.runs) || a.runs < 1) throw new Error(`--runs must be a whole number >= 1, got ${a.runs}`);
  if (!Number.isInteger(a.jobs) || a.jobs < 1) throw new Error(`--jobs must be a whole number >= 1, got ${a.jobs}`);
  if (a.simOnly && a.write && !a.why?.trim()) throw new Error('--sim-only --write needs --why TEXT: what changed (in the simulator, or in how its runs are shown)');
  return a;
}

const need = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through \`npm run fidelity\` (fidelity/run.sh)`);
  return v;
};

const version = (cmd: string, args: string[], re: RegExp) => {
  try {
    return re.exec(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))?.[1] ?? 'unknown';
  } catch (e) {
    return re.exec(String((e as { stdout?: string }).stdout ?? ''))?.[1] ?? 'unknown';
  }
};

/** --sim-only: the last report's real cells beside a fresh simulated column (./resim.ts). */
function simOnly(args: Args) {
  const docUrl = new URL('../docs/FIDELITY.md', import.meta.url);
  const doc = readFileSync(docUrl, 'utf8');
  const { runs, congestion } = reportSettings(doc);
  const written = parseTable(doc);
  const grid = new Map(fidelityGrid('full').map((c) => [c.id, c]));
  const sims = new Map<string, RunMetrics[]>();
  for (const id of new Set(written.map((w) => w.caseId))) {
    const c = grid.get(id);
    if (!c) throw new Error(`the report names a case the grid no longer has: "${id}"`);
    sims.set(id, Array.from({ length: runs }, (_, i) => runSim(c, i + 1, congestion)));
  }
  const rows = resimulatedRows(written, sims);
  process.stdout.write(`${resimTable(written, rows)}\n\n${rows.length} rows re-simulated, ${runs} runs each, ${congestion}\n`);
  if (args.write) {
    const note = resimNote(new Date().toISOString(), runs, congestion, args.why!);
    writeFileSync(docUrl, withResimulatedTable(doc, written, rows, note));
    const page = new URL('../content/docs/how-we-know.mdx', import.meta.url);
    writeFileSync(page, withResimulatedTable(readFileSync(page, 'utf8'), written, rows, note));
    process.stdout.write('wrote docs/FIDELITY.md and content/docs/how-we-know.mdx\n');
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.simOnly) return simOnly(args);
  if (process.getuid?.() !== 0) throw new Error('the testbed needs root (network namespaces, TUN devices)');
  const congestion = args.congestion ?? readFileSync('/proc/sys/net/ipv4/tcp_congestion_control', 'utf8').trim();
  const env: Env = {
    fwdBin: need('FIDELITY_FWD'),
    workDir: need('FIDELITY_WORK'),
    congestion,
    mosquitto: { '2.0.11': need('FIDELITY_MOSQUITTO_DEBIAN'), '2.0.21': need('FIDELITY_MOSQUITTO_2021') },
    tls: { cert: need('FIDELITY_CERT'), key: need('FIDELITY_KEY') },
  };
  const started = Date.now();
  const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  const loadStart = load();
  const link = await verifyLink(env.fwdBin, env.workDir, congestion);
  const cases = fidelityGrid(args.scope).filter((c) => args.only.length === 0 || args.only.some((o) => c.id.includes(o)));
  if (cases.length === 0) throw new Error(`no case matches --only ${args.only.join(', ')}`);
  const rows: Row[] = [];
  const notes: Record<string, Record<string, (number | string)[]>> = {};
  for (const c of cases) {
    const caseStart = Date.now();
    const real: RunMetrics[] = [];
    const runOne = async (run: number) => {
      try {
        const r = await runReal(c, env, run);
        real.push(r.metrics);
        for (const [k, v] of Object.entries(r.notes)) ((notes[c.id] ??= {})[k] ??= []).push(v);
      } catch (e) {
        process.stderr.write(`${c.id} run ${run}: ${(e as Error).message}\n`);
        ((notes[c.id] ??= {}).failed ??= []).push(`run ${run}: ${(e as Error).message}`);
      }
    };
    for (let first = 1; first <= args.runs; first += args.jobs)
      await Promise.all(Array.from({ length: Math.min(args.jobs, args.runs - first + 1) }, (_, i) => runOne(first + i)));
    const sim = Array.from({ length: args.runs }, (_, i) => runSim(c, i + 1, congestion));
    const caseRows = buildRows(c.id, caseMetrics(c), real, sim);
    rows.push(...caseRows);
    process.stdout.write(`${markdownTable(caseRows).split('\n').slice(2).join('\n')}\n`);
    process.stderr.write(`(${c.id}: ${((Date.now() - caseStart) / 1000).toFixed(0)} s)\n`);
  }
  const minutes = (Date.now() - started) / 60_000;
  const require = createRequire(import.meta.url);
  const report: Report = {
    date: new Date().toISOString(),
    scope: args.scope,
    runs: args.runs,
    jobs: args.jobs,
    minutes,
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    load: { start: loadStart, end: load(), cores: availableParallelism() },
    congestion,
    simCongestion: congestion,
    versions: {
      node: process.version,
      ws: (require('ws/package.json') as { version: string }).version,
      mqtt: (require('mqtt/package.json') as { version: string }).version,
      mosquittoDebian: version(env.mosquitto['2.0.11'], ['-h'], /mosquitto version (\S+)/),
      mosquittoBuilt: version(env.mosquitto['2.0.21'], ['-h'], /mosquitto version (\S+)/),
    },
    link,
    rows,
    notes,
  };
  process.stdout.write(`\n${markdownTable(rows)}\n\n${rows.length} rows, ${args.scope} grid, ${args.runs} runs each, ${minutes.toFixed(1)} min\n`);
  if (args.write) {
    const md = renderReport(report, readFileSync(new URL('./FINDINGS.md', import.meta.url), 'utf8'));
    writeFileSync(new URL('../docs/FIDELITY.md', import.meta.url), md.doc);
    const page = new URL('../content/docs/how-we-know.mdx', import.meta.url);
    writeFileSync(page, replaceBetween(readFileSync(page, 'utf8'), md.table));
    process.stdout.write('wrote docs/FIDELITY.md and content/docs/how-we-know.mdx\n');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`fidelity: ${(e as Error).message}\n`);
  process.exit(1);
});
