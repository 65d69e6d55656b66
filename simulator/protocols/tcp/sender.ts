/**
 * The send side of one connection: what may leave now (windows, Nagle, MSS, TLS records), the
 * retransmission queue, the retransmission timer and the tail loss probe (Linux tcp_output.c and
 * tcp_timer.c). The connection (./connection.ts) owns the state machine and calls in here; what
 * an ACK does is in ./ack.ts (tcp_input.c), loss recovery arithmetic in ./recovery.ts, the
 * congestion algorithm in ./cc/.
 *
 * Rules, and where they come from:
 * - RTO as Linux computes it (./rtt.ts, samples taken in ./ack.ts); doubling backoff (RFC 6298
 *   5.5), the timer restarted when new data is acknowledged (5.3).
 * - Abort after `maxRetries` timeouts of the same segment. (Linux turns tcp_retries2 into a time
 *   limit; we count the retransmissions themselves.)
 * - After an RTO, without SACK, go-back-N: everything after SND.UNA is sent again in slow start,
 *   as BSD and Linux without SACK do; with SACK, only what is not SACKed (tcp_enter_loss). Either
 *   way small segments waiting to be resent are merged up to the MSS (tcp_retrans_try_collapse;
 *   not with TLS records, whose overhead is per write).
 * - With SACK (RFC 2018), loss detection is RACK (./rack.ts) and the window in recovery PRR
 *   (./recovery.ts), as Linux: every segment marked lost is resent, holes only.
 * - Tail loss probe (RFC 8985 section 7, as Linux tcp_schedule_loss_probe): when the last segment
 *   sent is unacknowledged for a probe timeout (2 SRTT, plus 200 ms when one segment is in
 *   flight, else 2 ms), send new data if any, else the last segment again, once per tail. The
 *   probe is never due later than the RTO; when both fall due together the probe goes instead
 *   (Linux arms one timer for both), so a lone lost segment is first resent as a probe, without
 *   window collapse or backoff.
 * - Nagle as Linux implements it (Minshall's variant, tcp_nagle_check): a segment smaller than
 *   the MSS waits while an earlier small segment is unacknowledged; `nagle: false` is
 *   TCP_NODELAY. A pending FIN pushes the tail out.
 */
import type { Micros } from '../../core/time.ts';
import type { TcpEvent, TcpFlags, TcpOptions, TcpSegment } from './api.ts';
import { ACK, ACK_FIN, ACK_PSH, ACK_PSH_FIN, BASE_SEQ, EMPTY, type Queue, fromWire, seqOffset, toWire, tsClock } from './seq.ts';
import { RttEstimator } from './rtt.ts';
import { LossRecovery } from './recovery.ts';
import { CcDriver } from './cc/driver.ts';
import { createCongestionControl, seededU32 } from './cc/index.ts';
import { SendBuffer } from './send-buffer.ts';
import { RetransmitQueue, newSegment, type SentSegment } from './scoreboard.ts';
import type { TxStamp } from './cc/rate.ts';
import { Rack, TCP_TIMEOUT_MIN } from './rack.ts';
import { ACKS, NO_BLOCKS } from './ack.ts';
import type { Receiver } from './receiver.ts';



export type RetransmitCause = 'rto' | 'fast-retransmit' | 'tail-loss-probe';

export class Sender {
  /** Our ISS as the engine counts (./seq.ts: each direction starts at BASE_SEQ inside). */
  get iss(): number {
    return BASE_SEQ;
  }

  /** Internal to wire sequence numbers: ISS - BASE_SEQ as an int32 (./seq.ts toWire). */
  readonly wireOffset: number;
  // RFC 9293 3.3.1 names.
  una: number;
  nxt: number;
  /** Highest sequence number sent + 1 (SND.NXT before a go-back-N). */
  max: number;
  wnd = 0;
  /** What the application wrote; `buffer.end` is where the FIN, if any, goes. */
  readonly buffer: SendBuffer;
  readonly queue = new RetransmitQueue();
  closeRequested = false;
  /** Both SYNs carried the timestamps option: every ACK of new data gives an RTT sample. */
  tsOk = false;
  /** Both SYNs carried SACK-permitted: SACK scoreboard, RACK and PRR instead of NewReno. */
  sackOk = false;
  readonly rack = new Rack();
  /** RACK's reordering timer (Linux ICSK_TIME_REO_TIMEOUT). */
  reoDeadline: Micros | undefined;
  /** Minimum RTT seen (Linux tcp_min_rtt; its 5-minute window is longer than a run). */
  minRtt: Micros | undefined;
  finSent = false;
  /** End of the last sub-MSS segment sent (Linux snd_sml, for Nagle). */
  sndSml: number;
  /** Transmissions so far (orders sends made at the same instant). */
  #sends = 0;
  /** Transmissions so far, retransmissions included. */
  get sends(): number {
    return this.#sends;
  }

