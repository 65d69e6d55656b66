/**
 * What the sender calls so a congestion control algorithm sees what Linux's tcp_ack() and
 * tcp_transmit_skb() show it: one object per connection holding the algorithm, the delivery-rate
 * estimator (./rate.ts) and the pacing clock, so the sender's part is a handful of calls.
 *
 * - `onTransmit` for every data segment sent or resent (tcp_event_data_sent, tcp_rate_skb_sent,
 *   the EDT pacing clock of tcp_update_skb_after_send).
 * - `startAck` / `delivered` / `finishAck` around an ACK: the segments it newly acknowledges or
 *   SACKs, then pkts_acked with the RTT of the ACK (Linux's ca_rtt_us) and, for an algorithm with
 *   cong_control (BBR), the rate sample and the algorithm's own window and pacing rate
 *   (tcp_cong_control). `finishAck` says whether the algorithm set the window, so the sender
 *   skips PRR and cong_avoid.
 * - `appWrote` when the application writes (tcp_rate_check_app_limited).
 * - `pacedUntil`: the earliest time the next segment may leave. Linux paces when the algorithm
 *   asks for it (BBR sets sk_pacing_status) or under the fq qdisc; CUBIC and Reno here are not
 *   paced, as on a Linux host with the default fq_codel or pfifo_fast qdisc.
 */
import type { Micros } from '../../../core/time.ts';
import { MICROS_PER_S } from '../../../core/time.ts';
import { DeliveryRate, type AckRateState, type TxStamp } from './rate.ts';
import type { CcSocket, CongestionControl } from './types.ts';

/** The connection's side of the socket, as the sender keeps it (./recovery.ts CcWindow). */
export type DriverSocket = { -readonly [K in keyof CcSocket]: CcSocket[K] };

/** A segment as the sender's retransmission queue keeps it. */
export interface DeliveredSegment {
  start: number;
  end: number;
  sentAt: Micros;
  retransmitted: boolean;
  rate?: TxStamp;
}

/** One ACK being processed: its rate sample and its RTT for the algorithm (Linux ca_rtt_us). */
export interface AckSample {
  rate: AckRateState;
  /** RTT of the most recently sent segment it delivers that was sent only once. */
  caRtt: Micros | undefined;
}

export interface AckFacts {
  /** The ACK's RTT sample when no segment sent once gives one (the timestamp echo). */
  rttUs: Micros | undefined;
  /** Bytes in flight before and after the ACK (tcp_packets_in_flight). */
  priorInFlight: number;
  inFlight: number;
  /** Bytes newly marked lost while processing it. */
  losses: number;
}

export class CcDriver {
  readonly rate = new DeliveryRate();
  /** Earliest departure time of the next paced segment (Linux tcp_wstamp_ns). */
  #nextDeparture: Micros = 0;

  constructor(
    readonly ca: CongestionControl,
    readonly sk: DriverSocket,
  ) {}

  /** Pacing applies to algorithms that set their own rate (BBR), as Linux's SK_PACING_NEEDED. */
  get paced(): boolean {
    return this.ca.congControl !== undefined && this.sk.pacingRate !== undefined && this.sk.pacingRate > 0;
  }

  /** When the next segment may leave, or undefined if it may leave now. */
  pacedUntil(now: Micros): Micros | undefined {
    return this.paced && now < this.#nextDeparture ? this.#nextDeparture : undefined;
  }

  /**
   * A segment of `wireBytes` (IP bytes) leaves at `now`; `outstanding` is what was sent and not
   * cumulatively acknowledged before it; `afterIdle`: new data with nothing outstanding. Returns
   * the segment's delivery-rate stamp.
   */
  onTransmit(now: Micros, wireBytes: number, outstanding: number, afterIdle: boolean): TxStamp | undefined {
    // The first send after idle (tcp_event_data_sent): CA_EVENT_TX_START, before lsndtime moves.
    if (afterIdle) this.ca.cwndEvent?.(this.sk, 'tx-start', now);
    this.sk.lastSendTime = now;
    if (this.paced) {
      // tcp_update_skb_after_send: the next departure is this one's plus its length at the rate.
      this.#nextDeparture = Math.max(now, this.#nextDeparture) + Math.ceil((wireBytes * MICROS_PER_S) / this.sk.pacingRate!);
    }
    // Only an algorithm with cong_control reads rate samples; the others skip the stamps (the
    // delivered count they may read is kept either way).
    return this.ca.congControl === undefined ? undefined : this.rate.segmentSent(now, outstanding);
  }

  startAck(): AckSample {
    return { rate: this.rate.startAck(), caRtt: undefined };
  }

  /** Segment `s` is newly delivered by this ACK at `now` (`sacked`: by a SACK block). */
  delivered(ack: AckSample, s: DeliveredSegment, sacked: boolean, now: Micros): void {
    if (s.rate !== undefined) this.rate.segmentDelivered(ack.rate, s.rate, s.end - s.start, s.end, sacked, s.retransmitted);
    else this.rate.countDelivered(ack.rate, s.end - s.start);
    if (!s.retransmitted) ack.caRtt = now - s.sentAt;
  }

  /**
   * The ACK is processed. Returns true when the algorithm set cwnd (and the pacing rate) itself:
   * the sender then leaves the window alone (no PRR, no cong_avoid).
   */
  finishAck(ack: AckSample, now: Micros, f: AckFacts): boolean {
    const sk = this.sk; // srtt and minRtt are the connection's, kept current by its RTT samples
    sk.inFlight = f.inFlight;
    sk.delivered = this.rate.delivered;
    const rtt = ack.caRtt ?? f.rttUs;
    if (ack.rate.ackedSacked > 0) this.ca.pktsAcked?.(sk, ack.rate.ackedSacked, rtt, now);
    if (this.ca.congControl === undefined) return false;
    sk.appLimited = this.rate.appLimited;
    const rs = this.rate.generate(ack.rate, now, { losses: f.losses, minRtt: sk.minRtt, rttUs: rtt, priorInFlight: f.priorInFlight });
    this.ca.congControl(sk, rs, now);
    this.rate.appLimited = sk.appLimited; // BBR marks PROBE_RTT's samples app-limited
    return true;
  }

  /** The application wrote: less than a segment left to send and room in cwnd means app-limited. */
  appWrote(unsent: number, mss: number, inFlight: number, lostNotResent: number): void {
    this.rate.checkAppLimited({ unsent, mss, inFlight, cwnd: this.sk.cwnd, lostNotRetransmitted: lostNotResent });
  }
}
