/**
 * Percentiles by the nearest-rank method: the p-th percentile of n sorted values is the value at
 * rank ceil(p/100 * n) (1-based), so it is always one of the observed values and p100 is the max.
 * Example: for [10, 20, 30, 40], p50 is 20 (rank 2) and p95 is 40 (rank 4).
 */

/** Nearest-rank percentile of `sorted` (ascending); `undefined` for an empty list. */
export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  if (!(p > 0)) return sorted[0];
  const rank = Math.min(sorted.length, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface LatencySummary {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** p50, p95, p99 (nearest rank) and max of `values`; `null` each when there are none. */
export function latencySummary(values: Iterable<number>): LatencySummary {
  const sorted = Array.from(values).sort((a, b) => a - b);
  const at = (p: number) => nearestRank(sorted, p) ?? null;
  return { p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}
