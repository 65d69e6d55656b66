/**
 * Statistics over runs and the side-by-side table (real testbed vs simulator). Pure.
 *
 * A row is one metric of one case: the real runs' median and their spread (min-max), the
 * simulated runs' median and spread over their seeds, and the ratio of the medians, simulated /
 * real. Both spreads are shown: a count that swings from run to run (messages lost at 20 % loss)
 * can only be compared as two ranges, never as two medians of three runs. A metric a side could not measure is
 * `null` in that run; runs without a value are left out of that side's statistics.
 */
import { nearestRank } from '../simulator/metrics/percentile.ts';

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median (mean of the two middle values for an even count), min, max; undefined for no values. */
export function summarize(values: readonly (number | null)[]): Summary | undefined {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v[v.length - 1]!, n: v.length };
}

/** Nearest-rank percentile, the simulator's own (so real and simulated latencies are summarised alike); null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  return nearestRank([...values].sort((a, b) => a - b), p) ?? null;
}

export interface Row {
  caseId: string;
  metric: string;
  real: Summary | undefined;
  sim: Summary | undefined;
  /** sim median / real median; undefined when either is missing or the real median is 0. */
  ratio: number | undefined;
  /** The simulated median lies within the real runs' min-max. */
  withinSpread: boolean | undefined;
}

export type RunMetrics = Record<string, number | null>;

export function buildRows(caseId: string, metrics: readonly string[], real: readonly RunMetrics[], sim: readonly RunMetrics[]): Row[] {
  return metrics.map((metric) => {
    const r = summarize(real.map((m) => m[metric] ?? null));
    const s = summarize(sim.map((m) => m[metric] ?? null));
    const ratio = r && s && r.median !== 0 ? s.median / r.median : undefined;
    const withinSpread = r && s ? s.median >= r.min && s.median <= r.max : undefined;
    return { caseId, metric, real: r, sim: s, ratio, withinSpread };
  });
}

/** Three significant digits at most, no exponent, trailing zeros dropped. */
export function fmt(x: number): string {
  if (x === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return String(Number(x.toFixed(Math.min(digits, 3))));
}

/** A side's cell: `n/a`, `12.5` (every run alike) or `12.5 (10-14)`. */
export const summaryCell = (s: Summary | undefined) => (s ? (s.min === s.max ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}-${fmt(s.max)})`) : 'n/a');

/** The table's header row. */
export const TABLE_HEAD = '| case | metric | real: median (min-max) | simulated: median (min-max) | sim / real |';

/** The table as Markdown: case, metric, real and simulated median (min-max over the runs), ratio of the medians. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [TABLE_HEAD, '|---|---|---|---|---|'];
  let last = '';
  for (const row of rows) {
    const name = row.caseId === last ? '' : row.caseId;
    last = row.caseId;
    const ratio = row.ratio === undefined ? '' : `${fmt(row.ratio)}${row.withinSpread ? '' : ' *'}`;
    lines.push(`| ${name} | ${row.metric} | ${summaryCell(row.real)} | ${summaryCell(row.sim)} | ${ratio} |`);
  }
  return lines.join('\n');
}
