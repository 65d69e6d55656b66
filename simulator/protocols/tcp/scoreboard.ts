/**
 * The retransmission queue and SACK scoreboard: every segment sent and not yet cumulatively
 * acknowledged, in sequence order, with what loss recovery knows of each. Linux keeps the same
 * per-skb state in its rtx queue (tcp_skb_cb `sacked`: TCPCB_SACKED_ACKED, TCPCB_LOST,
 * TCPCB_SACKED_RETRANS, TCPCB_EVER_RETRANS) and the totals sacked_out, lost_out, retrans_out;
 * RFC 6675 calls it the scoreboard, ns-3 TcpTxBuffer.
 *
 * In flight (RFC 6675 "pipe", Linux tcp_packets_in_flight): sent - SACKed - lost + resent and
 * not yet known lost again. Counted in bytes here.
 *
 * A segment keeps the boundaries it was first sent with, except that a retransmission may merge
 * it with the next unSACKed segments up to the MSS (`collapse`, Linux tcp_retrans_try_collapse).
 */
import type { Micros } from '../../core/time.ts';
import type { TxStamp } from './cc/rate.ts';

/** A segment we sent that is not yet acknowledged. */
export interface SentSegment {
  start: number;
  /** Exclusive; includes the FIN's sequence number when `fin`. */
  end: number;
  fin: boolean;
  /** When it was last (re)transmitted. */
  sentAt: Micros;
  /**
   * Rank of that transmission among all of the connection's: orders sends made at the same
   * instant (Linux's microsecond skb_mstamp rarely ties; our virtual clock does).
   */
  sentOrder: number;
  /** Sent more than once (Karn's rule, RFC 6298 section 3; Linux TCPCB_EVER_RETRANS). */
  retransmitted: boolean;
  /** Retransmission timeouts while this segment was the oldest unacknowledged one. */
  timeouts: number;
  /** Selectively acknowledged (TCPCB_SACKED_ACKED). */
  sacked: boolean;
  /** Delivery-rate stamp of its last transmission (./cc/rate.ts, tcp_skb_cb.tx). */
  rate?: TxStamp;
  /** Marked lost by RACK, NewReno or a timeout (TCPCB_LOST). */
  lost: boolean;
  /** Sent again and not known lost again: counts in flight (TCPCB_SACKED_RETRANS). */
  inFlightAgain: boolean;
  /** Cumulatively acknowledged: off the queue. */
  done: boolean;
}

export function newSegment(start: number, end: number, fin: boolean, now: Micros, order: number): SentSegment {
  return { start, end, fin, sentAt: now, sentOrder: order, retransmitted: false, timeouts: 0, sacked: false, lost: false, inFlightAgain: false, done: false };
}

/** What a cumulative ACK took off the queue (Linux tcp_clean_rtx_queue). */
export interface Cleaned {
  /** The first segment it covered (for the RTT sample), if any. */
  first: SentSegment | undefined;
  /** Whether any segment it covered had been retransmitted. */
  retransmitted: boolean;
  /** Bytes newly delivered: acknowledged now and not SACKed before. */
  delivered: number;
}

const len = (s: SentSegment): number => s.end - s.start;

export class RetransmitQueue {
  #sent: SentSegment[] = [];
  #head = 0;
  /**
   * Transmissions in the order they left (Linux tsorted_sent_queue), for RACK: each entry is a
   * segment and the rank it was sent with; an entry is stale once the segment was acknowledged,
   * SACKed or sent again.
   */
  #bySend: { seg: SentSegment; order: number }[] = [];
  #bySendHead = 0;
  /** No segment before this index waits to be resent (a hint for `nextHole`). */
  #holeHint = 0;
  /** Totals over the queue, in bytes (Linux sacked_out, lost_out, retrans_out). */
  sackedBytes = 0;
  lostBytes = 0;
  retransBytes = 0;
  /** Segments resent and still in flight (Linux retrans_out, which counts packets). */
  get retransSegments(): number {
    let n = 0;
    if (this.retransBytes > 0) for (const s of this) if (s.inFlightAgain) n++;
    return n;
  }

