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
import type { ConnId, DropReason, LinkId, TraceRecord } from '../core/trace.ts';
import { linkSource } from './conn.ts';
import type { ConnBytes } from './flows.ts';

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

/** What the reducer keeps of one link: its counts, and its drops by reason once it has one. */
export class LinkState {
  segmentsSent = 0;
  bytes = 0;
  received = 0;
  dropped = 0;
  dropsByReason: Record<DropReason, number> | null = null;
  /** The node this link leaves (its id's `from`). */
  readonly source: string;
  /**
   * For ./index.ts: the connection of this link's last `link-send` with one, and what the flow
   * metrics count its bytes into (./flows.ts FlowReducer.countsFor), kept so the next packet of
   * the same connection on this link needs no lookup by its id.
   */
  lastConn: ConnId | undefined = undefined;
  lastCounts: ConnBytes | null = null;

  constructor(readonly link: LinkId) {
    this.source = linkSource(link);
  }
}

/** Every reason at 0, in DROP_REASONS order. */
function noDrops(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}

/** The link metrics, reduced one record at a time as a run emits them; `result()` as linkMetrics. */
export class LinkReducer {
  readonly #links = new Map<LinkId, LinkState>();
  /** The same states by the links' numbers (core/trace.ts TraceSink.linkPacket's `linkIndex`): no lookup by string per record. */
  readonly #byIndex: (LinkState | undefined)[] = [];
  readonly #retransmitsByNode = new Map<string, number>();

  #get(link: LinkId): LinkState {
    let m = this.#links.get(link);
    if (!m) {
      m = new LinkState(link);
      this.#links.set(link, m);
    }
    return m;
  }

  /** The state of `link`, numbered `index` in its network: found by number, by name only when the number is new or names another link. */
  state(link: LinkId, index: number): LinkState {
    const m = this.#byIndex[index];
    if (m !== undefined && m.link === link) return m;
    return (this.#byIndex[index] = this.#get(link));
  }

  /** A `link-send` record, by its fields (`m` from `state`). */
  linkSend(m: LinkState, bytes: number): void {
    m.segmentsSent++;
    m.bytes += bytes;
  }

  /** A `link-receive` record, by its fields (`m` from `state`). */
  linkReceive(m: LinkState): void {
    m.received++;
  }

  add(r: TraceRecord): void {
    if (r.kind === 'link-send') {
      this.linkSend(this.#get(r.link), r.bytes);
    } else if (r.kind === 'link-receive') {
      this.linkReceive(this.#get(r.link));
    } else if (r.kind === 'link-drop') {
      const m = this.#get(r.link);
      m.dropped++;
      const drops = (m.dropsByReason ??= noDrops());
      drops[r.reason] = (drops[r.reason] ?? 0) + 1;
    } else if (r.kind === 'tcp-retransmit') {
      this.#retransmitsByNode.set(r.node, (this.#retransmitsByNode.get(r.node) ?? 0) + 1);
    }
  }

  /** Per-link metrics of every record added so far, sorted by link id (copies: the reducer may go on). */
  result(): LinkMetrics[] {
    const out = [...this.#links.values()]
      .map((m): LinkMetrics => ({
        link: m.link,
        segmentsSent: m.segmentsSent,
        bytes: m.bytes,
        received: m.received,
        dropped: m.dropped,
        dropsByReason: m.dropsByReason === null ? noDrops() : { ...m.dropsByReason },
        retransmitted: 0,
        inFlight: 0,
      }))
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
