/**
 * The retransmission timeout as Linux computes it (net/ipv4/tcp_input.c tcp_rtt_estimator,
 * include/net/tcp.h __tcp_set_rto and tcp_bound_rto): RFC 6298's smoothed RTT and mean deviation
 * (alpha 1/8, beta 1/4), with one difference that shapes every timeout a reader sees. RFC 6298
 * gives RTO = max(min, SRTT + 4 RTTVAR); Linux instead floors the variance term at TCP_RTO_MIN,
 * so RTO = SRTT + max(4 RTTVAR, 200 ms), and never lets RTO fall to about one RTT on a steady
 * long path (where RFC 6298 with a 200 ms minimum would time out spuriously).
 *
 * Linux's bookkeeping, kept here in the same integer microseconds:
 * - `mdev` is 4 x the mean deviation; on a sample below SRTT its gain is 1/32, not 1/4
 *   (the "Eifel-like" damping: a falling RTT shrinks the RTO slowly).
 * - `rttvar` (the term added to SRTT) is the largest `mdev` seen during the current window of
 *   data, never below the minimum; once per window (SND.UNA passes the SND.NXT of the window
 *   start) it decays a quarter of the way towards that window's largest `mdev`.
 * - The first sample R gives SRTT = R and mdev = 2R, so RTO = R + max(2R, 200 ms).
 * - Backoff doubles the RTO up to the maximum (RFC 6298 5.5); the next sample recomputes it.
 * Not modelled: the jiffy granularity of the kernel's timers (1 to 4 ms, by HZ).
 */
import type { Micros } from '../../core/time.ts';

export class RttEstimator {
  /** 8 x SRTT in µs (Linux srtt_us), 0 before the first sample. */
  #srtt8 = 0;
  /** 4 x mean deviation in µs (Linux mdev_us). */
  #mdev = 0;
  /** Largest `#mdev` in the current window, at least `min` (Linux mdev_max_us). */
  #mdevMax = 0;
  /** The variance term of the RTO (Linux rttvar_us), at least `min` after the first sample. */
  #rttvar = 0;
  /** SND.NXT when the current window began (Linux rtt_seq). */
  #rttSeq = 0;
  /** Current RTO (µs, integer), backoff included. */
  rto: Micros;

  constructor(
    readonly min: Micros,
    readonly max: Micros,
    initial: Micros,
  ) {
    this.rto = initial;
  }

  /** Smoothed RTT (µs), undefined before the first sample. */
  get srtt(): number | undefined {
    return this.#srtt8 === 0 ? undefined : this.#srtt8 / 8;
  }

  /** The variance term added to SRTT in the RTO (µs); 0 before the first sample. */
  get rttvar(): number {
    return this.#rttvar;
  }

  /**
   * Takes one RTT measurement `r` (µs, integer) from an ACK that moved SND.UNA to `sndUna`, while
   * SND.NXT is `sndNxt` (both unbounded sequence numbers).
   */
  sample(r: Micros, sndUna: number, sndNxt: number): void {
    const m0 = Math.max(1, Math.round(r));
    if (this.#srtt8 === 0) {
      this.#srtt8 = 8 * m0;
      this.#mdev = 2 * m0;
      this.#rttvar = Math.max(this.#mdev, this.min);
      this.#mdevMax = this.#rttvar;
      this.#rttSeq = sndNxt;
    } else {
      let m = m0 - Math.floor(this.#srtt8 / 8); // the error of the estimate
      this.#srtt8 += m; // SRTT += error / 8
      if (m < 0) {
        m = -m - Math.floor(this.#mdev / 4);
        if (m > 0) m = Math.floor(m / 8); // RTT falling: gain 1/32
      } else {
        m -= Math.floor(this.#mdev / 4);
      }
      this.#mdev += m;
      if (this.#mdev > this.#mdevMax) {
        this.#mdevMax = this.#mdev;
        if (this.#mdevMax > this.#rttvar) this.#rttvar = this.#mdevMax;
      }
      if (sndUna > this.#rttSeq) {
        if (this.#mdevMax < this.#rttvar) this.#rttvar -= Math.floor((this.#rttvar - this.#mdevMax) / 4);
        this.#rttSeq = sndNxt;
        this.#mdevMax = this.min;
      }
      this.#srtt8 = Math.max(1, this.#srtt8);
    }
    this.rto = Math.min(Math.floor(this.#srtt8 / 8) + this.#rttvar, this.max);
  }

  /** RFC 6298 5.5: the timer expired, double the RTO (up to the maximum). */
  backoff(): void {
    this.rto = Math.min(this.rto * 2, this.max);
  }

  /** Sets the RTO outright (RFC 6298 5.7's fallback after a lost SYN), up to the maximum. */
  set(rto: Micros): void {
    this.rto = Math.min(rto, this.max);
  }
}
