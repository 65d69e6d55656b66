/**
 * Per-flow metrics: a reducer over trace records, fed one record at a time while a run goes
 * (FlowReducer) or over a whole trace (flowMetrics); docs/ARCHITECTURE.md, "Metrics".
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
import type { ConnId, FlowDeclared, FlowId, LinkId, NodeId, TraceRecord } from '../core/trace.ts';
import { linkSource, parseConnId } from './conn.ts';
import { CHUNK_MASK, CHUNK_SHIFT, MessagePages, PAGE_MASK, PAGE_SHIFT } from './message-pages.ts';
import type { LatencySummary } from './percentile.ts';
import { latencySummary } from './percentile.ts';

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

/** A connection's bytes on the links leaving its two end nodes (see the file comment). */
export interface ConnBytes {
  conn: ConnId;
  client: NodeId;
  server: NodeId;
  bytes: number;
  counted: boolean;
}

const SENT = 1;
const DELIVERED = 2;
const LOST = 4;

/**
 * What the reducer keeps of one flow. Per message (a slot, in the order its first record came)
 * only a byte of flags (sent, delivered, reported lost) and one double, in rows of the columns
 * every flow shares (./message-pages.ts; 9 bytes a message): its first send's time until its
 * first delivery, its latency in ms from then on (the send time is not needed again, and the
 * percentiles sort the latencies, so where each one sits does not matter). Everything else is folded in as the records come: counts, byte sums,
 * first send, last first-delivery. A delivery whose message was not sent yet (possible in a trace
 * fed out of order, never in a run) waits in `early` until its send comes.
 */
class FlowState {
  /**
   * Message number -> slot; null while every message so far came in order from 0 (slot = msg,
   * the usual case: no map entry per message then).
   */
  slots: Map<number, number> | null = null;
  /** Slots in use. */
  size = 0;
  /**
   * The first row of each page of slots (slot i is row `pages[i >> PAGE_SHIFT] + (i & PAGE_MASK)`
   * of `columns`), whose flags and time (µs of the first send while the message is not
   * delivered; its latency in ms once it is: flags SENT and DELIVERED) are this flow's.
   */
  readonly pages: number[] = [];
  /** First deliveries (time, bytes, deliveries so far) of messages not sent yet, by slot. */
  early: Map<number, { t: number; bytes: number; count: number }> | null = null;
  sent = 0;
  delivered = 0;
  duplicates = 0;
  appBytes = 0;
  deliveredBytes = 0;
  firstSend = Infinity;
  lastDeliver = -Infinity;
  constructor(
    readonly decl: FlowDeclared,
    readonly columns: MessagePages,
  ) {}