  /** Segments sent again, probes included (Linux total_retrans: bounds what D-SACK may report). */
  totalRetrans = 0;
  /** SND.NXT when a probe resent the last segment (Linux tlp_high_seq); 0 when none is out. */
  tlpHighSeq = 0;
  /** When data was last sent (Linux lsndtime, for the restart after idle). */
  #lastDataSent: Micros | undefined;

  readonly rtt: RttEstimator;
  readonly recovery: LossRecovery;
  /** The congestion algorithm's view of the connection: rate samples, RTTs, pacing (./cc/driver.ts). */
  readonly cc: CcDriver;
  /** When pacing lets the next segment leave (BBR); undefined when nothing waits for it. */
  pacingDeadline: Micros | undefined;
  rtoDeadline: Micros | undefined;
  tlpDeadline: Micros | undefined;
  /** Set once a probe went out for the current tail; cleared when SND.UNA advances. */
  tlpDone = false;
  /** The SACK blocks of the last ACK, unwrapped (Linux recv_sack_cache; ./ack.ts). */
  sackCache: [number, number][] = NO_BLOCKS;
  /** Duplicates reported by D-SACK so far (Linux dsack_dups; ./ack.ts). */
  dsackDups = 0;
  /** Whether the connection's state allows sending data or our FIN (the connection keeps it current). */
  canSend = false;
  /** The receive side: it stamps our segments, and learns when data leaves (set by the connection). */
  rcv!: Receiver;

  /**
   * Output goes straight into the connection's queues (`segments`, `events`), stamped by the
   * receive side (`rcv`) with our ACK, window and options: plain references, no callbacks.
   */
  constructor(
    /** Our initial sequence number as it goes on the wire. */
    isn: number,
    readonly o: Readonly<Required<TcpOptions>>,
    readonly segments: Queue<TcpSegment>,
    readonly events: Queue<TcpEvent>,
    readonly ports: { readonly localPort: number; readonly remotePort: number },
    rtt: RttEstimator,
  ) {
    const iss = this.iss;
    this.wireOffset = seqOffset(isn);
    this.una = iss;
    this.nxt = iss;
    this.max = iss;
    this.buffer = new SendBuffer(iss + 1, o.tlsRecordOverhead > 0);
    this.sndSml = iss;
    this.rtt = rtt;
    // BBR's random gain-cycle phase is drawn from the (seeded) ISS as sent: sans-IO.
    this.recovery = new LossRecovery(createCongestionControl(o.congestion, { randomU32: seededU32(isn) }), o.mss, o.initialCwnd * o.mss, iss);
    this.cc = new CcDriver(this.recovery.ca, this.recovery.sk);
  }

  /** Our SYN was acknowledged: data starts after it. */
  established(): void {
    this.una = this.iss + 1;
    this.rtoDeadline = undefined;
    this.recovery.recover = this.una;
    this.sndSml = this.una;
  }

  // ======================================================================= acknowledgements

  /** Whether an ACK field (as on the wire) acknowledges our SYN: ISS + 1. */
  acksSyn(wireAck: number): boolean {
    return fromWire(wireAck, this.wireOffset, this.iss) === this.iss + 1;
  }

  /**
   * The ACK field of a synchronized segment (RFC 9293 3.10.7.4, fifth step): 'new' when it moved
   * SND.UNA, 'unsent' when it acknowledges something never sent (the caller ACKs and drops it).
   * The work is in ./ack.ts.
   */
  onAck(seg: TcpSegment, now: Micros): 'new' | 'old' | 'unsent' {
    return ACKS.onAck(this, seg, now);
  }

