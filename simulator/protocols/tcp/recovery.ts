/**
 * Loss recovery and the congestion window around a congestion control algorithm (./cc/), split
 * as Linux splits it: the algorithm (tcp_congestion_ops) says what ssthresh becomes and how the
 * window grows outside recovery; the connection (tcp_input.c tcp_fastretrans_alert,
 * tcp_enter_loss; tcp_output.c tcp_cwnd_restart) decides when recovery starts and ends and what
 * the window is meanwhile.
 *
 * - Fast retransmit on the third duplicate ACK (RFC 5681 3.2), not for duplicates of data sent
 *   before the last timeout or recovery (RFC 6582 3.2 step 2); limited transmit (RFC 3042).
 * - NewReno fast recovery (RFC 6582): window inflation per duplicate ACK, partial ACKs resend the
 *   next hole and deflate, the full ACK ends recovery with cwnd = min(ssthresh, flight + MSS).
 * - A timeout sets cwnd to one segment (RFC 5681 3.1), ssthresh only on a segment's first timeout.
 * - After idle longer than the RTO the window shrinks back towards the initial window
 *   (tcp_cwnd_restart, net.ipv4.tcp_slow_start_after_idle = 1).
 * - With SACK, as Linux: loss is found by RACK (./rack.ts) and the sender resends only what is
 *   marked lost; recovery starts when something is lost (tcp_enter_recovery) and ends when the
 *   ACK passes the highest sequence sent at its start; meanwhile the window follows Proportional
 *   Rate Reduction (RFC 6937, tcp_cwnd_reduction) down to ssthresh, and is set to ssthresh at
 *   the end (tcp_end_cwnd_reduction).
 * - Undo (tcp_input.c tcp_try_undo_recovery, _partial, _dsack, _loss): a reduction proved
 *   spurious is taken back: cwnd to what it was (the algorithm's undo_cwnd), ssthresh to at least
 *   what it was. Proof is either every retransmission of the episode reported by D-SACK (RFC 2883,
 *   Linux undo_retrans down to 0), or a timestamp echo older than the episode's first
 *   retransmission (RFC 3522, Eifel detection; tcp_packet_delayed): the ACK answers an original.
 *
 * This class only does arithmetic: the connection decides what to send.
 */
import type { Micros } from '../../core/time.ts';
import type { CaState, CcSocket, CongestionControl } from './cc/types.ts';

/** The connection's side of tcp_sock that the algorithm reads and writes. */
export class CcWindow implements CcSocket {
  cwnd: number;
  ssthresh = Number.MAX_SAFE_INTEGER;
  inFlight = 0;
  cwndLimited = false;
  srtt: Micros | undefined;
  minRtt: Micros | undefined;
  delivered = 0;
  lost = 0;
  lastSendTime: Micros = 0;
  appLimited = 0;
  pacingRate: number | undefined;

  constructor(
    readonly mss: number,
    initialWindow: number,
  ) {
    this.cwnd = initialWindow;
  }
}

/**
 * The connection's loss recovery is also its CcWindow (`sk`, what the algorithm reads and writes):
 * one object per connection, not two (memory: an object header and two fields fewer).
 */
export class LossRecovery extends CcWindow {
  inRecovery = false;
  /** Linux's congestion state (enum tcp_ca_state; 'disorder' and 'cwr' are not needed here). */
  state: 'open' | 'recovery' | 'loss' = 'open';
  /** PRR (RFC 6937): cwnd when recovery began, bytes delivered and sent since. */
  #priorCwnd = 0;
  #prrDelivered = 0;
  #prrOut = 0;
  /** RFC 6582 `recover`: the highest sequence number sent when recovery (or a timeout) began. */
  recover: number;
  dupAcks = 0;
  /**
   * Undo state (Linux undo_marker, undo_retrans, prior_ssthresh, retrans_stamp): SND.UNA when the
   * episode began (undefined: nothing to undo); retransmissions not yet reported by D-SACK (-1
   * before the first); ssthresh before the reduction; TSval of the episode's first retransmission.
   */
  undoMarker: number | undefined;
  undoRetrans = -1;
  #priorSsthresh = 0;
  retransStamp: number | undefined;

