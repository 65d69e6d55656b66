/**
 * The virtual TCP: one connection endpoint as a sans-IO engine (see ./api.ts for the contract).
 *
 * Rules of this file: no clock, no timers, no randomness. Every entry point takes `now`; the
 * caller drains `nextSegment()` / `nextEvent()` after each call and wakes the engine at
 * `nextTimer()` with `handleTimer(now)`. The initial sequence number is injected.
 *
 * What it does, and where each rule comes from:
 * - Three-way handshake (RFC 9293 3.5), SYN / SYN-ACK retransmission with doubling timeout,
 *   `maxSynRetries` then failure 'timeout'; RST in answer to our SYN is failure 'refused'.
 * - Segmentation to the MSS; cumulative ACKs; the receiver keeps out-of-order segments and
 *   answers them with an immediate duplicate ACK (RFC 5681 4.2).
 * - RTO as Linux computes it (./rtt.ts): RFC 6298's SRTT and mean deviation, but the variance term
 *   is floored at rtoMin, so RTO = SRTT + max(4 RTTVAR, 200 ms) up to rtoMax; doubling backoff (5.5), Karn's
 *   rule (no sample from an ACK that covers a retransmitted segment), 3 s fallback when the
 *   handshake gave no sample (5.7). One sample per ACK that advances SND.UNA, timed from the
 *   first segment it covers (what RFC 7323 timestamps give a delayed-ACK receiver).
 * - Abort after `maxRetries` timeouts of the same segment: failure 'timeout'. (Linux turns
 *   tcp_retries2 into a time limit; we count the retransmissions themselves.)
 * - Reno congestion control with NewReno fast recovery, as Linux runs Reno (./congestion.ts):
 *   fast retransmit on the 3rd duplicate ACK, limited transmit, byte counting, IW10 (RFC 6928),
 *   the window grows only while used and shrinks back after idle.
 * - After an RTO, go-back-N: everything after SND.UNA is sent again in slow start, as BSD and
 *   Linux without SACK do.
 * - Tail loss probe (RFC 8985 section 7, as Linux): when the last segment sent is unacknowledged
 *   for a probe timeout (2 SRTT, plus 200 ms when one segment is in flight, else 2 ms), send new data if
 *   any, else the last segment again, once per tail. The probe is never due later than the
 *   RTO; when both fall due together the probe goes instead (Linux arms one timer for both), so
 *   a lone lost segment is first resent as a probe, without window collapse or backoff.
 * - Nagle as Linux implements it (Minshall's variant, tcp_nagle_check): a segment smaller than
 *   the MSS waits while an earlier small segment is unacknowledged; `nagle: false` is TCP_NODELAY.
 *   A pending FIN pushes the tail out.
 * - Delayed ACK as Linux: quick-ACK for the first `quickAckSegments` data segments, again after
 *   a silence longer than the RTO or a retransmission from the peer, but not in interactive
 *   (pingpong) mode, entered when we send data within 40 ms of receiving some and left when the
 *   delayed-ACK timer fires; otherwise ACK at once when more than one MSS is unacknowledged
 *   (every second full segment), for out-of-order data or data that fills a hole, else within
 *   `delayedAckTimeout` (40 ms). Data we send carries the ACK. A FIN is ACKed at once.
 * - FIN both ways with RFC 9293 states (FIN_WAIT_1/2, CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK);
 *   `close()` is a half-close (shutdown(SHUT_WR)): we keep receiving, unless `fullClose` makes it
 *   close(2): then new data after it gets a RST (Linux: data for a closed socket aborts it).
 *   TIME_WAIT lasts `timeWait`.
 * - RST: `abort()` sends one; a RST received kills the connection ('reset'); a segment that
 *   reaches a CLOSED engine is answered with a RST (RFC 9293 3.5.2; see `resetFor`).
 * - Events: 'closed' once both directions are done (on entering TIME_WAIT, or CLOSED from
 *   LAST_ACK) and after our own abort(); 'failed' instead of 'closed' when the connection dies.
 *
 * Simplified, knowingly: no SACK and no RACK (Linux has both); no window scaling on the wire (the
 * `window` field carries the full byte count) and a fixed receive window (the application reads
 * at once, so no zero window and no persist timer); no simultaneous open; no PAWS or RFC 5961
 * checks; no cwnd reduction when a probe turns out to have
 * repaired a loss (RFC 8985 7.4); no RTT samples from retransmitted segments (Linux takes them
 * from timestamps); the delayed-ACK timeout does not adapt (Linux's ato moves between 40 and 200 ms).
 *
 * Sequence numbers: inside, an unbounded integer that starts at ISS (JS numbers are exact far
 * beyond 2^32); on the wire, that value mod 2^32. Incoming numbers are unwrapped next to the
 * value we expect.
 */
