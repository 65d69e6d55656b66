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
import type { Connection } from './api.ts';

export type CloseReason = 'clean' | 'timeout' | 'reset' | 'refused';

export interface ConnectionDeps {
  scheduler: Scheduler;
  trace: TraceSink;
  /** Puts a segment on the local node's uplink. */
  transmit: (segment: TcpSegment, conn: RuntimeConnection) => void;
  /** Called once when the engine is CLOSED for good (the host forgets the connection). */
  released: (conn: RuntimeConnection) => void;
}

/** tcpdump-like flag names joined by '|', in a fixed order: 'SYN|ACK', 'FIN|ACK', 'ACK'. */
export function flagString(flags: TcpFlags): string {
  const out: string[] = [];
  if (flags.syn) out.push('SYN');
  if (flags.fin) out.push('FIN');
  if (flags.rst) out.push('RST');
  if (flags.psh) out.push('PSH');
  if (flags.ack) out.push('ACK');
  return out.join('|');
}

export class RuntimeConnection implements Connection {
  #connectHandlers: (() => void)[] = [];
  #dataHandlers: ((data: Uint8Array) => void)[] = [];
  #endHandlers: (() => void)[] = [];
  #closeHandlers: ((reason: CloseReason) => void)[] = [];
  #timer: EventHandle | undefined;
  #syncing = false;
  #dirty = false;
  #gone = false;
  #released = false;
  #aborted = false;
  /** For a passive connection: called on 'connected', before the connect handlers (accept() returns). */
  onEstablished: ((conn: RuntimeConnection) => void) | undefined;

  constructor(
    readonly id: ConnId,
    readonly localNode: NodeId,
    readonly remoteNode: NodeId,
    readonly engine: TcpEngine & { readonly localPort: number; readonly remotePort: number },
    readonly deps: ConnectionDeps,
  ) {}

  get localPort(): number {
    return this.engine.localPort;
  }

  get remotePort(): number {
    return this.engine.remotePort;
  }

  get unacknowledgedBytes(): number {
    return this.engine.unacknowledgedBytes;
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
    this.call((now) => this.engine.send(data, now));
  }

  close(): void {
    if (this.#gone) return;
    this.call((now) => this.engine.close(now));
  }

  abort(): void {
    if (this.#gone) return;
    this.#aborted = true;
    this.call((now) => this.engine.abort(now));
  }

  onConnect(handler: () => void): void {
    this.#connectHandlers.push(handler);
  }

  onData(handler: (data: Uint8Array) => void): void {
    this.#dataHandlers.push(handler);
  }

  onEnd(handler: () => void): void {
    this.#endHandlers.push(handler);
  }

  onClose(handler: (reason: CloseReason) => void): void {
    this.#closeHandlers.push(handler);
  }

  /** Calls into the engine at the scheduler's current time, then drains and re-arms. */
  call(fn: (now: Micros) => void): void {
    fn(this.deps.scheduler.now);
    this.sync();
  }

  /** Drains segments and events until the engine has nothing more, then arms its timer. */
  sync(): void {
    if (this.#syncing) {
      this.#dirty = true;
      return;
    }
    this.#syncing = true;
    try {
      do {
        this.#dirty = false;
        // Events first: a state change is traced before the segment it caused.
        this.#drainEvents();
        this.#drainSegments();
      } while (this.#dirty);
    } finally {
      this.#syncing = false;
    }
    this.#armTimer();
  }

  #drainSegments(): void {
    const { trace, scheduler } = this.deps;
    for (let seg = this.engine.nextSegment(); seg !== undefined; seg = this.engine.nextSegment()) {
      trace.emit({
        t: scheduler.now, kind: 'tcp-send', node: this.localNode, conn: this.id,
        seq: seg.seq, ack: seg.ack, flags: flagString(seg.flags), payloadBytes: seg.payload.length,
        wireBytes: seg.wireBytes, retransmission: seg.retransmission,
      });
      this.deps.transmit(seg, this);
    }
  }

  #drainEvents(): void {
    const { trace, scheduler } = this.deps;
    for (let ev = this.engine.nextEvent(); ev !== undefined; ev = this.engine.nextEvent()) {
      const t = scheduler.now;
      switch (ev.type) {
        case 'state':
          trace.emit({ t, kind: 'tcp-state', node: this.localNode, conn: this.id, from: ev.from, to: ev.to });
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
          for (const h of this.#connectHandlers) h();
          break;
        case 'data':
          for (const h of this.#dataHandlers) h(ev.data);
          break;
        case 'eof':
          for (const h of this.#endHandlers) h();
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
    for (const h of this.#closeHandlers) h(reason);
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.deps.released(this);
  }

  #armTimer(): void {
    const { scheduler } = this.deps;
    const next = this.engine.state === 'CLOSED' ? undefined : this.engine.nextTimer();
    if (this.#timer !== undefined) {
      if (next === this.#timer.at) return;
      scheduler.cancel(this.#timer);
      this.#timer = undefined;
    }
    if (next === undefined) return;
    this.#timer = scheduler.at(Math.max(next, scheduler.now), () => {
      this.#timer = undefined;
      this.call((now) => this.engine.handleTimer(now));
    });
  }
}
