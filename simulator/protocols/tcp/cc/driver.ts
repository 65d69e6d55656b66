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
 *
 * The pacing clock is Linux's internal pacing (no fq qdisc: SK_PACING_NEEDED), in nanoseconds:
 * - Every segment sent, pure ACKs included, moves the earliest departure time `tcp_wstamp_ns` up
 *   to the clock (__tcp_transmit_skb). A data segment then adds its length at the pacing rate
 *   (tcp_update_skb_after_send): the length is skb->len of the queued skb, the TCP payload
 *   without headers; up to half of it is forgiven as credit for the time the stamp was behind
 *   the clock ("take into account OS jitter"); and nothing is added before the connection's
 *   tenth data segment ("Original sch_fq does not pace first 10 MSS", tp->data_segs_out, which
 *   counts retransmissions too).
 * - A segment is held while the departure time is ahead of the clock (tcp_pacing_check); the
 *   pacing hrtimer sends it then. What the application writes meanwhile joins the held segment
 *   (tcp_sendmsg appends to the unsent tail skb).
 * - The host's clock moves while the application makes its system calls: the writes a
 *   simulated application makes at one instant are successive send() calls, each SEND_CALL_GAP
 *   after the one before. At BBR's startup rate a small segment's pacing interval is a few µs
 *   (7 bytes at 822 kB/s, a 50 ms RTT: 8.5 µs, halved after idle), shorter than that gap, so
 *   Linux lets each piece of a packet written in several calls leave as its own segment (as
 *   the testbed captures for mqtt.js over WebSocket in Node: 5 segments per PUBLISH with bbr,
 *   as with cubic); a large write or a slow rate is still paced and coalesces.
 */
import type { Micros } from '../../../core/time.ts';
import { DeliveryRate, resetAckRate, type AckRateState, type TxStamp } from './rate.ts';
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

/** tcp_update_skb_after_send: pacing starts at the tenth data segment (tp->data_segs_out >= 10). */
export const PACE_FROM_DATA_SEGMENT = 10;

/**
 * Time between two send() calls an application makes one after the other, in ns. Measured on
 * this project's reference machine (mqtt.js 5 writing one WebSocket frame per call through ws,
 * loopback, timed around net.Socket's write): 12-26 µs between the later frames of one PUBLISH
 * with Node 20.20 at load 3, 13-48 µs with Node 22.23 (the testbed's) at load 15; 70-175 µs
 * before the second frame, which follows more JavaScript work. The forwarder's capture on the
 * testbed shows 25-70 µs. 15 µs is the typical later gap on an idle machine.
 */
export const SEND_CALL_GAP_NS = 15_000;

/** The ACK being processed, whatever the connection (see `CcDriver.startAck`). */
const ACK_SAMPLE: AckSample = { rate: new DeliveryRate().startAck(), caRtt: undefined };

export class CcDriver {
  /**
   * The delivery-rate estimator (./rate.ts), for an algorithm with cong_control (BBR) only: the
   * others read nothing of it but the delivered count, kept in `#delivered` (a connection running
   * CUBIC or Reno makes no estimator).
   */
  readonly rate: DeliveryRate | undefined;
  #delivered = 0;
  /** Earliest departure time of the next paced segment, ns (Linux tcp_wstamp_ns). */
  #wstampNs = 0;
  /** Data segments sent, retransmissions included (tp->data_segs_out). */
  #dataSegsOut = 0;
  /** The host's clock (ns) as last read: it never goes back. */
  #clockNs = 0;
  /** The instant of the last send() call and how many calls came before it at that instant. */
  #callAt: Micros = -1;
  #callsBefore = 0;

  constructor(
    readonly ca: CongestionControl,
    readonly sk: DriverSocket,
  ) {
    this.rate = ca.congControl === undefined ? undefined : new DeliveryRate();
  }

  /** Pacing applies to algorithms that set their own rate (BBR), as Linux's SK_PACING_NEEDED. */
  get paced(): boolean {
    return this.ca.congControl !== undefined && this.sk.pacingRate !== undefined && this.sk.pacingRate > 0;
  }

