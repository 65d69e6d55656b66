/**
 * BBR v1 as mainline Linux runs it (net/ipv4/tcp_bbr.c; Cardwell et al., "BBR: Congestion-Based
 * Congestion Control", ACM Queue 14(5), 2016). On every ACK it updates a model of the path from
 * the delivery-rate sample (./rate.ts):
 *   bottleneck bandwidth = windowed max of the delivery rate over 10 round trips,
 *   min_rtt              = windowed min of the RTT over 10 s,
 * and sets pacing rate = pacing_gain x bw (1 % under) and cwnd = cwnd_gain x bw x min_rtt plus a
 * quantum, through four modes: STARTUP (gain 2/ln2 until the bandwidth stops growing 25 % per
 * round for 3 rounds), DRAIN (the inverse gain until the queue STARTUP built is gone), PROBE_BW
 * (the 8-phase gain cycle 1.25, 0.75, 1 x 6, from a random phase) and PROBE_RTT (4 packets for
 * 200 ms and a round when min_rtt was not refreshed for 10 s). It also detects token-bucket
 * policers (long-term sampling) and provisions for ACK aggregation, as the kernel does.
 *
 * Differences from the kernel, all below a packet or a microsecond: bandwidth is bytes (not
 * packets) per µs << 24, truncated as there; times are the simulator's microseconds
 * (Linux mixes µs and jiffies); the earliest departure time of the next packet is taken as now
 * (bbr_packets_in_net_at_edt subtracts what is delivered until a future EDT, which our pacer
 * never sets ahead). cwnd and ssthresh are bytes on the socket and whole packets inside, as in
 * the kernel.
 */
import type { Micros } from '../../../core/time.ts';
import { MICROS_PER_S } from '../../../core/time.ts';
import { LongTermBw } from './bbr-long-term.ts';
import { WindowedMax } from './minmax.ts';
import type { CaEvent, CaState, CcSocket, CongestionControl, RateSample } from './types.ts';

// Constants of tcp_bbr.c (BBR_UNIT = 256 scales the gains there; kept as the same fractions).
const UNIT = 256;
/** BW_SCALE = 24: bandwidth is kept as an integer, bytes per µs x 2^24 (Linux: packets per µs). */
export const BW_UNIT = 2 ** 24;
/** bbr_high_gain = 2/ln2 (2.885) x 256 + 1: doubles the rate each round, like slow start. */
export const BBR_HIGH_GAIN = Math.floor((UNIT * 2885) / 1000 + 1) / UNIT;
/** bbr_drain_gain = 1/high_gain: drains STARTUP's queue in about one round. */
export const BBR_DRAIN_GAIN = Math.floor((UNIT * 1000) / 2885) / UNIT;
/** bbr_cwnd_gain = 2: the steady-state window tolerates delayed and stretched ACKs. */
export const BBR_CWND_GAIN = 2;
/** bbr_pacing_gain[]: probe at 1.25, drain at 0.75, cruise at 1 for six phases. */
export const BBR_PACING_GAINS = [1.25, 0.75, 1, 1, 1, 1, 1, 1] as const;
const CYCLE_LEN = 8;
/** bbr_cycle_rand = 7: PROBE_BW starts at a random phase other than the 0.75 one. */
const CYCLE_RAND = 7;
/** bbr_bw_rtts = CYCLE_LEN + 2 = 10 rounds: the max-bandwidth filter's window. */
export const BBR_BW_RTTS = CYCLE_LEN + 2;
/** bbr_min_rtt_win_sec = 10 s: the min_rtt filter's window. */
export const BBR_MIN_RTT_WIN: Micros = 10 * MICROS_PER_S;
/** bbr_probe_rtt_mode_ms = 200 ms at bbr_cwnd_min_target = 4 packets in PROBE_RTT. */
export const BBR_PROBE_RTT_TIME: Micros = 200_000;
export const BBR_CWND_MIN_TARGET = 4;
/** bbr_pacing_margin_percent = 1: pace 1 % below the estimate to keep the queue small. */
const PACING_FACTOR = 0.99;
/** bbr_full_bw_thresh = 1.25 and bbr_full_bw_cnt = 3 rounds: the pipe is full. */
const FULL_BW_THRESH = 1.25;
const FULL_BW_CNT = 3;
/** TCP_INIT_CWND = 10 (include/net/tcp.h): the window before any RTT sample. */
const INIT_CWND = 10;
/** bbr_min_tso_rate = 1.2 Mbit/s: below it one-packet TSO bursts (bbr_min_tso_segs). */
const MIN_TSO_RATE = 1_200_000 / 8;
/**
 * TSO burst cap: GSO_LEGACY_MAX_SIZE (65536) - 1 - MAX_TCP_HEADER (320 on a usual x86-64 build;
 * it binds only above ~500 Mbit/s). sk_pacing_shift = 10: a burst is ~1 ms of pacing.
 */