import type { Micros } from '../../core/time.ts';
import type { TcpState } from '../../core/trace.ts';
import { LocalProtocolError } from '../../core/errors.ts';
import type { TcpEngine, TcpEvent, TcpFlags, TcpOptions, TcpSegment } from './api.ts';
import { defaultTcpOptions } from './defaults.ts';
import { IPV4_HEADER_BYTES, TCP_HEADER_BYTES, segmentWireBytes } from './wire.ts';
import { RttEstimator } from './rtt.ts';
import { Reno } from './congestion.ts';
import { SendBuffer } from './send-buffer.ts';
import { Reassembly } from './reassembly.ts';

const SEQ_MOD = 2 ** 32;
/** Linux TCP_TIMEOUT_MIN_US (include/net/tcp.h): added to a probe timeout with several segments out. */
const TLP_MIN_TIMEOUT = 2_000;
const EMPTY = new Uint8Array(0);

/** Wire form of an internal sequence number. */
function wireSeq(seq: number): number {
  return seq % SEQ_MOD;
}

/** The unbounded sequence number nearest to `ref` whose wire form is `wire` (RFC 1982 style). */
function unwrap(wire: number, ref: number): number {
  return ref + ((wire - (ref % SEQ_MOD)) | 0);
}

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

/** A segment we sent that is not yet acknowledged: its boundaries are reused when resent. */
interface Sent {
  start: number;
  /** Exclusive; includes the FIN's sequence number when `fin`. */
  end: number;
  fin: boolean;
  sentAt: Micros;
  retransmitted: boolean;
  /** Retransmission timeouts while this segment was the oldest unacknowledged one. */
  timeouts: number;
}

const SYNCHRONIZED: ReadonlySet<TcpState> = new Set<TcpState>([
  'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT',
]);
/** States in which our side may still send data or our FIN. */
const SENDING: ReadonlySet<TcpState> = new Set<TcpState>([
  'ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1', 'CLOSING', 'LAST_ACK',
]);
/** States in which the peer may still send data (it has not sent its FIN). */
const RECEIVING: ReadonlySet<TcpState> = new Set<TcpState>(['ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2']);

/**
 * The RST that answers `segment` when no connection wants it (RFC 9293 3.5.2, "reset
 * generation"): if it carried an ACK, the RST takes that number as its sequence number;
 * otherwise the RST has sequence 0 and acknowledges everything the segment occupied.
 * The runtime uses this for segments to a port nobody listens on (connect -> 'refused').
 */
export function resetFor(segment: TcpSegment): TcpSegment {
  const base = {
    srcPort: segment.dstPort,
    dstPort: segment.srcPort,
    window: 0,
    payload: EMPTY,
    wireBytes: IPV4_HEADER_BYTES + TCP_HEADER_BYTES,
    retransmission: false,
  };
  if (segment.flags.ack) return { ...base, seq: segment.ack, ack: 0, flags: { rst: true } };
  const occupied = segment.payload.length + (segment.flags.syn ? 1 : 0) + (segment.flags.fin ? 1 : 0);
  return { ...base, seq: 0, ack: wireSeq(segment.seq + occupied), flags: { rst: true, ack: true } };
}

export class TcpConnection implements TcpEngine {
  readonly localPort: number;
  readonly remotePort: number;
  readonly iss: number;
  readonly options: Required<TcpOptions>;

  #state: TcpState = 'CLOSED';
  #segments: TcpSegment[] = [];
  #segHead = 0;
  #events: TcpEvent[] = [];
  #evHead = 0;

  // ---- send side (RFC 9293 3.3.1 names) ----
  #sndUna: number;
  #sndNxt: number;
  /** Highest sequence number sent + 1 (SND.NXT before a go-back-N). */
  #sndMax: number;
  #sndWnd = 0;
  /** What the application wrote; `#buffer.end` is where the FIN, if any, goes. */
  #buffer: SendBuffer;
  #sent: Sent[] = [];
  #sentHead = 0;
  #closeRequested = false;
  #finSent = false;
  /** End of the last sub-MSS segment sent (Linux snd_sml, for Nagle). */
  #sndSml: number;
  /** When data was last sent (Linux lsndtime, for the restart after idle). */
  #lastDataSent: Micros | undefined;

  // ---- handshake ----
  #synSentAt: Micros = 0;
  #synRetransmitted = false;
  #synRetries = 0;

  // ---- RTO (RFC 6298) and congestion control (RFC 5681, 6582, 3465) ----
  #rtt: RttEstimator;
  #rtoDeadline: Micros | undefined;
  #cc: Reno;

  // ---- tail loss probe (RFC 8985 7) ----
  #tlpDeadline: Micros | undefined;
  /** Set once a probe went out for the current tail; cleared when SND.UNA advances. */
  #tlpDone = false;

