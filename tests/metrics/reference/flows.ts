// The whole-trace reducer as it was before metrics were reduced while the run goes (simulator/metrics/flows.ts at ed5cd39,
// unchanged but for import paths): the reference tests/metrics/streamed.test.ts holds the streamed metrics to.
/**
 * Per-flow metrics: a pure reducer from trace records (docs/ARCHITECTURE.md, "Metrics").
 *
 * Counting rules, per flow, over distinct message numbers `msg`:
 * - `sent`: messages with an `app-send` record.
 * - `delivered`: sent messages with at least one `app-deliver`; `duplicates`: every further
 *   `app-deliver` of a message already delivered (whatever its `duplicate` flag says).
 * - `lost`: sent messages with an `app-lost` record and no delivery (a delivery wins: the message
 *   did arrive). `inFlight`: the rest. So sent = delivered + lost + inFlight by construction.
 *   Deliveries or losses of a message never sent are ignored.
 * - Latency: first `app-deliver` minus first `app-send` of each delivered message, in ms;
 *   p50/p95/p99 by nearest rank (./percentile.ts), `null` when nothing was delivered.
 * - `appBytes`: the `bytes` of each sent message (first `app-send`), summed;
 *   `deliveredBytes`: the same over delivered messages.
 *
 * Wire bytes. A flow's connections are the connections joining its `from` and `to` nodes; when
 * there are none (MQTT: publisher and subscriber each talk to the broker), the connections
 * `from`-R and R-`to` for every relay node R that has both. A connection's bytes are the `bytes`
 * of its `link-send` records on links leaving one of its two end nodes (each transmission counted
 * once, at the link it enters the network on: handshake, data, ACKs, retransmissions, FIN, in both
 * directions, dropped or not). When the trace has no `link-send` record with a `conn` at all (an
 * engine test without links), the `wireBytes` of `tcp-send` records are used instead. A connection
 * shared by several flows (an MQTT client publishing on several topics, a subscriber receiving
 * several publishers) is split between them in proportion to their `appBytes` (equally if all are
 * 0); `wireBytes` is that sum rounded to a whole byte. Connections carrying no flow are in the
 * link metrics only.
 *
 * `retransmissions`: `tcp-retransmit` records on the flow's connections (not split: a shared
 * connection's retransmissions count for each of its flows).
 *
 * TCP flows also get `completionS` (last first-delivery minus first send, in seconds, when every
 * sent message was delivered; else `null`) and `goodputKbps` (delivered bytes x 8 / 1000 over the
 * time from the first send to the last first-delivery; `null` when nothing was delivered).
 */
import type { ConnId, FlowDeclared, FlowId, NodeId, TraceRecord } from '../../../simulator/core/trace.ts';
import { linkSource, parseConnId } from '../../../simulator/metrics/conn.ts';
import type { LatencySummary } from '../../../simulator/metrics/percentile.ts';
import { latencySummary } from '../../../simulator/metrics/percentile.ts';

export interface FlowMetrics {
  flow: FlowId;
  protocol: FlowDeclared['protocol'];
  from: NodeId;
  to: NodeId;
  topic?: string;
  qos?: number;
  sent: number;
  delivered: number;
  duplicates: number;
  lost: number;
  inFlight: number;
  latencyMs: LatencySummary;
  appBytes: number;
  deliveredBytes: number;
  wireBytes: number;
  retransmissions: number;
  /** TCP flows only. */
  goodputKbps?: number | null;
  /** TCP flows only. */
  completionS?: number | null;
}

interface FlowState {
  decl: FlowDeclared;
  sendAt: Map<number, { t: number; bytes: number }>;
  firstDeliver: Map<number, { t: number; bytes: number; count: number }>;
  lostMsgs: Set<number>;
}

