/**
 * The result of one run as the CLI writes it, `wirelab/result@1`, and its CSV tables.
 *
 * JSON: `{ schema, scenario, seed, flows, links }` (flows and links from simulator/metrics),
 * pretty-printed with two spaces and a final newline. CSV (RFC 4180, through d3-dsv): one row per
 * flow with the fixed columns FLOW_COLUMNS (empty cells where a flow has no value, e.g. `topic`
 * of a TCP flow, latency when nothing was delivered), and one row per trace record with
 * TRACE_COLUMNS (then any other field, sorted by name). `t` in the trace is in microseconds.
 */
import { csvFormat, csvFormatBody, csvFormatRows } from 'd3-dsv';
import type { TraceRecord } from '../core/trace.ts';
import type { FlowMetrics, Metrics } from '../metrics/index.ts';
import type { Scenario } from '../scenarios/schema.ts';

export const RESULT_SCHEMA_ID = 'wirelab/result@1';

export interface RunReport extends Metrics {
  schema: typeof RESULT_SCHEMA_ID;
  scenario: Scenario;
  seed: number;
}

export function resultJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export const FLOW_COLUMNS = [
  'flow',
  'protocol',
  'from',
  'to',
  'topic',
  'qos',
  'sent',
  'delivered',
  'duplicates',
  'lost',
  'inFlight',
  'latencyP50Ms',
  'latencyP95Ms',
  'latencyP99Ms',
  'latencyMaxMs',
  'appBytes',
  'deliveredBytes',
  'wireBytes',
  'retransmissions',
  'goodputKbps',
  'completionS',
] as const;

type Cell = string | number | boolean | null | undefined;

/** A flow as a flat row keyed by FLOW_COLUMNS. */
export function flowRow(f: FlowMetrics): Record<(typeof FLOW_COLUMNS)[number], Cell> {
  return {
    flow: f.flow,
    protocol: f.protocol,
    from: f.from,
    to: f.to,
    topic: f.topic,
    qos: f.qos,
    sent: f.sent,
    delivered: f.delivered,
    duplicates: f.duplicates,
    lost: f.lost,
    inFlight: f.inFlight,
    latencyP50Ms: f.latencyMs.p50,
    latencyP95Ms: f.latencyMs.p95,
    latencyP99Ms: f.latencyMs.p99,
    latencyMaxMs: f.latencyMs.max,
    appBytes: f.appBytes,
    deliveredBytes: f.deliveredBytes,
    wireBytes: f.wireBytes,
    retransmissions: f.retransmissions,
    goodputKbps: f.goodputKbps,
    completionS: f.completionS,
  };
}

/** d3-dsv writes null/undefined as empty cells; everything else through String(). */
export function toCsv(rows: readonly Record<string, Cell>[], columns: readonly string[]): string {
  return `${csvFormat(cleanRows(rows, columns), [...columns])}\n`;
}

/**
 * The same CSV in parts: `csvHeader(columns)`, then each part's `csvBody(rows, columns)`, joined
 * by `joinCsv`, gives exactly `toCsv` of all the rows (d3-dsv formats each row on its own), so
 * a sweep can format its runs wherever they ran and put them together later.
 */
export function csvHeader(columns: readonly string[]): string {
  return csvFormatRows([[...columns]]);
}

export function csvBody(rows: readonly Record<string, Cell>[], columns: readonly string[]): string {
  return csvFormatBody(cleanRows(rows, columns), [...columns]);
}

export function joinCsv(header: string, bodies: readonly string[]): string {
  return `${[header, ...bodies.filter((b) => b !== '')].join('\n')}\n`;
}

function cleanRows(rows: readonly Record<string, Cell>[], columns: readonly string[]): Record<string, string>[] {
  return rows.map((row) => {
    const out: Record<string, string> = {};
    for (const c of columns) out[c] = row[c] === undefined || row[c] === null ? '' : String(row[c]);
    return out;
  });
}

export function flowsCsv(flows: readonly FlowMetrics[]): string {
  return toCsv(flows.map(flowRow), FLOW_COLUMNS);
}

export const TRACE_COLUMNS = [
  't', 'kind', 'node', 'link', 'conn', 'flow', 'packet', 'msg', 'bytes', 'reason',
  'from', 'to', 'seq', 'ack', 'flags', 'payloadBytes', 'wireBytes', 'retransmission', 'cause', 'rtoUs',
  'dir', 'opcode', 'fin', 'masked', 'frameBytes', 'closeCode',
  'type', 'qos', 'packetId', 'dup', 'retain', 'topic', 'reasonCode',
  'event', 'detail', 'code', 'clientId', 'protocol', 'duplicate', 'text',
] as const;

export function traceCsv(records: readonly TraceRecord[]): string {
  const known = new Set<string>(TRACE_COLUMNS);
  const extra = new Set<string>();
  for (const r of records) for (const key of Object.keys(r)) if (!known.has(key)) extra.add(key);
  const columns = [...TRACE_COLUMNS, ...[...extra].sort()];
  return toCsv(records as unknown as Record<string, Cell>[], columns);
}