  // ---- receive side ----
  #irs = 0;
  #rcvNxt = 0;
  #held = new Reassembly();
  /** Sequence number of the peer's FIN once seen (it may arrive before the data before it). */
  #rcvFin: number | undefined;
  #eofDelivered = false;
  #ackNow = false;
  #unackedRcvBytes = 0;
  #quickAcks: number;
  #delackDeadline: Micros | undefined;
  /** When in-order data last arrived (Linux icsk_ack.lrcvtime). */
  #lastDataReceived: Micros | undefined;
  /** Interactive mode (Linux pingpong): we answer data quickly, so ACKs wait to ride on answers. */
  #pingpong = false;

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
    this.iss = iss;
    this.options = { ...defaultTcpOptions(), ...stripUndefined(init.options ?? {}) };
    const o = this.options;
    if (!(o.mss > 0) || !Number.isInteger(o.mss)) throw new LocalProtocolError('bad-option', `mss must be a positive integer, got ${o.mss}`);
    if (o.tlsRecordOverhead >= o.mss) throw new LocalProtocolError('bad-option', `tlsRecordOverhead (${o.tlsRecordOverhead}) must be below the mss (${o.mss})`);
    this.#sndUna = iss;
    this.#sndNxt = iss;
    this.#sndMax = iss;
    this.#buffer = new SendBuffer(iss + 1);
    this.#sndSml = iss;
    this.#rtt = new RttEstimator(o.rtoMin, o.rtoMax, o.rtoInitial);
    this.#cc = new Reno(o.mss, o.initialCwnd * o.mss, iss);
    this.#quickAcks = o.quickAckSegments;
  }

  // ======================================================================= public contract

  get state(): TcpState {
    return this.#state;
  }

  get unacknowledgedBytes(): number {
    // Our FIN, once acknowledged, puts SND.UNA one past the data: never report -1.
    return Math.max(0, this.#buffer.end - Math.max(this.#sndUna, this.iss + 1));
  }

  /** Current retransmission timeout (µs), backoff included. */
  get rto(): Micros {
    return this.#rtt.rto;
  }

  /** Smoothed RTT (µs), undefined before the first sample. */
  get srtt(): number | undefined {
    return this.#rtt.srtt;
  }

  /** Congestion window and slow-start threshold in bytes (for traces and tests). */
  get cwnd(): number {
    return this.#cc.cwnd;
  }

  get ssthresh(): number {
    return this.#cc.ssthresh;
  }

  connect(now: Micros): void {
    if (this.#state !== 'CLOSED' || this.#sndMax !== this.iss) {
      throw new LocalProtocolError('bad-state', `connect() needs a fresh CLOSED connection, this one is ${this.#state}`);
    }
    this.#setState('SYN_SENT');
    this.#sndNxt = this.#sndMax = this.iss + 1;
    this.#sendSyn(now, false);
  }

  accept(syn: TcpSegment, now: Micros): void {
    if (this.#state !== 'CLOSED' || this.#sndMax !== this.iss) {
      throw new LocalProtocolError('bad-state', `accept() needs a fresh CLOSED connection, this one is ${this.#state}`);
    }
    if (!syn.flags.syn || syn.flags.ack || syn.flags.rst) {
      throw new LocalProtocolError('not-a-syn', 'accept() takes the SYN that opened the connection');
    }
    this.#checkPorts(syn);
    this.#state = 'LISTEN';
    this.#setState('SYN_RECEIVED');
    this.#irs = syn.seq;
    this.#rcvNxt = syn.seq + 1;
    this.#sndWnd = syn.window;
    this.#sndNxt = this.#sndMax = this.iss + 1;
    this.#sendSyn(now, false);
  }

  send(data: Uint8Array, now: Micros): void {
    if (this.#state === 'CLOSED' && this.#sndMax === this.iss) {
      throw new LocalProtocolError('not-open', 'send() before connect() or accept()');
    }
    if (this.#closeRequested || !(this.#state === 'SYN_SENT' || this.#state === 'SYN_RECEIVED' || SENDING.has(this.#state))) {
      throw new LocalProtocolError('send-after-close', `cannot send in state ${this.#state}${this.#closeRequested ? ' after close()' : ''}`);
    }
    if (data.length === 0) return;
    this.#buffer.write(data); // a copy, as a socket's send() makes
    this.#output(now);
  }

  close(now: Micros): void {
    switch (this.#state) {
      case 'SYN_SENT':
      case 'SYN_RECEIVED':
        // The FIN goes out after the queued data once the handshake completes (RFC 9293 3.10.4
        // for SYN_RECEIVED; for SYN_SENT this is what Node's socket.end() before 'connect'
        // does). abort() is the way to give up on a connection attempt.
        this.#closeRequested = true;
        return;
      case 'ESTABLISHED':
        this.#closeRequested = true;
        this.#setState('FIN_WAIT_1');
        this.#output(now);
        return;
      case 'CLOSE_WAIT':
        this.#closeRequested = true;
        this.#setState('LAST_ACK');
        this.#output(now);
        return;
      default:
        // Already closing or closed: close() is idempotent.
        return;
    }
  }

  abort(now: Micros): void {
    const s = this.#state;
    if (s === 'CLOSED') return;
    // RFC 9293 3.10.5: a RST in synchronized states and SYN_RECEIVED, none from SYN_SENT.
    if (s !== 'SYN_SENT' && s !== 'TIME_WAIT' && s !== 'LISTEN') {
      // Sequence number: the highest we sent (Linux snd_nxt), which the peer's window accepts
      // even while we are resending older data after a timeout.
      this.#push({ seq: this.#sndMax, flags: { rst: true, ack: true }, payload: EMPTY, extra: 0, retransmission: false });
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
    this.#flushAck();
  }

  nextSegment(): TcpSegment | undefined {
    if (this.#segHead >= this.#segments.length) {
      if (this.#segments.length > 0) this.#segments = [];
      this.#segHead = 0;
      return undefined;
    }
    return this.#segments[this.#segHead++];
  }

  nextEvent(): TcpEvent | undefined {
    if (this.#evHead >= this.#events.length) {
      if (this.#events.length > 0) this.#events = [];
      this.#evHead = 0;
      return undefined;
    }
    return this.#events[this.#evHead++];
  }

  nextTimer(): Micros | undefined {
    return earliest(earliest(this.#rtoDeadline, this.#tlpDeadline), earliest(this.#delackDeadline, this.#timeWaitDeadline));
  }

  handleTimer(now: Micros): void {
    if (this.#timeWaitDeadline !== undefined && now >= this.#timeWaitDeadline) {
      this.#timeWaitDeadline = undefined;
      this.#clearTimers();
      this.#setState('CLOSED');
      return;
    }
    if (this.#delackDeadline !== undefined && now >= this.#delackDeadline) {
      this.#delackDeadline = undefined;
      this.#pingpong = false; // Linux tcp_delack_timer_handler: the answer did not come in time
      this.#ackNow = true;
      this.#flushAck();
    }
    // A probe due at the same time as the RTO replaces it (Linux arms one timer for both).
    if (this.#tlpDeadline !== undefined && now >= this.#tlpDeadline) {
      this.#tlpDeadline = undefined;
      this.#onProbeTimeout(now);
    }
    if (this.#rtoDeadline !== undefined && now >= this.#rtoDeadline) {
      this.#rtoDeadline = undefined;
      this.#onRetransmitTimeout(now);
    }
  }

  // ======================================================================= handshake

  #sendSyn(now: Micros, retransmission: boolean): void {
    const passive = this.#state === 'SYN_RECEIVED';
    const flags: TcpFlags = passive ? { syn: true, ack: true } : { syn: true };
    this.#segments.push({
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq: wireSeq(this.iss),
      ack: passive ? wireSeq(this.#rcvNxt) : 0,
      flags,
      // The full window, as on every segment: window scaling is implied, not modelled (a real
      // SYN carries at most 65 535 and the scale option).
      window: this.options.receiveWindow,
      payload: EMPTY,
      wireBytes: segmentWireBytes(0, this.options.synOptionBytes),
      retransmission,
    });
    this.#synSentAt = now;
    this.#rtoDeadline = now + this.#rtt.rto;
  }

  #receiveInSynSent(seg: TcpSegment, now: Micros): void {
    const f = seg.flags;
    if (f.ack && unwrap(seg.ack, this.iss) !== this.iss + 1) {
      if (!f.rst) this.#segments.push(resetFor(seg));
      return;
    }
    if (f.rst) {
      if (f.ack) this.#fail('refused');
      return;
    }
    if (!f.syn || !f.ack) return; // simultaneous open is not modelled
    this.#irs = seg.seq;
    this.#rcvNxt = seg.seq + 1;
    this.#sndWnd = seg.window;
    this.#synAcked(now);
    this.#ackNow = true;
    this.#output(now);
    this.#flushAck();
  }

  /** Returns true when the segment should go on to the synchronized processing. */
  #receiveInSynReceived(seg: TcpSegment, now: Micros): boolean {
    const f = seg.flags;
    if (f.rst) {
      if (unwrap(seg.seq, this.#rcvNxt) === this.#rcvNxt) this.#fail('reset');
      return false;
    }
    if (f.syn) {
      // The peer did not get our SYN-ACK and sent its SYN again: answer with the SYN-ACK.
      if (!f.ack && seg.seq === this.#irs) {
        this.#synRetransmitted = true;
        this.#sendSyn(now, true);
      }
      return false;
    }
    if (!f.ack) return false;
    if (unwrap(seg.ack, this.iss) !== this.iss + 1) {
      this.#segments.push(resetFor(seg));
      return false;
    }
    this.#synAcked(now);
    return true;
  }

  /** Our SYN (or SYN-ACK) was acknowledged: the connection is established. */
  #synAcked(now: Micros): void {
    this.#sndUna = this.iss + 1;
    this.#rtoDeadline = undefined;
    if (!this.#synRetransmitted) this.#rtt.sample(now - this.#synSentAt, this.iss + 1, this.iss + 1);
    else {
      this.#rtt.set(this.options.rtoFallback); // RFC 6298 5.7
      this.#cc.synLost();
    }
    this.#cc.recover = this.#sndUna;
    this.#sndSml = this.#sndUna;
    this.#setState('ESTABLISHED');
    this.#events.push({ type: 'connected' });
    if (this.#closeRequested) this.#setState('FIN_WAIT_1');
  }

  // ======================================================================= receiving

  #receiveSynchronized(seg: TcpSegment, now: Micros): void {
    const f = seg.flags;
    const seq = unwrap(seg.seq, this.#rcvNxt);
    if (f.rst) {
      // Accept a RST whose sequence number is in the window (RFC 9293 3.10.7.4).
      if (seq >= this.#rcvNxt && seq < this.#rcvNxt + Math.max(1, this.options.receiveWindow)) {
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
      this.#ackNow = true;
      return;
    }
    if (!f.ack) return;
    const ack = unwrap(seg.ack, this.#sndUna);
    if (ack > this.#sndMax) {
      // Acknowledges something never sent (RFC 9293 3.10.7.4): ACK and drop.
      this.#ackNow = true;
      return;
    }
    const isDuplicate =
      ack === this.#sndUna && seg.payload.length === 0 && !f.fin && this.#sndMax > this.#sndUna && seg.window === this.#sndWnd;
    if (ack > this.#sndUna) {
      this.#sndWnd = seg.window;
      this.#newAck(ack, now);
    } else if (ack === this.#sndUna) {
      this.#sndWnd = seg.window;
      if (isDuplicate && this.#cc.onDuplicateAck(this.#sndUna, this.#sndMax)) {
        this.#tlpDeadline = undefined;
        this.#retransmitHead(now);
      }
    }
    if (this.#state === 'CLOSED') return;
    this.#receiveData(seq, seg.payload, f.fin === true, now);
    this.#output(now);
  }

  #receiveData(seq: number, payload: Uint8Array, fin: boolean, now: Micros): void {
    if (payload.length === 0 && !fin) return;
    if (!RECEIVING.has(this.#state)) {
      // The peer's FIN was already in: anything more is a retransmission; ACK it again. In
      // TIME_WAIT a retransmitted FIN also restarts the timer (RFC 9293 3.10.7.4).
      this.#ackNow = true;
      if (fin && this.#state === 'TIME_WAIT') this.#timeWaitDeadline = now + this.options.timeWait;
      return;
    }
    const end = seq + payload.length;
    if (this.#closeRequested && this.options.fullClose === true && payload.length > 0 && end > this.#rcvNxt) {
      // Linux tcp_rcv_state_process, FIN_WAIT1/FIN_WAIT2 with RCV_SHUTDOWN: the application has
      // closed the socket, so new data aborts the connection with a RST (TCPAbortOnData).
      this.#push({ seq: this.#sndMax, flags: { rst: true, ack: true }, payload: EMPTY, extra: 0, retransmission: false });
      this.#fail('reset');
      return;
    }
    if (fin) this.#rcvFin = end;
    if (end < this.#rcvNxt || (end === this.#rcvNxt && !fin)) {
      // Entirely old: a retransmission of data we have. ACK at once so the sender moves on, and
      // go back to quick-ACK mode (Linux tcp_data_queue: tcp_enter_quickack_mode).
      this.#ackNow = true;
      this.#enterQuickAck();
      return;
    }
    if (seq > this.#rcvNxt) {
      // Out of order (RFC 5681 4.2: send an immediate duplicate ACK); keep it for later.
      if (seq < this.#rcvNxt + this.options.receiveWindow && payload.length > 0) this.#held.hold(seq, payload);
      this.#ackNow = true;
      return;
    }
    // Linux tcp_event_data_recv: after a silence longer than the RTO, ACK quickly again.
    if (this.#lastDataReceived !== undefined && now - this.#lastDataReceived > this.#rtt.rto) this.#enterQuickAck();
    this.#lastDataReceived = now;
    const fillsHole = !this.#held.isEmpty;
    const data = payload.subarray(this.#rcvNxt - seq);
    if (data.length > 0) this.#deliver(data);
    // Data kept from earlier that now follows on.
    for (let next = this.#held.take(this.#rcvNxt); next !== undefined; next = this.#held.take(this.#rcvNxt)) this.#deliver(next);
    if (this.#rcvFin !== undefined && this.#rcvFin === this.#rcvNxt && !this.#eofDelivered) {
      this.#receiveFin(now);
      return;
    }
    const quickAck = this.#quickAcks > 0 && !this.#pingpong; // Linux tcp_in_quickack_mode
    if (fillsHole || !this.options.delayedAck || quickAck || this.#unackedRcvBytes > this.options.mss) {
      this.#ackNow = true;
    } else if (this.#delackDeadline === undefined) {
      this.#delackDeadline = now + this.options.delayedAckTimeout;
    }
  }

  /** Linux tcp_enter_quickack_mode: the next `quickAckSegments` ACKs go at once, pingpong ends. */
  #enterQuickAck(): void {
    this.#quickAcks = Math.max(this.#quickAcks, this.options.quickAckSegments);
    this.#pingpong = false;
  }

  #deliver(data: Uint8Array): void {
    this.#rcvNxt += data.length;
    this.#unackedRcvBytes += data.length;
    this.#events.push({ type: 'data', data });
  }

  #receiveFin(now: Micros): void {
    this.#rcvNxt += 1;
    this.#eofDelivered = true;
    this.#ackNow = true;
    this.#events.push({ type: 'eof' });
    switch (this.#state) {
      case 'ESTABLISHED':
        this.#setState('CLOSE_WAIT');
        break;
      case 'FIN_WAIT_1':
        this.#setState('CLOSING');
        break;
      case 'FIN_WAIT_2':
        this.#enterTimeWait(now);
        break;
      default:
        break;
    }
  }

  /** Sends a pure ACK if one is due and no data segment carried it. */
  #flushAck(): void {
    if (!this.#ackNow || !SYNCHRONIZED.has(this.#state)) {
      this.#ackNow = false;
      return;
    }
    this.#push({ seq: this.#sndMax, flags: { ack: true }, payload: EMPTY, extra: 0, retransmission: false });
  }

  // ======================================================================= acknowledgements

  #newAck(ack: number, now: Micros): void {
    const acked = ack - this.#sndUna;
    // RTT sample from the first segment this ACK covers, unless the ACK covers a retransmission
    // (Karn's rule, RFC 6298 section 3).
    let first: Sent | undefined;
    let anyRetransmitted = false;
    while (this.#sentHead < this.#sent.length) {
      const r = this.#sent[this.#sentHead]!;
      if (r.start >= ack) break;
      first ??= r;
      if (r.retransmitted) anyRetransmitted = true;
      if (r.end <= ack) {
        this.#sentHead++;
      } else {
        r.start = ack; // a peer that acknowledged part of a segment
        break;
      }
    }
    if (this.#sentHead > 1024 && this.#sentHead * 2 > this.#sent.length) {
      this.#sent = this.#sent.slice(this.#sentHead);
      this.#sentHead = 0;
    }
    if (first !== undefined && !anyRetransmitted) this.#rtt.sample(now - first.sentAt, ack, this.#sndMax);
    const flightBefore = this.#sndNxt - this.#sndUna;
    this.#sndUna = ack;
    if (this.#sndNxt < ack) this.#sndNxt = ack;
    this.#buffer.release(ack);
    this.#tlpDone = false;
    const flightAfter = this.#sndMax - ack;
    if (this.#cc.onAck(ack, acked, flightBefore, flightAfter) === 'partial') this.#retransmitHead(now);

    // Retransmission timer (RFC 6298 5.2, 5.3).
    if (this.#sndUna >= this.#sndMax) {
      this.#rtoDeadline = undefined;
      this.#tlpDeadline = undefined;
    } else {
      this.#rtoDeadline = now + this.#rtt.rto;
      this.#armProbe(now);
    }

    // Our FIN acknowledged?
    if (this.#finSent && this.#sndUna === this.#buffer.end + 1) {
      switch (this.#state) {
        case 'FIN_WAIT_1':
          this.#setState('FIN_WAIT_2');
          break;
        case 'CLOSING':
          this.#enterTimeWait(now);
          break;
        case 'LAST_ACK':
          this.#clearTimers();
          this.#setState('CLOSED');
          this.#emitClosed();
          break;
        default:
          break;
      }
    }
  }

  // ======================================================================= timers

  #onRetransmitTimeout(now: Micros): void {
    if (this.#state === 'SYN_SENT' || this.#state === 'SYN_RECEIVED') {
      const limit = this.#state === 'SYN_SENT' ? this.options.maxSynRetries : this.options.maxSynAckRetries;
      if (this.#synRetries >= limit) {
        this.#fail('timeout');
        return;
      }
      this.#synRetries++;
      this.#synRetransmitted = true;
      this.#rtt.backoff();
      this.#sendSyn(now, true);
      this.#events.push({ type: 'retransmit', seq: wireSeq(this.iss), payloadBytes: 0, cause: 'syn-rto', rto: this.#rtt.rto });
      return;
    }
    if (this.#sndUna >= this.#sndMax || !SENDING.has(this.#state)) return;
    const head = this.#sent[this.#sentHead];
    if (head === undefined) return;
    if (head.timeouts >= this.options.maxRetries) {
      this.#fail('timeout');
      return;
    }
    this.#cc.onTimeout(this.#sndUna, this.#sndMax, head.timeouts === 0);
    this.#rtt.backoff(); // RFC 6298 5.5
    head.timeouts++;
    this.#sndNxt = this.#sndUna; // go-back-N
    this.#tlpDeadline = undefined;
    this.#output(now);
    this.#rtoDeadline = now + this.#rtt.rto; // RFC 6298 5.6
  }

  #armProbe(now: Micros): void {
    this.#tlpDeadline = undefined;
    const srtt = this.#rtt.srtt;
    if (!this.options.tailLossProbe || this.#tlpDone || this.#cc.inRecovery || srtt === undefined) return;
    if (this.#sndNxt < this.#sndMax || this.#sndUna >= this.#sndMax) return;
    // Linux tcp_schedule_loss_probe (RFC 8985 7.2): PTO = 2 SRTT, + TCP_RTO_MIN (200 ms) with one
    // segment in flight (the peer may be delaying its ACK), else + TCP_TIMEOUT_MIN_US (2 ms); and
    // never later than the RTO: a probe due at the RTO time goes out instead of the RTO (no
    // window collapse, no backoff).
    const oneInFlight = this.#sent.length - this.#sentHead === 1;
    const pto = Math.floor(2 * srtt) + (oneInFlight ? this.options.rtoMin : TLP_MIN_TIMEOUT);
    this.#tlpDeadline = Math.min(now + pto, this.#rtoDeadline ?? Infinity);
  }

  #onProbeTimeout(now: Micros): void {
    if (this.#sndUna >= this.#sndMax || this.#cc.inRecovery || !SENDING.has(this.#state)) return;
    this.#tlpDone = true;
    // New data if the windows allow one segment of it, else the last segment again.
    const before = this.#sndMax;
    this.#output(now, true);
    if (this.#sndMax === before) {
      const last = this.#sent[this.#sent.length - 1];
      if (last !== undefined) this.#resend(last, now, 'tail-loss-probe');
    }
    this.#rtoDeadline = now + this.#rtt.rto;
  }

  #enterTimeWait(now: Micros): void {
    this.#clearTimers();
    this.#setState('TIME_WAIT');
    this.#emitClosed();
    this.#timeWaitDeadline = now + this.options.timeWait;
  }

  #clearTimers(): void {
    this.#rtoDeadline = undefined;
    this.#tlpDeadline = undefined;
    this.#delackDeadline = undefined;
    this.#timeWaitDeadline = undefined;
  }

  // ======================================================================= sending

  /**
   * Sends what the windows, Nagle and the MSS allow: first segments to resend after a timeout
   * (go-back-N), then new data, then the FIN. `probe` lets one new segment out past the
   * congestion window (a tail loss probe).
   */
  #output(now: Micros, probe = false): void {
    if (!SENDING.has(this.#state)) return;
    const { mss, tlsRecordOverhead, nagle } = this.options;
    for (;;) {
      const window = Math.min(this.#cc.cwnd, this.#sndWnd);
      const inFlight = this.#sndNxt - this.#sndUna;
      if (this.#sndNxt < this.#sndMax) {
        const rec = this.#sentAt(this.#sndNxt);
        if (rec === undefined) break;
        if (inFlight > 0 && inFlight + (rec.end - rec.start) > window) break;
        this.#resend(rec, now, 'rto');
        this.#sndNxt = rec.end;
        continue;
      }
      const avail = this.#buffer.end - this.#sndNxt;
      const finDue = this.#closeRequested && !this.#finSent;
      if (avail <= 0 && !finDue) break;
      if (inFlight === 0 && this.#lastDataSent !== undefined && now - this.#lastDataSent > this.#rtt.rto) {
        this.#cc.restartAfterIdle(now - this.#lastDataSent, this.#rtt.rto);
      }
      if (avail <= 0) {
        this.#sendNew(now, 0, true, 0); // the FIN alone
        break;
      }
      let len = Math.min(mss, avail);
      let tls = this.#tlsRecordsIn(this.#sndNxt, len);
      while (len > 1 && len + tls * tlsRecordOverhead > mss) {
        len = Math.max(1, mss - tls * tlsRecordOverhead);
        tls = this.#tlsRecordsIn(this.#sndNxt, len);
      }
      const small = len === avail && len + tls * tlsRecordOverhead < mss;
      const newDataWindow = Math.min(this.#cc.cwnd + this.#cc.limitedTransmit, this.#sndWnd);
      if (inFlight > 0 && inFlight + len > newDataWindow && !(probe && inFlight + len <= this.#sndWnd)) break;
      // Nagle, Linux style (tcp_nagle_check + tcp_minshall_check): hold a small segment while
      // an earlier small one is unacknowledged, unless the FIN follows it.
      if (small && nagle && !finDue && this.#sndSml > this.#sndUna && this.#sndSml <= this.#sndNxt) break;
      const withFin = finDue && len === avail;
      this.#sendNew(now, len, withFin, tls);
      if (probe || withFin) break;
    }
  }

  #tlsRecordsIn(seq: number, len: number): number {
    return this.options.tlsRecordOverhead > 0 ? this.#buffer.tlsRecordsIn(seq, seq + len) : 0;
  }

  #sendNew(now: Micros, len: number, fin: boolean, tls: number): void {
    const start = this.#sndNxt;
    const end = start + len + (fin ? 1 : 0);
    this.#transmit(start, len, fin, tls, false, now);
    this.#sent.push({ start, end, fin, sentAt: now, retransmitted: false, timeouts: 0 });
    if (fin) this.#finSent = true;
    if (len > 0 && len + tls * this.options.tlsRecordOverhead < this.options.mss) this.#sndSml = start + len;
    this.#sndNxt = this.#sndMax = end;
    if (this.#rtoDeadline === undefined) this.#rtoDeadline = now + this.#rtt.rto; // RFC 6298 5.1
    this.#armProbe(now);
  }

  /** Sends an unacknowledged segment again, with its original boundaries. */
  #resend(rec: Sent, now: Micros, cause: 'rto' | 'fast-retransmit' | 'tail-loss-probe'): void {
    const len = rec.end - rec.start - (rec.fin ? 1 : 0);
    this.#transmit(rec.start, len, rec.fin, this.#tlsRecordsIn(rec.start, len), true, now);
    rec.retransmitted = true;
    rec.sentAt = now;
    this.#events.push({ type: 'retransmit', seq: wireSeq(rec.start), payloadBytes: len, cause, rto: this.#rtt.rto });
  }

  /** Puts a data (or FIN) segment on the output queue. */
  #transmit(seq: number, len: number, fin: boolean, tls: number, retransmission: boolean, now: Micros): void {
    const flags: TcpFlags = { ack: true };
    if (len > 0 && seq + len === this.#buffer.end) flags.psh = true;
    if (fin) flags.fin = true;
    const payload = len > 0 ? this.#buffer.bytesAt(seq, len) : EMPTY;
    this.#push({ seq, flags, payload, extra: tls * this.options.tlsRecordOverhead, retransmission });
    if (len > 0) {
      this.#lastDataSent = now;
      // Linux tcp_event_data_sent: data sent within the delayed-ACK time of data received means
      // an interactive exchange (TCP_PINGPONG_THRESH = 1).
      if (this.#lastDataReceived !== undefined && now - this.#lastDataReceived < this.options.delayedAckTimeout) this.#pingpong = true;
    }
  }

  /** Fast retransmit or a NewReno partial ACK: resend the first unacknowledged segment. */
  #retransmitHead(now: Micros): void {
    const head = this.#sent[this.#sentHead];
    if (head === undefined) return;
    this.#resend(head, now, 'fast-retransmit');
    // Linux re-arms the RTO when it resends the head (tcp_xmit_retransmit_queue); RFC 6582 does
    // so on partial ACKs.
    this.#rtoDeadline = now + this.#rtt.rto;
  }

  /** The unacknowledged segment that starts at `seq`. */
  #sentAt(seq: number): Sent | undefined {
    let lo = this.#sentHead;
    let hi = this.#sent.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.#sent[mid]!;
      if (r.end <= seq) lo = mid + 1;
      else if (r.start > seq) hi = mid - 1;
      else return r;
    }
    return undefined;
  }

  /** Puts a segment on the output queue; every segment after the SYN carries our ACK. */
  #push(s: { seq: number; flags: TcpFlags; payload: Uint8Array; extra: number; retransmission: boolean }): void {
    this.#segments.push({
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq: wireSeq(s.seq),
      ack: wireSeq(this.#rcvNxt),
      flags: s.flags,
      window: this.options.receiveWindow,
      payload: s.payload,
      wireBytes: segmentWireBytes(s.payload.length, this.options.tcpOptionBytes) + s.extra,
      retransmission: s.retransmission,
    });
    if (s.flags.ack) {
      // This segment carries our ACK: any pending ACK is sent with it.
      this.#ackNow = false;
      this.#delackDeadline = undefined;
      if (this.#unackedRcvBytes > 0 && this.#quickAcks > 0) this.#quickAcks--;
      this.#unackedRcvBytes = 0;
    }
  }

  // ======================================================================= state and events

  #setState(to: TcpState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
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

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function earliest(a: Micros | undefined, b: Micros | undefined): Micros | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}
