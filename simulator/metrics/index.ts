/** Pure reducers from trace records to the metrics the course, the CLI and exports show. */
import type { TraceRecord } from '../core/trace.ts';
import type { FlowMetrics } from './flows.ts';
import { flowMetrics } from './flows.ts';
import type { LinkMetrics } from './links.ts';
import { linkMetrics } from './links.ts';

export type { FlowMetrics } from './flows.ts';
export type { LinkMetrics } from './links.ts';
export type { LatencySummary } from './percentile.ts';
export { flowMetrics } from './flows.ts';
export { linkMetrics, DROP_REASONS } from './links.ts';
export { nearestRank, latencySummary } from './percentile.ts';
export { parseConnId, linkSource } from './conn.ts';

export interface Metrics {
  flows: FlowMetrics[];
  links: LinkMetrics[];
}

/** Flow and link metrics of one run's trace. */
export function computeMetrics(records: readonly TraceRecord[]): Metrics {
  return { flows: flowMetrics(records), links: linkMetrics(records) };
}
