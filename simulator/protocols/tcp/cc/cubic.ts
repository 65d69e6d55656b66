/**
 * CUBIC (RFC 9438) as Linux runs it (net/ipv4/tcp_cubic.c, the default on most Linux systems),
 * with HyStart as Linux enables it by default (hystart=1, hystart_detect=3).
 *
 * The window, in bytes, is a cubic function of the time since the last reduction (RFC 9438 4.2):
 *   W_cubic(t) = C x (t - K)^3 x MSS + W_max,   K = cbrt((W_max - cwnd_epoch) / (C x MSS))
 * and on each ACK the window moves towards W_cubic(t + RTT) by (target - cwnd) / cwnd per
 * acknowledged segment. Where the file follows Linux rather than the RFC's letter, it says so:
 * - The RTT added to t is Linux's minimum RTT sample (delay_min), not the smoothed RTT.
 * - Growth is counted as Linux does it: one MSS per `cnt` segments acknowledged, cnt an integer
 *   (bictcp_update + tcp_cong_avoid_ai), at least 2 (so at most 1.5x per RTT, the RFC's cap on
 *   the target), and at most 20 before the first loss (5 % per RTT, "bandwidth still unknown").
 * - The Reno-friendly estimate W_est (RFC 9438 4.3) grows one MSS per 15/8 windows acknowledged
 *   (Linux beta_scale = 8 x (1024 + 717) / 3 / (1024 - 717) = 15 in integer arithmetic, so
 *   alpha = 8/15 = 0.533 against the RFC's 3(1 - 0.7)/(1 + 0.7) = 0.529), and Linux does not
 *   switch alpha to 1 once W_est passes W_max. When W_est is ahead, cwnd grows towards it at
 *   cnt = cwnd / (W_est - cwnd) rather than jumping to it.
 * - Linux computes time in jiffies and K with a table-driven cube root; here time is the
 *   simulator's microsecond and K is Math.cbrt, so the curve is the RFC's to double precision.
 *
 * Units: bytes and microseconds. The window only grows while the sender uses it
 * (tcp_is_cwnd_limited, the connection's `cwndLimited`).
 */
import { MICROS_PER_S, type Micros } from '../../../core/time.ts';
import type { CaEvent, CaState, CcSocket, CongestionControl } from './types.ts';

/** RFC 9438 4.1 C = 0.4 (Linux bic_scale 41, used as 41 x 10 / 1024 = 0.4004). */
export const CUBIC_C = 0.4;
/** Multiplicative decrease, beta_cubic 0.7 (RFC 9438 4.6) as Linux's `beta = 717` / 1024. */
export const CUBIC_BETA_SCALE = 1024;
export const CUBIC_BETA = 717;
/** tcp_cubic.c beta_scale: windows acknowledged x 8 per MSS of Reno-friendly growth (15/8). */
const FRIENDLY_SCALE = Math.floor((8 * (CUBIC_BETA_SCALE + CUBIC_BETA)) / 3 / (CUBIC_BETA_SCALE - CUBIC_BETA));
/** Before the first loss cwnd grows at least 1/20 per RTT (tcp_cubic.c, "bandwidth still unknown"). */
const MAX_CNT_BEFORE_LOSS = 20;
/** tcp_cubic.c: delay samples within 1 s (HZ) of a reduction are discarded. */
const DELAY_SAMPLE_HOLDOFF: Micros = MICROS_PER_S;

// HyStart (tcp_cubic.c; Ha and Rhee, "Taming the Elephants: New TCP Slow Start", 2011).
/** hystart_low_window = 16 segments: no early exit below this window. */
export const HYSTART_LOW_WINDOW = 16;
/** hystart_ack_delta_us = 2000: ACKs at most 2 ms apart belong to one train. */
export const HYSTART_ACK_DELTA: Micros = 2_000;
/** HYSTART_MIN_SAMPLES = 8 RTT samples per round before the delay test applies. */
export const HYSTART_MIN_SAMPLES = 8;
/** HYSTART_DELAY_MIN / _MAX: the delay increase threshold is delay_min / 8 clamped to 4-16 ms. */
export const HYSTART_DELAY_MIN: Micros = 4_000;
export const HYSTART_DELAY_MAX: Micros = 16_000;
/** hystart_ack_delay(): the TSO/GRO cushion is at most 1 ms, sized by sk_gso_max_size (64 KiB). */
const HYSTART_ACK_DELAY_CAP: Micros = 1_000;
const GSO_MAX_SIZE = 65_536;