  constructor(
    readonly ca: CongestionControl,
    mss: number,
    readonly initialWindow: number,
    iss: number,
    now: Micros = 0,
  ) {
    super(mss, initialWindow);
    this.recover = iss;
    ca.init(this, now);
  }

  /** The connection's side of tcp_sock that the algorithm reads and writes: this object. */
  get sk(): CcWindow {
    return this;
  }

  /**
   * An ACK moved SND.UNA forward by `acked` bytes to `ack`; `flightBefore` is what was in flight
   * before it, `flightAfter` what still is. Returns 'partial' when NewReno must resend the next
   * hole now (RFC 6582 3.2 step 3).
   */
  onAck(ack: number, acked: number, flightBefore: number, flightAfter: number, now: Micros = 0): 'partial' | undefined {
    const sk = this.sk;
    const mss = this.mss;
    if (this.inRecovery) {
      if (ack >= this.recover) {
        // Full ACK: deflate to ssthresh, or less when little is in flight (RFC 6582 3.2 step 3, option 1).
        this.inRecovery = false;
        this.dupAcks = 0;
        sk.cwnd = Math.min(sk.ssthresh, Math.max(flightAfter, mss) + mss);
        this.#setState('open', now);
        return undefined;
      }
      // Partial ACK: deflate by what it covered, add back one MSS if that was a full segment.
      sk.cwnd = Math.max(sk.cwnd - acked + (acked >= mss ? mss : 0), mss);
      return 'partial';
    }
    this.dupAcks = 0;
    // Linux tcp_is_cwnd_limited: in slow start, cwnd < 2 x what was in flight; otherwise the
    // window was full (within one MSS) when the ACK came.
    sk.inFlight = flightAfter;
    sk.cwndLimited = sk.cwnd < sk.ssthresh ? sk.cwnd < 2 * flightBefore : flightBefore + mss > sk.cwnd;
    this.ca.congAvoid?.(sk, acked, now);
    return undefined;
  }

  /**
   * A duplicate ACK (RFC 5681 section 2 definition). Returns true when this is the third and
   * fast retransmit should resend the first unacknowledged segment now.
   */
  onDuplicateAck(sndUna: number, sndMax: number, now: Micros = 0): boolean {
    const sk = this.sk;
    this.dupAcks++;
    if (this.inRecovery) {
      sk.cwnd += this.mss; // window inflation (RFC 5681 3.2 step 4)
      return false;
    }
    // RFC 6582 3.2 step 2: not for duplicates of data sent before the last timeout or recovery.
    if (this.dupAcks !== 3 || sndUna < this.recover) return false;
    // RFC 3042 section 2: the segments limited transmit sent past cwnd do not count.
    sk.inFlight = Math.min(sndMax - sndUna, sk.cwnd);
    sk.ssthresh = this.ca.ssthresh(sk, now);
    this.recover = sndMax;
    this.inRecovery = true;
    sk.cwnd = sk.ssthresh + 3 * this.mss; // RFC 5681 3.2 step 2
    this.#setState('recovery', now);
    return true;
  }

  /**
   * How far past cwnd new data may go: limited transmit (RFC 3042) lets one new segment out on
   * each of the first two duplicate ACKs, so a small window still collects the three duplicates
   * fast retransmit needs (Linux does the same through its in-flight accounting).
   */
  get limitedTransmit(): number {
    return this.inRecovery ? 0 : Math.min(this.dupAcks, 2) * this.mss;
  }

