/**
 * What an arriving ACK does to the send side, as Linux's tcp_ack (net/ipv4/tcp_input.c) does it;
 * ./sender.ts is the tcp_output.c side (what leaves and when) and keeps the timers.
 *
 * - Without SACK: a new cumulative ACK drops what it covers, takes an RTT sample and moves the
 *   window (NewReno, ./recovery.ts); duplicate ACKs count towards fast retransmit.
 * - With SACK (RFC 2018): mark what the SACK blocks cover (tcp_sacktag_write_queue), drop what
 *   the cumulative ACK covers (tcp_clean_rtx_queue), take the RTT sample (tcp_ack_update_rtt),
 *   let RACK mark losses (./rack.ts), move between open, recovery and loss
 *   (tcp_fastretrans_alert), then set the window: PRR in recovery, the algorithm's growth
 *   otherwise (tcp_cong_control).
 * - RTT samples (tcp_ack_update_rtt): from the first segment the ACK covers unless it was
 *   retransmitted (Karn's rule, RFC 6298 section 3); then from the first newly SACKed segment
 *   sent once; then from the timestamp echo (RFC 7323 section 4.1) when new data was
 *   acknowledged. A sample recomputes the RTO, so the backoff ends with the first ACK of new
 *   data (icsk_backoff = 0).
 */
import type { Micros } from '../../core/time.ts';
import type { TcpSegment } from './api.ts';
import { fromWire, tsRtt } from './seq.ts';
import type { Cleaned, DeliverySink, SentSegment } from './scoreboard.ts';
import { TCP_TIMEOUT_MIN } from './rack.ts';
import type { Sender } from './sender.ts';
import type { AckFacts, AckSample } from './cc/driver.ts';

/**
 * What the algorithm is told at the end of an ACK: one object for every connection, filled in
 * per ACK (an engine never runs inside another, and the algorithm reads it only during the call).
 */
const FACTS: AckFacts = { rttUs: undefined, priorInFlight: 0, inFlight: 0, losses: 0 };

/** No SACK blocks (shared, never changed: the sender's `sackCache` is only replaced, never pushed to). */
export const NO_BLOCKS = Object.freeze([]) as unknown as [number, number][];

/**
 * The ACK being processed, in one object for every connection, filled in at the start of each
 * ACK: an engine never runs inside another, and nothing reads it once the ACK is done, so a
 * connection holds none of it between ACKs (seven fields fewer per connection). Not closures made
 * per ACK either: the scoreboard tells the AckInput of each segment the ACK delivers
 * (`segmentDelivered`), which reads it from here.
 */
const CURRENT: {
  now: Micros;
  rate: AckSample | undefined;
  /** SACK is on: RACK and reordering look at each delivered segment. */
  withSack: boolean;
  /** The highest SACKed sequence before this ACK (Linux prior_fack). */
  priorFack: number;
  /** Rank of the most recently sent segment delivered (0: none; ranks start at 1). */
  newestOrder: number;
  /** RTT of the first newly SACKed segment sent once. */
  sackRtt: Micros | undefined;
  /** This ACK's RTT sample, for the algorithm when no segment sent once gives one. */
  lastRtt: Micros | undefined;
} = { now: 0, rate: undefined, withSack: false, priorFack: 0, newestOrder: 0, sackRtt: undefined, lastRtt: undefined };

/**
 * One object for every connection, as CURRENT: it holds no state of a connection between calls
 * (what must last, the SACK cache and the D-SACK count, is the sender's), and `snd`, the sender
 * being worked on, is set on entry to `onAck` and `detectLoss` (an engine never runs inside
 * another). So a connection makes no object of its own for it.
 */
class AckInput implements DeliverySink {
  snd!: Sender;

  /** The scoreboard delivered `s` (by the cumulative ACK, or `sacked` by a SACK block). */
  segmentDelivered(s: SentSegment, sacked: boolean): void {
    const snd = this.snd;
    const now = CURRENT.now;
    snd.cc.delivered(CURRENT.rate!, s, sacked, now);
    if (!CURRENT.withSack) return;
    // tcp_check_sack_reordering: a segment sent once arrives below one SACKed before it.
    if (!s.retransmitted && s.end <= CURRENT.priorFack) snd.rack.reordSeen = true;
    snd.rack.advance(s, now, snd.minRtt);
    if (s.sentOrder > CURRENT.newestOrder) CURRENT.newestOrder = s.sentOrder;
    if (sacked && !s.retransmitted) CURRENT.sackRtt ??= now - s.sentAt;
  }

