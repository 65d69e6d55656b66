/**
 * The virtual TCP: one connection endpoint as a sans-IO engine (see ./api.ts for the contract).
 *
 * Rules of this file: no clock, no timers, no randomness. Every entry point takes `now`; the
 * caller drains `nextSegment()` / `nextEvent()` after each call and wakes the engine at
 * `nextTimer()` with `handleTimer(now)`. The initial sequence number is injected.
 *
 * Split along its seams as ns-3 splits TcpSocketBase: this file is the state machine, the
 * handshake's transitions and the close; ./sender.ts what leaves and when (queue in
 * ./scoreboard.ts, RTO in ./rtt.ts), ./recovery.ts loss recovery around the algorithm in ./cc/,
 * ./receiver.ts the receive side with ./delayed-ack.ts, ./handshake.ts the SYN bookkeeping.
 *
 * What this file does, and where each rule comes from:
 * - Three-way handshake (RFC 9293 3.5), SYN / SYN-ACK retransmission with doubling timeout,
 *   `maxSynRetries` then failure 'timeout'; RST in answer to our SYN is failure 'refused'; 3 s
 *   fallback RTO when the handshake gave no sample (RFC 6298 5.7).
 * - Cumulative ACKs; the receiver keeps out-of-order segments and answers them with an immediate
 *   duplicate ACK (RFC 5681 4.2).
 * - FIN both ways with RFC 9293 states (FIN_WAIT_1/2, CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK);
 *   `close()` is a half-close (shutdown(SHUT_WR)): we keep receiving, unless `fullClose` makes it
 *   close(2): then new data after it gets a RST (Linux: data for a closed socket aborts it).
 *   TIME_WAIT lasts `timeWait`. A FIN is ACKed at once.
 * - RST: `abort()` sends one; a RST received kills the connection ('reset'); a segment that
 *   reaches a CLOSED engine is answered with a RST (RFC 9293 3.5.2; see `resetFor`).
 * - Events: 'closed' once both directions are done (on entering TIME_WAIT, or CLOSED from
 *   LAST_ACK) and after our own abort(); 'failed' instead of 'closed' when the connection dies.
 *
 * Simplified, knowingly: no simultaneous open; no PAWS or RFC 5961 checks. What each part
 * leaves out is listed in its own file and in docs/ARCHITECTURE.md ("Fidelity").
 */
import type { Micros } from '../../core/time.ts';
import type { TcpState } from '../../core/trace.ts';
import { LocalProtocolError } from '../../core/errors.ts';
import type { TcpEngine, TcpEvent, TcpHolding, TcpOptions, TcpSegment } from './api.ts';
import { sharedTcpOptions } from './defaults.ts';
import { ACK, EMPTY, Queue, RST_ACK, SEQ_MOD, resetFor, toWire } from './seq.ts';
import { Sender, earliest } from './sender.ts';
import { Receiver } from './receiver.ts';
import { Handshake } from './handshake.ts';
import { RttEstimator } from './rtt.ts';
import { ON_CLOSE, ON_FIN_ACKED, ON_FIN_RECEIVED, RECEIVING, SENDING, SYNCHRONIZED } from './states.ts';

export { resetFor };

export interface TcpConnectionInit {
  localPort: number;
  remotePort: number;
  /** Initial send sequence number (0 .. 2^32-1), chosen by the caller (RFC 6528 says: at random). */
  iss: number;
  /** Anything left out takes `defaultTcpOptions()`. */
  options?: Partial<TcpOptions>;
  /** Creation time; unused by the engine today, accepted for symmetry with the other entry points. */
  now?: Micros;
}

export class TcpConnection implements TcpEngine {
  readonly localPort: number;
  readonly remotePort: number;
  /** The frozen options shared by every connection given the same (./defaults.ts sharedTcpOptions); `#own`: see `options`. */
  readonly #shared: Readonly<Required<TcpOptions>>;
  #own: Required<TcpOptions> | undefined;

  #state: TcpState = 'CLOSED';
  /** The send side; it holds the output queues and the receive side, read through it (no fields of our own for them). */
  #snd: Sender;

  // ---- handshake ----
  /** Until the handshake completes (then let go: nothing in it is needed afterwards). */
  #handshake: Handshake | undefined;

  // ---- close ----
  #timeWaitDeadline: Micros | undefined;
  #closedEmitted = false;

