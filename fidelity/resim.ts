/**
 * `npm run fidelity -- --sim-only`: when the simulator changes between testbed runs, its column of
 * the last report can be brought up to date without the real stacks (which need an idle machine
 * and root). The real cells stay exactly as measured; the simulated cells, the ratios and the
 * "outside the real range" marks are recomputed, and a line above the table says so. Pure: the
 * runs are passed in.
 */
import { markdownTable, summarize, TABLE_HEAD, type Row, type RunMetrics, type Summary } from './table.ts';

/** One row of a written table, with its real cell read back. */
export interface WrittenRow {
  caseId: string;
  metric: string;
  /** Read back from the cell, so rounded as written: the "outside the range" mark is judged on that. */
  real: Summary | undefined;
  /** The cell as written, kept verbatim (rounding hides a spread: "152 (152-152)"). */
  realText: string;
}

/** The header of reports written before the simulated column had a range (read, then rewritten with TABLE_HEAD). */
const OLD_TABLE_HEAD = '| case | metric | real: median (min-max) | simulated | sim / real |';
export const RESIM_NOTE = 'Simulated column re-run';

/**
 * A cell as `markdownTable` writes either side (table.ts summaryCell): `n/a`, `12.5` or
 * `12.5 (10-14)`. `n` is not written, so it is 0. The site's `<Testbed>` reads cells with it too.
 */
export function parseSummaryCell(cell: string): Summary | undefined {
  const text = cell.trim();
  if (text === 'n/a') return undefined;
  const m = /^(-?[\d.]+)(?: \((-?[\d.]+)-(-?[\d.]+)\))?$/.exec(text);
  if (!m) throw new Error(`not a report cell: "${cell}"`);
  const median = Number(m[1]);
  return { median, min: m[2] === undefined ? median : Number(m[2]), max: m[3] === undefined ? median : Number(m[3]), n: 0 };
}

/** The rows of the first side-by-side table in `doc`, in order. */
export function parseTable(doc: string): WrittenRow[] {
  const lines = doc.split('\n');
  const start = tableStart(lines);
  const out: WrittenRow[] = [];
  let caseId = '';
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 5) throw new Error(`a table row without 5 cells: "${line}"`);
    if (cells[0]) caseId = cells[0];
    out.push({ caseId, metric: cells[1]!, real: parseSummaryCell(cells[2]!), realText: cells[2]! });
  }
  return out;
}

function tableStart(lines: readonly string[]): number {
  const start = lines.findIndex((line) => line === TABLE_HEAD || line === OLD_TABLE_HEAD);
  if (start < 0) throw new Error('no side-by-side table (its header row is missing)');
  return start;
}

/** The written rows with the simulated runs of each case (by case id) in place of the old ones. */
export function resimulatedRows(written: readonly WrittenRow[], sims: ReadonlyMap<string, readonly RunMetrics[]>): Row[] {
  return written.map(({ caseId, metric, real }) => {
    const runs = sims.get(caseId);
    if (!runs) throw new Error(`no simulated runs for case "${caseId}"`);
    const sim = summarize(runs.map((m) => m[metric] ?? null));
    const ratio = real && sim && real.median !== 0 ? sim.median / real.median : undefined;
    const withinSpread = real && sim ? sim.median >= real.min && sim.median <= real.max : undefined;
    return { caseId, metric, real, sim, ratio, withinSpread };
  });
}

/** The report's runs per case and the simulator's congestion control, from its header line. */
export function reportSettings(doc: string): { runs: number; congestion: string } {
  const runs = /, (\d+) runs per case,/.exec(doc)?.[1];
  const congestion = /\(simulator: ([\w-]+)\)/.exec(doc)?.[1];
  if (runs === undefined || congestion === undefined) throw new Error('the report has no "N runs per case" or "(simulator: X)" in its header');
  return { runs: Number(runs), congestion };
}

/**
 * `doc` (docs/FIDELITY.md, or the How we know page) with its table replaced by `rows` and, just
 * above it, one line saying when and why the simulated column was re-run (replacing an earlier one).
 */
export function withResimulatedTable(doc: string, written: readonly WrittenRow[], rows: readonly Row[], note: string): string {
  const lines = doc.split('\n');
  const start = tableStart(lines);
  let end = start + 2;
  while (end < lines.length && lines[end]!.startsWith('|')) end++;
  // An earlier note sits just above the table, separated by a blank line.
  let head = start;
  if (head >= 2 && lines[head - 2]!.startsWith(RESIM_NOTE)) head -= 2;
  return [...lines.slice(0, head), note, '', resimTable(written, rows), ...lines.slice(end)].join('\n');
}

/** `markdownTable(rows)` with each real cell as it was written. */
export function resimTable(written: readonly WrittenRow[], rows: readonly Row[]): string {
  if (written.length !== rows.length) throw new Error(`${written.length} written rows against ${rows.length} new ones`);
  const lines = markdownTable(rows).split('\n');
  return lines
    .map((line, i) => {
      if (i < 2) return line;
      const cells = line.split(' | ');
      cells[2] = written[i - 2]!.realText;
      return cells.join(' | ');
    })
    .join('\n');
}

/** The note above a re-run table; `why` says what changed (in the simulator, or in how its runs are shown). */
export function resimNote(date: string, runs: number, congestion: string, why: string): string {
  return `${RESIM_NOTE} ${date.slice(0, 10)} (\`npm run fidelity -- --sim-only --write\`, ${runs} runs per case, ${congestion}): ${why.trim()} The real cells are the run described above.`;
}

