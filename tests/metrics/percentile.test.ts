import { describe, expect, it } from 'vitest';
import { latencySummary, nearestRank } from '../../simulator/metrics/percentile.ts';

describe('nearest-rank percentiles', () => {
  it('picks the value at rank ceil(p/100 * n)', () => {
    const sorted = [10, 20, 30, 40];
    expect(nearestRank(sorted, 50)).toBe(20);
    expect(nearestRank(sorted, 51)).toBe(30);
    expect(nearestRank(sorted, 95)).toBe(40);
    expect(nearestRank(sorted, 25)).toBe(10);
    expect(nearestRank(sorted, 100)).toBe(40);
    expect(nearestRank(sorted, 0)).toBe(10);
    expect(nearestRank([], 50)).toBeUndefined();
  });

  it('summarises 1..100 as p50 50, p95 95, p99 99, max 100, whatever the input order', () => {
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    expect(latencySummary(values)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('gives nulls when there is nothing to summarise, and the one value when there is one', () => {
    expect(latencySummary([])).toEqual({ p50: null, p95: null, p99: null, max: null });
    expect(latencySummary([7.5])).toEqual({ p50: 7.5, p95: 7.5, p99: 7.5, max: 7.5 });
  });

  it('sorts numerically, not as strings', () => {
    expect(latencySummary([9, 10, 100, 2])).toEqual({ p50: 9, p95: 100, p99: 100, max: 100 });
  });
});