  /** RACK over the scoreboard; returns the bytes newly marked lost and arms the reordering timer. */
  detectLoss(now: Micros): number {
    return ACKS.detectLoss(this, now);
  }

  // ======================================================================= timers

  /** The reordering timer fired (tcp_rack_reo_timeout): mark what is now due, resend it. */
  onReoTimeout(now: Micros): void {
    this.reoDeadline = undefined;
    if (!this.canSend) return;
    const rec = this.recovery;
    if (this.detectLoss(now) > 0) {
      if (rec.state === 'open') {
        rec.enterRecovery(this.max, now, this.una, this.queue.retransSegments);
        rec.reduceWindow(this.o.mss, 0, false, this.queue.inFlight(this.una, this.max)); // Linux: one packet
      }
      this.output(now);
    }
    this.rtoDeadline ??= now + this.rtt.rto;
  }

  /** The retransmission timer fired; false when the retries are spent (the connection fails). */
  onRetransmitTimeout(now: Micros): boolean {
    if (this.una >= this.max || !this.canSend) return true;
    const head = this.queue.head;
    if (head === undefined) return true;
    if (head.timeouts >= this.o.maxRetries) return false;
    this.recovery.onTimeout(this.una, this.max, head.timeouts === 0, now);
    this.rtt.backoff(); // RFC 6298 5.5
    head.timeouts++;
    // With SACK everything not SACKed is lost and resent in order, holes only (tcp_enter_loss);
    // without, go-back-N.
    if (this.sackOk) this.queue.markAllLost();
    else this.nxt = this.una;
    this.tlpDeadline = undefined;
    this.reoDeadline = undefined;
    this.output(now);
    this.rtoDeadline = now + this.rtt.rto; // RFC 6298 5.6
    return true;
  }

  armProbe(now: Micros): void {
    this.tlpDeadline = undefined;
    const srtt = this.rtt.srtt;
    if (!this.o.tailLossProbe || this.tlpDone || this.recovery.inRecovery || srtt === undefined) return;
    // With SACK, only in the open state with nothing SACKed (Linux: CA_Open; RACK's timer
    // covers the disorder state).
    if (this.sackOk && (this.recovery.state !== 'open' || this.queue.sackedBytes > 0)) return;
    if (this.nxt < this.max || this.una >= this.max) return;
    // Linux tcp_schedule_loss_probe (RFC 8985 7.2): PTO = 2 SRTT, + TCP_RTO_MIN (200 ms) with one
    // segment in flight (the peer may be delaying its ACK), else + TCP_TIMEOUT_MIN_US (2 ms); and
    // never later than the RTO: a probe due at the RTO time goes out instead of the RTO (no
    // window collapse, no backoff).
    const oneInFlight = this.queue.size === 1;
    const pto = Math.floor(2 * srtt) + (oneInFlight ? this.o.rtoMin : TCP_TIMEOUT_MIN);
    this.tlpDeadline = Math.min(now + pto, this.rtoDeadline ?? Infinity);
  }

  onProbeTimeout(now: Micros): void {
    if (this.una >= this.max || this.recovery.inRecovery || !this.canSend) return;
    this.tlpDone = true;
    // New data if the windows allow one segment of it, else the last segment again.
    const before = this.max;
    this.output(now, true);
    if (this.max === before) {
      const last = this.queue.last;
      if (last !== undefined) {
        this.#resend(last, now, 'tail-loss-probe');
        this.tlpHighSeq = this.max;
      }
    }
    this.rtoDeadline = now + this.rtt.rto;
  }

  /** When the first of the send side's timers is due: retransmission, probe, reordering, pacing. */
  get nextDeadline(): Micros | undefined {
    return earliest(earliest(earliest(this.rtoDeadline, this.tlpDeadline), this.reoDeadline), this.pacingDeadline);
  }

