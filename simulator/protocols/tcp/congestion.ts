/**
 * Reno congestion control (RFC 5681) with NewReno fast recovery (RFC 6582), in bytes, as Linux
 * runs Reno: slow start and congestion avoidance both count acknowledged bytes (RFC 3465), so a
 * window grows by one MSS per RTT in congestion avoidance even when the receiver ACKs every
 * second segment; the window only grows while the sender uses it (Linux tcp_is_cwnd_limited,
 * RFC 7661's idea); after an idle period longer than the RTO the window shrinks back towards the
 * initial window (RFC 5681 4.1 as Linux's tcp_cwnd_restart does it); limited transmit (RFC 3042).
 *
 * This class only does arithmetic: the connection decides what to send.
 */
export class Reno {
  cwnd: number;
  ssthresh = Number.MAX_SAFE_INTEGER;
  inRecovery = false;
  /** RFC 6582 `recover`: the highest sequence number sent when recovery (or a timeout) began. */
  recover: number;
  dupAcks = 0;
  #bytesAcked = 0;

  constructor(
    readonly mss: number,
    readonly initialWindow: number,
    iss: number,
  ) {
    this.cwnd = initialWindow;
    this.recover = iss;
  }

  /**
   * An ACK moved SND.UNA forward by `acked` bytes to `ack`; `flightBefore` is what was in flight
   * before it, `flightAfter` what still is. Returns 'partial' when NewReno must resend the next
   * hole now (RFC 6582 3.2 step 3).
   */
  onAck(ack: number, acked: number, flightBefore: number, flightAfter: number): 'partial' | undefined {
    const mss = this.mss;
    if (this.inRecovery) {
      if (ack >= this.recover) {
        // Full ACK: deflate to ssthresh, or less when little is in flight (RFC 6582 3.2 step 3, option 1).
        this.inRecovery = false;
        this.dupAcks = 0;
        this.cwnd = Math.min(this.ssthresh, Math.max(flightAfter, mss) + mss);
        return undefined;
      }
      // Partial ACK: deflate by what it covered, add back one MSS if that was a full segment.
      this.cwnd = Math.max(this.cwnd - acked + (acked >= mss ? mss : 0), mss);
      return 'partial';
    }
    this.dupAcks = 0;
    if (this.cwnd < this.ssthresh) {
      // Slow start, byte counting with L = 2 SMSS (RFC 3465 2.2); grows while the window is used
      // (Linux: cwnd < 2 x packets out).
      if (this.cwnd < 2 * flightBefore) this.cwnd += Math.min(acked, 2 * mss);
    } else if (flightBefore + mss > this.cwnd) {
      // Congestion avoidance: one MSS per window of acknowledged bytes (RFC 3465 2.1).
      this.#bytesAcked += acked;
      if (this.#bytesAcked >= this.cwnd) {
        this.#bytesAcked -= this.cwnd;
        this.cwnd += mss;
      }
    }
    return undefined;
  }

  /**
   * A duplicate ACK (RFC 5681 section 2 definition). Returns true when this is the third and
   * fast retransmit should resend the first unacknowledged segment now.
   */
  onDuplicateAck(sndUna: number, sndMax: number): boolean {
    this.dupAcks++;
    if (this.inRecovery) {
      this.cwnd += this.mss; // window inflation (RFC 5681 3.2 step 4)
      return false;
    }
    // RFC 6582 3.2 step 2: not for duplicates of data sent before the last timeout or recovery.
    if (this.dupAcks !== 3 || sndUna < this.recover) return false;
    // RFC 5681 eq. (4), FlightSize without the segments limited transmit sent past cwnd
    // (RFC 3042 section 2: they must not change the window).
    const flight = Math.min(sndMax - sndUna, this.cwnd);
    this.ssthresh = Math.max(Math.floor(flight / 2), 2 * this.mss);
    this.recover = sndMax;
    this.inRecovery = true;
    this.cwnd = this.ssthresh + 3 * this.mss; // RFC 5681 3.2 step 2
    this.#bytesAcked = 0;
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
  onTimeout(sndUna: number, sndMax: number, firstTimeoutOfSegment: boolean): void {
    // ssthresh halves on the first timeout of a segment only (RFC 5681 3.1).
    if (firstTimeoutOfSegment) this.ssthresh = Math.max(Math.floor((sndMax - sndUna) / 2), 2 * this.mss);
    this.cwnd = this.mss; // loss window
    this.#bytesAcked = 0;
    this.inRecovery = false;
    this.dupAcks = 0;
    this.recover = sndMax;
  }

  /** RFC 5681 3.1: after a lost SYN or SYN-ACK the initial window is one segment. */
  synLost(): void {
    this.cwnd = this.mss;
  }

  /**
   * Linux tcp_cwnd_restart (net.ipv4.tcp_slow_start_after_idle = 1): after `idle` µs with
   * nothing in flight, halve the window once per RTO elapsed, not below the initial window.
   */
  restartAfterIdle(idle: number, rto: number): void {
    const restart = Math.min(this.initialWindow, this.cwnd);
    this.ssthresh = Math.max(this.ssthresh, Math.floor((this.cwnd * 3) / 4)); // tcp_current_ssthresh
    let cwnd = this.cwnd;
    for (let d = idle - rto; d > 0 && cwnd > restart; d -= rto) cwnd = Math.floor(cwnd / 2);
    this.cwnd = Math.max(cwnd, restart);
  }
}