const TSO_MAX_BYTES = 65_536 - 1 - 320;
const PACING_SHIFT = 10;
// ACK aggregation: bbr_extra_acked_gain = 1, window 5 rounds, at most 100 ms of bandwidth.
const EXTRA_ACKED_WIN_RTTS = 5;
const EXTRA_ACKED_MAX_US = 100_000;
const ACK_EPOCH_ACKED_RESET = 1 << 20; // packets, as bbr_ack_epoch_acked_reset_thresh

export type BbrMode = 'startup' | 'drain' | 'probe-bw' | 'probe-rtt';

/** The model as tests and traces read it. Bandwidths in bytes per second. */
export interface BbrState {
  mode: BbrMode;
  pacingGain: number;
  cwndGain: number;
  /** Windowed max delivery rate, and the estimate in use (the policed rate when detected). */
  maxBw: number;
  bw: number;
  minRtt: Micros;
  roundCount: number;
  fullBwReached: boolean;
  fullBwCnt: number;
  cycleIdx: number;
  ltUseBw: boolean;
  ltBw: number;
  priorCwnd: number;
}

export class Bbr implements CongestionControl {
  get name(): 'bbr' {
    return 'bbr';
  }

  #mode: BbrMode = 'startup';
  #pacingGain = 0;
  #cwndGain = 0;
  #bw = new WindowedMax(); // bytes per µs x BW_UNIT, time in rounds
  #rttCnt = 0;
  #nextRttDelivered = 0;
  #roundStart = false;
  #minRtt: Micros = Infinity;
  #minRttStamp: Micros = 0;
  #probeRttDoneStamp: Micros | undefined;
  #probeRttRoundDone = false;
  #idleRestart = false;
  #packetConservation = false;
  #caState: CaState = 'open';
  #prevCaState: CaState = 'open';
  #priorCwnd = 0;
  #hasSeenRtt = false;
  #fullBw = 0;
  #fullBwCnt = 0;
  #fullBwReached = false;
  #cycleIdx = 0;
  #cycleStamp: Micros = 0;
  /** When delivered last grew (tp->delivered_mstamp). */
  #deliveredTime: Micros = 0;
  /** Long-term sampling: the policed rate, when a token-bucket policer is detected. */
  #lt = new LongTermBw();
  // ACK aggregation.
  #ackEpochStamp: Micros = 0;
  #ackEpochAcked = 0;
  #extraAcked = [0, 0];
  #extraAckedWinRtts = 0;
  #extraAckedWinIdx = 0;

  /** `randomU32` returns a uniform 32-bit integer from the run's seeded streams (never Math.random). */
  constructor(readonly randomU32: () => number) {}