  /**
   * The send side's timers due at `now`, the retransmission timer apart (the connection's: before
   * the handshake completes it resends the SYN). A probe due at the same time as the RTO replaces
   * it (Linux arms one timer for both).
   */
  onTimers(now: Micros): void {
    if (this.reoDeadline !== undefined && now >= this.reoDeadline) this.onReoTimeout(now);
    // Pacing (BBR): the next segment's departure time came.
    if (this.pacingDeadline !== undefined && now >= this.pacingDeadline) {
      this.pacingDeadline = undefined;
      this.output(now);
    }
    if (this.tlpDeadline !== undefined && now >= this.tlpDeadline) {
      this.tlpDeadline = undefined;
      this.onProbeTimeout(now);
    }
  }

  clearTimers(): void {
    this.rtoDeadline = undefined;
    this.tlpDeadline = undefined;
    this.reoDeadline = undefined;
  }

  // ======================================================================= sending

  /**
   * Sends what the windows, Nagle and the MSS allow: first segments to resend after a timeout
   * (go-back-N), then new data, then the FIN. `probe` lets one new segment out past the
   * congestion window (a tail loss probe).
   */
  output(now: Micros, probe = false): void {
    if (!this.canSend) return;
    const { tlsRecordOverhead, nagle } = this.o;
    // The SACK blocks our segments carry take option space off the payload (tcp_current_mss).
    const mss = this.o.mss - this.rcv.sackBytes;
    const rec = this.recovery;
    for (;;) {
      // Pacing (BBR): nothing leaves before its departure time; the connection wakes us then.
      if ((this.pacingDeadline = this.cc.pacedUntil(now)) !== undefined) break;
      const window = Math.min(rec.cwnd, this.wnd);
      const seqFlight = this.nxt - this.una;
      const inFlight = this.sackOk ? this.queue.inFlight(this.una, this.max) : seqFlight;
      const hole = this.sackOk ? this.queue.nextHole() : undefined;
      if (hole !== undefined) {
        // Linux tcp_xmit_retransmit_queue: lost segments first, while the window has room.
        if (inFlight > 0 && inFlight + (hole.end - hole.start) > rec.cwnd) break;
        if (tlsRecordOverhead === 0) this.queue.collapse(hole, mss, (n) => n.lost && !n.inFlightAgain);
        this.#resend(hole, now, rec.state === 'loss' ? 'rto' : 'fast-retransmit');
        continue;
      }
      if (this.nxt < this.max) {
        const found = this.queue.find(this.nxt);
        if (found === undefined) break;
        // Go-back-N: everything from here is to be resent anyway.
        const seg = tlsRecordOverhead === 0 ? this.queue.collapse(found, mss, () => true) : found;
        if (inFlight > 0 && inFlight + (seg.end - seg.start) > window) break;
        this.#resend(seg, now, 'rto');
        this.nxt = seg.end;
        continue;
      }
      const avail = this.buffer.end - this.nxt;
      const finDue = this.closeRequested && !this.finSent;
      if (avail <= 0 && !finDue) break;
      // tcp_slow_start_after_idle_check: nothing outstanding, idle longer than the RTO, and not
      // an algorithm with its own control (BBR restarts from idle itself).
      const idle = this.#lastDataSent === undefined ? 0 : now - this.#lastDataSent;
      if (this.una === this.max && idle > this.rtt.rto && rec.ca.congControl === undefined) {
        rec.restartAfterIdle(idle, this.rtt.rto, now);
      }
      if (avail <= 0) {
        this.#sendNew(now, 0, true, 0); // the FIN alone
        break;
      }
      let len = Math.min(mss, avail);
      let tls = this.#tlsRecordsIn(this.nxt, len);
      while (len > 1 && len + tls * tlsRecordOverhead > mss) {
        len = Math.max(1, mss - tls * tlsRecordOverhead);
        tls = this.#tlsRecordsIn(this.nxt, len);
      }
      const small = len === avail && len + tls * tlsRecordOverhead < mss;
      const overRwnd = seqFlight > 0 && seqFlight + len > this.wnd;
      const overCwnd = inFlight > 0 && inFlight + len > rec.cwnd + rec.limitedTransmit;
      if (overRwnd || (overCwnd && !probe)) break;
      // Nagle, Linux style (tcp_nagle_check + tcp_minshall_check): hold a small segment while
      // an earlier small one is unacknowledged, unless the FIN follows it.
      if (small && nagle && !finDue && this.sndSml > this.una && this.sndSml <= this.nxt) break;
      const withFin = finDue && len === avail;
      this.#sendNew(now, len, withFin, tls);
      if (probe || withFin) break;
    }
  }

