/**
 * Reducers from trace records to the metrics the course, the CLI and exports show: fed one record
 * at a time while a run goes (MetricsReducer, a TraceSink), so a run is measured without keeping
 * its trace, or over a whole trace (computeMetrics). Both give the same figures for the same records.
 */
import { BYTES_PER_MESSAGE } from '../core/budget.ts';
import type { Micros } from '../core/time.ts';
import type { ConnId, LinkId, TraceKind, TraceRecord, TraceSink } from '../core/trace.ts';
import type { FlowMetrics } from './flows.ts';
import { FlowReducer } from './flows.ts';
import type { LinkMetrics } from './links.ts';
import { LinkReducer } from './links.ts';

export type { FlowMetrics } from './flows.ts';
export type { LinkMetrics } from './links.ts';
export type { LatencySummary } from './percentile.ts';
export { flowMetrics, FlowReducer } from './flows.ts';
export { linkMetrics, LinkReducer, DROP_REASONS } from './links.ts';
export { nearestRank, latencySummary } from './percentile.ts';
export { parseConnId, linkSource } from './conn.ts';

/** What FlowReducer and LinkReducer read (`tcp-send` too, while no link record names a connection). */
const READ_KINDS: ReadonlySet<TraceKind> = new Set<TraceKind>(['link-send', 'link-receive', 'link-drop', 'tcp-retransmit', 'flow', 'app-send', 'app-deliver', 'app-lost']);

export interface Metrics {
  flows: FlowMetrics[];
  links: LinkMetrics[];
}

/** Flow and link metrics, reduced record by record as they are emitted. */
export class MetricsReducer implements TraceSink {
  readonly #flows = new FlowReducer();
  readonly #links = new LinkReducer();

  emit(record: TraceRecord): void {
    this.#flows.add(record);
    this.#links.add(record);
  }

  /** The kinds the figures are made of; the rest (TCP states, MQTT and WebSocket packets, notes...) need not be built. */
  reads(kind: TraceKind): boolean {
    return kind === 'tcp-send' ? this.#flows.readsTcpSend : READ_KINDS.has(kind);
  }

  /** `emit` of a link-send or link-receive record, from its fields (core/trace.ts TraceSink.linkPacket). */
  linkPacket(_t: Micros, kind: 'link-send' | 'link-receive', link: LinkId, linkIndex: number, _packet: number, bytes: number, conn: ConnId | undefined): void {
    // The link's state by its number, for both reducers: it knows the node the link leaves, and
    // the last connection sent on it (a device's links carry one connection: no lookup by its id).
    const m = this.#links.state(link, linkIndex);
    if (kind === 'link-send') {
      this.#links.linkSend(m, bytes);
      if (conn === undefined) return;
      let counts = m.lastCounts;
      if (m.lastConn !== conn) {
        counts = m.lastCounts = this.#flows.countsFor(m.source, conn);
        m.lastConn = conn;
      }
      if (counts !== null) this.#flows.countBytes(counts, bytes);
    } else {
      this.#links.linkReceive(m);
    }
  }

  /** Bytes the reducer holds (its state per message), for the memory budget. */
  get heldBytes(): number {
    return this.#flows.messages * BYTES_PER_MESSAGE;
  }

  /** The metrics of every record emitted so far. */
  result(): Metrics {
    return { flows: this.#flows.result(), links: this.#links.result() };
  }
}

/** Flow and link metrics of one run's whole trace. */
export function computeMetrics(records: readonly TraceRecord[]): Metrics {
  const reducer = new MetricsReducer();
  for (const r of records) reducer.emit(r);
  return reducer.result();
}