  /** The host's clock at simulated time `now`, ns: later than `now` by the send() calls made at `now` (tcp_clock_cache). */
  #clock(now: Micros): number {
    const c = now * 1000 + (now === this.#callAt ? this.#callsBefore * SEND_CALL_GAP_NS : 0);
    if (c > this.#clockNs) this.#clockNs = c;
    return this.#clockNs;
  }

  /** The application calls send() at `now` (one call per write; several at one instant follow each other). */
  sendCall(now: Micros): void {
    if (this.ca.congControl === undefined) return; // never paced: the clock matters not (see `pureAckSent`)
    if (now === this.#callAt) this.#callsBefore++;
    else {
      this.#callAt = now;
      this.#callsBefore = 0;
    }
  }

  /** When the next segment may leave (the pacing timer, whole µs), or undefined if it may leave now (tcp_pacing_check). */
  pacedUntil(now: Micros): Micros | undefined {
    if (!this.paced || this.#wstampNs <= this.#clock(now)) return undefined;
    return Math.ceil(this.#wstampNs / 1000);
  }

  /** A pure ACK leaves: the departure time catches up with the clock (__tcp_transmit_skb), nothing is added. */
  pureAckSent(now: Micros): void {
    // An algorithm without cong_control (CUBIC, Reno) is never paced (`paced`): its departure
    // times and host clock are never read, so they are not kept (no work per segment, and
    // numbers in ns past 2^31 that V8 would box in every connection).
    if (this.ca.congControl === undefined) return;
    this.#wstampNs = Math.max(this.#wstampNs, this.#clock(now));
  }

  /**
   * A segment with `payloadBytes` of data (0: a FIN alone) leaves at `now`; `outstanding` is what
   * was sent and not cumulatively acknowledged before it; `afterIdle`: new data with nothing
   * outstanding. Returns the segment's delivery-rate stamp.
   */
  onTransmit(now: Micros, payloadBytes: number, outstanding: number, afterIdle: boolean): TxStamp | undefined {
    // The first send after idle (tcp_event_data_sent): CA_EVENT_TX_START, before lsndtime moves.
    if (afterIdle) this.ca.cwndEvent?.(this.sk, 'tx-start', now);
    this.sk.lastSendTime = now;
    // Only an algorithm with cong_control reads rate samples; the others skip the stamps (the
    // delivered count they may read is kept either way), and the pacing clock (`pureAckSent`).
    if (this.ca.congControl === undefined) return undefined;
    // __tcp_transmit_skb, then tcp_update_skb_after_send.
    const prior = this.#wstampNs;
    this.#wstampNs = Math.max(prior, this.#clock(now));
    if (payloadBytes > 0) this.#dataSegsOut++;
    if (this.paced && this.#dataSegsOut >= PACE_FROM_DATA_SEGMENT) {
      let lenNs = Math.floor((payloadBytes * 1e9) / this.sk.pacingRate!);
      lenNs -= Math.min(Math.floor(lenNs / 2), this.#wstampNs - prior);
      this.#wstampNs += lenNs;
    }
    return this.rate!.segmentSent(now, outstanding);
  }

  /**
   * An ACK begins. The sample is one object for every connection, reset here (no allocation per
   * ACK): an engine never runs inside another, so one ACK is processed at a time.
   */
  startAck(): AckSample {
    resetAckRate(ACK_SAMPLE.rate);
    ACK_SAMPLE.caRtt = undefined;
    return ACK_SAMPLE;
  }

  /** Segment `s` is newly delivered by this ACK at `now` (`sacked`: by a SACK block). */
  delivered(ack: AckSample, s: DeliveredSegment, sacked: boolean, now: Micros): void {
    const rate = this.rate;
    if (rate === undefined) {
      // DeliveryRate.countDelivered, for the count kept here.
      this.#delivered += s.end - s.start;
      ack.rate.ackedSacked += s.end - s.start;
    } else if (s.rate !== undefined) rate.segmentDelivered(ack.rate, s.rate, s.end - s.start, s.end, sacked, s.retransmitted);
    else rate.countDelivered(ack.rate, s.end - s.start);
    if (!s.retransmitted) ack.caRtt = now - s.sentAt;
  }

  /**
   * The ACK is processed. Returns true when the algorithm set cwnd (and the pacing rate) itself:
   * the sender then leaves the window alone (no PRR, no cong_avoid).
   */
  finishAck(ack: AckSample, now: Micros, f: AckFacts): boolean {
    const sk = this.sk; // srtt and minRtt are the connection's, kept current by its RTT samples
    sk.inFlight = f.inFlight;
    const rate = this.rate;
    sk.delivered = rate === undefined ? this.#delivered : rate.delivered;
    const rtt = ack.caRtt ?? f.rttUs;
    if (ack.rate.ackedSacked > 0) this.ca.pktsAcked?.(sk, ack.rate.ackedSacked, rtt, now);
    if (this.ca.congControl === undefined) return false;
    const r = rate!; // made with an algorithm that has cong_control
    sk.appLimited = r.appLimited;
    const rs = r.generate(ack.rate, now, { losses: f.losses, minRtt: sk.minRtt, rttUs: rtt, priorInFlight: f.priorInFlight });
    this.ca.congControl(sk, rs, now);
    r.appLimited = sk.appLimited; // BBR marks PROBE_RTT's samples app-limited
    return true;
  }

  /** The application wrote: less than a segment left to send and room in cwnd means app-limited. */
  appWrote(unsent: number, mss: number, inFlight: number, lostNotResent: number): void {
    this.rate?.checkAppLimited({ unsent, mss, inFlight, cwnd: this.sk.cwnd, lostNotRetransmitted: lostNotResent });
  }
}