/** RFC 9438 eq. 2: K in µs, the time W_cubic takes from cwnd_epoch back to W_max. */
export function cubicK(wMax: number, cwndEpoch: number, mss: number): Micros {
  if (wMax <= cwndEpoch) return 0;
  return Math.cbrt((wMax - cwndEpoch) / mss / CUBIC_C) * MICROS_PER_S;
}

/** RFC 9438 eq. 1 in bytes: W_cubic(t) = C (t - K)^3 MSS + W_max, t and K in µs. */
export function cubicWindow(t: Micros, k: Micros, wMax: number, mss: number): number {
  const x = (t - k) / MICROS_PER_S;
  return CUBIC_C * x * x * x * mss + wMax;
}

/** The part of the state tests and traces read. */
export interface CubicState {
  /** W_max in bytes (last_max_cwnd); 0 before the first loss. */
  lastMaxCwnd: number;
  /** Start of the current congestion-avoidance epoch, undefined outside one. */
  epochStart: Micros | undefined;
  /** K in µs and the origin point (bytes) of the current epoch. */
  k: Micros;
  originPoint: number;
  /** W_cubic(t + delay_min) in bytes at the last update (bic_target). */
  target: number;
  /** Segments acknowledged per one-MSS increase (ca->cnt). */
  cnt: number;
  /** The Reno-friendly estimate W_est in bytes (ca->tcp_cwnd). */
  tcpCwnd: number;
  /** Minimum RTT sample (µs), 0 before the first. */
  delayMin: Micros;
  /** HyStart found the exit point (and set ssthresh to cwnd). */
  hystartFound: 'ack-train' | 'delay' | undefined;
}

export class Cubic implements CongestionControl {
  get name(): 'cubic' {
    return 'cubic';
  }

  #lastMaxCwnd = 0;
  #epochStart: Micros | undefined;
  #k: Micros = 0;
  #originPoint = 0;
  #target = 0;
  #cnt = 0;
  #ackCnt = 0;
  #tcpCwnd = 0;
  #delayMin: Micros = 0;
  /** Bytes acknowledged towards the next one-MSS increase (tp->snd_cwnd_cnt, in bytes). */
  #cwndCnt = 0;
  /** cwnd when the last reduction began (tp->prior_cwnd), for undo. */
  #priorCwnd = 0;

  // HyStart round state (bictcp_hystart_reset).
  #found: CubicState['hystartFound'];
  #roundStart: Micros = 0;
  #lastAck: Micros = 0;
  /** The round ends once more than this many bytes are delivered (Linux: SND.UNA after end_seq). */
  #roundEndDelivered = 0;
  #currRtt = Infinity;
  #sampleCnt = 0;

  get state(): CubicState {
    return {
      lastMaxCwnd: this.#lastMaxCwnd,
      epochStart: this.#epochStart,
      k: this.#k,
      originPoint: this.#originPoint,
      target: this.#target,
      cnt: this.#cnt,
      tcpCwnd: this.#tcpCwnd,
      delayMin: this.#delayMin,
      hystartFound: this.#found,
    };
  }

  init(sk: CcSocket, now: Micros): void {
    this.#reset();
    this.#hystartReset(sk, now);
  }

  /** cubictcp_recalc_ssthresh: remember W_max (with fast convergence) and cut to 0.7. */
  ssthresh(sk: CcSocket, _now: Micros): number {
    const cwnd = sk.cwnd;
    this.#epochStart = undefined;
    this.#priorCwnd = cwnd;
    this.#cwndCnt = 0; // tcp_init_cwnd_reduction clears snd_cwnd_cnt
    // Fast convergence (RFC 9438 4.7): a flow whose W_max shrinks releases bandwidth sooner.
    this.#lastMaxCwnd =
      cwnd < this.#lastMaxCwnd
        ? Math.floor((cwnd * (CUBIC_BETA_SCALE + CUBIC_BETA)) / (2 * CUBIC_BETA_SCALE))
        : cwnd;
    // Linux counts whole segments: floor(cwnd x 717 / 1024) packets, at least 2.
    const segments = Math.floor((Math.floor(cwnd / sk.mss) * CUBIC_BETA) / CUBIC_BETA_SCALE);
    return Math.max(segments, 2) * sk.mss;
  }

