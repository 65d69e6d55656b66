/**
 * A `Connection` (./api.ts) on top of one sans-IO TCP engine. This is where the engine meets time
 * and the network: after every call into the engine the runtime drains its segments (onto the
 * node's uplink) and its events (into trace records and the role's handlers), then arms one
 * scheduler event at `nextTimer()`. The runtime is the only caller of `handleTimer`.
 *
 * Handlers may call back into the connection (write on connect, close on end): such nested calls
 * only mark the connection dirty, and the outer drain loop picks up what they produced, so
 * segments and events always leave in the order the engine made them.
 */
import type { EventHandle, Scheduler } from '../core/scheduler.ts';
import type { Micros } from '../core/time.ts';
import type { ConnId, NodeId, TraceSink } from '../core/trace.ts';
import type { TcpEngine, TcpFlags, TcpSegment } from '../protocols/tcp/api.ts';
import { TcpConnection } from '../protocols/tcp/connection.ts';
import type { Connection } from './api.ts';
import { EngineDriver, type DriverClock, type DriverOptions } from './driver.ts';

export type CloseReason = 'clean' | 'timeout' | 'reset' | 'refused';

/**
 * Joins the two ends of each connection in a run, so a connection that died can tell what of its
 * data the peer's application received (`onSettled`) once no more of it can arrive, and settles
 * at the end of the run the ends that still wait.
 * One per run, shared by every Host; optional (without it a connection settles when it closes,
 * with what TCP had acknowledged).
 */
export class ConnectionPairs {
  /** Active ends whose SYN has not made a passive end yet, by connection id. */
  readonly #waiting = new Map<ConnId, RuntimeConnection>();
  /** Ends that closed and wait for their peer to close (insertion order: deterministic). */
  readonly #unsettled = new Set<RuntimeConnection>();
  /** Ends whose application closed them while their TCP lives on (retransmitting, FIN not done). */
  readonly #appClosed = new Set<RuntimeConnection>();

  /** Called for every new connection; links a passive end to its active end. */
  add(conn: RuntimeConnection, passive: boolean): void {
    if (!passive) {
      this.#waiting.set(conn.id, conn);
      return;
    }
    const active = this.#waiting.get(conn.id);
    if (active === undefined || active.localNode !== conn.remoteNode) return;
    this.#waiting.delete(conn.id);
    active.peer = conn;
    conn.peer = active;
  }

