/**
 * Delivery-rate estimation as Linux's net/ipv4/tcp_rate.c does it (draft-cheng-iccrg-delivery-
 * rate-estimation): BBR's view of the path. The connection calls it at four points:
 *
 * 1. `segmentSent` for every transmission (retransmissions too): the segment keeps a stamp of
 *    the connection's delivery state at that moment (tcp_rate_skb_sent).
 * 2. `startAck`, then `segmentDelivered` for each segment an ACK newly acknowledges or SACKs
 *    (tcp_rate_skb_delivered): the sample takes the stamp of the most recently sent of them.
 * 3. `generate` at the end of the ACK (tcp_rate_gen): delivered bytes over the longer of the
 *    send phase (between the sends of the first and last segment of the window) and the ACK
 *    phase (between the ACKs), so neither ACK compression nor ACK decimation inflates the rate.
 * 4. `checkAppLimited` when the application writes (tcp_rate_check_app_limited): when the
 *    sender has less than a segment to send and room in cwnd, the samples until what is in
 *    flight now is delivered are marked application-limited.
 *
 * Units: bytes (Linux counts packets) and microseconds. Linux uses a zero prior_delivered or
 * prior_mstamp as "no sample yet"; time 0 is a real instant here, so a flag says it instead.
 */
import type { Micros } from '../../../core/time.ts';
import type { RateSample } from './types.ts';

/** What a segment remembers of the connection when it was (re)sent (tcp_skb_cb.tx). */
export interface TxStamp {
  /** When this transmission left. */
  sentTime: Micros;
  /** The connection's first_tx_mstamp then: the send time of the last segment delivered. */
  firstTxTime: Micros;
  /** The connection's delivered_mstamp then: when delivered last grew. */
  deliveredTime: Micros;
  /** The connection's delivered total then, in bytes. */
  delivered: number;
  isAppLimited: boolean;
  /** Set once the segment was SACKed: its delivery is counted and its stamp used up. */
  consumed: boolean;
}

/** The sample being assembled while one ACK is processed (struct rate_sample, in part). */
export interface AckRateState {
  taken: boolean;
  priorDelivered: number;
  priorTime: Micros;
  /** Send phase: from the window's first send to the chosen segment's send. */
  sendInterval: Micros;
  isAppLimited: boolean;
  isRetrans: boolean;
  lastEndSeq: number;
  /** Bytes newly acknowledged or SACKed on this ACK. */
  ackedSacked: number;
}

/** What the connection knows on the ACK that the estimator does not. */
export interface AckContext {
  /** Bytes newly marked lost on this ACK. */
  losses: number;
  /** The connection's windowed minimum RTT (tcp_min_rtt); undefined before the first sample. */
  minRtt: Micros | undefined;
  /** RTT sample of this ACK, if any. */
  rttUs: Micros | undefined;
  /** Bytes in flight before the ACK. */
  priorInFlight: number;
  isAckDelayed?: boolean;
  /** The receiver discarded SACKed data (SACK reneging): no sample. */
  isSackReneg?: boolean;
}

/** What `checkAppLimited` reads of the sender (tcp_rate_check_app_limited). */
export interface SendState {
  /** Bytes written by the application and not yet sent (write_seq - snd_nxt). */
  unsent: number;
  mss: number;
  inFlight: number;
  cwnd: number;
  /** Bytes marked lost and not yet retransmitted (lost_out - retrans_out, when positive). */
  lostNotRetransmitted: number;
}