  /** The retransmission timer expired (RFC 5681 3.1; RFC 6582 3.2 step 5 for `recover`). */
  onTimeout(sndUna: number, sndMax: number, firstTimeoutOfSegment: boolean, now: Micros = 0): void {
    const sk = this.sk;
    // ssthresh on the first timeout of a segment only (RFC 5681 3.1).
    if (firstTimeoutOfSegment) {
      // tcp_enter_loss: what undo would restore, then the reduction.
      this.#priorSsthresh = this.#currentSsthresh();
      this.#priorCwnd = sk.cwnd;
      this.#initUndo(sndUna, 0);
      sk.inFlight = sndMax - sndUna;
      sk.ssthresh = this.ca.ssthresh(sk, now);
      this.ca.cwndEvent?.(sk, 'loss', now);
    }
    sk.cwnd = this.mss; // loss window
    this.inRecovery = false;
    this.dupAcks = 0;
    this.recover = sndMax;
    this.state = 'loss';
    this.#setState('loss', now);
  }

  // ---- SACK recovery (Linux tcp_fastretrans_alert with RACK, PRR) ----

  /** Something was marked lost: recovery begins (tcp_enter_recovery, tcp_init_cwnd_reduction). */
  enterRecovery(sndMax: number, now: Micros, sndUna = this.recover, retransOut = 0): void {
    const sk = this.sk;
    this.#priorSsthresh = this.#currentSsthresh();
    this.#initUndo(sndUna, retransOut);
    this.#priorCwnd = sk.cwnd;
    sk.ssthresh = this.ca.ssthresh(sk, now);
    this.#prrDelivered = 0;
    this.#prrOut = 0;
    this.recover = sndMax;
    this.inRecovery = true;
    this.state = 'recovery';
    this.#setState('recovery', now);
  }

