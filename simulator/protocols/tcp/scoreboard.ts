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

/** Told of each segment an ACK newly delivers (acknowledged in full, or SACKed), as it is. */
export interface DeliverySink {
  segmentDelivered(s: SentSegment, sacked: boolean): void;
}

/** What a cumulative ACK took off the queue (Linux tcp_clean_rtx_queue). */
export interface Cleaned {
  /** When the first segment it covered was last sent (for the RTT sample), if it covered any. */
  firstSentAt: Micros | undefined;
  /** Whether any segment it covered had been retransmitted. */
  retransmitted: boolean;
  /** Bytes newly delivered: acknowledged now and not SACKed before. */
  delivered: number;
}

const len = (s: SentSegment): number => s.end - s.start;

/** The answer of every `acknowledge` call (see there). */
const CLEANED: Cleaned = { firstSentAt: undefined, retransmitted: false, delivered: 0 };

/** Slots an emptied list keeps for reuse; a longer one (after a large window) is let go. */
const MAX_KEPT = 256;

/**
 * A list's first array: four empty slots, as many as a connection sending a message at a time
 * needs (`[]` would grow to 17 on its first push). Grows as arrays do.
 */
function smallList(): (SentSegment | undefined)[] {
  return [undefined, undefined, undefined, undefined];
}

/** The lists of a queue with nothing unacknowledged (shared, frozen: a queue takes lists before it writes). */
const NO_SEGMENTS = Object.freeze([]) as unknown as (SentSegment | undefined)[];
const NO_RANKS = Object.freeze([]) as unknown as number[];

/**
 * Lists given back by queues that emptied, for the next queue that sends: three stacks that grow
 * and shrink together (entry i of each is one queue's set). Every slot of a list here holds
 * `undefined`, or a number. The pool keeps at most POOL_MIN sets plus a quarter of those in use
 * (`listsOut`), enough for the number of busy queues to vary without making new lists, without
 * keeping as many as a burst once needed (a fleet's connections all opening at once); and no list
 * longer than POOLED_MAX slots.
 */
const POOL_SENT: (SentSegment | undefined)[][] = [];
const POOL_SEG: (SentSegment | undefined)[][] = [];
const POOL_ORDER: number[][] = [];
const POOL_MIN = 64;
const POOLED_MAX = 32;
let listsOut = 0;

/**
 * Storage (how, not what): the two lists below keep their length in a field and their arrays
 * while something is unacknowledged. Once everything is, they go back to a pool shared by all
 * queues (most connections have nothing unacknowledged most of the time: they hold no lists
 * then), and a queue that sends again takes a set from it, so a connection that sends a few
 * segments at a time makes no new arrays either. Slots outside [head, length) hold `undefined`
 * (nothing is kept alive by them).
 */