  /** SACKed segments (for the DupThresh rule of RACK's reordering window). */
  sackedSegments = 0;
  /** End of the highest SACKed segment (Linux tcp_highest_sack_seq), 0 before any. */
  highestSacked = 0;

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
    this.#bySend.push({ seg, order: seg.sentOrder });
    // Also here, not only in sentBefore: a connection that never looks for losses would keep
    // every segment it ever sent (its payload too). Staleness is for good (done and sacked are
    // never unset, a resend is a new entry), so dropping stale front entries early changes nothing.
    this.#dropStaleFront();
  }

  /**
   * Segments not delivered whose current transmission was sent before rank `order`, oldest
   * transmission first (Linux walks tsorted_sent_queue and stops at the first sent later).
   */
  *sentBefore(order: number): IterableIterator<SentSegment> {
    this.#dropStaleFront();
    for (let j = this.#bySendHead; j < this.#bySend.length; j++) {
      const e = this.#bySend[j]!;
      if (e.order >= order) return;
      if (!this.#stale(e)) yield e.seg;
    }
  }

  /** Drops stale entries at the front for good (compacting the list once they are most of it). */
  #dropStaleFront(): void {
    const list = this.#bySend;
    let i = this.#bySendHead;
    while (i < list.length && this.#stale(list[i]!)) i++;
    this.#bySendHead = i;
    if ((i > 16 && i * 2 > list.length) || (i > 0 && i === list.length)) {
      this.#bySend = list.slice(i);
      this.#bySendHead = 0;
    }
  }

  #stale(e: { seg: SentSegment; order: number }): boolean {
    return e.seg.done || e.seg.sacked || e.seg.sentOrder !== e.order;
  }

  /** The first segment marked lost and not resent since (tcp_xmit_retransmit_queue's walk). */
  nextHole(): SentSegment | undefined {
    if (this.lostBytes === 0) return undefined;
    for (let i = Math.max(this.#holeHint, this.#head); i < this.#sent.length; i++) {
      const s = this.#sent[i]!;
      if (s.lost && !s.inFlightAgain) {
        this.#holeHint = i;
        return s;
      }
    }
    this.#holeHint = this.#sent.length;
    return undefined;
  }

  /** Unacknowledged segments in sequence order. */
  *[Symbol.iterator](): IterableIterator<SentSegment> {
    for (let i = this.#head; i < this.#sent.length; i++) yield this.#sent[i]!;
  }

  /** Bytes in flight (RFC 6675 pipe) given everything sent since `una` up to `max`. */
  inFlight(una: number, max: number): number {
    return max - una - this.sackedBytes - this.lostBytes + this.retransBytes;
  }

  /**
   * Drops what `ack` covers; a segment acknowledged in part keeps its tail. `delivered` is
   * called for each segment acknowledged in full that had not been SACKed (RACK advances on it).
   */
  acknowledge(ack: number, delivered?: (s: SentSegment) => void): Cleaned {
    let first: SentSegment | undefined;
    let retransmitted = false;
    let bytes = 0;
    while (this.#head < this.#sent.length) {
      const r = this.#sent[this.#head]!;
      if (r.start >= ack) break;
      first ??= r;
      if (r.retransmitted) retransmitted = true;
      if (r.end <= ack) {
        if (!r.sacked) {
          bytes += len(r);
          delivered?.(r);
        }
        this.#forget(r, len(r));
        r.done = true;
        this.#head++;
      } else {
        const part = ack - r.start;
        if (!r.sacked) bytes += part;
        this.#forget(r, part, true);
        r.start = ack; // a peer that acknowledged part of a segment
        break;
      }
    }
    // Compact once the acknowledged front is most of the list, or all of it: a connection that
    // sends a few segments at a time would otherwise hold every segment it ever sent (memory only).
    if ((this.#head > 1024 && this.#head * 2 > this.#sent.length) || (this.#head > 0 && this.#head === this.#sent.length)) {
      this.#sent = this.#sent.slice(this.#head);
      this.#holeHint = Math.max(0, this.#holeHint - this.#head);
      this.#head = 0;
    }
    return { first, retransmitted, delivered: bytes };
  }

  /**
   * Marks the segments inside [left, right) SACKed (Linux tcp_sacktag_walk); a segment only
   * partly inside stays as it is. `newly` is called for each newly SACKed segment before it is
   * marked. Returns the bytes newly SACKed.
   */
  sack(left: number, right: number, newly: (s: SentSegment) => void): number {
    let bytes = 0;
    for (let i = this.#indexOf(left); i < this.#sent.length; i++) {
      const s = this.#sent[i]!;
      if (s.start >= right) break;
      if (s.start < left || s.end > right || s.sacked) continue;
      newly(s);
      if (s.lost) this.lostBytes -= len(s);
      if (s.inFlightAgain) this.retransBytes -= len(s);
      s.lost = s.inFlightAgain = false;
      s.sacked = true;
      this.sackedBytes += len(s);
      this.sackedSegments++;
      if (s.end > this.highestSacked) this.highestSacked = s.end;
      bytes += len(s);
    }
    return bytes;
  }

  /** Marks `s` lost; a retransmission of it in flight is lost too (tcp_mark_skb_lost). */
  markLost(s: SentSegment): void {
    if (s.sacked) return;
    this.#holeHint = Math.min(this.#holeHint, this.#indexOf(s.start));
    if (!s.lost) this.lostBytes += len(s);
    if (s.inFlightAgain) this.retransBytes -= len(s);
    s.lost = true;
    s.inFlightAgain = false;
  }

  /** `s` is being sent again at `now` as transmission number `order` (tcp_retransmit_skb). */
  resent(s: SentSegment, now: Micros, order: number): void {
    s.retransmitted = true;
    s.sentAt = now;
    s.sentOrder = order;
    this.#bySend.push({ seg: s, order });
    if (!s.inFlightAgain) this.retransBytes += len(s);
    s.inFlightAgain = true;
  }

  /**
   * Linux tcp_retrans_try_collapse (net.ipv4.tcp_retrans_collapse = 1): before `s` is sent
   * again, merge into it the segments that follow while they too wait to be resent (Linux:
   * unSACKed, and no copy still in the host's queue) and the whole fits in `room` bytes of
   * payload. Small writes lost together go back as one segment. Returns `s`.
   */
  collapse(s: SentSegment, room: number, waiting: (next: SentSegment) => boolean): SentSegment {
    const i = this.#indexOf(s.start);
    while (i + 1 < this.#sent.length) {
      const next = this.#sent[i + 1]!;
      if (next.sacked || s.fin || !waiting(next) || next.end - s.start - (next.fin ? 1 : 0) > room) break;
      // The merged bytes keep their accounting: lost stays lost, in flight stays in flight.
      if (next.lost) this.lostBytes -= len(next);
      if (next.inFlightAgain) this.retransBytes -= len(next);
      if (s.lost) this.lostBytes += len(next);
      if (s.inFlightAgain) this.retransBytes += len(next);
      s.end = next.end;
      s.fin = next.fin;
      s.retransmitted ||= next.retransmitted;
      s.timeouts = Math.max(s.timeouts, next.timeouts);
      next.done = true;
      this.#sent.splice(i + 1, 1);
    }
    return s;
  }

  /**
   * D-SACK for `s`: both copies arrived, so its retransmission is no longer in flight (Linux
   * tcp_sacktag_one clears TCPCB_SACKED_RETRANS on a dup_sack).
   */
  duplicateReported(s: SentSegment): void {
    if (s.inFlightAgain) this.retransBytes -= len(s);
    s.inFlightAgain = false;
  }

  /**
   * Undo after a spurious timeout: nothing is lost after all (tcp_undo_cwnd_reduction with
   * unmark_loss). A segment already resent then counts twice in flight, as Linux counts it.
   */
  unmarkLost(): void {
    for (const s of this) {
      if (s.lost) this.lostBytes -= len(s);
      s.lost = false;
    }
  }

  /** Every segment not SACKed is lost, and no retransmission is in flight (tcp_enter_loss). */
  markAllLost(): void {
    this.retransBytes = 0;
    this.#holeHint = this.#head;
    for (const s of this) {
      s.inFlightAgain = false;
      this.markLost(s);
    }
  }

  /** The unacknowledged segment that holds `seq` (binary search). */
  find(seq: number): SentSegment | undefined {
    const s = this.#sent[this.#indexOf(seq)];
    return s !== undefined && s.start <= seq && seq < s.end ? s : undefined;
  }

  /** Index of the first kept segment that ends after `seq`. */
  #indexOf(seq: number): number {
    let lo = this.#head;
    let hi = this.#sent.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#sent[mid]!.end <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** `bytes` of `s` leave the queue: take them off the totals. */
  #forget(s: SentSegment, bytes: number, partial = false): void {
    if (s.sacked) {
      this.sackedBytes -= bytes;
      if (!partial) this.sackedSegments--;
    }
    if (s.lost) this.lostBytes -= bytes;
    if (s.inFlightAgain) this.retransBytes -= bytes;
  }
}