  /**
   * Proportional Rate Reduction on an ACK in recovery (RFC 6937 section 3.1, Linux
   * tcp_cwnd_reduction): `delivered` bytes were newly acknowledged or SACKed, `newlyLost` newly
   * marked lost, `inFlight` is what is in flight now. While more than ssthresh is in flight, send
   * in proportion ssthresh / prior cwnd of what is delivered; below it, slow-start back up to
   * ssthresh (PRR-SSRB: one extra MSS when SND.UNA advanced and nothing new was lost). The first
   * ACK always lets one segment out: the fast retransmit.
   */
  reduceWindow(delivered: number, newlyLost: number, unaAdvanced: boolean, inFlight: number): void {
    const sk = this.sk;
    if (delivered <= 0 || this.#priorCwnd <= 0) return;
    this.#prrDelivered += delivered;
    const delta = sk.ssthresh - inFlight;
    let sndcnt: number;
    if (delta < 0) {
      sndcnt = Math.ceil((sk.ssthresh * this.#prrDelivered) / this.#priorCwnd) - this.#prrOut;
    } else {
      sndcnt = Math.max(this.#prrDelivered - this.#prrOut, delivered);
      if (unaAdvanced && newlyLost === 0) sndcnt += this.mss;
      sndcnt = Math.min(delta, sndcnt);
    }
    sndcnt = Math.max(sndcnt, this.#prrOut > 0 ? 0 : this.mss);
    sk.cwnd = inFlight + sndcnt;
  }

  /** Bytes (re)sent: PRR counts them while in recovery (prr_out). */
  onSent(bytes: number): void {
    if (this.state === 'recovery') this.#prrOut += bytes;
  }

  /** A segment was retransmitted at TSval `ts` (tcp_retransmit_skb: retrans_stamp, undo_retrans). */
  onRetransmit(ts: number): void {
    this.retransStamp ??= ts;
    if (this.undoRetrans < 0) this.undoRetrans = 0;
    this.undoRetrans++;
  }

  /** tcp_init_undo: a retransmission still in flight may yet be reported by D-SACK. */
  #initUndo(sndUna: number, retransOut: number): void {
    this.undoMarker = sndUna;
    this.undoRetrans = retransOut > 0 ? retransOut : -1;
  }

  /** tcp_current_ssthresh: in recovery ssthresh, else at least 3/4 of cwnd. */
  #currentSsthresh(): number {
    const sk = this.sk;
    if (this.state === 'recovery') return sk.ssthresh;
    return Math.max(sk.ssthresh, Math.floor((sk.cwnd * 3) / 4));
  }

  /** tcp_packet_delayed: the echo `ecr` predates the episode's first retransmission. */
  packetDelayed(ecr: number | undefined): boolean {
    return this.retransStamp !== undefined && ecr !== undefined && ecr !== 0 && ecr < this.retransStamp;
  }

  /** tcp_may_undo: every retransmission D-SACKed, or the ACK answers an original. */
  mayUndo(ecr: number | undefined): boolean {
    return this.undoMarker !== undefined && (this.undoRetrans === 0 || this.packetDelayed(ecr));
  }

  /** tcp_try_undo_dsack: every retransmission of the episode was reported by D-SACK. */
  dsackUndoDue(): boolean {
    return this.undoMarker !== undefined && this.undoRetrans === 0;
  }

  /**
   * tcp_undo_cwnd_reduction: the window and ssthresh from before the reduction (cwnd through the
   * algorithm's undo_cwnd, tcp_reno_undo_cwnd without one); back to the open state.
   */
  undo(now: Micros): void {
    const sk = this.sk;
    if (this.#priorSsthresh > 0) {
      sk.cwnd = this.ca.undoCwnd?.(sk) ?? Math.max(sk.cwnd, this.#priorCwnd);
      sk.ssthresh = Math.max(sk.ssthresh, this.#priorSsthresh);
    }
    this.undoMarker = undefined;
    this.undoRetrans = -1;
    this.inRecovery = false;
    this.dupAcks = 0;
    this.state = 'open';
    this.retransStamp = undefined;
    this.#setState('open', now);
  }

  /** The ACK passed `recover`: recovery or the loss state is over (tcp_end_cwnd_reduction). */
  endRecovery(now: Micros): void {
    const sk = this.sk;
    this.retransStamp = undefined;
    // tcp_end_cwnd_reduction; an algorithm with its own control (BBR) keeps its window.
    if (this.state === 'recovery' && sk.ssthresh < Number.MAX_SAFE_INTEGER && this.ca.congControl === undefined) sk.cwnd = sk.ssthresh;
    this.inRecovery = false;
    this.state = 'open';
    this.#setState('open', now);
  }

  /** Window growth on an ACK outside recovery with SACK (tcp_cong_avoid): `acked` newly delivered. */
  grow(acked: number, priorInFlight: number, now: Micros): void {
    const sk = this.sk;
    sk.cwndLimited = sk.cwnd < sk.ssthresh ? sk.cwnd < 2 * priorInFlight : priorInFlight + this.mss > sk.cwnd;
    if (acked > 0) this.ca.congAvoid?.(sk, acked, now);
  }

  /** RFC 5681 3.1: after a lost SYN or SYN-ACK the initial window is one segment. */
  synLost(): void {
    this.sk.cwnd = this.mss;
  }

  /**
   * Linux tcp_cwnd_restart (net.ipv4.tcp_slow_start_after_idle = 1): after `idle` µs with
   * nothing in flight, halve the window once per RTO elapsed, not below the initial window.
   */
  restartAfterIdle(idle: number, rto: number, now: Micros = 0): void {
    const sk = this.sk;
    this.ca.cwndEvent?.(sk, 'cwnd-restart', now);
    const restart = Math.min(this.initialWindow, sk.cwnd);
    sk.ssthresh = Math.max(sk.ssthresh, Math.floor((sk.cwnd * 3) / 4)); // tcp_current_ssthresh
    let cwnd = sk.cwnd;
    for (let d = idle - rto; d > 0 && cwnd > restart; d -= rto) cwnd = Math.floor(cwnd / 2);
    sk.cwnd = Math.max(cwnd, restart);
  }

  #setState(state: CaState, now: Micros): void {
    this.ca.setState?.(this.sk, state, now);
  }
}