export class RetransmitQueue {
  #sent = NO_SEGMENTS;
  #head = 0;
  #len = 0;
  /**
   * Transmissions in the order they left (Linux tsorted_sent_queue), for RACK: entry j is the
   * segment `#bySendSeg[j]` and the rank `#bySendOrder[j]` it was sent with (two arrays: no
   * object per transmission); an entry is stale once the segment was acknowledged, SACKed or
   * sent again.
   */
  #bySendSeg = NO_SEGMENTS;
  #bySendOrder = NO_RANKS;
  #bySendHead = 0;
  #bySendLen = 0;
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
    return this.#len - this.#head;
  }

  /** The oldest unacknowledged segment. */
  get head(): SentSegment | undefined {
    return this.#sent[this.#head];
  }

  /** The segment sent last (highest sequence). */
  get last(): SentSegment | undefined {
    return this.size > 0 ? this.#sent[this.#len - 1] : undefined;
  }

  push(seg: SentSegment): void {
    if (this.#sent === NO_SEGMENTS) this.#takeLists();
    this.#sent[this.#len++] = seg;
    this.#sentInOrder(seg, seg.sentOrder);
    // Also here, not only in sentBefore: a connection that never looks for losses would keep
    // every segment it ever sent (its payload too). Staleness is for good (done and sacked are
    // never unset, a resend is a new entry), so dropping stale front entries early changes nothing.
    this.#dropStaleFront();
  }

  /**
   * The walk RACK makes over transmissions in the order they left, oldest first (Linux walks
   * tsorted_sent_queue): entries `sendOrderHead()` (stale front entries dropped first) up to
   * `sendOrderLength`; `sendOrderRank(j)` is entry j's rank, `sendOrderSegment(j)` its segment,
   * or undefined when the entry is stale (delivered, or sent again since).
   */
  sendOrderHead(): number {
    this.#dropStaleFront();
    return this.#bySendHead;
  }

  get sendOrderLength(): number {
    return this.#bySendLen;
  }

  sendOrderRank(j: number): number {
    return this.#bySendOrder[j]!;
  }

  sendOrderSegment(j: number): SentSegment | undefined {
    return this.#stale(j) ? undefined : this.#bySendSeg[j];
  }

  /** A transmission of `seg` with rank `order` joins the send-order list. */
  #sentInOrder(seg: SentSegment, order: number): void {
    this.#bySendSeg[this.#bySendLen] = seg;
    this.#bySendOrder[this.#bySendLen++] = order;
  }

  /** Lists for a queue that had none: a pooled set, or new ones. */
  #takeLists(): void {
    listsOut++;
    if (POOL_SENT.length > 0) {
      this.#sent = POOL_SENT.pop()!;
      this.#bySendSeg = POOL_SEG.pop()!;
      this.#bySendOrder = POOL_ORDER.pop()!;
    } else {
      this.#sent = smallList();
      this.#bySendSeg = smallList();
      this.#bySendOrder = [0, 0, 0, 0];
    }
  }

  /** Both lists are empty: their arrays go back to the pool (their slots hold `undefined` already). */
  #giveLists(): void {
    const sent = this.#sent;
    const segs = this.#bySendSeg;
    const order = this.#bySendOrder;
    this.#sent = this.#bySendSeg = NO_SEGMENTS;
    this.#bySendOrder = NO_RANKS;
    listsOut--;
    if (POOL_SENT.length < POOL_MIN + (listsOut >> 2) && sent.length <= POOLED_MAX && segs.length <= POOLED_MAX && order.length <= POOLED_MAX) {
      POOL_SENT.push(sent);
      POOL_SEG.push(segs);
      POOL_ORDER.push(order);
    }
  }

  /** Drops stale entries at the front for good (compacting the list once they are most of it). */
  #dropStaleFront(): void {
    const n = this.#bySendLen;
    const segs = this.#bySendSeg;
    let i = this.#bySendHead;
    while (i < n && this.#stale(i)) segs[i++] = undefined;
    this.#bySendHead = i;
    if (i > 0 && i === n) {
      // All stale: start again at the front of the same arrays.
      this.#bySendHead = this.#bySendLen = 0;
      if (segs.length > MAX_KEPT) {
        this.#bySendSeg = smallList();
        this.#bySendOrder = [0, 0, 0, 0];
      }
    } else if (i > 16 && i * 2 > n) {
      this.#bySendSeg = segs.slice(i, n);
      this.#bySendOrder = this.#bySendOrder.slice(i, n);
      this.#bySendHead = 0;
      this.#bySendLen = n - i;
    }
  }

  #stale(j: number): boolean {
    const s = this.#bySendSeg[j]!;
    return s.done || s.sacked || s.sentOrder !== this.#bySendOrder[j];
  }

  /** The first segment marked lost and not resent since (tcp_xmit_retransmit_queue's walk). */
  nextHole(): SentSegment | undefined {
    if (this.lostBytes === 0) return undefined;
    for (let i = Math.max(this.#holeHint, this.#head); i < this.#len; i++) {
      const s = this.#sent[i]!;
      if (s.lost && !s.inFlightAgain) {
        this.#holeHint = i;
        return s;
      }
    }
    this.#holeHint = this.#len;
    return undefined;
  }

  /** Unacknowledged segments in sequence order. */
  *[Symbol.iterator](): IterableIterator<SentSegment> {
    for (let i = this.#head; i < this.#len; i++) yield this.#sent[i]!;
  }

  /** Bytes in flight (RFC 6675 pipe) given everything sent since `una` up to `max`. */
  inFlight(una: number, max: number): number {
    return max - una - this.sackedBytes - this.lostBytes + this.retransBytes;
  }

  /**
   * Drops what `ack` covers; a segment acknowledged in part keeps its tail. `sink` is told of
   * each segment acknowledged in full that had not been SACKed (RACK advances on it). The answer
   * is one object reused by every call of every queue (engines never run inside each other):
   * read it before the next call.
   */
  acknowledge(ack: number, sink?: DeliverySink): Cleaned {
    let first: SentSegment | undefined;
    let retransmitted = false;
    let bytes = 0;
    while (this.#head < this.#len) {
      const r = this.#sent[this.#head]!;
      if (r.start >= ack) break;
      first ??= r;
      if (r.retransmitted) retransmitted = true;
      if (r.end <= ack) {
        if (!r.sacked) {
          bytes += len(r);
          sink?.segmentDelivered(r, false);
        }
        this.#forget(r, len(r));
        r.done = true;
        this.#sent[this.#head++] = undefined;
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
    if (this.#head > 0 && this.#head === this.#len) {
      // All acknowledged: start again at the front, with no lists once every transmission is
      // stale too (it is: each was of a segment now acknowledged).
      this.#holeHint = this.#head = this.#len = 0;
      this.#dropStaleFront();
      if (this.#bySendLen === 0) this.#giveLists();
      else if (this.#sent.length > MAX_KEPT) this.#sent = smallList();
    } else if (this.#head > 1024 && this.#head * 2 > this.#len) {
      this.#sent = this.#sent.slice(this.#head, this.#len);
      this.#holeHint = Math.max(0, this.#holeHint - this.#head);
      this.#len -= this.#head;
      this.#head = 0;
    }
    CLEANED.firstSentAt = first?.sentAt;
    CLEANED.retransmitted = retransmitted;
    CLEANED.delivered = bytes;
    return CLEANED;
  }

  /**
   * Marks the segments inside [left, right) SACKed (Linux tcp_sacktag_walk); a segment only
   * partly inside stays as it is. `sink` is told of each newly SACKed segment before it is
   * marked. Returns the bytes newly SACKed.
   */
  sack(left: number, right: number, sink: DeliverySink): number {
    let bytes = 0;
    for (let i = this.#indexOf(left); i < this.#len; i++) {
      const s = this.#sent[i]!;
      if (s.start >= right) break;
      if (s.start < left || s.end > right || s.sacked) continue;
      sink.segmentDelivered(s, true);
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
    this.#sentInOrder(s, order);
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
    while (i + 1 < this.#len) {
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
      this.#len--;
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
    let hi = this.#len;
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