  congAvoid(sk: CcSocket, acked: number, now: Micros): void {
    if (!sk.cwndLimited) return;
    if (sk.cwnd < sk.ssthresh) {
      // tcp_slow_start: grow by what was acknowledged, up to ssthresh; the rest goes on below.
      const cwnd = Math.min(sk.cwnd + acked, sk.ssthresh);
      acked -= cwnd - sk.cwnd;
      sk.cwnd = cwnd;
      if (acked <= 0) return;
    }
    this.#update(sk.cwnd, sk.mss, acked, now);
    this.#congAvoidAi(sk, acked);
  }

  /** cubictcp_acked: track the minimum RTT and run HyStart during slow start. */
  pktsAcked(sk: CcSocket, _acked: number, rttUs: Micros | undefined, now: Micros): void {
    if (rttUs === undefined || rttUs < 0) return;
    if (this.#epochStart !== undefined && now - this.#epochStart < DELAY_SAMPLE_HOLDOFF) return;
    const delay = Math.max(rttUs, 1);
    if (this.#delayMin === 0 || this.#delayMin > delay) this.#delayMin = delay;
    if (this.#found === undefined && sk.cwnd < sk.ssthresh) this.#hystartUpdate(sk, delay, now);
  }

  setState(sk: CcSocket, state: CaState, now: Micros): void {
    // An RTO forgets the curve, W_max and the minimum RTT (bictcp_reset) and restarts HyStart.
    if (state === 'loss') {
      this.#reset();
      this.#hystartReset(sk, now);
    }
  }

  cwndEvent(sk: CcSocket, event: CaEvent, now: Micros): void {
    if (event !== 'tx-start') return;
    // Idle (application-limited) time does not count as time on the curve: shift the epoch.
    const idle = now - sk.lastSendTime;
    if (this.#epochStart !== undefined && idle > 0) {
      this.#epochStart = Math.min(this.#epochStart + idle, now);
    }
  }

  /** tcp_reno_undo_cwnd: back to the window before the reduction proved spurious. */
  undoCwnd(sk: CcSocket): number {
    return Math.max(sk.cwnd, this.#priorCwnd);
  }

  #reset(): void {
    this.#lastMaxCwnd = 0;
    this.#epochStart = undefined;
    this.#k = 0;
    this.#originPoint = 0;
    this.#target = 0;
    this.#cnt = 0;
    this.#ackCnt = 0;
    this.#tcpCwnd = 0;
    this.#delayMin = 0;
    this.#found = undefined;
  }

  /** bictcp_update: the segments to acknowledge per MSS of growth, from the curve and W_est. */
  #update(cwnd: number, mss: number, acked: number, now: Micros): void {
    this.#ackCnt += acked;
    if (this.#epochStart === undefined) {
      this.#epochStart = now;
      this.#ackCnt = acked;
      this.#tcpCwnd = cwnd;
      if (this.#lastMaxCwnd <= cwnd) {
        this.#k = 0;
        this.#originPoint = cwnd;
      } else {
        this.#k = cubicK(this.#lastMaxCwnd, cwnd, mss);
        this.#originPoint = this.#lastMaxCwnd;
      }
    }
    // RFC 9438 4.2: aim at where the curve will be one RTT from now.
    const target = (this.#target = cubicWindow(now - this.#epochStart + this.#delayMin, this.#k, this.#originPoint, mss));
    let cnt = target > cwnd ? Math.floor(cwnd / (target - cwnd)) : (100 * cwnd) / mss;
    if (this.#lastMaxCwnd === 0 && cnt > MAX_CNT_BEFORE_LOSS) cnt = MAX_CNT_BEFORE_LOSS;

    // Reno-friendly region (RFC 9438 4.3): W_est gains one MSS per 15/8 windows acknowledged.
    const perMss = Math.floor((cwnd * FRIENDLY_SCALE) / 8);
    while (this.#ackCnt > perMss) {
      this.#ackCnt -= perMss;
      this.#tcpCwnd += mss;
    }
    if (this.#tcpCwnd > cwnd) cnt = Math.min(cnt, Math.floor(cwnd / (this.#tcpCwnd - cwnd)));

    // At most one MSS per two acknowledged: 1.5x per RTT (RFC 9438 4.2's cap on the target).
    this.#cnt = Math.max(cnt, 2);
  }

  /** tcp_cong_avoid_ai in bytes: one MSS per `cnt` segments' worth of acknowledged bytes. */
  #congAvoidAi(sk: CcSocket, acked: number): void {
    const w = this.#cnt * sk.mss;
    // Credits earned at a larger cnt are spent gently: one MSS, then start over.
    if (this.#cwndCnt >= w) {
      this.#cwndCnt = 0;
      sk.cwnd += sk.mss;
    }
    this.#cwndCnt += acked;
    if (this.#cwndCnt >= w) {
      const delta = Math.floor(this.#cwndCnt / w);
      this.#cwndCnt -= delta * w;
      sk.cwnd += delta * sk.mss;
    }
  }

  #hystartReset(sk: CcSocket, now: Micros): void {
    this.#roundStart = now;
    this.#lastAck = now;
    // Linux ends the round when SND.UNA passes SND.NXT as it is now; without losses the bytes
    // sent so far are exactly delivered + in flight.
    this.#roundEndDelivered = sk.delivered + sk.inFlight;
    this.#currRtt = Infinity;
    this.#sampleCnt = 0;
  }

  /** hystart_update: leave slow start before the queue overflows. */
  #hystartUpdate(sk: CcSocket, delay: Micros, now: Micros): void {
    if (sk.delivered > this.#roundEndDelivered) this.#hystartReset(sk, now);
    if (sk.cwnd < HYSTART_LOW_WINDOW * sk.mss) return;

    // ACK train: the ACKs of one round, each within 2 ms of the last, span more than half the
    // minimum RTT, so the window already fills the path. Without pacing (CUBIC does not ask for
    // it) Linux halves the threshold.
    if (now - this.#lastAck <= HYSTART_ACK_DELTA) {
      this.#lastAck = now;
      const threshold = Math.floor((this.#delayMin + hystartAckDelay(sk)) / 2);
      if (now - this.#roundStart > threshold) {
        this.#found = 'ack-train';
        sk.ssthresh = sk.cwnd;
      }
    }

    // Delay increase: the round's minimum RTT (after 8 samples) rose past delay_min + delay_min/8
    // (clamped to 4-16 ms): a queue is building.
    if (this.#currRtt > delay) this.#currRtt = delay;
    if (this.#sampleCnt < HYSTART_MIN_SAMPLES) {
      this.#sampleCnt++;
    } else {
      const rise = Math.min(Math.max(this.#delayMin >> 3, HYSTART_DELAY_MIN), HYSTART_DELAY_MAX);
      if (this.#currRtt > this.#delayMin + rise) {
        this.#found ??= 'delay';
        sk.ssthresh = sk.cwnd;
      }
    }
  }
}

/**
 * hystart_ack_delay: a cushion for TSO/GRO batching, 4 x sk_gso_max_size at the pacing rate,
 * at most 1 ms. Linux always computes a pacing rate (tcp_update_pacing_rate: 2 x cwnd / srtt in
 * slow start); when the connection sets none we compute that one.
 */
export function hystartAckDelay(sk: CcSocket): Micros {
  let rate = sk.pacingRate;
  if (rate === undefined) {
    if (sk.srtt === undefined || sk.srtt <= 0) return 0;
    rate = (2 * Math.max(sk.cwnd, sk.inFlight) * MICROS_PER_S) / sk.srtt;
  }
  if (!(rate > 0)) return 0;
  return Math.min(HYSTART_ACK_DELAY_CAP, Math.floor((GSO_MAX_SIZE * 4 * MICROS_PER_S) / rate));
}
