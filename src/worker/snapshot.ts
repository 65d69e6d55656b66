/**
 * Turns a finished run (its whole trace) into the snapshot the page receives: metrics computed by
 * simulator/metrics over the whole trace, one row per message, and a bounded slice of the trace.
 *
 * Pure and free of DOM and worker globals, so the Node test that compares a browser run with a
 * CLI run builds its snapshot with exactly this code.
 */
import { TraceStore } from '../../simulator/core/trace-store.ts';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { computeMetrics, type Metrics } from '../../simulator/metrics/index.ts';
import type { MessageRow, RunSnapshot } from './api.ts';

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
}

const MESSAGE_KINDS = ['flow', 'app-send', 'app-deliver', 'app-lost'];

export function makeSnapshot(input: SnapshotInput): RunSnapshot {
  const limit = Math.max(0, input.traceLimit);
  if (input.trace instanceof TraceStore) {
    const store = input.trace;
    return {
      runId: input.runId,
      scenario: input.scenario,
      seed: input.seed,
      appVersion: input.appVersion,
      durationUs: input.durationUs,
      metrics: input.metrics ?? computeMetrics(store.records()),
      messages: messageRows(store.records(MESSAGE_KINDS)),
      trace: store.slice(0, limit),
      traceTotal: store.length,
    };
  }
  return {
    runId: input.runId,
    scenario: input.scenario,
    seed: input.seed,
    appVersion: input.appVersion,
    durationUs: input.durationUs,
    metrics: input.metrics ?? computeMetrics(input.trace),
    messages: messageRows(input.trace),
    trace: input.trace.slice(0, Math.max(0, input.traceLimit)),
    traceTotal: input.trace.length,
  };
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
