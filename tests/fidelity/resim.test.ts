/** fidelity/resim.ts: a fresh simulated column beside the last report's real cells (`--sim-only`). */
import { describe, expect, it } from 'vitest';
import { parseSummaryCell, parseTable, reportSettings, resimNote, resimulatedRows, withResimulatedTable } from '../../fidelity/resim.ts';
import { buildRows, markdownTable } from '../../fidelity/table.ts';

// A report as `--write` lays it out: header, blank line, the table, blank line, the footnote.
const rows = [
  ...buildRows('mqtt qos0 defaults loss 0%', ['latency p50 ms', 'lost'], [{ 'latency p50 ms': 60.9, lost: 0 }, { 'latency p50 ms': 94.2, lost: 0 }, { 'latency p50 ms': 99.7, lost: 0 }], [{ 'latency p50 ms': 58.8, lost: 0 }]),
  ...buildRows('probe keepalive 2s qos0 20/s', ['PINGREQs'], [{ PINGREQs: 2 }], [{ PINGREQs: null }]),
];
const report = `Measured 2026-12-06 (full grid, 3 runs per case, 3 at once, 4.1 minutes), Linux x,\ncongestion control bbr in both namespaces (simulator: bbr); Node v22\n\nLink check.\n\n${markdownTable(rows)}\n\n\\* the simulated median lies outside the real runs' range.\n\n## After`;

describe('re-simulating the last report', () => {
  it('reads back what markdownTable wrote: each real cell, under its case', () => {
    expect(parseSummaryCell('94.2 (60.9-99.7)')).toEqual({ median: 94.2, min: 60.9, max: 99.7, n: 0 });
    expect(parseSummaryCell('0')).toEqual({ median: 0, min: 0, max: 0, n: 0 });
    expect(parseSummaryCell('n/a')).toBeUndefined();
    expect(() => parseSummaryCell('fast')).toThrow('not a report cell: "fast"');
    expect(parseTable(report).map((w) => [w.caseId, w.metric, w.realText])).toEqual([
      ['mqtt qos0 defaults loss 0%', 'latency p50 ms', '94.2 (60.9-99.7)'],
      ['mqtt qos0 defaults loss 0%', 'lost', '0'],
      ['probe keepalive 2s qos0 20/s', 'PINGREQs', '2'],
    ]);
    expect(reportSettings(report)).toEqual({ runs: 3, congestion: 'bbr' });
    expect(() => parseTable('no table')).toThrow(/no side-by-side table/);
  });

  it('reads a report written before the simulated column had a range, and rewrites it with the new header', () => {
    const old = report.replace('| simulated: median (min-max) |', '| simulated |');
    expect(old).not.toBe(report);
    expect(parseTable(old)).toEqual(parseTable(report));
    const fresh = resimulatedRows(parseTable(old), new Map([['mqtt qos0 defaults loss 0%', [{ 'latency p50 ms': 58.8, lost: 0 }]], ['probe keepalive 2s qos0 20/s', [{ PINGREQs: null }]]]));
    expect(withResimulatedTable(old, parseTable(old), fresh, 'N.')).toBe(withResimulatedTable(report, parseTable(report), fresh, 'N.'));
  });

  it('replaces only the simulated cells, their ratios and marks, with a note above that a second run replaces', () => {
    const written = parseTable(report);
    const sims = new Map([
      ['mqtt qos0 defaults loss 0%', [{ 'latency p50 ms': 98.7, lost: 0 }, { 'latency p50 ms': 98.9, lost: 0 }, { 'latency p50 ms': 98.5, lost: 0 }]],
      ['probe keepalive 2s qos0 20/s', [{ PINGREQs: 2 }]],
    ]);
    const fresh = resimulatedRows(written, sims);
    // 98.7 / 94.2 = 1.048, inside 60.9-99.7: no mark. 58.8 was outside.
    expect(fresh.map((r) => [r.sim?.median, r.ratio, r.withinSpread])).toEqual([[98.7, 98.7 / 94.2, true], [0, undefined, true], [2, 1, true]]);
    const note = resimNote('2026-12-06T12:00:00Z', 3, 'bbr', 'after a simulator change: the engine changed.');
    const once = withResimulatedTable(report, written, fresh, note);
    expect(once).toContain(`Link check.\n\n${note}\n\n| case | metric |`);
    // The simulated cell has its runs' range now; the real one is kept as written.
    expect(once).toContain('| case | metric | real: median (min-max) | simulated: median (min-max) | sim / real |');
    expect(once).toContain('| mqtt qos0 defaults loss 0% | latency p50 ms | 94.2 (60.9-99.7) | 98.7 (98.5-98.9) | 1.05 |');
    expect(once).toContain('| probe keepalive 2s qos0 20/s | PINGREQs | 2 | 2 | 1 |');
    expect(once.endsWith("\n\n\\* the simulated median lies outside the real runs' range.\n\n## After")).toBe(true);
    expect(note).toBe("Simulated column re-run 2026-12-06 (`npm run fidelity -- --sim-only --write`, 3 runs per case, bbr): after a simulator change: the engine changed. The real cells are the run described above.");
    // Run again: the same text, one note.
    expect(withResimulatedTable(once, parseTable(once), fresh, note)).toBe(once);
    expect(() => resimulatedRows(written, new Map())).toThrow('no simulated runs for case "mqtt qos0 defaults loss 0%"');
  });
});