  constructor(init: TcpConnectionInit) {
    const iss = init.iss;
    if (!Number.isInteger(iss) || iss < 0 || iss >= SEQ_MOD) {
      throw new LocalProtocolError('bad-iss', `iss must be an integer in [0, 2^32), got ${iss}`);
    }
    this.localPort = init.localPort;
    this.remotePort = init.remotePort;
    const o = (this.#shared = sharedTcpOptions(init.options ?? {}));
    const rtt = new RttEstimator(o.rtoMin, o.rtoMax, o.rtoInitial);
    const events = new Queue<TcpEvent>();
    this.#snd = new Sender(iss, o, new Queue<TcpSegment>(), events, this, rtt);
    this.#handshake = new Handshake(o, this);
    this.#snd.rcv = new Receiver(o, events, rtt);
  }

  get #segments(): Queue<TcpSegment> {
    return this.#snd.segments;
  }

  get #events(): Queue<TcpEvent> {
    return this.#snd.events;
  }

  get #rcv(): Receiver {
    return this.#snd.rcv;
  }

  // ======================================================================= public contract

  /**
   * The options this connection runs with: its own object over the shared set, made when first
   * asked for (few connections ever are). Only `fullClose` may be set afterwards (a node's crash
   * makes close(2) of its sockets: the runtime's Host.fail): its one field of its own.
   */
  get options(): Required<TcpOptions> {
    const o = this.#shared;
    return (this.#own ??= Object.create(o, { fullClose: { value: o.fullClose, writable: true, enumerable: true } }) as Required<TcpOptions>);
  }

  /** Our initial sequence number (as on the wire; inside, the engine counts from ./seq.ts BASE_SEQ). */
  get iss(): number {
    return toWire(this.#snd.iss, this.#snd.wireOffset);
  }

  get state(): TcpState {
    return this.#state;
  }

  get unacknowledgedBytes(): number {
    // Our FIN, once acknowledged, puts SND.UNA one past the data: never report -1.
    return Math.max(0, this.#snd.buffer.end - Math.max(this.#snd.una, this.#snd.iss + 1));
  }

  get holding(): TcpHolding {
    const snd = this.#snd;
    return {
      state: this.#state, sendQueueBytes: this.unacknowledgedBytes, scoreboardSegments: snd.queue.size, outOfOrderBytes: this.#rcv.outOfOrderBytes,
      retransmitTimer: snd.rtoDeadline !== undefined || snd.tlpDeadline !== undefined || snd.reoDeadline !== undefined,
      delayedAckTimer: this.#rcv.ack.deadline !== undefined, pacingTimer: snd.pacingDeadline !== undefined, timeWaitTimer: this.#timeWaitDeadline !== undefined,
    };
  }

  /** Current retransmission timeout (µs), backoff included. */
  get rto(): Micros {
    return this.#snd.rtt.rto;
  }

  /** Smoothed RTT (µs), undefined before the first sample. */
  get srtt(): number | undefined {
    return this.#snd.rtt.srtt;
  }

  /** Congestion window and slow-start threshold in bytes (for traces and tests). */
  get cwnd(): number {
    return this.#snd.recovery.cwnd;
  }

  get ssthresh(): number {
    return this.#snd.recovery.ssthresh;
  }

  connect(now: Micros): void {
    const snd = this.#snd;
    if (this.#state !== 'CLOSED' || snd.max !== snd.iss) {
      throw new LocalProtocolError('bad-state', `connect() needs a fresh CLOSED connection, this one is ${this.#state}`);
    }
    this.#setState('SYN_SENT');
    snd.nxt = snd.max = snd.iss + 1;
    this.#sendSyn(now, false);
  }

  accept(syn: TcpSegment, now: Micros): void {
    const snd = this.#snd;
    if (this.#state !== 'CLOSED' || snd.max !== snd.iss) {
      throw new LocalProtocolError('bad-state', `accept() needs a fresh CLOSED connection, this one is ${this.#state}`);
    }
    if (!syn.flags.syn || syn.flags.ack || syn.flags.rst) {
      throw new LocalProtocolError('not-a-syn', 'accept() takes the SYN that opened the connection');
    }
    this.#checkPorts(syn);
    this.#state = 'LISTEN';
    this.#setState('SYN_RECEIVED');
    this.#negotiate(syn);
    snd.wnd = syn.window;
    snd.nxt = snd.max = snd.iss + 1;
    this.#sendSyn(now, false);
  }

  send(data: Uint8Array, now: Micros): void {
    const snd = this.#snd;
    if (this.#state === 'CLOSED' && snd.max === snd.iss) {
      throw new LocalProtocolError('not-open', 'send() before connect() or accept()');
    }
    // snd.canSend: SENDING.has(state), kept by #setState (no lookup per write).
    if (snd.closeRequested || !(snd.canSend || this.#state === 'SYN_SENT' || this.#state === 'SYN_RECEIVED')) {
      throw new LocalProtocolError('send-after-close', `cannot send in state ${this.#state}${snd.closeRequested ? ' after close()' : ''}`);
    }
    if (data.length === 0) return;
    // tcp_sendmsg: is the application, not the network, holding the sender back?
    const q = snd.queue;
    snd.cc.appWrote(snd.buffer.end - snd.nxt, this.#shared.mss, snd.sackOk ? q.inFlight(snd.una, snd.max) : snd.nxt - snd.una, q.lostBytes - q.retransBytes);
    snd.buffer.write(data); // a copy, as a socket's send() makes
    snd.cc.sendCall(now); // the host's clock for pacing (./cc/driver.ts)
    snd.output(now);
  }

  close(now: Micros): void {
    const snd = this.#snd;
    // In SYN_SENT or SYN_RECEIVED the FIN goes out after the queued data once the handshake
    // completes (RFC 9293 3.10.4 for SYN_RECEIVED; for SYN_SENT this is what Node's socket.end()
    // before 'connect' does); abort() gives up on an attempt. Later, close() is idempotent.
    if (this.#state === 'SYN_SENT' || this.#state === 'SYN_RECEIVED') snd.closeRequested = true;
    const next = ON_CLOSE[this.#state];
    if (next === undefined) return;
    snd.closeRequested = true;
    this.#setState(next);
    snd.output(now);
  }

  abort(now: Micros): void {
    void now;
    const s = this.#state;
    if (s === 'CLOSED') return;
    // RFC 9293 3.10.5: a RST in synchronized states and SYN_RECEIVED, none from SYN_SENT.
    if (s !== 'SYN_SENT' && s !== 'TIME_WAIT' && s !== 'LISTEN') {
      this.#sendRst(now);
    }
    this.#clearTimers();
    this.#setState('CLOSED');
    this.#emitClosed();
  }

  receiveSegment(seg: TcpSegment, now: Micros): void {
    this.#checkPorts(seg);
    switch (this.#state) {
      case 'CLOSED':
      case 'LISTEN':
        if (!seg.flags.rst) this.#segments.push(resetFor(seg));
        return;
      case 'SYN_SENT':
        this.#receiveInSynSent(seg, now);
        return;
      case 'SYN_RECEIVED':
        if (!this.#receiveInSynReceived(seg, now)) return;
        break;
      default:
        break;
    }
    this.#receiveSynchronized(seg, now);
    this.#flushAck(now);
  }

  nextSegment(): TcpSegment | undefined {
    return this.#segments.next();
  }

  nextEvent(): TcpEvent | undefined {
    return this.#events.next();
  }

  nextTimer(): Micros | undefined {
    return earliest(this.#snd.nextDeadline, earliest(this.#rcv.ack.deadline, this.#timeWaitDeadline));
  }

  handleTimer(now: Micros): void {
    if (this.#timeWaitDeadline !== undefined && now >= this.#timeWaitDeadline) {
      this.#timeWaitDeadline = undefined;
      this.#clearTimers();
      this.#setState('CLOSED');
      return;
    }
    if (this.#rcv.ack.deadline !== undefined && now >= this.#rcv.ack.deadline) {
      this.#rcv.ack.onTimer();
      this.#flushAck(now);
    }
    const snd = this.#snd;
    snd.onTimers(now);
    if (snd.rtoDeadline !== undefined && now >= snd.rtoDeadline) {
      snd.rtoDeadline = undefined;
      if (this.#state === 'SYN_SENT' || this.#state === 'SYN_RECEIVED') this.#onSynTimeout(now);
      else if (!snd.onRetransmitTimeout(now)) this.#fail('timeout');
    }
  }

  // ======================================================================= handshake

  #sendSyn(now: Micros, retransmission: boolean): void {
    this.#segments.push(this.#handshake!.segment(now, this.#snd, this.#state === 'SYN_RECEIVED' ? this.#rcv : undefined, retransmission));
  }

  #receiveInSynSent(seg: TcpSegment, now: Micros): void {
    const f = seg.flags;
    if (f.ack && !this.#snd.acksSyn(seg.ack)) {
      if (!f.rst) this.#segments.push(resetFor(seg));
      return;
    }
    if (f.rst) {
      if (f.ack) this.#fail('refused');
      return;
    }
    if (!f.syn || !f.ack) return; // simultaneous open is not modelled
    this.#negotiate(seg);
    this.#snd.wnd = seg.window;
    this.#synAcked(seg, now);
    this.#rcv.ack.ackNow = true;
    this.#snd.output(now);
    this.#flushAck(now);
  }

  /**
   * The peer's SYN or SYN-ACK: an option is on when both SYNs carry it (RFC 7323 section 3.2,
   * RFC 2018 section 2); we offer what our options enable.
   */
  #negotiate(syn: TcpSegment): void {
    const o = this.#shared;
    this.#rcv.tsOk = this.#snd.tsOk = o.timestamps && syn.ts !== undefined;
    this.#rcv.sackOk = this.#snd.sackOk = o.sack && syn.sackOk === true;
    this.#rcv.synReceived(syn.seq, syn.ts?.val);
  }

  /** Returns true when the segment should go on to the synchronized processing. */
  #receiveInSynReceived(seg: TcpSegment, now: Micros): boolean {
    const f = seg.flags;
    if (f.rst) {
      if (this.#rcv.seqFromWire(seg.seq) === this.#rcv.nxt) this.#fail('reset');
      return false;
    }
    if (f.syn) {
      // The peer did not get our SYN-ACK and sent its SYN again: answer with the SYN-ACK.
      if (!f.ack && seg.seq === this.#rcv.irs) {
        // Linux tcp_check_req: the SYN-ACK sent again echoes the new SYN's TSval.
        if (this.#rcv.tsOk && seg.ts !== undefined) this.#rcv.tsRecent = seg.ts.val;
        this.#sendSyn(now, true);
      }
      return false;
    }
    if (!f.ack) return false;
    if (!this.#snd.acksSyn(seg.ack)) {
      this.#segments.push(resetFor(seg));
      return false;
    }
    this.#synAcked(seg, now);
    return true;
  }

  /** Our SYN (or SYN-ACK) was acknowledged: the connection is established. */
  #synAcked(seg: TcpSegment, now: Micros): void {
    this.#handshake!.completed(now, this.#snd, seg);
    this.#handshake = undefined;
    this.#setState('ESTABLISHED');
    this.#events.push({ type: 'connected' });
    if (this.#snd.closeRequested) this.#setState('FIN_WAIT_1');
  }

  // ======================================================================= receiving

  #receiveSynchronized(seg: TcpSegment, now: Micros): void {
    const f = seg.flags;
    const seq = this.#rcv.seqFromWire(seg.seq);
    if (f.rst) {
      // Accept a RST whose sequence number is in the window (RFC 9293 3.10.7.4).
      if (seq >= this.#rcv.nxt && seq < this.#rcv.nxt + Math.max(1, this.#shared.receiveWindow)) {
        if (this.#state === 'TIME_WAIT') {
          this.#clearTimers();
          this.#setState('CLOSED');
        } else {
          this.#fail('reset');
        }
      }
      return;
    }
    if (f.syn) {
      // A retransmitted SYN-ACK (our ACK was lost) or a stray SYN: answer with an ACK.
      this.#rcv.ack.ackNow = true;
      return;
    }
    if (!f.ack) return;
    this.#rcv.noteTimestamp(seg, seq);
    const acked = this.#snd.onAck(seg, now);
    if (acked === 'unsent') {
      // Acknowledges something never sent (RFC 9293 3.10.7.4): ACK and drop.
      this.#rcv.ack.ackNow = true;
      return;
    }
    if (acked === 'new') this.#checkFinAcked(now);
    if (this.#state === 'CLOSED') return;
    this.#receiveData(seq, seg.payload, f.fin === true, now, f.psh === true);
    this.#snd.output(now);
  }

  #receiveData(seq: number, payload: Uint8Array, fin: boolean, now: Micros, psh: boolean): void {
    if (payload.length === 0 && !fin) return;
    if (this.#state !== 'ESTABLISHED' && !RECEIVING.has(this.#state)) {
      // The peer's FIN was already in: anything more is a retransmission; ACK it again. In
      // TIME_WAIT a retransmitted FIN also restarts the timer (RFC 9293 3.10.7.4).
      this.#rcv.ack.ackNow = true;
      if (fin && this.#state === 'TIME_WAIT') this.#timeWaitDeadline = now + this.#shared.timeWait;
      return;
    }
    if (this.#snd.closeRequested && (this.#own ?? this.#shared).fullClose === true && payload.length > 0 && seq + payload.length > this.#rcv.nxt) {
      // Linux tcp_rcv_state_process, FIN_WAIT1/FIN_WAIT2 with RCV_SHUTDOWN: the application has
      // closed the socket, so new data aborts the connection with a RST (TCPAbortOnData).
      this.#sendRst(now);
      this.#fail('reset');
      return;
    }
    if (this.#rcv.receive(seq, payload, fin, now, psh)) this.#closeStep(ON_FIN_RECEIVED, now);
  }

  /** Sends a pure ACK if one is due and no data segment carried it. */
  #flushAck(now: Micros): void {
    if (!this.#rcv.ack.ackNow || (this.#state !== 'ESTABLISHED' && !SYNCHRONIZED.has(this.#state))) {
      this.#rcv.ack.ackNow = false;
      return;
    }
    this.#snd.cc.pureAckSent(now);
    this.#snd.emit(this.#snd.max, ACK, EMPTY, 0, false, now);
  }

  /** After SND.UNA moved: was it our FIN that got acknowledged? */
  #checkFinAcked(now: Micros): void {
    const snd = this.#snd;
    if (snd.finSent && snd.una === snd.buffer.end + 1) this.#closeStep(ON_FIN_ACKED, now);
  }

  /** One step of the close sequence from `table`; TIME_WAIT and CLOSED end the connection. */
  #closeStep(table: Partial<Record<TcpState, TcpState>>, now: Micros): void {
    const next = table[this.#state];
    if (next === 'TIME_WAIT') this.#enterTimeWait(now);
    else if (next === 'CLOSED') {
      this.#clearTimers();
      this.#setState('CLOSED');
      this.#emitClosed();
    } else if (next !== undefined) this.#setState(next);
  }

  // ======================================================================= timers

  #onSynTimeout(now: Micros): void {
    if (!this.#handshake!.retry(this.#state === 'SYN_RECEIVED', this.#snd)) {
      this.#fail('timeout');
      return;
    }
    this.#sendSyn(now, true);
    this.#events.push({ type: 'retransmit', seq: this.iss, payloadBytes: 0, cause: 'syn-rto', rto: this.#snd.rtt.rto });
  }

  #enterTimeWait(now: Micros): void {
    this.#clearTimers();
    this.#setState('TIME_WAIT');
    this.#emitClosed();
    this.#timeWaitDeadline = now + this.#shared.timeWait;
  }

  #clearTimers(): void {
    this.#snd.clearTimers();
    this.#rcv.ack.deadline = undefined;
    this.#timeWaitDeadline = undefined;
  }

  // ======================================================================= output

  /** A RST with our highest sequence number (Linux snd_nxt), which the peer's window accepts. */
  #sendRst(now: Micros): void {
    this.#snd.emit(this.#snd.max, RST_ACK, EMPTY, 0, false, now);
  }

  // ======================================================================= state and events

  #setState(to: TcpState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#snd.canSend = SENDING.has(to);
    this.#events.push({ type: 'state', from, to });
  }

  #emitClosed(): void {
    if (this.#closedEmitted) return;
    this.#closedEmitted = true;
    this.#events.push({ type: 'closed' });
  }

  #fail(reason: 'timeout' | 'reset' | 'refused'): void {
    this.#clearTimers();
    this.#setState('CLOSED');
    this.#closedEmitted = true;
    this.#events.push({ type: 'failed', reason });
  }

  #checkPorts(seg: TcpSegment): void {
    if (seg.dstPort !== this.localPort || seg.srcPort !== this.remotePort) {
      throw new LocalProtocolError(
        'wrong-connection',
        `segment ${seg.srcPort}->${seg.dstPort} handed to connection ${this.localPort}<->${this.remotePort}`,
      );
    }
  }
}
