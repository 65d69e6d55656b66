/**
 * BBR's long-term ("LT") bandwidth sampling (net/ipv4/tcp_bbr.c, bbr_lt_bw_sampling): token-
 * bucket policers are common ("An Internet-Wide Analysis of Traffic Policing", SIGCOMM 2016),
 * and a flow that probes above the policed rate only buys losses. From the first loss on, BBR
 * measures the delivery rate over intervals of 4 to 16 round trips that end in a loss; two
 * consecutive intervals with 20 % loss and about the same rate mean a policer, and BBR then
 * paces at their average for 48 round trips before probing again.
 *
 * Bandwidth in bytes per µs x 2^24 (./bbr.ts BW_UNIT); the interval clock in whole milliseconds as in the kernel.
 */
import { MICROS_PER_S, type Micros } from '../../../core/time.ts';
import type { CcSocket, RateSample } from './types.ts';

const BW_UNIT = 2 ** 24; // as ./bbr.ts

/** bbr_lt_intvl_min_rtts = 4: the shortest interval; 4 x that is the longest. */
const LT_INTVL_MIN_RTTS = 4;
/** bbr_lt_loss_thresh = 50 / 256 (~20 %) lost per delivered: the interval looks policed. */
const LT_LOSS_THRESH = 50 / 256;
/** bbr_lt_bw_ratio = 1/8, bbr_lt_bw_diff = 4 kbit/s (500 B/s): two intervals agree. */
const LT_BW_RATIO = 1 / 8;
const LT_BW_DIFF = 4000 / 8;
/** bbr_lt_bw_max_rtts = 48 round trips at the policed rate before probing again. */
const LT_BW_MAX_RTTS = 48;
/** bbr_rate_bytes_per_sec applies the 1 % pacing margin to the difference too. */
const PACING_FACTOR = 0.99;

export class LongTermBw {
  isSampling = false;
  /** Pace at `bw` instead of the max filter: a policer was detected. */
  useBw = false;
  bw = 0;
  rttCnt = 0;
  #lastStampMs = 0;
  #lastDelivered = 0;
  #lastLost = 0;

  /** bbr_reset_lt_bw_sampling. */
  reset(sk: CcSocket, deliveredTime: Micros): void {
    this.bw = 0;
    this.useBw = false;
    this.isSampling = false;
    this.#resetInterval(sk, deliveredTime);
  }

  #resetInterval(sk: CcSocket, deliveredTime: Micros): void {
    this.#lastStampMs = Math.floor(deliveredTime / 1000);
    this.#lastDelivered = sk.delivered;
    this.#lastLost = sk.lost;
    this.rttCnt = 0;
  }

  /**
   * One ACK's sample. Returns 'policed' when BBR starts pacing at the long-term rate (its gain
   * goes to 1), 'stop' when it has used it long enough and must restart its gain cycle.
   */
  sample(
    sk: CcSocket,
    rs: Pick<RateSample, 'losses' | 'isAppLimited'>,
    roundStart: boolean,
    inProbeBw: boolean,
    deliveredTime: Micros,
  ): 'policed' | 'stop' | undefined {
    if (this.useBw) {
      if (inProbeBw && roundStart && ++this.rttCnt >= LT_BW_MAX_RTTS) {
        this.reset(sk, deliveredTime);
        return 'stop';
      }
      return undefined;
    }
    // Start at the first loss, once the policer's token bucket is empty (earlier samples
    // include the burst the bucket allowed and overestimate the rate).
    if (!this.isSampling) {
      if (rs.losses <= 0) return undefined;
      this.#resetInterval(sk, deliveredTime);
      this.isSampling = true;
    }
    if (rs.isAppLimited) {
      this.reset(sk, deliveredTime); // running out of data would underestimate
      return undefined;
    }
    if (roundStart) this.rttCnt++;
    if (this.rttCnt < LT_INTVL_MIN_RTTS) return undefined;
    if (this.rttCnt > 4 * LT_INTVL_MIN_RTTS) {
      this.reset(sk, deliveredTime);
      return undefined;
    }
    if (rs.losses <= 0) return undefined; // end the interval on a loss: the tokens ran out
    const lost = sk.lost - this.#lastLost;
    const delivered = sk.delivered - this.#lastDelivered;
    if (delivered <= 0 || lost < LT_LOSS_THRESH * delivered) return undefined;
    const t = Math.floor(deliveredTime / 1000) - this.#lastStampMs;
    if (t < 1) return undefined; // under a millisecond: wait
    return this.#intervalDone(sk, Math.floor((delivered * BW_UNIT) / (t * 1000)), deliveredTime);
  }

  /** bbr_lt_bw_interval_done: two lossy intervals at about the same rate mean a policer. */
  #intervalDone(sk: CcSocket, bw: number, deliveredTime: Micros): 'policed' | undefined {
    if (this.bw > 0) {
      const diff = Math.abs(bw - this.bw);
      if (diff <= LT_BW_RATIO * this.bw || (diff * MICROS_PER_S * PACING_FACTOR) / BW_UNIT <= LT_BW_DIFF) {
        this.bw = (bw + this.bw) / 2;
        this.useBw = true;
        this.rttCnt = 0;
        return 'policed';
      }
    }
    this.bw = bw;
    this.#resetInterval(sk, deliveredTime);
    return undefined;
  }
}