  /** Slot `i`'s row in `columns`. */
  #row(i: number): number {
    return this.pages[i >> PAGE_SHIFT]! + (i & PAGE_MASK);
  }

  #flags(row: number): number {
    return this.columns.flags[row >>> CHUNK_SHIFT]![row & CHUNK_MASK]!;
  }

  #setFlags(row: number, flags: number): void {
    this.columns.flags[row >>> CHUNK_SHIFT]![row & CHUNK_MASK] = flags;
  }

  #time(row: number): number {
    return this.columns.times[row >>> CHUNK_SHIFT]![row & CHUNK_MASK]!;
  }

  #setTime(row: number, t: number): void {
    this.columns.times[row >>> CHUNK_SHIFT]![row & CHUNK_MASK] = t;
  }

  slot(msg: number): number {
    const n = this.size;
    if (this.slots === null) {
      if (msg < n && Number.isInteger(msg) && msg >= 0) return msg;
      if (msg !== n) {
        // Out of order: from now on a map (every slot so far is its own message number).
        this.slots = new Map();
        for (let k = 0; k < n; k++) this.slots.set(k, k);
      }
    }
    let i = this.slots === null ? undefined : this.slots.get(msg);
    if (i === undefined) {
      i = n;
      this.slots?.set(msg, i);
      if ((n & PAGE_MASK) === 0) this.pages.push(this.columns.page());
      this.size = n + 1;
    }
    return i;
  }

  send(i: number, t: number, bytes: number): void {
    const row = this.#row(i);
    const flags = this.#flags(row);
    if ((flags & SENT) !== 0) return;
    this.#setFlags(row, flags | SENT);
    this.sent++;
    this.appBytes += bytes;
    this.firstSend = Math.min(this.firstSend, t);
    this.#setTime(row, t);
    const early = (flags & DELIVERED) !== 0 ? this.early?.get(i) : undefined;
    if (early !== undefined) {
      this.early!.delete(i);
      this.#firstDelivery(row, t, early.t, early.bytes);
      this.duplicates += early.count - 1;
    }
  }

  deliver(i: number, t: number, bytes: number): void {
    const row = this.#row(i);
    const flags = this.#flags(row);
    if ((flags & DELIVERED) !== 0) {
      if ((flags & SENT) !== 0) this.duplicates++;
      else this.early!.get(i)!.count++;
      return;
    }
    this.#setFlags(row, flags | DELIVERED);
    if ((flags & SENT) !== 0) this.#firstDelivery(row, this.#time(row), t, bytes);
    else (this.early ??= new Map()).set(i, { t, bytes, count: 1 });
  }

  lost(i: number): void {
    const row = this.#row(i);
    this.#setFlags(row, this.#flags(row) | LOST);
  }

  /** Sent messages reported lost and never delivered. */
  lostCount(): number {
    let lost = 0;
    for (let i = 0; i < this.size; i++) if (this.#flags(this.#row(i)) === (SENT | LOST)) lost++;
    return lost;
  }

  /** The latency of every delivered message (ms), in slot order. */
  latencies(): Float64Array {
    const out = new Float64Array(this.delivered);
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const row = this.#row(i);
      if ((this.#flags(row) & (SENT | DELIVERED)) === (SENT | DELIVERED)) out[n++] = this.#time(row);
    }
    return out;
  }

  #firstDelivery(row: number, sendT: number, deliverT: number, bytes: number): void {
    this.delivered++;
    this.deliveredBytes += bytes;
    this.lastDeliver = Math.max(this.lastDeliver, deliverT);
    this.#setTime(row, (deliverT - sendT) / 1000);
  }
}

/**
 * The flow metrics, reduced one record at a time as a run emits them (`add`), so a run need not
 * keep its trace to be measured; `result()` gives what flowMetrics gives for the same records.
 */
export class FlowReducer {
  readonly #flows = new Map<FlowId, FlowState>();
  /** Every flow's per-message flags and times. */
  readonly #columns = new MessagePages();
  /**
   * Per connection id seen on a `link-send`: its ends (parsed once) and the bytes counted for it
   * (null: not in the runtime's format); one lookup per packet. `#counted` lists those with bytes
   * counted, in the order their first byte was.
   */
  readonly #conns = new Map<ConnId, ConnBytes | null>();
  readonly #counted: ConnBytes[] = [];
  readonly #tcpSendBytes = new Map<ConnId, number>();
  readonly #connRetransmits = new Map<ConnId, number>();
  /** Per link id, its sending node: parsed once, not per record. */
  readonly #linkSources = new Map<LinkId, string>();
  #linkRecordsWithConn = false;

  /** Messages the reducer holds state for (for a memory estimate). */
  messages = 0;

