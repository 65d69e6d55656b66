/**
 * A node's TCP stack: ports, listeners and the demultiplexer. Addresses are node ids; a
 * connection is found by (local port, remote node, remote port). A SYN to a listening port makes
 * a new connection; any other segment that finds nobody is answered with a RST, as a real stack
 * does (RFC 9293 3.5.2), unless it is itself a RST. Nothing is answered for a node that does not
 * exist: the network drops such packets with reason 'no-route' (there is no ICMP here).
 *
 * Ephemeral ports count up from 49152 (the IANA dynamic range, RFC 6335 section 6) in the order
 * connections are opened, so a run's connection ids are stable.
 */
import type { Rng } from '../core/rng.ts';
import type { Scheduler } from '../core/scheduler.ts';
import type { ConnId, NodeId, TraceSink } from '../core/trace.ts';
import type { Link, Packet } from '../net/link.ts';
import type { StarNetwork } from '../net/network.ts';
import type { TcpOptions, TcpSegment } from '../protocols/tcp/api.ts';
import { TcpConnection, resetFor } from '../protocols/tcp/connection.ts';
import { type ConnectionDeps, type ConnectionPairs, RuntimeConnection } from './connection.ts';

export const FIRST_EPHEMERAL_PORT = 49152;
const LAST_PORT = 65535;

/** `${clientNode}:${clientPort}-${serverNode}:${serverPort}` (see core/trace.ts ConnId). */
export function connId(clientNode: NodeId, clientPort: number, serverNode: NodeId, serverPort: number): ConnId {
  return `${clientNode}:${clientPort}-${serverNode}:${serverPort}`;
}

interface Listener {
  onAccept: (conn: RuntimeConnection) => void;
  options: Partial<TcpOptions> | undefined;
}

export interface HostDeps {
  scheduler: Scheduler;
  trace: TraceSink;
  network: StarNetwork;
  /** Initial sequence numbers (RFC 6528 asks for unpredictable ones; here a seeded stream). */
  issRng: Rng;
  /** The run's pairing of connection ends, shared by every host (for `onSettled`). */
  pairs?: ConnectionPairs;
  /** The node's uplink (its StarNetwork attachment's `up`), when the caller has it: the host sends on it, not through `network.send` (which finds it by name). */
  uplink?: Link;
}

/** A node's host is also what each of its connections needs (ConnectionDeps): no object or closures per connection or per host for it. */
export class Host implements ConnectionDeps {
  readonly #connections = new ConnectionTable();
  /** Listening ports (made with the first listener: most nodes of a fleet never listen). */
  #listeners: Map<number, Listener> | undefined;
  #nextPort = FIRST_EPHEMERAL_PORT;
  /** The node failed with `power`: it neither sends nor answers anything more. */
  #silent = false;
  readonly scheduler: Scheduler;
  readonly trace: TraceSink;
  readonly pairs: ConnectionPairs | undefined;

  constructor(
    readonly node: NodeId,
    readonly deps: HostDeps,
  ) {
    this.scheduler = deps.scheduler;
    this.trace = deps.trace;
    this.pairs = deps.pairs;
  }

  /** For a connection (ConnectionDeps): one shape for every packet (`done` present, maybe undefined), so the link code sees one kind of object. */
  transmit(seg: TcpSegment, conn: RuntimeConnection, done?: () => void): void {
    this.#send({ src: this.node, dst: conn.remoteNode, bytes: seg.wireBytes, conn: conn.id, payload: seg, done });
  }

