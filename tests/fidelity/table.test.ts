/** fidelity/table.ts: statistics over runs and the side-by-side table, exact values. */
import { describe, expect, it } from 'vitest';
import { buildRows, fmt, markdownTable, percentile, summarize } from '../../fidelity/table.ts';

describe('summarize', () => {
  it('gives the median (middle value, or the mean of the two middle ones), min and max, ignoring missing values', () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    // Sorted 1, 2, 4, 10: the two middle values 2 and 4 average to 3.
    expect(summarize([10, 2, null, 4, 1])).toEqual({ median: 3, min: 1, max: 10, n: 4 });
    expect(summarize([null, null])).toBeUndefined();
    expect(summarize([])).toBeUndefined();
  });
});

describe('percentile', () => {
  it('is the nearest rank, as the simulator computes it', () => {
    // ceil(0.5 * 4) = rank 2 -> 20; ceil(0.95 * 4) = rank 4 -> 40.
    expect(percentile([40, 10, 30, 20], 50)).toBe(20);
    expect(percentile([40, 10, 30, 20], 95)).toBe(40);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('buildRows', () => {
  it('puts the real median and range beside the simulated median, with their ratio and whether it lies in the range', () => {
    const rows = buildRows('case', ['a', 'b', 'c'], [{ a: 100, b: 0, c: null }, { a: 120, b: 2 }, { a: 90, b: 1 }], [{ a: 110, b: 5 }, { a: 130, b: 5 }, { a: 110, b: 5 }]);
    expect(rows[0]).toEqual({ caseId: 'case', metric: 'a', real: { median: 100, min: 90, max: 120, n: 3 }, sim: { median: 110, min: 110, max: 130, n: 3 }, ratio: 1.1, withinSpread: true });
    // Real median 1, simulated 5: ratio 5, outside the real range 0-2.
    expect(rows[1]).toMatchObject({ ratio: 5, withinSpread: false });
    expect(rows[2]).toMatchObject({ real: undefined, ratio: undefined, withinSpread: undefined });
  });

  it('gives no ratio when the real median is 0', () => {
    expect(buildRows('c', ['lost'], [{ lost: 0 }], [{ lost: 3 }])[0]).toMatchObject({ ratio: undefined, withinSpread: false });
  });
});

describe('markdownTable', () => {
  it('names each case once, gives both sides their range, and marks a simulated median outside the real range', () => {
    const rows = buildRows(
      'ws-echo',
      ['p50', 'bytes'],
      [{ p50: 51.4, bytes: 36284 }, { p50: 52, bytes: 36908 }, { p50: 51.5, bytes: 36492 }],
      [{ p50: 50.249, bytes: 36500 }, { p50: 50.3, bytes: 36500 }, { p50: 50.1, bytes: 36500 }],
    );
    expect(markdownTable(rows)).toBe(
      [
        '| case | metric | real: median (min-max) | simulated: median (min-max) | sim / real |',
        '|---|---|---|---|---|',
        // 50.249 / 51.5 = 0.97571 -> 0.976, below the real minimum 51.4: marked. Simulated runs 50.1-50.3.
        '| ws-echo | p50 | 51.5 (51.4-52) | 50.2 (50.1-50.3) | 0.976 * |',
        // 36500 / 36492 = 1.00022 -> 1, inside 36284-36908; three equal simulated runs: no range.
        '|  | bytes | 36492 (36284-36908) | 36500 | 1 |',
      ].join('\n'),
    );
  });

  it('formats to three significant digits without an exponent', () => {
    expect([fmt(0), fmt(0.12345), fmt(1.5), fmt(51.437), fmt(123.6), fmt(36492.4), fmt(-2.345)]).toEqual(['0', '0.123', '1.5', '51.4', '124', '36492', '-2.35']);
  });
});