  /** A connection closed: settle it now if it can be, else wait for its peer or its data on the wire. */
  closed(conn: RuntimeConnection): void {
    if (this.#waiting.get(conn.id) === conn) this.#waiting.delete(conn.id);
    this.#appClosed.delete(conn);
    this.#unsettled.add(conn);
    this.#trySettle(conn);
    if (conn.peer !== undefined) this.#trySettle(conn.peer);
  }

  /**
   * An application closed its end (Connection.close): it reads nothing more, so its peer's data
   * can no longer reach it; and its own end settles as soon as its peer reads no more either.
   */
  appClosed(conn: RuntimeConnection): void {
    if (!conn.closed && !this.#unsettled.has(conn)) this.#appClosed.add(conn);
    this.#trySettle(conn);
    if (conn.peer !== undefined) this.#trySettle(conn.peer);
  }

  /** The last data segment of a closed connection left the network. */
  quiet(conn: RuntimeConnection): void {
    this.#trySettle(conn);
  }

  /** The run ended: settle every closed connection with what its peer received so far. */
  settleAll(): void {
    for (const conn of [...this.#unsettled]) this.#settle(conn);
  }

  #trySettle(conn: RuntimeConnection): void {
    const peer = conn.peer;
    const peerReadsNoMore = peer !== undefined && (peer.closed || peer.closedByApp);
    if (this.#unsettled.has(conn)) {
      // Settled when the peer can deliver nothing more of ours: it has no end (data leaves only
      // once the peer's end exists), its end is gone or its application closed it, or none of our
      // data is left on the network (a dead end sends nothing more).
      if (peer === undefined || peerReadsNoMore || conn.quiet) this.#settle(conn);
    } else if (this.#appClosed.has(conn)) {
      // Our TCP may still resend: only the peer's application not reading any more settles it.
      if (peerReadsNoMore) this.#settle(conn);
    }
  }

  #settle(conn: RuntimeConnection): void {
    this.#unsettled.delete(conn);
    this.#appClosed.delete(conn);
    conn.settle(conn.peer?.deliveredBytes ?? 0);
  }
}

export interface ConnectionDeps {
  readonly scheduler: Scheduler;
  readonly trace: TraceSink;
  /** The run's pairing of connection ends (see ConnectionPairs); undefined: settle on close. */
  readonly pairs: ConnectionPairs | undefined;
  /** Puts a segment on the local node's uplink; `done` when it left the network (see Packet.done). */
  transmit(segment: TcpSegment, conn: RuntimeConnection, done?: () => void): void;
  /** Called once when the engine is CLOSED for good (the host forgets the connection). */
  released(conn: RuntimeConnection): void;
}

/** tcpdump-like flag names joined by '|', in a fixed order: 'SYN|ACK', 'FIN|ACK', 'ACK'. */
export function flagString(flags: TcpFlags): string {
  // One of 32 strings, made once each: every segment's trace record names its flags.
  const index = (flags.syn ? 1 : 0) | (flags.fin ? 2 : 0) | (flags.rst ? 4 : 0) | (flags.psh ? 8 : 0) | (flags.ack ? 16 : 0);
  return (FLAG_STRINGS[index] ??= ['SYN', 'FIN', 'RST', 'PSH', 'ACK'].filter((_, bit) => (index >> bit) & 1).join('|'));
}

const FLAG_STRINGS: (string | undefined)[] = new Array(32);

/**
 * A connection's handlers of one kind: none, one (most lists ever hold one: no array for it, where
 * an array was 56 bytes a list), or several in the order they came.
 */
type Handlers<H> = H | H[] | undefined;

function addHandler<H>(list: Handlers<H>, handler: H): H | H[] {
  if (list === undefined) return handler;
  if (Array.isArray(list)) {
    list.push(handler);
    return list;
  }
  return [list, handler];
}

/**
 * Calls every handler of a list as iterating one growing array would: a handler added while they
 * run is called too (`reread(conn)` gives the list again after a lone handler ran: if that one
 * added a handler, the list became an array starting with it).
 */
function callAll<A>(list: Handlers<(arg: A) => void>, arg: A, conn: RuntimeConnection, reread: (conn: RuntimeConnection) => Handlers<(arg: A) => void>): void {
  if (list === undefined) return;
  if (typeof list === 'function') {
    list(arg);
    const after = reread(conn);
    if (Array.isArray(after) && after[0] === list) for (let i = 1; i < after.length; i++) after[i]!(arg);
    return;
  }
  for (const h of list) h(arg);
}

/** callAll for handlers called without an argument. */
function callAllBare(list: Handlers<() => void>, conn: RuntimeConnection, reread: (conn: RuntimeConnection) => Handlers<() => void>): void {
  if (list === undefined) return;
  if (typeof list === 'function') {
    list();
    const after = reread(conn);
    if (Array.isArray(after) && after[0] === list) for (let i = 1; i < after.length; i++) after[i]!();
    return;
  }
  for (const h of list) h();
}

/** The scheduler as every connection's driver sees it: one per scheduler, not three closures per connection. */
const clocks = new WeakMap<Scheduler, DriverClock>();

function clockOf(scheduler: Scheduler): DriverClock {
  let clock = clocks.get(scheduler);
  if (clock === undefined) {
    clock = {
      now: () => scheduler.now,
      at: (at, fn) => scheduler.at(at, fn),
      cancel: (handle) => scheduler.cancel(handle as EventHandle),
      atWith: (at, fn, arg) => scheduler.atWith(at, fn, arg, undefined),
      reschedule: (handle, at, arg) => scheduler.reschedule(handle as EventHandle, at, arg),
    };
    clocks.set(scheduler, clock);
  }
  return clock;
}

type Engine = RuntimeConnection['engine'];

// What a connection asks of its engine on the hot paths: one function each for every connection,
// called with the engine (./driver.ts callWith), not two closures per connection.
function send(now: Micros, engine: Engine, data: Uint8Array): void {
  engine.send(data, now);
}

function receive(now: Micros, engine: Engine, segment: TcpSegment): void {
  engine.receiveSegment(segment, now);
}

function accept(now: Micros, engine: Engine, syn: TcpSegment): void {
  engine.accept(syn, now);
}

/**
 * A connection is its engine's driver (./driver.ts: it calls into the engine, drains it, arms its
 * timer), and the driver's options (DriverOptions: `drain`, `active`): one object, with no
 * options object and no closures for its driver.
 */
export class RuntimeConnection extends EngineDriver implements Connection, DriverOptions {
  #connectHandlers: Handlers<() => void>;
  #dataHandlers: Handlers<(data: Uint8Array) => void>;
  #endHandlers: Handlers<() => void>;
  #closeHandlers: Handlers<(reason: CloseReason) => void>;
  #settledHandlers: Handlers<(peerReceivedBytes: number) => void>;
  // Each list read again after a lone handler ran (callAll): one function per kind for every connection.
  static readonly #connectList = (c: RuntimeConnection) => c.#connectHandlers;
  static readonly #dataList = (c: RuntimeConnection) => c.#dataHandlers;
  static readonly #endList = (c: RuntimeConnection) => c.#endHandlers;
  static readonly #closeList = (c: RuntimeConnection) => c.#closeHandlers;
  #settled: number | undefined;
  #written = 0;
  #delivered = 0;
  /** Segments with data that are still on the network. */
  #dataOnWire = 0;
  readonly #dataLeftWire = () => {
    this.#dataOnWire--;
    if (this.#dataOnWire === 0 && this.#gone) this.deps.pairs?.quiet(this);
  };
  /** The other end of this connection in the same run, once known (see ConnectionPairs). */
  peer: RuntimeConnection | undefined;
  #gone = false;
  #released = false;
  #aborted = false;
  /** The application called close(): it reads nothing more (see Connection.close). */
  #closedByApp = false;
  /**
   * localPort * 65536 + remotePort: how the host's table finds this connection (./host.ts). A
   * getter: with an ephemeral local port (above 32767) the number is past 2^31, which a field
   * would keep boxed (a heap number of its own, 24 B a connection).
   */
  get portKey(): number {
    return this.engine.localPort * 65536 + this.engine.remotePort;
  }
  /** For a passive connection: called on 'connected', before the connect handlers (accept() returns). */
  onEstablished: ((conn: RuntimeConnection) => void) | undefined;
  declare readonly engine: TcpEngine & { readonly localPort: number; readonly remotePort: number };

  constructor(
    readonly id: ConnId,
    readonly localNode: NodeId,
    readonly remoteNode: NodeId,
    engine: TcpEngine & { readonly localPort: number; readonly remotePort: number },
    readonly deps: ConnectionDeps,
  ) {
    super(engine, clockOf(deps.scheduler));
  }

  /** For the driver (DriverOptions): moves what the engine produced. Events first: a state change is traced before the segment it caused. */
  drain(): void {
    this.#drainEvents();
    this.#drainSegments();
  }

  /** For the driver (DriverOptions): no timer once the engine is CLOSED for good. */
  active(): boolean {
    return this.engine.state !== 'CLOSED';
  }

  get localPort(): number {
    return this.engine.localPort;
  }

  get remotePort(): number {
    return this.engine.remotePort;
  }

  get unacknowledgedBytes(): number {
    return this.engine.unacknowledgedBytes;
  }

  /** Bytes the role wrote while the connection could still take them. */
  get writtenBytes(): number {
    return this.#written;
  }

  /** Bytes handed to the role's data handlers. */
  get deliveredBytes(): number {
    return this.#delivered;
  }

  /** True when none of the data segments this end sent is still on the network. */
  get quiet(): boolean {
    return this.#dataOnWire === 0;
  }

  /** True once the application called close(): it reads nothing more. */
  get closedByApp(): boolean {
    return this.#closedByApp;
  }

  /** True once the connection reported onClose (clean or failed). */
  get closed(): boolean {
    return this.#gone;
  }

  /**
   * Queues bytes for the peer. The engine keeps a reference until they are acknowledged: do not
   * change the array afterwards. Bytes written after onClose go nowhere, as on a socket whose
   * peer is gone; writing after your own close() is a role bug and throws.
   */
  write(data: Uint8Array): void {
    if (this.#gone || this.engine.state === 'CLOSED') return;
    this.callWith(send, this.engine, data);
    this.#written += data.length;
  }

  close(): void {
    if (this.#gone) return;
    this.#closedByApp = true;
    this.call((now) => this.engine.close(now));
    this.deps.pairs?.appClosed(this);
  }

  abort(): void {
    if (this.#gone) return;
    this.#aborted = true;
    this.call((now) => this.engine.abort(now));
  }

  /** close(2), as Node's socket.destroy() (./api.ts Connection.destroy): the `crash` rule below, for one socket. */
  destroy(): void {
    if (this.#gone) return;
    const state = this.engine.state;
    if (state === 'SYN_SENT' || state === 'SYN_RECEIVED') return this.abort();
    if (this.engine instanceof TcpConnection) this.engine.options.fullClose = true;
    this.close();
  }

  onConnect(handler: () => void): void {
    this.#connectHandlers = addHandler(this.#connectHandlers, handler);
  }

  onData(handler: (data: Uint8Array) => void): void {
    this.#dataHandlers = addHandler(this.#dataHandlers, handler);
  }

  onEnd(handler: () => void): void {
    this.#endHandlers = addHandler(this.#endHandlers, handler);
  }

  onClose(handler: (reason: CloseReason) => void): void {
    this.#closeHandlers = addHandler(this.#closeHandlers, handler);
  }

  onSettled(handler: (peerReceivedBytes: number) => void): void {
    if (this.#settled !== undefined) handler(this.#settled);
    else this.#settledHandlers = addHandler(this.#settledHandlers, handler);
  }

  /** Called once by ConnectionPairs (or on close, without one). */
  settle(peerReceivedBytes: number): void {
    if (this.#settled !== undefined) return;
    this.#settled = Math.min(peerReceivedBytes, this.#written);
    const handlers = this.#settledHandlers;
    this.#settledHandlers = undefined;
    if (typeof handlers === 'function') handlers(this.#settled);
    else if (handlers !== undefined) for (const h of handlers) h(this.#settled);
  }

  /**
   * The node failed (scenario `failure`): its application is gone, so no handler of the role runs
   * again (what it already left to onSettled still learns the fate of its data). `crash`: the
   * kernel closes the socket as close(2) does (tcp_close): a FIN after what is queued, a RST for
   * any data still arriving (the `fullClose` rule; the receive queue is always empty here, since
   * roles read on arrival, so Linux's RST-on-unread-data case does not arise), and a RST for a
   * handshake not yet accepted (inet_csk_listen_stop). `power`: the machine stops: nothing more is
   * sent, no timer runs, arriving segments are dropped by the host.
   */
  fail(kind: 'crash' | 'power'): void {
    this.#connectHandlers = undefined;
    this.#dataHandlers = undefined;
    this.#endHandlers = undefined;
    this.#closeHandlers = undefined;
    this.onEstablished = undefined;
    if (this.#gone) return;
    if (kind === 'power') {
      this.stop();
      this.#closedByApp = true;
      this.deps.pairs?.appClosed(this);
      return;
    }
    const state = this.engine.state;
    if (state === 'SYN_SENT' || state === 'SYN_RECEIVED') this.abort();
    else this.close();
  }

  /** A segment from the network (the host's demultiplexer calls this for every packet: no closure). */
  receiveSegment(segment: TcpSegment): void {
    this.callWith(receive, this.engine, segment);
  }

  /** A SYN for a listening port: this new passive end accepts it. */
  accept(segment: TcpSegment): void {
    this.callWith(accept, this.engine, segment);
  }

  #drainSegments(): void {
    const { trace, scheduler } = this.deps;
    for (let seg = this.engine.nextSegment(); seg !== undefined; seg = this.engine.nextSegment()) {
      if (trace.wants?.('tcp-send') !== false) {
        trace.emit({
          t: scheduler.now, kind: 'tcp-send', node: this.localNode, conn: this.id,
          seq: seg.seq, ack: seg.ack, flags: flagString(seg.flags), payloadBytes: seg.payload.length,
          wireBytes: seg.wireBytes, retransmission: seg.retransmission,
        });
      }
      if (seg.payload.length > 0 && this.deps.pairs !== undefined) {
        this.#dataOnWire++;
        this.deps.transmit(seg, this, this.#dataLeftWire);
      } else {
        this.deps.transmit(seg, this);
      }
    }
  }

  #drainEvents(): void {
    const { trace, scheduler } = this.deps;
    for (let ev = this.engine.nextEvent(); ev !== undefined; ev = this.engine.nextEvent()) {
      const t = scheduler.now;
      switch (ev.type) {
        case 'state':
          if (trace.wants?.('tcp-state') !== false) trace.emit({ t, kind: 'tcp-state', node: this.localNode, conn: this.id, from: ev.from, to: ev.to });
          if (ev.to === 'CLOSED') this.#release();
          break;
        case 'retransmit':
          trace.emit({
            t, kind: 'tcp-retransmit', node: this.localNode, conn: this.id,
            seq: ev.seq, payloadBytes: ev.payloadBytes, cause: ev.cause, rtoUs: ev.rto,
          });
          break;
        case 'connected':
          this.onEstablished?.(this);
          callAllBare(this.#connectHandlers, this, RuntimeConnection.#connectList);
          break;
        case 'data':
          // After close() the application reads nothing: bytes still arriving (TCP ACKs them
          // unless fullClose makes it reset) never reach it, and do not count as received.
          if (this.#closedByApp) break;
          this.#delivered += ev.data.length;
          callAll(this.#dataHandlers, ev.data, this, RuntimeConnection.#dataList);
          break;
        case 'eof':
          callAllBare(this.#endHandlers, this, RuntimeConnection.#endList);
          break;
        case 'closed':
          // Our own abort() ends the connection with a RST, not cleanly.
          this.#finish(this.#aborted ? 'reset' : 'clean');
          break;
        case 'failed':
          trace.emit({ t, kind: 'tcp-failure', node: this.localNode, conn: this.id, reason: ev.reason });
          this.#finish(ev.reason);
          break;
      }
    }
  }

  #finish(reason: CloseReason): void {
    if (this.#gone) return;
    this.#gone = true;
    callAll(this.#closeHandlers, reason, this, RuntimeConnection.#closeList);
    if (this.deps.pairs !== undefined) this.deps.pairs.closed(this);
    else this.settle(this.#written - this.engine.unacknowledgedBytes);
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.deps.released(this);
  }
}