  /** StarNetwork.send from this node: straight onto its uplink when the host was given it (no lookup by name per packet). */
  #send(packet: Packet): void {
    const up = this.deps.uplink;
    if (up === undefined) this.deps.network.send(packet);
    else up.send(packet);
  }

  /** For a connection (ConnectionDeps): its engine is CLOSED for good, the demultiplexer forgets it. */
  released(conn: RuntimeConnection): void {
    if (this.#connections.get(conn.localPort, conn.remoteNode, conn.remotePort) === conn) this.#connections.delete(conn.localPort, conn.remoteNode, conn.remotePort);
  }

  /** Connections currently known to the demultiplexer. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** The connections the demultiplexer knows now (read-only use: accounting views). */
  connections(): IterableIterator<RuntimeConnection> {
    return this.#connections.values();
  }

  listen(port: number, onAccept: (conn: RuntimeConnection) => void, options?: Partial<TcpOptions>): void {
    checkPort(port);
    this.#listeners ??= new Map();
    if (this.#listeners.has(port)) throw new RangeError(`node "${this.node}" already listens on port ${port}`);
    this.#listeners.set(port, { onAccept, options });
  }

  /** Active open from a fresh ephemeral port. Call at the scheduler's current time. */
  connect(remote: NodeId, remotePort: number, options?: Partial<TcpOptions>): RuntimeConnection {
    checkPort(remotePort);
    const localPort = this.#ephemeralPort(remote, remotePort);
    const conn = this.#create(localPort, remote, remotePort, connId(this.node, localPort, remote, remotePort), options, false);
    conn.call((now) => conn.engine.connect(now));
    return conn;
  }

  /**
   * The node fails (scenario `failure`). `crash`: the process dies and its kernel closes every
   * socket (RuntimeConnection.fail) with close(2)'s rules, so data that still arrives is answered
   * with a RST; its listening sockets go too, so a later SYN finds no listener and is refused
   * with a RST (RFC 9293 3.10.7.1). `power`: the host goes silent: nothing is sent or answered.
   */
  fail(kind: 'crash' | 'power'): void {
    this.#listeners?.clear();
    if (kind === 'power') this.#silent = true;
    // A copy: failing a connection may release it from the table.
    for (const conn of [...this.#connections.values()]) {
      // close(2) on every socket: data arriving afterwards resets the connection.
      if (kind === 'crash' && conn.engine instanceof TcpConnection) conn.engine.options.fullClose = true;
      conn.fail(kind);
    }
  }

  /** A packet arrived on this node's downlink. */
  receive(packet: Packet): void {
    if (this.#silent) return;
    const seg = packet.payload as TcpSegment;
    const conn = this.#connections.get(seg.dstPort, packet.src, seg.srcPort);
    if (conn !== undefined) {
      conn.receiveSegment(seg);
      return;
    }
    const listener = this.#listeners?.get(seg.dstPort);
    if (listener !== undefined && seg.flags.syn && !seg.flags.ack && !seg.flags.rst) {
      const id = packet.conn ?? connId(packet.src, seg.srcPort, this.node, seg.dstPort);
      const created = this.#create(seg.dstPort, packet.src, seg.srcPort, id, listener.options, true);
      created.onEstablished = listener.onAccept;
      created.accept(seg);
      return;
    }
    if (seg.flags.rst) return;
    const rst = resetFor(seg);
    if (this.deps.trace.wants?.('tcp-send') !== false) {
      this.deps.trace.emit({
        t: this.deps.scheduler.now, kind: 'tcp-send', node: this.node, conn: packet.conn ?? connId(packet.src, seg.srcPort, this.node, seg.dstPort),
        seq: rst.seq, ack: rst.ack, flags: rst.flags.ack ? 'RST|ACK' : 'RST', payloadBytes: 0, wireBytes: rst.wireBytes, retransmission: false,
      });
    }
    this.#send({ src: this.node, dst: packet.src, bytes: rst.wireBytes, conn: packet.conn, payload: rst });
  }

  #create(localPort: number, remote: NodeId, remotePort: number, id: ConnId, options: Partial<TcpOptions> | undefined, passive: boolean): RuntimeConnection {
    const engine = new TcpConnection({ localPort, remotePort, iss: this.deps.issRng.u32(), options, now: this.deps.scheduler.now });
    const conn = new RuntimeConnection(id, this.node, remote, engine, this);
    this.#connections.set(localPort, remote, remotePort, conn);
    this.deps.pairs?.add(conn, passive);
    return conn;
  }

  #ephemeralPort(remote: NodeId, remotePort: number): number {
    const span = LAST_PORT - FIRST_EPHEMERAL_PORT + 1;
    for (let tries = 0; tries < span; tries++) {
      const port = this.#nextPort;
      this.#nextPort = port === LAST_PORT ? FIRST_EPHEMERAL_PORT : port + 1;
      if (!this.#listeners?.has(port) && this.#connections.get(port, remote, remotePort) === undefined) return port;
    }
    throw new RangeError(`node "${this.node}" has no free ephemeral port left for ${remote}:${remotePort}`);
  }
}

/**
 * Connections by (local port, remote node, remote port): by node, then by the two ports as one
 * number, so the lookup every packet makes builds no string key. Most nodes hold one connection
 * with a given remote node (a fleet's broker: one per device): that one is kept as the node's
 * entry itself, and a map of ports made only for a second. Most nodes also talk to one remote
 * node only (a fleet's device: its broker): the first remote node and its entry are kept in two
 * fields, and a map by node made only for a second node. A node's entry stays where it is when
 * its connections go (null), so the iteration order is that of each remote node's first
 * connection, then of the ports, whatever came and went.
 */
class ConnectionTable {
  /** The first remote node and its entry (undefined: none yet). */
  #firstNode: NodeId | undefined;
  #first: Entry = null;
  /** Every remote node after the first, made with the second. */
  #byRemote: Map<NodeId, Entry> | undefined;
  size = 0;

  #entry(remote: NodeId): Entry | undefined {
    return remote === this.#firstNode ? this.#first : this.#byRemote?.get(remote);
  }

  #setEntry(remote: NodeId, entry: Entry): void {
    if (this.#firstNode === undefined || remote === this.#firstNode) {
      this.#firstNode = remote;
      this.#first = entry;
    } else {
      (this.#byRemote ??= new Map()).set(remote, entry);
    }
  }

  get(localPort: number, remote: NodeId, remotePort: number): RuntimeConnection | undefined {
    const entry = this.#entry(remote);
    if (entry === undefined || entry === null) return undefined;
    if (entry instanceof Map) return entry.get(localPort * 65536 + remotePort);
    return entry.portKey === localPort * 65536 + remotePort ? entry : undefined;
  }

  set(localPort: number, remote: NodeId, remotePort: number, conn: RuntimeConnection): void {
    const entry = this.#entry(remote);
    const k = localPort * 65536 + remotePort;
    if (entry === undefined || entry === null) {
      this.#setEntry(remote, conn);
      this.size++;
    } else if (entry instanceof Map) {
      if (!entry.has(k)) this.size++;
      entry.set(k, conn);
    } else if (entry.portKey === k) {
      this.#setEntry(remote, conn);
    } else {
      this.#setEntry(remote, new Map([[entry.portKey, entry], [k, conn]]));
      this.size++;
    }
  }

  delete(localPort: number, remote: NodeId, remotePort: number): void {
    const entry = this.#entry(remote);
    if (entry === undefined || entry === null) return;
    const k = localPort * 65536 + remotePort;
    if (entry instanceof Map) {
      if (entry.delete(k)) this.size--;
    } else if (entry.portKey === k) {
      this.#setEntry(remote, null);
      this.size--;
    }
  }

  *values(): IterableIterator<RuntimeConnection> {
    if (this.#firstNode === undefined) return;
    yield* entryValues(this.#first);
    if (this.#byRemote !== undefined) for (const entry of this.#byRemote.values()) yield* entryValues(entry);
  }
}

/** A remote node's connections: one, several by their ports, or none left. */
type Entry = RuntimeConnection | Map<number, RuntimeConnection> | null;

function* entryValues(entry: Entry): IterableIterator<RuntimeConnection> {
  if (entry instanceof Map) yield* entry.values();
  else if (entry !== null) yield entry;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > LAST_PORT) throw new RangeError(`port must be an integer from 1 to 65535, got ${port}`);
}
