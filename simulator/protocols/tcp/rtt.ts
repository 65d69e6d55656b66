/**
 * The retransmission timeout of RFC 6298: SRTT and RTTVAR from RTT samples, the RTO clamped to
 * [min, max], doubled on each timeout. Linux's bounds: 200 ms, 1 s initial, 120 s (defaults.ts).
 *
 * Linux differs in one detail we do not copy: it keeps RTTVAR at least TCP_RTO_MIN, so its RTO
 * is about SRTT + 200 ms, where RFC 6298 gives max(200 ms, SRTT + 4 RTTVAR).
 */
import type { Micros } from '../../core/time.ts';

export class RttEstimator {
  /** Smoothed RTT (µs), undefined before the first sample. */
  srtt: number | undefined;
  rttvar = 0;
  /** Current RTO (µs, integer), backoff included. */
  rto: Micros;

  constructor(
    readonly min: Micros,
    readonly max: Micros,
    initial: Micros,
  ) {
    this.rto = initial;
  }

  /** Takes one RTT measurement `r` (µs): RFC 6298 2.2 and 2.3 (alpha 1/8, beta 1/4, G = 0). */
  sample(r: Micros): void {
    if (this.srtt === undefined) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.rto = this.#clamp(Math.round(this.srtt + 4 * this.rttvar));
  }

  /** RFC 6298 5.5: the timer expired, double the RTO (up to the maximum). */
  backoff(): void {
    this.rto = this.#clamp(this.rto * 2);
  }

  /** Sets the RTO outright (RFC 6298 5.7's fallback after a lost SYN). */
  set(rto: Micros): void {
    this.rto = this.#clamp(rto);
  }

  #clamp(rto: number): Micros {
    return Math.min(Math.max(rto, this.min), this.max); // RFC 6298 2.4 and 2.5
  }
}
