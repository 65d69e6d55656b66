/**
 * Figures measured on the real-stack testbed (`npm run fidelity`), read from the report it writes
 * (docs/FIDELITY.md) when the site is built, so a chapter quotes the last run's numbers without
 * anyone typing them: `<Testbed case="connect mqtts" metric="first message ms" />`. Pure: the
 * report's text in, the figure out; a case or metric the report does not hold is an error that
 * fails the build.
 */
import { parseSummaryCell } from '../../../../fidelity/resim.ts';

export interface TestbedCell {
  /** Median over the runs. */
  median: number;
  /** Smallest and largest run (equal to the median when the report gives no range). */
  min: number;
  max: number;
}

export interface TestbedRun {
  /** "2026-12-06" */
  date: string;
  runsPerCase: number;
  /** /proc/loadavg's 1-minute figure at the start and the end of the run, and the cores. */
  load: { start: number; end: number; cores: number };
}

/** The cells of one row of the report's table, continuation rows found under their case. */
function testbedRow(report: string, caseName: string, metric: string): string[] {
  let current = '';
  for (const line of report.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length < 4) continue;
    if (cells[0] !== '') current = cells[0]!;
    if (current === caseName && cells[1] === metric) return cells;
  }
  throw new Error(`testbed report: no row for case "${caseName}" and metric "${metric}" (docs/FIDELITY.md, written by npm run fidelity -- --write)`);
}

/** Cell `column` of a row ("335" or "335 (334-381)"), read as the report's writer wrote it (fidelity/resim.ts). */
function figure(report: string, caseName: string, metric: string, column: 2 | 3): TestbedCell {
  const text = testbedRow(report, caseName, metric)[column]!;
  const cell = parseSummaryCell(text);
  if (cell === undefined) throw new Error(`testbed report: "${caseName}" / "${metric}" has no ${column === 2 ? 'real' : 'simulated'} figure (found "${text}")`);
  return { median: cell.median, min: cell.min, max: cell.max };
}

/** The real side of one row of the report's table: "| case | metric | 335 (334-381) | ... |". */
export function testbedCell(report: string, caseName: string, metric: string): TestbedCell {
  return figure(report, caseName, metric, 2);
}

/** The simulated side of the same row: the simulator's median and range over the same number of runs (seeds 1, 2, 3...). */
export function testbedSimulated(report: string, caseName: string, metric: string): TestbedCell {
  return figure(report, caseName, metric, 3);
}

/** When the report's run was made, how many runs per case, and how busy the machine was. */
export function testbedRun(report: string): TestbedRun {
  const measured = /Measured (\d{4}-\d{2}-\d{2}) \([^,]+, (\d+) runs? per case/.exec(report);
  const load = /Load average ([\d.]+) at the start and ([\d.]+) at the end on (\d+) cores/.exec(report);
  if (!measured || !load) throw new Error('testbed report: no "Measured ..." or "Load average ..." line (docs/FIDELITY.md)');
  return { date: measured[1]!, runsPerCase: Number(measured[2]), load: { start: Number(load[1]), end: Number(load[2]), cores: Number(load[3]) } };
}

/** "335 ms (334-381)" for a cell and its unit. */
export function testbedText(cell: TestbedCell, unit: string): string {
  const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 1 });
  // A count has no unit: no space after it (the prose's own punctuation follows the figure).
  const median = unit === '' ? n(cell.median) : `${n(cell.median)} ${unit}`;
  return cell.min === cell.max ? median : `${median} (${n(cell.min)}-${n(cell.max)})`;
}
