/**
 * Per-link metrics: a reducer over trace records, one at a time while a run goes (LinkReducer)
 * or over a whole trace (linkMetrics). One entry per link direction (LinkId
 * `${from}->${to}`), sorted by id so reports do not depend on which link happened to send first.
 *
 * - `segmentsSent` / `bytes`: `link-send` records (packets offered to the link, headers included).
 * - `received`: `link-receive` records; `dropped`: `link-drop` records, also counted per reason in
 *   `dropsByReason` (every reason listed, 0 when none, so exports have fixed columns).
 * - `retransmitted`: `tcp-retransmit` records of the node this link leaves (a retransmission
 *   enters the network on the sender's own link; links into a node report the ones sent there).
 * - `inFlight`: segmentsSent - received - dropped (packets still on the link at the end; the link
 *   model ends every packet in exactly one receive or drop).
 */
import type { DropReason, LinkId, TraceRecord } from '../core/trace.ts';
import { linkSource } from './conn.ts';

export const DROP_REASONS: readonly DropReason[] = [
  'loss',
  'burst-loss',
  'list-loss',
  'outage',
  'queue-full',
  'mtu',
  'idle-timeout',
  'no-route',
];

export interface LinkMetrics {
  link: LinkId;
  segmentsSent: number;
  bytes: number;
  received: number;
  dropped: number;
  dropsByReason: Record<DropReason, number>;
  retransmitted: number;
  inFlight: number;
}

/** The link metrics, reduced one record at a time as a run emits them; `result()` as linkMetrics. */
export class LinkReducer {
  readonly #links = new Map<LinkId, LinkMetrics>();
  readonly #retransmitsByNode = new Map<string, number>();

  #get(link: LinkId): LinkMetrics {
    let m = this.#links.get(link);
    if (!m) {
      m = {
        link,
        segmentsSent: 0,
        bytes: 0,
        received: 0,
        dropped: 0,
        dropsByReason: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
        retransmitted: 0,
        inFlight: 0,
      };
      this.#links.set(link, m);
    }
    return m;
  }

  /** A `link-send` record, by its fields. */
  linkSend(link: LinkId, bytes: number): void {
    const m = this.#get(link);
    m.segmentsSent++;
    m.bytes += bytes;
  }

  /** A `link-receive` record, by its fields. */
  linkReceive(link: LinkId): void {
    this.#get(link).received++;
  }

  add(r: TraceRecord): void {
    if (r.kind === 'link-send') {
      this.linkSend(r.link, r.bytes);
    } else if (r.kind === 'link-receive') {
      this.linkReceive(r.link);
    } else if (r.kind === 'link-drop') {
      const m = this.#get(r.link);
      m.dropped++;
      m.dropsByReason[r.reason] = (m.dropsByReason[r.reason] ?? 0) + 1;
    } else if (r.kind === 'tcp-retransmit') {
      this.#retransmitsByNode.set(r.node, (this.#retransmitsByNode.get(r.node) ?? 0) + 1);
    }
  }

  /** Per-link metrics of every record added so far, sorted by link id (copies: the reducer may go on). */
  result(): LinkMetrics[] {
    const out = [...this.#links.values()]
      .map((m) => ({ ...m, dropsByReason: { ...m.dropsByReason } }))
      .sort((a, b) => (a.link < b.link ? -1 : a.link > b.link ? 1 : 0));
    for (const m of out) {
      m.retransmitted = this.#retransmitsByNode.get(linkSource(m.link)) ?? 0;
      m.inFlight = m.segmentsSent - m.received - m.dropped;
    }
    return out;
  }
}

/** Per-link metrics of a whole trace, sorted by link id. */
export function linkMetrics(records: readonly TraceRecord[]): LinkMetrics[] {
  const reducer = new LinkReducer();
  for (const r of records) reducer.add(r);
  return reducer.result();
}
