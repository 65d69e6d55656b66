/**
 * When the receiver sends its ACK: the delayed-ACK policy as Linux runs it (net/ipv4/tcp_input.c
 * __tcp_ack_snd_check, tcp_event_data_recv; net/ipv4/tcp_output.c tcp_event_data_sent;
 * net/ipv4/tcp_timer.c tcp_delack_timer_handler). ns-3 keeps the same policy inside
 * TcpSocketBase; it is a concept of its own here.
 *
 * - Quick-ACK mode (tcp_in_quickack_mode): the first `quickAckSegments` data segments of a
 *   connection are ACKed at once, and again after a silence longer than the RTO (tcp_incr_quickack,
 *   which leaves pingpong mode as it is) or when the peer resends data we already have
 *   (tcp_enter_quickack_mode, which also ends pingpong).
 * - Interactive (pingpong) mode: entered when we send data within the ato of receiving some
 *   (TCP_PINGPONG_THRESH = 1, as Linux 6.18 on the testbed, where it is the per-namespace sysctl
 *   net.ipv4.tcp_pingpong_thresh, default 1; Linux 5.1 counted up to 3 such answers, which 5.19
 *   and the stable kernels reverted), left when the delayed-ACK timer fires (the answer did not
 *   come in time) or data we already have comes again. In it, quick-ACK mode does not apply: the
 *   ACK waits to ride on the answer.
 * - Otherwise an ACK goes at once when more than the peer's MSS as we estimate it (rcv_mss, from
 *   536 bytes up to the largest segment seen, tcp_measure_rcv_mss) is unacknowledged (every second
 *   full segment), for out-of-order data or data that fills a hole; else within the ACK timeout
 *   (ato). Any segment we send carries the ACK and cancels the timer.
 * - The ato adapts as Linux's (tcp_event_data_recv, __tcp_send_delayed_ack,
 *   tcp_delack_timer_handler): it starts at `delayedAckTimeout` (TCP_ATO_MIN = TCP_DELACK_MIN,
 *   40 ms); data arriving within 20 ms pulls it halfway back towards 40 ms, data arriving within
 *   the current ato moves it to half of it plus the gap (so towards twice a steady gap); a timer
 *   that fires outside pingpong mode doubles it, up to the RTO; one that fires in pingpong mode
 *   resets it. Above 40 ms the timer is bounded by the SRTT (at least 40 ms) and by 200 ms
 *   (TCP_DELACK_MAX) when interactive or pushed, else 500 ms (HZ/2).
 * - Read-time ACK (tcp_cleanup_rbuf): a segment smaller than rcv_mss marks the ACK "pushed"
 *   (ICSK_ACK_PUSHED; a second one, ICSK_ACK_PUSHED2). When the application reads it, which it
 *   does at once here, a pending delayed ACK goes out at once if the connection is not
 *   interactive, or after two such segments even if it is. So a one-way stream of small messages
 *   is ACKed per read, not every 40 ms; a request/response exchange still waits for the answer.
 */
import type { Micros } from '../../core/time.ts';

/** Linux TCP_MSS_DEFAULT: the first estimate of the peer's MSS (tcp_initialize_rcv_mss). */
const TCP_MSS_DEFAULT = 536;
/** Linux TCP_MIN_MSS. */
const TCP_MIN_MSS = 88;
/** TCP header without options (sizeof(struct tcphdr)). */
const TCP_HEADER = 20;
/** Linux TCP_DELACK_MAX (HZ/5) and the HZ/2 bound of __tcp_send_delayed_ack, in µs. */
const TCP_DELACK_MAX = 200_000;
const DELACK_BOUND = 500_000;

/** What the ACK timeout reads of the connection's RTT estimate (./rtt.ts). */
export interface RttView {
  readonly rto: Micros;
  readonly srtt: Micros | undefined;
}

export interface DelayedAckOptions {
  mss: number;
  /** Option bytes on every segment (the peer's timestamps; Linux tcp_header_len). */
  tcpOptionBytes: number;
  receiveWindow: number;
  delayedAck: boolean;
  delayedAckTimeout: Micros;
  quickAckSegments: number;
}

export class DelayedAck {
  /** An ACK must leave with the next segment, or on its own now. */
  ackNow = false;
  /** When the delayed-ACK timer fires, if armed. */
  deadline: Micros | undefined;
  /** Bytes received since we last sent an ACK. */
  #unacked = 0;
  #quickAcks: number;
  /** When in-order data last arrived (Linux icsk_ack.lrcvtime). */
  #lastDataReceived: Micros | undefined;
  /** Interactive mode (Linux pingpong). */
  #pingpong = false;
  /** Estimate of the peer's segment size (Linux icsk_ack.rcv_mss). */
  #rcvMss: number;
  /** Payload of the last segment that may be a full one (icsk_ack.last_seg_size). */
  #lastSegSize = 0;
  /** A small segment arrived since our last ACK (ICSK_ACK_PUSHED), and a second (PUSHED2). */
  #pushed = false;
  #pushed2 = false;
  /** The ACK timeout (Linux icsk_ack.ato). */
  #ato: Micros;

