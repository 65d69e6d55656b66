/**
 * The retransmission queue: every segment sent and not yet cumulatively acknowledged, in
 * sequence order, with what loss recovery needs to know of each (Linux keeps the same per-skb
 * state in its rtx queue, tcp_skb_cb; ns-3 calls it TcpTxBuffer).
 *
 * A segment keeps the boundaries it was first sent with: a retransmission resends the same bytes.
 */
import type { Micros } from '../../core/time.ts';

/** A segment we sent that is not yet acknowledged. */
export interface SentSegment {
  start: number;
  /** Exclusive; includes the FIN's sequence number when `fin`. */
  end: number;
  fin: boolean;
  /** When it was last (re)transmitted. */
  sentAt: Micros;
  /** Sent more than once (Karn's rule, RFC 6298 section 3). */
  retransmitted: boolean;
  /** Retransmission timeouts while this segment was the oldest unacknowledged one. */
  timeouts: number;
}

/** What a cumulative ACK took off the queue (Linux tcp_clean_rtx_queue). */
export interface Cleaned {
  /** The first segment it covered (for the RTT sample), if any. */
  first: SentSegment | undefined;
  /** Whether any segment it covered had been retransmitted. */
  retransmitted: boolean;
}

export class RetransmitQueue {
  #sent: SentSegment[] = [];
  #head = 0;

  /** Segments still unacknowledged. */
  get size(): number {
    return this.#sent.length - this.#head;
  }

  /** The oldest unacknowledged segment. */
  get head(): SentSegment | undefined {
    return this.#sent[this.#head];
  }

  /** The segment sent last (highest sequence). */
  get last(): SentSegment | undefined {
    return this.size > 0 ? this.#sent[this.#sent.length - 1] : undefined;
  }

  push(seg: SentSegment): void {
    this.#sent.push(seg);
  }

  /** Unacknowledged segments in sequence order. */
  *[Symbol.iterator](): IterableIterator<SentSegment> {
    for (let i = this.#head; i < this.#sent.length; i++) yield this.#sent[i]!;
  }

  /** Drops what `ack` covers; a segment acknowledged in part keeps its tail. */
  acknowledge(ack: number): Cleaned {
    let first: SentSegment | undefined;
    let retransmitted = false;
    while (this.#head < this.#sent.length) {
      const r = this.#sent[this.#head]!;
      if (r.start >= ack) break;
      first ??= r;
      if (r.retransmitted) retransmitted = true;
      if (r.end <= ack) {
        this.#head++;
      } else {
        r.start = ack; // a peer that acknowledged part of a segment
        break;
      }
    }
    if (this.#head > 1024 && this.#head * 2 > this.#sent.length) {
      this.#sent = this.#sent.slice(this.#head);
      this.#head = 0;
    }
    return { first, retransmitted };
  }

  /** The unacknowledged segment that holds `seq` (binary search). */
  find(seq: number): SentSegment | undefined {
    let lo = this.#head;
    let hi = this.#sent.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.#sent[mid]!;
      if (r.end <= seq) lo = mid + 1;
      else if (r.start > seq) hi = mid - 1;
      else return r;
    }
    return undefined;
  }
}