/** Sequence comparison modulo 2^32 (RFC 9293 3.4), also right for unwrapped numbers. */
function seqAfter(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export class DeliveryRate {
  /** Bytes delivered (acknowledged or SACKed) so far (tp->delivered). */
  delivered = 0;
  /** When `delivered` last grew (tp->delivered_mstamp). */
  deliveredTime: Micros = 0;
  /** Send time of the most recently delivered segment (tp->first_tx_mstamp). */
  firstTxTime: Micros = 0;
  /** 0, or the delivered total at which the application-limited stretch ends (tp->app_limited). */
  appLimited = 0;
  /** The last valid sample that was not app-limited, or the fastest app-limited one (tcp_info). */
  rateDelivered = 0;
  rateInterval: Micros = 0;
  rateAppLimited = false;

  /**
   * A segment is (re)transmitted at `now`; `outstanding` is what was sent and not cumulatively
   * acknowledged before it (packets_out: SACKed data counts, spurious loss marks do not).
   */
  segmentSent(now: Micros, outstanding: number): TxStamp {
    if (outstanding === 0) {
      // Nothing in flight: the next ACK measures the network from this send on.
      this.firstTxTime = now;
      this.deliveredTime = now;
    }
    return {
      sentTime: now,
      firstTxTime: this.firstTxTime,
      deliveredTime: this.deliveredTime,
      delivered: this.delivered,
      isAppLimited: this.appLimited !== 0,
      consumed: false,
    };
  }

  /** A fresh sample for an ACK, or `reuse` reset to one. */
  startAck(reuse?: AckRateState): AckRateState {
    if (reuse !== undefined) return resetAckRate(reuse);
    return {
      taken: false,
      priorDelivered: 0,
      priorTime: 0,
      sendInterval: 0,
      isAppLimited: false,
      isRetrans: false,
      lastEndSeq: 0,
      ackedSacked: 0,
    };
  }

  /**
   * `bytes` of a segment ending at `endSeq` are newly delivered by this ACK: `sacked` if by a
   * SACK block (the cumulative ACK that later covers it counts nothing), `retransmitted` if the
   * stamp is from a retransmission.
   */
  segmentDelivered(ack: AckRateState, stamp: TxStamp, bytes: number, endSeq: number, sacked: boolean, retransmitted: boolean): void {
    if (stamp.consumed) return;
    this.delivered += bytes;
    ack.ackedSacked += bytes;
    // Take the most recently sent segment's stamp (the later send, then the higher sequence).
    if (
      !ack.taken ||
      stamp.sentTime > this.firstTxTime ||
      (stamp.sentTime === this.firstTxTime && seqAfter(endSeq, ack.lastEndSeq))
    ) {
      ack.taken = true;
      ack.priorDelivered = stamp.delivered;
      ack.priorTime = stamp.deliveredTime;
      ack.isAppLimited = stamp.isAppLimited;
      ack.isRetrans = retransmitted;
      ack.lastEndSeq = endSeq;
      this.firstTxTime = stamp.sentTime;
      ack.sendInterval = stamp.sentTime - stamp.firstTxTime;
    }
    if (sacked) stamp.consumed = true;
  }

  /** Bytes delivered by a segment that carries no stamp (the algorithm takes no samples). */
  countDelivered(ack: AckRateState, bytes: number): void {
    this.delivered += bytes;
    ack.ackedSacked += bytes;
  }

  /** The ACK is processed: update the connection's delivery state and make the sample. */
  generate(ack: AckRateState, now: Micros, ctx: AckContext): RateSample {
    // The app-limited bubble is over once everything in flight when it was marked is delivered.
    if (this.appLimited !== 0 && this.delivered > this.appLimited) this.appLimited = 0;
    if (ack.ackedSacked > 0) this.deliveredTime = now;
    const rs: RateSample = {
      delivered: -1,
      intervalUs: -1,
      rttUs: ctx.rttUs,
      isAppLimited: ack.isAppLimited,
      losses: ctx.losses,
      ackedSacked: ack.ackedSacked,
      priorInFlight: ctx.priorInFlight,
      priorDelivered: ack.priorDelivered,
    };
    if (ctx.isAckDelayed !== undefined) rs.isAckDelayed = ctx.isAckDelayed;
    if (!ack.taken || ctx.isSackReneg) return rs;
    rs.delivered = this.delivered - ack.priorDelivered;
    // The longer of the send and ACK phases (ACK compression shortens the latter).
    const interval = Math.max(ack.sendInterval, now - ack.priorTime);
    // Shorter than the minimum RTT is impossible for a real delivery: a spurious retransmission
    // or a missing RTT sample; no sample then.
    if (ctx.minRtt === undefined || interval < ctx.minRtt) return rs;
    rs.intervalUs = interval;
    if (!rs.isAppLimited || rs.delivered * this.rateInterval >= this.rateDelivered * interval) {
      this.rateDelivered = rs.delivered;
      this.rateInterval = interval;
      this.rateAppLimited = rs.isAppLimited;
    }
    return rs;
  }

  /** The application wrote: mark the samples app-limited if it, not the network, held us back. */
  checkAppLimited(s: SendState): void {
    if (s.unsent < s.mss && s.inFlight < s.cwnd && s.lostNotRetransmitted <= 0) {
      this.appLimited = this.delivered + s.inFlight || 1;
    }
  }
}

/** `a` reset to a fresh sample (as `DeliveryRate.startAck` makes one), and returned. */
export function resetAckRate(a: AckRateState): AckRateState {
  a.taken = false;
  a.priorDelivered = 0;
  a.priorTime = 0;
  a.sendInterval = 0;
  a.isAppLimited = false;
  a.isRetrans = false;
  a.lastEndSeq = 0;
  a.ackedSacked = 0;
  return a;
}