  #tlsRecordsIn(seq: number, len: number): number {
    return this.o.tlsRecordOverhead > 0 ? this.buffer.tlsRecordsIn(seq, seq + len) : 0;
  }

  #sendNew(now: Micros, len: number, fin: boolean, tls: number): void {
    const start = this.nxt;
    const end = start + len + (fin ? 1 : 0);
    const stamp = this.#transmit(start, len, fin, tls, false, now);
    const seg = newSegment(start, end, fin, now, ++this.#sends);
    if (stamp !== undefined) seg.rate = stamp;
    this.queue.push(seg);
    this.recovery.onSent(end - start);
    if (fin) this.finSent = true;
    if (len > 0 && len + tls * this.o.tlsRecordOverhead < this.o.mss) this.sndSml = start + len;
    this.nxt = this.max = end;
    if (this.rtoDeadline === undefined) this.rtoDeadline = now + this.rtt.rto; // RFC 6298 5.1
    this.armProbe(now);
  }

  /** Sends an unacknowledged segment again, with its original boundaries. */
  #resend(seg: SentSegment, now: Micros, cause: RetransmitCause): void {
    const len = seg.end - seg.start - (seg.fin ? 1 : 0);
    const stamp = this.#transmit(seg.start, len, seg.fin, this.#tlsRecordsIn(seg.start, len), true, now);
    if (stamp !== undefined) seg.rate = stamp;
    this.queue.resent(seg, now, ++this.#sends);
    this.totalRetrans++;
    // A probe is not a retransmission for undo (Linux sends it through __tcp_retransmit_skb).
    if (cause !== 'tail-loss-probe') this.recovery.onRetransmit(tsClock(now));
    this.recovery.onSent(seg.end - seg.start);
    this.events.push({ type: 'retransmit', seq: toWire(seg.start, this.wireOffset), payloadBytes: len, cause, rto: this.rtt.rto });
  }

  /** Puts a data (or FIN) segment on the output queue. */
  #transmit(seq: number, len: number, fin: boolean, tls: number, retransmission: boolean, now: Micros): TxStamp | undefined {
    const psh = len > 0 && seq + len === this.buffer.end;
    const flags = fin ? (psh ? ACK_PSH_FIN : ACK_FIN) : psh ? ACK_PSH : ACK;
    const payload = len > 0 ? this.buffer.bytesAt(seq, len) : EMPTY;
    // Paced by its TCP payload, TLS record overhead included, as Linux's skb->len (./cc/driver.ts).
    const stamp = this.cc.onTransmit(now, len + tls * this.o.tlsRecordOverhead, this.max - this.una, len > 0 && !retransmission && this.max === this.una);
    this.emit(seq, flags, payload, tls * this.o.tlsRecordOverhead, retransmission, now);
    if (len > 0) {
      this.#lastDataSent = now;
      this.rcv.ack.onDataSent(now); // for the receiver's pingpong detection
    }
    return stamp;
  }

  /**
   * Puts a segment (`seq` internal) on the output queue, stamped by the receive side with ports, our ACK, window
   * and options; `extra`: bytes on the wire beyond headers and payload (TLS record overhead).
   */
  emit(seq: number, flags: TcpFlags, payload: Uint8Array, extra: number, retransmission: boolean, now: Micros): void {
    this.segments.push(this.rcv.stamp(toWire(seq, this.wireOffset), flags, payload, extra, retransmission, this.ports, now));
  }

  /** Fast retransmit or a NewReno partial ACK: resend the first unacknowledged segment. */
  retransmitHead(now: Micros): void {
    const head = this.queue.head;
    if (head === undefined) return;
    this.#resend(head, now, 'fast-retransmit');
    // Linux re-arms the RTO when it resends the head (tcp_xmit_retransmit_queue); RFC 6582 does
    // so on partial ACKs.
    this.rtoDeadline = now + this.rtt.rto;
  }
}

/** The earlier of two deadlines, either of which may be unset. */
export function earliest(a: Micros | undefined, b: Micros | undefined): Micros | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}