/** Per-flow metrics, in the order the flows were declared. */
export function flowMetrics(records: readonly TraceRecord[]): FlowMetrics[] {
  const flows = new Map<FlowId, FlowState>();
  const connBytes = new Map<ConnId, number>();
  const tcpSendBytes = new Map<ConnId, number>();
  const connRetransmits = new Map<ConnId, number>();
  let linkRecordsWithConn = false;

  for (const r of records) {
    switch (r.kind) {
      case 'flow':
        if (!flows.has(r.flow))
          flows.set(r.flow, { decl: r, sendAt: new Map(), firstDeliver: new Map(), lostMsgs: new Set() });
        break;
      case 'app-send': {
        const f = flows.get(r.flow);
        if (f && !f.sendAt.has(r.msg)) f.sendAt.set(r.msg, { t: r.t, bytes: r.bytes });
        break;
      }
      case 'app-deliver': {
        const f = flows.get(r.flow);
        if (!f) break;
        const first = f.firstDeliver.get(r.msg);
        if (first) first.count++;
        else f.firstDeliver.set(r.msg, { t: r.t, bytes: r.bytes, count: 1 });
        break;
      }
      case 'app-lost':
        flows.get(r.flow)?.lostMsgs.add(r.msg);
        break;
      case 'link-send':
        if (r.conn !== undefined) {
          linkRecordsWithConn = true;
          const ends = parseConnId(r.conn);
          const src = linkSource(r.link);
          if (ends && (src === ends.client || src === ends.server)) add(connBytes, r.conn, r.bytes);
        }
        break;
      case 'tcp-send':
        add(tcpSendBytes, r.conn, r.wireBytes);
        break;
      case 'tcp-retransmit':
        add(connRetransmits, r.conn, 1);
        break;
      default:
        break;
    }
  }

  const bytesOfConn = linkRecordsWithConn ? connBytes : tcpSendBytes;
  const allConns = new Set<ConnId>([...bytesOfConn.keys(), ...connRetransmits.keys()]);
  const index = indexConnections(allConns);

  const states = [...flows.values()];
  const conns = states.map((f) => flowConnections(f.decl.from, f.decl.to, index));
  const appBytes = states.map((f) => sum([...f.sendAt.values()].map((s) => s.bytes)));

  // Split each connection's bytes between the flows that use it, by their application bytes.
  const users = new Map<ConnId, number[]>();
  conns.forEach((list, i) => list.forEach((c) => (users.get(c) ?? users.set(c, []).get(c)!).push(i)));
  const wire = states.map(() => 0);
  for (const [conn, flowIdx] of users) {
    const bytes = bytesOfConn.get(conn) ?? 0;
    const weight = sum(flowIdx.map((i) => appBytes[i]!));
    for (const i of flowIdx) wire[i]! += weight > 0 ? (bytes * appBytes[i]!) / weight : bytes / flowIdx.length;
  }

  return states.map((f, i) => {
    const { decl } = f;
    let delivered = 0;
    let deliveredBytes = 0;
    let lost = 0;
    let duplicates = 0;
    let lastDeliver = -Infinity;
    let firstSend = Infinity;
    const latencies: number[] = [];
    for (const [msg, send] of f.sendAt) {
      firstSend = Math.min(firstSend, send.t);
      const d = f.firstDeliver.get(msg);
      if (d) {
        delivered++;
        duplicates += d.count - 1;
        deliveredBytes += d.bytes;
        lastDeliver = Math.max(lastDeliver, d.t);
        latencies.push((d.t - send.t) / 1000);
      } else if (f.lostMsgs.has(msg)) {
        lost++;
      }
    }
    const sent = f.sendAt.size;
    const out: FlowMetrics = {
      flow: decl.flow,
      protocol: decl.protocol,
      from: decl.from,
      to: decl.to,
      ...(decl.topic !== undefined ? { topic: decl.topic } : {}),
      ...(decl.qos !== undefined ? { qos: decl.qos } : {}),
      sent,
      delivered,
      duplicates,
      lost,
      inFlight: sent - delivered - lost,
      latencyMs: latencySummary(latencies),
      appBytes: appBytes[i]!,
      deliveredBytes,
      wireBytes: Math.round(wire[i]!),
      retransmissions: sum(conns[i]!.map((c) => connRetransmits.get(c) ?? 0)),
    };
    if (decl.protocol === 'tcp') {
      const span = (lastDeliver - firstSend) / 1_000_000;
      out.completionS = sent > 0 && delivered === sent ? span : null;
      out.goodputKbps = delivered > 0 && span > 0 ? (deliveredBytes * 8) / 1000 / span : null;
    }
    return out;
  });
}

interface ConnIndex {
  /** Connections by the unordered pair of their end nodes. */
  pairs: Map<string, ConnId[]>;
  /** The nodes each node has a connection with. */
  peers: Map<NodeId, Set<NodeId>>;
}

function indexConnections(conns: Iterable<ConnId>): ConnIndex {
  const pairs = new Map<string, ConnId[]>();
  const peers = new Map<NodeId, Set<NodeId>>();
  const link = (a: NodeId, b: NodeId) => (peers.get(a) ?? peers.set(a, new Set()).get(a)!).add(b);
  for (const conn of conns) {
    const ends = parseConnId(conn);
    if (!ends) continue;
    const key = pairKey(ends.client, ends.server);
    (pairs.get(key) ?? pairs.set(key, []).get(key)!).push(conn);
    link(ends.client, ends.server);
    link(ends.server, ends.client);
  }
  return { pairs, peers };
}

function pairKey(a: NodeId, b: NodeId): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** The rule in the file comment: direct connections, else connections through relay nodes. */
function flowConnections(from: NodeId, to: NodeId, { pairs, peers }: ConnIndex): ConnId[] {
  const direct = pairs.get(pairKey(from, to));
  if (direct) return direct;
  const toPeers = peers.get(to) ?? new Set<NodeId>();
  const out: ConnId[] = [];
  for (const relay of [...(peers.get(from) ?? [])].sort()) {
    if (!toPeers.has(relay)) continue;
    out.push(...pairs.get(pairKey(from, relay))!, ...pairs.get(pairKey(relay, to))!);
  }
  return out;
}

function add<K>(map: Map<K, number>, key: K, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