  constructor(
    readonly o: DelayedAckOptions,
    readonly rtt: RttView = { rto: 1_000_000, srtt: undefined },
  ) {
    this.#ato = o.delayedAckTimeout;
    this.#quickAcks = o.quickAckSegments;
    this.#rcvMss = Math.max(TCP_MIN_MSS, Math.min(o.mss, TCP_MSS_DEFAULT, Math.floor(o.receiveWindow / 2)));
  }

  /**
   * tcp_measure_rcv_mss, on each in-order data segment of `len` payload bytes: a full-sized one
   * raises the estimate; a smaller one marks the ACK pushed, unless it looks like a full segment
   * of a smaller MSS (the same size twice, no PSH or FIN, at least 536 bytes with its header).
   */
  measure(len: number, pushOrFin: boolean): void {
    const lss = this.#lastSegSize;
    this.#lastSegSize = 0;
    if (len >= this.#rcvMss) {
      this.#rcvMss = Math.min(len, this.o.mss);
      return;
    }
    const withHeader = len + TCP_HEADER + this.o.tcpOptionBytes;
    if (withHeader >= TCP_MSS_DEFAULT + TCP_HEADER || (withHeader >= TCP_MIN_MSS + TCP_HEADER && !pushOrFin)) {
      this.#lastSegSize = len;
      if (len === lss) {
        this.#rcvMss = len;
        return;
      }
    }
    if (this.#pushed) this.#pushed2 = true;
    this.#pushed = true;
  }

  /** Linux tcp_enter_quickack_mode: the next `quickAckSegments` ACKs go at once, pingpong ends. */
  enterQuickAck(resetAto = true): void {
    this.#quickAcks = Math.max(this.#quickAcks, this.o.quickAckSegments);
    this.#pingpong = false;
    if (resetAto) this.#ato = this.o.delayedAckTimeout;
  }

  /** In-order data is about to be delivered (Linux tcp_event_data_recv): adapt the ato. */
  onInOrderData(now: Micros): void {
    const last = this.#lastDataReceived;
    this.#lastDataReceived = now;
    if (last === undefined) return;
    const gap = now - last;
    const atoMin = this.o.delayedAckTimeout;
    if (gap <= atoMin / 2) this.#ato = Math.floor(this.#ato / 2) + atoMin / 2;
    else if (gap < this.#ato) this.#ato = Math.min(Math.floor(this.#ato / 2) + gap, this.rtt.rto);
    // After a silence longer than the RTO, ACK quickly again ("Too long gap": tcp_incr_quickack,
    // not tcp_enter_quickack_mode): the quick-ACK count only. Pingpong mode stays, and while it
    // lasts quick ACKs do not apply, so a broker that answered CONNECT still delays its ACK of a
    // PUBLISH that comes seconds later, until that delayed ACK's timer ends pingpong.
    else if (gap > this.rtt.rto) this.#quickAcks = Math.max(this.#quickAcks, this.o.quickAckSegments);
  }

  /** The delayed-ACK timeout for an ACK held now (__tcp_send_delayed_ack). */
  get timeout(): Micros {
    const atoMin = this.o.delayedAckTimeout;
    if (this.#ato <= atoMin) return this.#ato;
    let max = this.#pingpong || this.#pushed ? TCP_DELACK_MAX : DELACK_BOUND;
    const srtt = this.rtt.srtt;
    if (srtt !== undefined) max = Math.min(max, Math.max(Math.floor(srtt), atoMin));
    return Math.min(this.#ato, max);
  }

  /** `bytes` of new in-order data were delivered. */
  onDelivered(bytes: number): void {
    this.#unacked += bytes;
  }

  /** After in-order data was taken in: ACK now or arm the timer (Linux __tcp_ack_snd_check). */
  schedule(now: Micros, filledHole: boolean): void {
    const quickAck = this.#quickAcks > 0 && !this.#pingpong; // Linux tcp_in_quickack_mode
    if (filledHole || !this.o.delayedAck || quickAck || this.#unacked > this.#rcvMss) {
      this.ackNow = true;
    } else {
      this.deadline ??= now + this.timeout;
      // The application reads the data at once (tcp_cleanup_rbuf): a pushed small segment on a
      // connection that is not interactive, or two of them, make the ACK go now.
      if (this.#pushed2 || (this.#pushed && !this.#pingpong)) this.ackNow = true;
    }
  }

  /** A segment carrying our ACK was sent: nothing is pending any more. */
  onAckSent(): void {
    this.ackNow = false;
    this.deadline = undefined;
    if (this.#unacked > 0 && this.#quickAcks > 0) this.#quickAcks--;
    this.#unacked = 0;
    this.#pushed = this.#pushed2 = false; // inet_csk_clear_delack
  }

  /** We sent data (Linux tcp_event_data_sent): an answer within the ato means pingpong. */
  onDataSent(now: Micros): void {
    if (this.#lastDataReceived !== undefined && now - this.#lastDataReceived < this.#ato) this.#pingpong = true;
  }

  /** The delayed-ACK timer fired (tcp_delack_timer_handler): the answer did not come in time. */
  onTimer(): void {
    this.deadline = undefined;
    // Delayed ACK missed: outside pingpong the ato grows (up to the RTO); in it, pingpong ends.
    if (this.#pingpong) this.#ato = this.o.delayedAckTimeout;
    else this.#ato = Math.min(this.#ato * 2, this.rtt.rto);
    this.#pingpong = false;
    this.ackNow = true;
  }
}
