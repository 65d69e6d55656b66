/**
 * Turns a finished run (its whole trace) into the snapshot the page receives: metrics (reduced
 * while the run went, or computed here over the whole trace), one row per message, a bounded slice
 * of the trace, and the whole run's totals; with `rows`, only the first flows and links and some of the messages, spread over the run.
 *
 * Pure and free of DOM and worker globals, so the Node test that compares a browser run with a
 * CLI run builds its snapshot with exactly this code.
 */
import { TraceStore } from '../../simulator/core/trace-store.ts';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { computeMetrics, type Metrics } from '../../simulator/metrics/index.ts';
import { latencySummary } from '../../simulator/metrics/percentile.ts';
import type { MessageRow, RowLimits, RunSnapshot, RunTotals } from './api.ts';

export interface SnapshotInput {
  runId: number;
  scenario: unknown;
  seed: number;
  appVersion: string;
  durationUs: number;
  /** Every record of the run, in emission (time) order: as objects, or as the run's column store. */
  trace: readonly TraceRecord[] | TraceStore;
  /** The metrics when the run reduced them as it went (./runtime.ts); else computed here over `trace`. */
  metrics?: Metrics;
  /** How many records the snapshot ships. */
  traceLimit: number;
  /** How many flows, links and messages it ships (default: all); `totals` counts them all. */
  rows?: RowLimits;
}

const MESSAGE_KINDS = ['flow', 'app-send', 'app-deliver', 'app-lost'];

export function makeSnapshot(input: SnapshotInput): RunSnapshot {
  const limit = Math.max(0, input.traceLimit);
  const store = input.trace instanceof TraceStore ? input.trace : null;
  const records = store ? null : (input.trace as readonly TraceRecord[]);
  const metrics = input.metrics ?? computeMetrics(store ? store.records() : records!);
  const messages = messageRows(store ? store.records(MESSAGE_KINDS) : records!);
  const rows = input.rows ?? {};
  return {
    runId: input.runId,
    scenario: input.scenario,
    seed: input.seed,
    appVersion: input.appVersion,
    durationUs: input.durationUs,
    metrics: { flows: first(metrics.flows, rows.flows), links: first(metrics.links, rows.links) },
    ...spread(messages, rows.messages),
    trace: store ? store.slice(0, limit) : records!.slice(0, limit),
    traceTotal: store ? store.length : records!.length,
    traceDropped: store ? store.dropped : 0,
    totals: runTotals(metrics, messages),
  };
}

function first<T>(list: T[], count: number | undefined): T[] {
  return count === undefined || list.length <= count ? list : list.slice(0, Math.max(0, count));
}

/**
 * At most `count` of the messages, spread over the whole run: every k-th (k the smallest stride
 * that fits, starting with the first), so a chart of them spans the run. The first `count` would
 * all be early: a fleet's 30,000 messages over 3 s are 10,000 a second, and its first 5,000 were
 * sent in the first half second, which drew a chart with nothing after it.
 */
export function spread<T>(list: T[], count: number | undefined): { messages: T[]; messageStride: number } {
  if (count === undefined || list.length <= count) return { messages: list, messageStride: 1 };
  if (count <= 0) return { messages: [], messageStride: list.length };
  const stride = Math.ceil(list.length / count);
  const messages: T[] = [];
  for (let i = 0; i < list.length; i += stride) messages.push(list[i]!);
  return { messages, messageStride: stride };
}

/** The whole run's counts (./api.ts RunTotals): sums over every flow and link, latency over every delivered message. */
export function runTotals(metrics: Metrics, messages: readonly MessageRow[]): RunTotals {
  const totals: RunTotals = {
    flows: metrics.flows.length,
    links: metrics.links.length,
    messages: messages.length,
    sent: 0,
    delivered: 0,
    lost: 0,
    inFlight: 0,
    duplicates: 0,
    lostBy: {},
    packets: 0,
    dropped: 0,
    latencyMs: null,
  };
  for (const f of metrics.flows) {
    totals.sent += f.sent;
    totals.delivered += f.delivered;
    totals.lost += f.lost;
    totals.inFlight += f.inFlight;
    totals.duplicates += f.duplicates;
  }
  for (const l of metrics.links) {
    totals.packets += l.segmentsSent;
    totals.dropped += l.dropped;
  }
  const latencies: number[] = [];
  for (const m of messages) {
    if (m.latencyMs !== null) latencies.push(m.latencyMs);
    if (m.status === 'lost') totals.lostBy[m.lostReason || 'no reason given'] = (totals.lostBy[m.lostReason || 'no reason given'] ?? 0) + 1;
  }
  const { p50, p95, max } = latencySummary(latencies);
  if (p50 !== null && p95 !== null && max !== null) totals.latencyMs = { p50, p95, max };
  return totals;
}

/**
 * One row per application message, with the same rules as the flow metrics
 * (simulator/metrics/flows.ts): the first `app-send` starts the message, the first `app-deliver`
 * delivers it, later ones are duplicates, a delivery wins over an `app-lost`. Rows are in the
 * order the messages were first sent.
 */
export function messageRows(trace: readonly TraceRecord[]): MessageRow[] {
  const rows = new Map<string, MessageRow>();
  const lostReason = new Map<string, string>();
  const sentAt = new Map<string, number>();
  const key = (flow: string, msg: number) => `${flow}\u0000${msg}`;
  for (const r of trace) {
    if (r.kind === 'app-send') {
      const k = key(r.flow, r.msg);
      if (rows.has(k)) continue;
      sentAt.set(k, r.t);
      rows.set(k, {
        flow: r.flow,
        msg: r.msg,
        bytes: r.bytes,
        sentMs: r.t / 1000,
        deliveredMs: null,
        latencyMs: null,
        duplicates: 0,
        status: 'in-flight',
        lostReason: '',
      });
    } else if (r.kind === 'app-deliver') {
      const k = key(r.flow, r.msg);
      const row = rows.get(k);
      if (!row) continue;
      if (row.deliveredMs === null) {
        row.deliveredMs = r.t / 1000;
        row.latencyMs = (r.t - sentAt.get(k)!) / 1000;
        row.status = 'delivered';
      } else {
        row.duplicates++;
      }
    } else if (r.kind === 'app-lost') {
      if (!lostReason.has(key(r.flow, r.msg))) lostReason.set(key(r.flow, r.msg), r.reason);
    }
  }
  for (const [k, reason] of lostReason) {
    const row = rows.get(k);
    if (row && row.status !== 'delivered') {
      row.status = 'lost';
      row.lostReason = reason;
    }
  }
  return [...rows.values()];
}
