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
import { tsRtt, unwrap } from './seq.ts';
import type { Cleaned, SentSegment } from './scoreboard.ts';
import { TCP_TIMEOUT_MIN } from './rack.ts';
import type { Sender } from './sender.ts';

export class AckInput {
  /** The SACK blocks of the last ACK, unwrapped (Linux recv_sack_cache). */
  #sackCache: [number, number][] = [];
  /** This ACK's RTT sample, for the algorithm when no segment sent once gives one. */
  #lastRtt: Micros | undefined;

  constructor(readonly snd: Sender) {}

  onAck(seg: TcpSegment, now: Micros): 'new' | 'old' | 'unsent' {
    const snd = this.snd;
    const ack = unwrap(seg.ack, snd.una);
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
    const rate = snd.cc.startAck();
    this.#lastRtt = undefined;
    const cleaned = snd.queue.acknowledge(ack, (s) => snd.cc.delivered(rate, s, false, now));
    if (cleaned.first !== undefined && !cleaned.retransmitted) this.#rttSample(now - cleaned.first.sentAt, ack);
    else if (snd.tsOk && seg.ts !== undefined && seg.ts.ecr !== 0) this.#rttSample(tsRtt(now, seg.ts.ecr), ack);
    const flightBefore = snd.nxt - snd.una;
    snd.una = ack;
    if (snd.nxt < ack) snd.nxt = ack;
    snd.buffer.release(ack);
    snd.tlpDone = false;
    const flightAfter = snd.max - ack;
    const facts = { rttUs: this.#lastRtt, priorInFlight: flightBefore, inFlight: flightAfter, losses: 0 };
    // pkts_acked before cong_avoid, as tcp_ack (BBR without SACK keeps NewReno's window moves).
    snd.cc.finishAck(rate, now, facts);
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
    const priorInFlight = q.inFlight(snd.una, snd.max);
    const priorFack = q.highestSacked;
    let delivered = 0;
    let sackRtt: Micros | undefined;
    const rate = snd.cc.startAck();
    this.#lastRtt = undefined;
    const onDelivered = (s: SentSegment, sacked = false): void => {
      snd.cc.delivered(rate, s, sacked, now);
      // tcp_check_sack_reordering: a segment sent once arrives below one SACKed before it.
      if (!s.retransmitted && s.end <= priorFack) snd.rack.reordSeen = true;
      snd.rack.advance(s, now, snd.minRtt);
    };
    const blocks: [number, number][] = [];
    for (const [l, r] of seg.sack ?? []) {
      const left = Math.max(unwrap(l, snd.una), ack);
      const right = unwrap(r, snd.una);
      if (right <= left || right > snd.max) continue; // old or invalid (D-SACK is not modelled)
      blocks.push([left, right]);
      // Linux's recv_sack_cache: what the previous ACK's blocks covered is marked already, so a
      // block that grew at its right edge is walked from the old edge only.
      const seen = this.#sackCache.find(([cl, cr]) => cl <= left && cr > left);
      let from = left;
      if (seen !== undefined) from = Math.max(left, q.find(seen[1])?.start ?? seen[1]);
      if (from >= right) continue;
      delivered += q.sack(from, right, (s) => {
        onDelivered(s, true);
        if (!s.retransmitted) sackRtt ??= now - s.sentAt;
      });
    }
    this.#sackCache = blocks;
    const advanced = ack > snd.una;
    let cleaned: Cleaned | undefined;
    if (advanced) {
      cleaned = q.acknowledge(ack, onDelivered);
      delivered += cleaned.delivered;
    }
    if (cleaned?.first !== undefined && !cleaned.retransmitted) this.#rttSample(now - cleaned.first.sentAt, ack);
    else if (sackRtt !== undefined) this.#rttSample(sackRtt, ack);
    else if (advanced && snd.tsOk && seg.ts !== undefined && seg.ts.ecr !== 0) this.#rttSample(tsRtt(now, seg.ts.ecr), ack);
    if (advanced) {
      snd.una = ack;
      snd.nxt = Math.max(snd.nxt, ack);
      snd.buffer.release(ack);
      snd.tlpDone = false;
    }
    const newlyLost = snd.rack.advanced ? this.detectLoss(now) : 0;
    if (rec.state !== 'open' && snd.una >= rec.recover) rec.endRecovery(now);
    if (rec.state === 'open' && q.lostBytes > 0) rec.enterRecovery(snd.max, now);
    const inFlight = q.inFlight(snd.una, snd.max);
    const facts = { rttUs: this.#lastRtt, priorInFlight, inFlight, losses: newlyLost };
    // tcp_cong_control: an algorithm with its own control (BBR) sets the window, else PRR or growth.
    const controlled = snd.cc.finishAck(rate, now, facts);
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

  /** RACK over the scoreboard; returns the bytes newly marked lost and arms the reordering timer. */
  detectLoss(now: Micros): number {
    const snd = this.snd;
    const q = snd.queue;
    const reoWnd = snd.rack.reoWnd(snd.minRtt, snd.rtt.srtt, snd.recovery.state !== 'open', q.sackedSegments);
    let lost = 0;
    const wait = snd.rack.detectLoss(q, now, reoWnd, (s) => {
      lost += s.end - s.start;
      q.markLost(s);
    });
    // tcp_rack_mark_lost: the timer at the latest due time + TCP_TIMEOUT_MIN.
    snd.reoDeadline = wait === undefined ? undefined : now + wait + TCP_TIMEOUT_MIN;
    snd.recovery.sk.lost += lost;
    return lost;
  }

  /** One RTT measurement: the RTO estimator and the minimum RTT (tcp_update_rtt_min). */
  #rttSample(r: Micros, ack: number): void {
    const snd = this.snd;
    this.#lastRtt = r;
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
