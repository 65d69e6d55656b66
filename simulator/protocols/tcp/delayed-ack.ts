/**
 * When the receiver sends its ACK: the delayed-ACK policy as Linux runs it (net/ipv4/tcp_input.c
 * __tcp_ack_snd_check, tcp_event_data_recv; net/ipv4/tcp_output.c tcp_event_data_sent;
 * net/ipv4/tcp_timer.c tcp_delack_timer_handler). ns-3 keeps the same policy inside
 * TcpSocketBase; it is a concept of its own here.
 *
 * - Quick-ACK mode (tcp_in_quickack_mode): the first `quickAckSegments` data segments of a
 *   connection are ACKed at once, and again after a silence longer than the RTO or when the peer
 *   resends data we already have (tcp_enter_quickack_mode).
 * - Interactive (pingpong) mode: entered when we send data within the delayed-ACK time of
 *   receiving some (TCP_PINGPONG_THRESH = 1), left when the delayed-ACK timer fires (the answer
 *   did not come in time). In it, quick-ACK mode does not apply: the ACK waits to ride on the answer.
 * - Otherwise an ACK goes at once when more than one MSS is unacknowledged (every second full
 *   segment), for out-of-order data or data that fills a hole; else within `delayedAckTimeout`
 *   (TCP_DELACK_MIN, 40 ms). Any segment we send carries the ACK and cancels the timer.
 */
import type { Micros } from '../../core/time.ts';

export interface DelayedAckOptions {
  mss: number;
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

  constructor(readonly o: DelayedAckOptions) {
    this.#quickAcks = o.quickAckSegments;
  }

  /** Linux tcp_enter_quickack_mode: the next `quickAckSegments` ACKs go at once, pingpong ends. */
  enterQuickAck(): void {
    this.#quickAcks = Math.max(this.#quickAcks, this.o.quickAckSegments);
    this.#pingpong = false;
  }

  /** In-order data is about to be delivered (Linux tcp_event_data_recv). */
  onInOrderData(now: Micros, rto: Micros): void {
    // After a silence longer than the RTO, ACK quickly again.
    if (this.#lastDataReceived !== undefined && now - this.#lastDataReceived > rto) this.enterQuickAck();
    this.#lastDataReceived = now;
  }

  /** `bytes` of new in-order data were delivered. */
  onDelivered(bytes: number): void {
    this.#unacked += bytes;
  }

  /** After in-order data was taken in: ACK now or arm the timer (Linux __tcp_ack_snd_check). */
  schedule(now: Micros, filledHole: boolean): void {
    const quickAck = this.#quickAcks > 0 && !this.#pingpong; // Linux tcp_in_quickack_mode
    if (filledHole || !this.o.delayedAck || quickAck || this.#unacked > this.o.mss) {
      this.ackNow = true;
    } else if (this.deadline === undefined) {
      this.deadline = now + this.o.delayedAckTimeout;
    }
  }

  /** A segment carrying our ACK was sent: nothing is pending any more. */
  onAckSent(): void {
    this.ackNow = false;
    this.deadline = undefined;
    if (this.#unacked > 0 && this.#quickAcks > 0) this.#quickAcks--;
    this.#unacked = 0;
  }

  /** We sent data (Linux tcp_event_data_sent): an answer within the delayed-ACK time means pingpong. */
  onDataSent(now: Micros): void {
    if (this.#lastDataReceived !== undefined && now - this.#lastDataReceived < this.o.delayedAckTimeout) this.#pingpong = true;
  }

  /** The delayed-ACK timer fired (tcp_delack_timer_handler): the answer did not come in time. */
  onTimer(): void {
    this.deadline = undefined;
    this.#pingpong = false;
    this.ackNow = true;
  }
}
