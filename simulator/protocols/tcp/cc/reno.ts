/**
 * Reno (RFC 5681) as Linux's tcp_cong.c runs it (tcp_reno_ssthresh, tcp_reno_cong_avoid), in
 * bytes: the window halves on loss, grows in slow start by the bytes acknowledged and in
 * congestion avoidance by one MSS per window of acknowledged bytes (byte counting, RFC 3465), and
 * only while the sender actually uses it (tcp_is_cwnd_limited, computed by the connection into
 * `sk.cwndLimited`). Fast recovery itself is the connection's (../recovery.ts), as in Linux.
 *
 * One difference from the kernel, kept from the first version of this simulator: slow start adds
 * at most 2 MSS per ACK (RFC 3465 2.2, L = 2 SMSS) where tcp_slow_start adds all the acknowledged
 * segments; they differ only after an ACK that covers more than two segments.
 */
import type { Micros } from '../../../core/time.ts';
import type { CaEvent, CaState, CcSocket, CongestionControl } from './types.ts';

export class Reno implements CongestionControl {
  get name(): 'reno' {
    return 'reno';
  }
  /** Bytes acknowledged towards the next MSS of growth (Linux snd_cwnd_cnt, in bytes). */
  #bytesAcked = 0;

  init(_sk: CcSocket, _now: Micros): void {
    this.#bytesAcked = 0;
  }

  /** tcp_reno_ssthresh: half the window, at least two segments (RFC 5681 eq. 4). */
  ssthresh(sk: CcSocket, _now: Micros): number {
    return Math.max(Math.floor(sk.cwnd / 2), 2 * sk.mss);
  }

  /** tcp_reno_cong_avoid. */
  congAvoid(sk: CcSocket, acked: number, _now: Micros): void {
    if (!sk.cwndLimited) return;
    if (sk.cwnd < sk.ssthresh) {
      // Slow start, byte counting with L = 2 SMSS (RFC 3465 2.2).
      sk.cwnd += Math.min(acked, 2 * sk.mss);
      return;
    }
    // Congestion avoidance: one MSS per window of acknowledged bytes (RFC 3465 2.1; Linux
    // tcp_cong_avoid_ai counts packets the same way).
    this.#bytesAcked += acked;
    if (this.#bytesAcked >= sk.cwnd) {
      this.#bytesAcked -= sk.cwnd;
      sk.cwnd += sk.mss;
    }
  }

  /** A reduction starts the count towards the next MSS afresh. */
  setState(_sk: CcSocket, state: CaState, _now: Micros): void {
    if (state === 'recovery' || state === 'loss') this.#bytesAcked = 0;
  }

  cwndEvent(_sk: CcSocket, event: CaEvent, _now: Micros): void {
    if (event === 'loss') this.#bytesAcked = 0;
  }
}