  get state(): BbrState {
    return {
      mode: this.#mode,
      pacingGain: this.#pacingGain,
      cwndGain: this.#cwndGain,
      maxBw: (this.#bw.value * MICROS_PER_S) / BW_UNIT,
      bw: (this.#currentBw() * MICROS_PER_S) / BW_UNIT,
      minRtt: this.#minRtt,
      roundCount: this.#rttCnt,
      fullBwReached: this.#fullBwReached,
      fullBwCnt: this.#fullBwCnt,
      cycleIdx: this.#cycleIdx,
      ltUseBw: this.#lt.useBw,
      ltBw: (this.#lt.bw * MICROS_PER_S) / BW_UNIT,
      priorCwnd: this.#priorCwnd,
    };
  }

  init(sk: CcSocket, now: Micros): void {
    sk.ssthresh = Number.MAX_SAFE_INTEGER;
    this.#nextRttDelivered = sk.delivered;
    this.#minRtt = sk.minRtt ?? Infinity;
    this.#minRttStamp = now;
    this.#bw.reset(0, 0);
    this.#initPacingRateFromRtt(sk);
    this.#deliveredTime = now;
    this.#lt.reset(sk, this.#deliveredTime);
    this.#mode = 'startup';
    this.#ackEpochStamp = now;
  }

  /** bbr_main: update the model, then pace and size the window from it. */
  congControl(sk: CcSocket, rs: RateSample, now: Micros): void {
    if (rs.ackedSacked > 0) this.#deliveredTime = now;
    this.#updateBw(sk, rs);
    this.#updateAckAggregation(sk, rs);
    if (this.#mode === 'probe-bw' && this.#isNextCyclePhase(sk, rs)) this.#advanceCyclePhase();
    this.#checkFullBwReached(rs);
    this.#checkDrain(sk);
    this.#updateMinRtt(sk, rs, now);
    this.#updateGains();
    const bw = this.#currentBw();
    this.#setPacingRate(sk, bw, this.#pacingGain);
    this.#setCwnd(sk, rs, bw, this.#cwndGain);
  }

  /** bbr_ssthresh: BBR does not cut on loss; it remembers the window to return to. */
  ssthresh(sk: CcSocket, _now: Micros): number {
    this.#saveCwnd(sk);
    return sk.ssthresh;
  }

  setState(sk: CcSocket, state: CaState, _now: Micros): void {
    this.#caState = state;
    if (state === 'loss') {
      // An RTO is treated as the end of a round with a loss (bbr_set_state).
      this.#prevCaState = 'loss';
      this.#fullBw = 0;
      this.#roundStart = true;
      this.#ltBwSampling(sk, { losses: 1, isAppLimited: false });
    }
  }

  cwndEvent(sk: CcSocket, event: CaEvent, now: Micros): void {
    if (event !== 'tx-start' || sk.appLimited === 0) return;
    // Restarting from idle: pace at the estimate, there is no queue to build or drain.
    this.#idleRestart = true;
    this.#ackEpochStamp = now;
    this.#ackEpochAcked = 0;
    if (this.#mode === 'probe-bw') this.#setPacingRate(sk, this.#currentBw(), 1);
    else if (this.#mode === 'probe-rtt') this.#checkProbeRttDone(sk, now);
  }

  /** bbr_undo_cwnd: a spurious loss; probe for the full bandwidth again, keep the window. */
  undoCwnd(sk: CcSocket): number {
    this.#fullBw = 0;
    this.#fullBwCnt = 0;
    this.#lt.reset(sk, this.#deliveredTime);
    return sk.cwnd;
  }

  #currentBw(): number {
    return this.#lt.useBw ? this.#lt.bw : this.#bw.value;
  }

  /** bbr_rate_bytes_per_sec: a scaled bandwidth to a pacing rate in bytes per second, 1 % under. */
  #rate(bw: number, gain: number): number {
    return (bw * gain * MICROS_PER_S * PACING_FACTOR) / BW_UNIT;
  }

  #initPacingRateFromRtt(sk: CcSocket): void {
    let rtt: Micros = 1_000; // nominal 1 ms before any RTT sample
    if (sk.srtt !== undefined && sk.srtt > 0) {
      rtt = Math.max(sk.srtt, 1);
      this.#hasSeenRtt = true;
    }
    sk.pacingRate = this.#rate(Math.floor((sk.cwnd * BW_UNIT) / rtt), BBR_HIGH_GAIN);
  }

  #setPacingRate(sk: CcSocket, bw: number, gain: number): void {
    const rate = this.#rate(bw, gain);
    if (!this.#hasSeenRtt && sk.srtt !== undefined && sk.srtt > 0) this.#initPacingRateFromRtt(sk);
    // Until the pipe is full the pacing rate only rises (STARTUP's samples lag the sending).
    if (this.#fullBwReached || sk.pacingRate === undefined || rate > sk.pacingRate) sk.pacingRate = rate;
  }

  /** bbr_tso_segs_goal: packets per TSO burst, about 1 ms at the pacing rate (2 to 127). */
  #tsoSegsGoal(sk: CcSocket): number {
    const rate = sk.pacingRate ?? 0;
    const bytes = Math.min(Math.floor(rate / (1 << PACING_SHIFT)), TSO_MAX_BYTES);
    const minSegs = rate < MIN_TSO_RATE ? 1 : 2;
    return Math.min(Math.max(Math.floor(bytes / sk.mss), minSegs), 0x7f);
  }

  /** bbr_bdp in packets: ceil(bw x min_rtt x gain), rounded up as Linux; the initial window before any RTT. */
  #bdp(sk: CcSocket, bw: number, gain: number): number {
    if (this.#minRtt === Infinity) return INIT_CWND;
    return Math.ceil((bw * this.#minRtt * gain) / (BW_UNIT * sk.mss));
  }

  /** bbr_quantization_budget in packets: room for TSO bursts at both ends, even, +2 when probing. */
  #quantizationBudget(sk: CcSocket, cwnd: number): number {
    cwnd += 3 * this.#tsoSegsGoal(sk);
    cwnd = cwnd + (cwnd & 1);
    if (this.#mode === 'probe-bw' && this.#cycleIdx === 0) cwnd += 2;
    return cwnd;
  }

  /** bbr_inflight in packets. */
  #inflight(sk: CcSocket, bw: number, gain: number): number {
    return this.#quantizationBudget(sk, this.#bdp(sk, bw, gain));
  }

  /** bbr_packets_in_net_at_edt with the next departure at now: in flight, plus the next burst when probing. */
  #packetsInNetAtEdt(sk: CcSocket, inflightBytes: number): number {
    const inflight = Math.ceil(inflightBytes / sk.mss);
    return this.#pacingGain > 1 ? inflight + this.#tsoSegsGoal(sk) : inflight;
  }

  #saveCwnd(sk: CcSocket): void {
    const behind = this.#prevCaState === 'recovery' || this.#prevCaState === 'loss';
    if (!behind && this.#mode !== 'probe-rtt') this.#priorCwnd = sk.cwnd;
    else this.#priorCwnd = Math.max(this.#priorCwnd, sk.cwnd);
  }

  /** bbr_update_bw: count rounds, sample the long-term rate, feed the max filter. */
  #updateBw(sk: CcSocket, rs: RateSample): void {
    this.#roundStart = false;
    if (rs.delivered < 0 || rs.intervalUs <= 0) return;
    if (rs.priorDelivered >= this.#nextRttDelivered) {
      // The ACKed data was sent after the round began: a round trip has passed.
      this.#nextRttDelivered = sk.delivered;
      this.#rttCnt++;
      this.#roundStart = true;
      this.#packetConservation = false;
    }
    this.#ltBwSampling(sk, rs);
    const bw = Math.floor((rs.delivered * BW_UNIT) / rs.intervalUs);
    // An app-limited sample only counts if it shows the path is at least as fast as we think.
    if (!rs.isAppLimited || bw >= this.#bw.value) this.#bw.update(BBR_BW_RTTS, this.#rttCnt, bw);
  }

  /** bbr_update_ack_aggregation: the most data ACKed beyond bw x time in recent rounds. */
  #updateAckAggregation(sk: CcSocket, rs: RateSample): void {
    if (rs.ackedSacked <= 0 || rs.delivered < 0 || rs.intervalUs <= 0) return;
    if (this.#roundStart) {
      this.#extraAckedWinRtts = Math.min(0x1f, this.#extraAckedWinRtts + 1);
      if (this.#extraAckedWinRtts >= EXTRA_ACKED_WIN_RTTS) {
        this.#extraAckedWinRtts = 0;
        this.#extraAckedWinIdx ^= 1;
        this.#extraAcked[this.#extraAckedWinIdx] = 0;
      }
    }
    let expected = Math.floor((this.#currentBw() * (this.#deliveredTime - this.#ackEpochStamp)) / BW_UNIT);
    // A new epoch when ACKs come slower than expected, or after very many.
    if (this.#ackEpochAcked <= expected || this.#ackEpochAcked + rs.ackedSacked >= ACK_EPOCH_ACKED_RESET * sk.mss) {
      this.#ackEpochAcked = 0;
      this.#ackEpochStamp = this.#deliveredTime;
      expected = 0;
    }
    this.#ackEpochAcked += rs.ackedSacked;
    const extra = Math.min(this.#ackEpochAcked - expected, sk.cwnd);
    if (extra > this.#extraAcked[this.#extraAckedWinIdx]!) this.#extraAcked[this.#extraAckedWinIdx] = extra;
  }

  /** bbr_ack_aggregation_cwnd in packets. */
  #ackAggregationCwnd(sk: CcSocket): number {
    if (!this.#fullBwReached) return 0;
    const maxAggr = Math.floor((this.#currentBw() * EXTRA_ACKED_MAX_US) / BW_UNIT);
    return Math.floor(Math.min(Math.max(this.#extraAcked[0]!, this.#extraAcked[1]!), maxAggr) / sk.mss);
  }

  /** bbr_is_next_cycle_phase. */
  #isNextCyclePhase(sk: CcSocket, rs: RateSample): boolean {
    const isFullLength = this.#deliveredTime - this.#cycleStamp > this.#minRtt;
    if (this.#pacingGain === 1) return isFullLength;
    const inflight = this.#packetsInNetAtEdt(sk, rs.priorInFlight);
    const bw = this.#bw.value;
    // Probing (1.25) lasts a min_rtt and until inflight reaches 1.25 BDP, or a loss says it won't fit.
    if (this.#pacingGain > 1) return isFullLength && (rs.losses > 0 || inflight >= this.#inflight(sk, bw, this.#pacingGain));
    // Draining (0.75) ends after a min_rtt or as soon as inflight is down to the BDP.
    return isFullLength || inflight <= this.#inflight(sk, bw, 1);
  }

  #advanceCyclePhase(): void {
    this.#cycleIdx = (this.#cycleIdx + 1) & (CYCLE_LEN - 1);
    this.#cycleStamp = this.#deliveredTime;
  }

  /** bbr_reset_probe_bw_mode: a random phase (never the 0.75 one), from the injected number. */
  #resetProbeBwMode(): void {
    this.#mode = 'probe-bw';
    const below7 = Math.floor(((this.randomU32() >>> 0) * CYCLE_RAND) / 2 ** 32); // get_random_u32_below(7)
    this.#cycleIdx = CYCLE_LEN - 1 - below7;
    this.#advanceCyclePhase();
  }

  #resetMode(): void {
    if (!this.#fullBwReached) this.#mode = 'startup';
    else this.#resetProbeBwMode();
  }

  /** bbr_check_full_bw_reached: 3 rounds without 25 % growth. */
  #checkFullBwReached(rs: RateSample): void {
    if (this.#fullBwReached || !this.#roundStart || rs.isAppLimited) return;
    if (this.#bw.value >= Math.floor(this.#fullBw * FULL_BW_THRESH)) {
      this.#fullBw = this.#bw.value;
      this.#fullBwCnt = 0;
      return;
    }
    this.#fullBwCnt++;
    this.#fullBwReached = this.#fullBwCnt >= FULL_BW_CNT;
  }

  /** bbr_check_drain. */
  #checkDrain(sk: CcSocket): void {
    if (this.#mode === 'startup' && this.#fullBwReached) {
      this.#mode = 'drain';
      sk.ssthresh = this.#inflight(sk, this.#bw.value, 1) * sk.mss;
    }
    if (this.#mode === 'drain' && this.#packetsInNetAtEdt(sk, sk.inFlight) <= this.#inflight(sk, this.#bw.value, 1)) {
      this.#resetProbeBwMode(); // the queue is drained
    }
  }

  #checkProbeRttDone(sk: CcSocket, now: Micros): void {
    if (this.#probeRttDoneStamp === undefined || now <= this.#probeRttDoneStamp) return;
    this.#minRttStamp = now; // wait another 10 s before the next PROBE_RTT
    sk.cwnd = Math.max(sk.cwnd, this.#priorCwnd);
    this.#resetMode();
  }

  /** bbr_update_min_rtt: the 10 s min filter, and PROBE_RTT when it expires. */
  #updateMinRtt(sk: CcSocket, rs: RateSample, now: Micros): void {
    const expired = now > this.#minRttStamp + BBR_MIN_RTT_WIN;
    if (rs.rttUs !== undefined && rs.rttUs >= 0 && (rs.rttUs < this.#minRtt || (expired && !rs.isAckDelayed))) {
      this.#minRtt = rs.rttUs;
      this.#minRttStamp = now;
    }
    if (expired && !this.#idleRestart && this.#mode !== 'probe-rtt') {
      this.#mode = 'probe-rtt';
      this.#saveCwnd(sk);
      this.#probeRttDoneStamp = undefined;
    }
    if (this.#mode === 'probe-rtt') {
      // The low rate of this mode is not the path's: mark its samples app-limited.
      sk.appLimited = sk.delivered + sk.inFlight || 1;
      if (this.#probeRttDoneStamp === undefined && sk.inFlight <= BBR_CWND_MIN_TARGET * sk.mss) {
        this.#probeRttDoneStamp = now + BBR_PROBE_RTT_TIME;
        this.#probeRttRoundDone = false;
        this.#nextRttDelivered = sk.delivered;
      } else if (this.#probeRttDoneStamp !== undefined) {
        if (this.#roundStart) this.#probeRttRoundDone = true;
        if (this.#probeRttRoundDone) this.#checkProbeRttDone(sk, now);
      }
    }
    if (rs.delivered > 0) this.#idleRestart = false;
  }

  #updateGains(): void {
    switch (this.#mode) {
      case 'startup':
        this.#pacingGain = BBR_HIGH_GAIN;
        this.#cwndGain = BBR_HIGH_GAIN;
        break;
      case 'drain':
        this.#pacingGain = BBR_DRAIN_GAIN;
        this.#cwndGain = BBR_HIGH_GAIN; // keep the window while the rate drains the queue
        break;
      case 'probe-bw':
        this.#pacingGain = this.#lt.useBw ? 1 : BBR_PACING_GAINS[this.#cycleIdx]!;
        this.#cwndGain = BBR_CWND_GAIN;
        break;
      case 'probe-rtt':
        this.#pacingGain = 1;
        this.#cwndGain = 1;
        break;
    }
  }

  /**
   * bbr_set_cwnd_to_recover_or_restore: packet conservation in the first round of recovery,
   * the saved window when recovery ends. Returns the window to use, and whether it is final.
   */
  #recoverOrRestore(sk: CcSocket, rs: RateSample, acked: number): { cwnd: number; conserving: boolean } {
    const prev = this.#prevCaState;
    const state = this.#caState;
    let cwnd = sk.cwnd;
    if (rs.losses > 0) cwnd = Math.max(cwnd - rs.losses, sk.mss);
    const inRecovery = (s: CaState) => s === 'recovery' || s === 'loss';
    if (state === 'recovery' && prev !== 'recovery') {
      this.#packetConservation = true;
      this.#nextRttDelivered = sk.delivered; // the round starts now
      cwnd = sk.inFlight + acked; // cut what the application or TSO left unused
    } else if (inRecovery(prev) && !inRecovery(state)) {
      cwnd = Math.max(cwnd, this.#priorCwnd);
      this.#packetConservation = false;
    }
    this.#prevCaState = state;
    if (this.#packetConservation) return { cwnd: Math.max(cwnd, sk.inFlight + acked), conserving: true };
    return { cwnd, conserving: false };
  }

  /** bbr_set_cwnd: slow-start towards gain x BDP + quantum, or snap down to it once the pipe is full. */
  #setCwnd(sk: CcSocket, rs: RateSample, bw: number, gain: number): void {
    const acked = rs.ackedSacked;
    let cwnd = sk.cwnd;
    if (acked > 0) {
      const r = this.#recoverOrRestore(sk, rs, acked);
      cwnd = r.cwnd;
      if (!r.conserving) {
        const target = this.#quantizationBudget(sk, this.#bdp(sk, bw, gain) + this.#ackAggregationCwnd(sk)) * sk.mss;
        if (this.#fullBwReached) cwnd = Math.min(cwnd + acked, target);
        else if (cwnd < target || sk.delivered < INIT_CWND * sk.mss) cwnd += acked;
        cwnd = Math.max(cwnd, BBR_CWND_MIN_TARGET * sk.mss);
      }
    }
    sk.cwnd = cwnd;
    if (this.#mode === 'probe-rtt') sk.cwnd = Math.min(sk.cwnd, BBR_CWND_MIN_TARGET * sk.mss);
  }

  /** bbr_lt_bw_sampling, and what BBR does when it starts or stops using the policed rate. */
  #ltBwSampling(sk: CcSocket, rs: Pick<RateSample, 'losses' | 'isAppLimited'>): void {
    const r = this.#lt.sample(sk, rs, this.#roundStart, this.#mode === 'probe-bw', this.#deliveredTime);
    if (r === 'policed') this.#pacingGain = 1; // try to avoid drops
    else if (r === 'stop') this.#resetProbeBwMode(); // probe for bandwidth again
  }
}