  /** What the algorithm is told at the end of the ACK, filled in. */
  #factsFor(priorInFlight: number, inFlight: number, losses: number): AckFacts {
    const f = FACTS;
    f.rttUs = CURRENT.lastRtt;
    f.priorInFlight = priorInFlight;
    f.inFlight = inFlight;
    f.losses = losses;
    return f;
  }

  onAck(snd: Sender, seg: TcpSegment, now: Micros): 'new' | 'old' | 'unsent' {
    this.snd = snd;
    const ack = fromWire(seg.ack, snd.wireOffset, snd.una);
    if (ack > snd.max) return 'unsent';
    if (snd.sackOk) {
      if (ack >= snd.una) snd.wnd = seg.window;
      return this.#onAckSack(seg, ack, now);
    }
    if (ack > snd.una) {
      snd.wnd = seg.window;
      this.#onNewAck(ack, seg, now);
      return 'new';
    }
    if (ack === snd.una) {
      // A duplicate ACK as RFC 5681 section 2 defines it: no data, no FIN, same window, and
      // something outstanding.
      const duplicate = seg.payload.length === 0 && !seg.flags.fin && snd.max > snd.una && seg.window === snd.wnd;
      snd.wnd = seg.window;
      if (duplicate) this.#onDuplicateAck(now);
    }
    return 'old';
  }

  /** An ACK that moves SND.UNA forward to `ack` (no SACK). */
  #onNewAck(ack: number, seg: TcpSegment, now: Micros): void {
    const snd = this.snd;
    const acked = ack - snd.una;
    const rate = (CURRENT.rate = snd.cc.startAck());
    CURRENT.now = now;
    CURRENT.withSack = false;
    CURRENT.lastRtt = undefined;
    const cleaned = snd.queue.acknowledge(ack, this);
    if (cleaned.firstSentAt !== undefined && !cleaned.retransmitted) this.#rttSample(now - cleaned.firstSentAt, ack);
    else if (snd.tsOk && seg.ts !== undefined && seg.ts.ecr !== 0) this.#rttSample(tsRtt(now, seg.ts.ecr), ack);
    const flightBefore = snd.nxt - snd.una;
    snd.una = ack;
    if (snd.nxt < ack) snd.nxt = ack;
    snd.buffer.release(ack);
    snd.tlpDone = false;
    const flightAfter = snd.max - ack;
    // pkts_acked before cong_avoid, as tcp_ack (BBR without SACK keeps NewReno's window moves).
    snd.cc.finishAck(rate, now, this.#factsFor(flightBefore, flightAfter, 0));
    if (snd.recovery.onAck(ack, acked, flightBefore, flightAfter, now) === 'partial') snd.retransmitHead(now);

    // Retransmission timer (RFC 6298 5.2, 5.3).
    if (snd.una >= snd.max) {
      snd.rtoDeadline = undefined;
      snd.tlpDeadline = undefined;
    } else {
      snd.rtoDeadline = now + snd.rtt.rto;
      snd.armProbe(now);
    }
  }

  /** An ACK with SACK on (Linux tcp_ack). */
  #onAckSack(seg: TcpSegment, ack: number, now: Micros): 'new' | 'old' {
    const snd = this.snd;
    const q = snd.queue;
    const rec = snd.recovery;
    const priorUna = snd.una;
    const priorInFlight = q.inFlight(snd.una, snd.max);
    let delivered = 0;
    const rate = (CURRENT.rate = snd.cc.startAck());
    CURRENT.now = now;
    CURRENT.withSack = true;
    CURRENT.priorFack = q.highestSacked;
    CURRENT.newestOrder = 0;
    CURRENT.sackRtt = undefined;
    CURRENT.lastRtt = undefined;
    // Most ACKs carry no SACK block: then no arrays are made (allocation only).
    const wire = seg.sack === undefined || seg.sack.length === 0 ? NO_BLOCKS : seg.sack.map(([l, r]) => [fromWire(l, snd.wireOffset, snd.una), fromWire(r, snd.wireOffset, snd.una)] as [number, number]);
    // RFC 2883 section 4 (tcp_check_dsack): the first block reports a duplicate when it lies
    // below the cumulative ACK or inside the second block.
    const dsack = wire.length > 0 && (wire[0]![0] < ack || (wire.length > 1 && wire[0]![0] >= wire[1]![0] && wire[0]![1] <= wire[1]![1]));
    if (dsack) this.#onDsack(wire[0]![0], wire[0]![1], priorUna);
    const blocks: [number, number][] = wire.length === 0 ? NO_BLOCKS : [];
    for (let b = dsack ? 1 : 0; b < wire.length; b++) {
      const left = Math.max(wire[b]![0], ack);
      const right = wire[b]![1];
      if (right <= left || right > snd.max) continue; // old or invalid
      blocks.push([left, right]);
      // Linux's recv_sack_cache: what the previous ACK's blocks covered is marked already, so a
      // block that grew at its right edge is walked from the old edge only.
      const seen = snd.sackCache.find(([cl, cr]) => cl <= left && cr > left);
      let from = left;
      if (seen !== undefined) from = Math.max(left, q.find(seen[1])?.start ?? seen[1]);
      if (from >= right) continue;
      delivered += q.sack(from, right, this);
    }
    snd.sackCache = blocks;
    const advanced = ack > snd.una;
    let cleaned: Cleaned | undefined;
    if (advanced) {
      cleaned = q.acknowledge(ack, this);
      delivered += cleaned.delivered;
    }
    if (cleaned?.firstSentAt !== undefined && !cleaned.retransmitted) this.#rttSample(now - cleaned.firstSentAt, ack);
    else if (CURRENT.sackRtt !== undefined) this.#rttSample(CURRENT.sackRtt, ack);
    else if (advanced && snd.tsOk && seg.ts !== undefined && seg.ts.ecr !== 0) this.#rttSample(tsRtt(now, seg.ts.ecr), ack);
    if (advanced) {
      snd.una = ack;
      snd.nxt = Math.max(snd.nxt, ack);
      snd.buffer.release(ack);
      snd.tlpDone = false;
      if (snd.tlpHighSeq !== 0 && ack > snd.tlpHighSeq) snd.tlpHighSeq = 0;
    }
    if (CURRENT.newestOrder > 0) snd.rack.updateReoWnd(CURRENT.newestOrder, snd.sends);
    const holdLoss = this.#alert(advanced, snd.tsOk ? seg.ts?.ecr : undefined, now);
    const newlyLost = snd.rack.advanced && !holdLoss ? this.detectLoss(snd, now) : 0;
    if (rec.state === 'open' && q.lostBytes > 0) rec.enterRecovery(snd.max, now, snd.una, q.retransSegments);
    const inFlight = q.inFlight(snd.una, snd.max);
    // tcp_cong_control: an algorithm with its own control (BBR) sets the window, else PRR or growth.
    const controlled = snd.cc.finishAck(rate, now, this.#factsFor(priorInFlight, inFlight, newlyLost));
    if (!controlled && rec.state === 'recovery') rec.reduceWindow(delivered, newlyLost, advanced, inFlight);
    // tcp_may_raise_cwnd: the window grows only on ACKs that acknowledge new data.
    else if (!controlled && advanced) rec.grow(delivered, priorInFlight, now);
    if (snd.una >= snd.max) snd.clearTimers();
    else if (advanced) {
      snd.rtoDeadline = now + snd.rtt.rto; // RFC 6298 5.3
      snd.armProbe(now);
    }
    return advanced ? 'new' : 'old';
  }

  /**
   * A D-SACK for [left, right) (tcp_check_dsack, tcp_dsack_seen, tcp_sacktag_one with dup_sack):
   * ignored if it reports more duplicates than we ever resent; else RACK may widen its window
   * (after reordering was seen, and not for a probe's duplicate), and each resent segment it
   * covers is one retransmission fewer still to be proved spurious (undo_retrans).
   */
  #onDsack(left: number, right: number, priorUna: number): void {
    const snd = this.snd;
    const rec = snd.recovery;
    if (right <= left || right - left > snd.o.receiveWindow) return; // dubious
    const dups = Math.max(1, Math.ceil((right - left) / snd.o.mss));
    snd.dsackDups += dups;
    if (snd.dsackDups > snd.totalRetrans) return; // dubious: more than we ever resent
    const tlp = snd.tlpHighSeq !== 0 && right === snd.tlpHighSeq;
    if (tlp) snd.tlpHighSeq = 0; // the probe was a duplicate: no loss (tcp_process_tlp_ack)
    if (snd.rack.reordSeen && !tlp) snd.rack.dsackSeen = true;
    const marker = rec.undoMarker;
    if (right <= priorUna) {
      // Data already acknowledged: count the duplicates (Linux's "dumb counting").
      if (marker !== undefined && rec.undoRetrans > 0 && right > marker) rec.undoRetrans = Math.max(0, rec.undoRetrans - dups);
      return;
    }
    for (const s of snd.queue) {
      if (s.start >= right) break;
      if (s.end <= left || !s.retransmitted) continue;
      if (marker !== undefined && rec.undoRetrans > 0 && s.end > marker) rec.undoRetrans--;
      snd.queue.duplicateReported(s);
    }
  }

  /**
   * tcp_fastretrans_alert before loss marking: leave recovery or the loss state once the ACK
   * passes `recover`, undoing it if it proved spurious (tcp_try_undo_recovery); in recovery, an
   * ACK that answers an original undoes it (tcp_try_undo_partial; while a retransmission is still
   * in flight it only holds off marking more losses); after a timeout the same proof, or all
   * retransmissions D-SACKed, undoes it (tcp_try_undo_loss); in recovery or open, all
   * retransmissions D-SACKed (tcp_try_undo_dsack). Returns true when loss marking should wait.
   */
  #alert(advanced: boolean, ecr: number | undefined, now: Micros): boolean {
    const snd = this.snd;
    const rec = snd.recovery;
    if (rec.state === 'loss') {
      if (advanced && rec.mayUndo(ecr)) this.#undo(now, true);
      else if (snd.una >= rec.recover) this.#endEpisode(ecr, now);
      return false;
    }
    if (rec.state === 'recovery' && snd.una >= rec.recover) this.#endEpisode(ecr, now);
    if (rec.state === 'recovery' && advanced && rec.packetDelayed(ecr)) {
      snd.rack.reordSeen = true; // tcp_check_sack_reordering: the hole was filled by the original
      if (snd.queue.retransBytes > 0) return true;
      this.#undo(now, true);
      return false;
    }
    if (rec.dsackUndoDue()) {
      snd.rack.undoneByDsack();
      this.#undo(now, false);
    }
    return false;
  }

  /** The ACK passed `recover` (tcp_try_undo_recovery, tcp_end_cwnd_reduction). */
  #endEpisode(ecr: number | undefined, now: Micros): void {
    const snd = this.snd;
    const rec = snd.recovery;
    if (rec.mayUndo(ecr)) {
      this.#undo(now, false);
      return;
    }
    snd.rack.recoveryKept();
    rec.endRecovery(now);
  }

  /** tcp_undo_cwnd_reduction; `unmarkLoss` forgets the loss marks (a timeout or reordering, not loss). */
  #undo(now: Micros, unmarkLoss: boolean): void {
    const snd = this.snd;
    if (unmarkLoss) snd.queue.unmarkLost();
    snd.recovery.undo(now);
    snd.rack.advanced = true; // RACK looks again
    snd.events.push({ type: 'undo', cwnd: snd.recovery.cwnd });
  }

  /** RACK over the scoreboard; returns the bytes newly marked lost and arms the reordering timer. */
  detectLoss(snd: Sender, now: Micros): number {
    this.snd = snd;
    const q = snd.queue;
    const reoWnd = snd.rack.reoWnd(snd.minRtt, snd.rtt.srtt, snd.recovery.state !== 'open', q.sackedSegments);
    const wait = snd.rack.detectLoss(q, now, reoWnd);
    const lost = snd.rack.markedBytes;
    // tcp_rack_mark_lost: the timer at the latest due time + TCP_TIMEOUT_MIN.
    snd.reoDeadline = wait === undefined ? undefined : now + wait + TCP_TIMEOUT_MIN;
    snd.recovery.sk.lost += lost;
    return lost;
  }

  /** One RTT measurement: the RTO estimator and the minimum RTT (tcp_update_rtt_min). */
  #rttSample(r: Micros, ack: number): void {
    const snd = this.snd;
    CURRENT.lastRtt = r;
    snd.rtt.sample(r, ack, snd.max);
    if (snd.minRtt === undefined || r < snd.minRtt) snd.minRtt = r;
    snd.recovery.sk.minRtt = snd.minRtt;
    snd.recovery.sk.srtt = snd.rtt.srtt;
  }

  /** Fast retransmit on the third duplicate ACK. */
  #onDuplicateAck(now: Micros): void {
    const snd = this.snd;
    if (snd.recovery.onDuplicateAck(snd.una, snd.max, now)) {
      snd.tlpDeadline = undefined;
      snd.retransmitHead(now);
    }
  }
}

/** What ACKs do to the send side: the one AckInput (see there). */
export const ACKS = new AckInput();