  add(r: TraceRecord): void {
    switch (r.kind) {
      case 'flow':
        if (!this.#flows.has(r.flow)) this.#flows.set(r.flow, new FlowState(r, this.#columns));
        break;
      case 'app-send': {
        const f = this.#flows.get(r.flow);
        if (!f) break;
        f.send(this.#slot(f, r.msg), r.t, r.bytes);
        break;
      }
      case 'app-deliver': {
        const f = this.#flows.get(r.flow);
        if (!f) break;
        f.deliver(this.#slot(f, r.msg), r.t, r.bytes);
        break;
      }
      case 'app-lost': {
        const f = this.#flows.get(r.flow);
        if (f) f.lost(this.#slot(f, r.msg));
        break;
      }
      case 'link-send':
        if (r.conn !== undefined) this.linkSend(r.link, r.bytes, r.conn);
        break;
      case 'tcp-send':
        add(this.#tcpSendBytes, r.conn, r.wireBytes);
        break;
      case 'tcp-retransmit':
        add(this.#connRetransmits, r.conn, 1);
        break;
      default:
        break;
    }
  }

  /** A `link-send` record with a `conn`, by its fields (what `add` does with one). */
  linkSend(link: LinkId, bytes: number, conn: ConnId): void {
    this.linkSendFrom(this.#linkSource(link), bytes, conn);
  }

  /** `linkSend` given the node the link leaves (`linkSource(link)`). */
  linkSendFrom(src: string, bytes: number, conn: ConnId): void {
    const c = this.countsFor(src, conn);
    if (c !== null) this.countBytes(c, bytes);
  }

  /**
   * What `link-send` records of `conn` on a link leaving `src` count into: its byte count, or
   * null when they count nowhere (`conn` not in the runtime's format, or `src` not one of its
   * ends). The same for every such record, so a caller may keep the answer for the next record
   * of that link and connection (./index.ts does) and call `countBytes` with it.
   */
  countsFor(src: string, conn: ConnId): ConnBytes | null {
    this.#linkRecordsWithConn = true;
    let c = this.#conns.get(conn);
    if (c === undefined) {
      const ends = parseConnId(conn);
      this.#conns.set(conn, (c = ends === undefined ? null : { conn, client: ends.client, server: ends.server, bytes: 0, counted: false }));
    }
    return c === null || (src !== c.client && src !== c.server) ? null : c;
  }

  /** Counts `bytes` sent for the connection `c` (from `countsFor`). */
  countBytes(c: ConnBytes, bytes: number): void {
    c.bytes += bytes;
    if (!c.counted) {
      c.counted = true;
      this.#counted.push(c);
    }
  }

  /**
   * Whether `tcp-send` records still matter: only until the first `link-send` with a `conn`
   * (from then on the wire bytes come from link records and `tcp-send` ones are never read).
   */
  get readsTcpSend(): boolean {
    return !this.#linkRecordsWithConn;
  }

  #slot(f: FlowState, msg: number): number {
    const before = f.size;
    const i = f.slot(msg);
    if (f.size > before) this.messages++;
    return i;
  }

  #linkSource(link: LinkId): string {
    let src = this.#linkSources.get(link);
    if (src === undefined) this.#linkSources.set(link, (src = linkSource(link)));
    return src;
  }

  /** Per-flow metrics of every record added so far, in the order the flows were declared. */
  result(): FlowMetrics[] {
    const bytesOfConn = this.#linkRecordsWithConn ? new Map(this.#counted.map((c) => [c.conn, c.bytes])) : this.#tcpSendBytes;
    const connRetransmits = this.#connRetransmits;
    const allConns = new Set<ConnId>([...bytesOfConn.keys(), ...connRetransmits.keys()]);
    const index = indexConnections(allConns);

    const states = [...this.#flows.values()];
    const conns = states.map((f) => flowConnections(f.decl.from, f.decl.to, index));
    const appBytes = states.map((f) => f.appBytes);

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
      const { decl, sent, delivered, duplicates, deliveredBytes, firstSend, lastDeliver } = f;
      const lost = f.lostCount();
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
        latencyMs: latencySummary(f.latencies()),
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
}

/** Per-flow metrics of a whole trace, in the order the flows were declared. */
export function flowMetrics(records: readonly TraceRecord[]): FlowMetrics[] {
  const reducer = new FlowReducer();
  for (const r of records) reducer.add(r);
  return reducer.result();
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
