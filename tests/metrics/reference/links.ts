// The whole-trace reducer as it was before metrics were reduced while the run goes (simulator/metrics/links.ts at ed5cd39,
// unchanged but for import paths): the reference tests/metrics/streamed.test.ts holds the streamed metrics to.
/**
 * Per-link metrics: a pure reducer from trace records. One entry per link direction (LinkId
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
import type { DropReason, LinkId, TraceRecord } from '../../../simulator/core/trace.ts';
import { linkSource } from '../../../simulator/metrics/conn.ts';

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

/** Per-link metrics, sorted by link id. */
export function linkMetrics(records: readonly TraceRecord[]): LinkMetrics[] {
  const links = new Map<LinkId, LinkMetrics>();
  const retransmitsByNode = new Map<string, number>();
  const get = (link: LinkId) => {
    let m = links.get(link);
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
      links.set(link, m);
    }
    return m;
  };
  for (const r of records) {
    if (r.kind === 'link-send') {
      const m = get(r.link);
      m.segmentsSent++;
      m.bytes += r.bytes;
    } else if (r.kind === 'link-receive') {
      get(r.link).received++;
    } else if (r.kind === 'link-drop') {
      const m = get(r.link);
      m.dropped++;
      m.dropsByReason[r.reason] = (m.dropsByReason[r.reason] ?? 0) + 1;
    } else if (r.kind === 'tcp-retransmit') {
      retransmitsByNode.set(r.node, (retransmitsByNode.get(r.node) ?? 0) + 1);
    }
  }
  const out = [...links.values()].sort((a, b) => (a.link < b.link ? -1 : a.link > b.link ? 1 : 0));
  for (const m of out) {
    m.retransmitted = retransmitsByNode.get(linkSource(m.link)) ?? 0;
    m.inFlight = m.segmentsSent - m.received - m.dropped;
  }
  return out;
}
