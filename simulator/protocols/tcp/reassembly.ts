/**
 * The receiver's out-of-order store: segments that arrived after a hole, kept until the hole is
 * filled (RFC 9293 3.10.7.4: "segments with higher beginning sequence numbers SHOULD be held for
 * later processing"). Sorted by sequence number; overlaps are trimmed when data is taken out.
 */
interface Held {
  start: number;
  data: Uint8Array;
}

export class Reassembly {
  #held: Held[] = [];
  #head = 0;
  /** Length of the longest piece ever held (bounds the look-back in `overlap`). */
  #longest = 0;

  /** Bytes held (overlapping pieces counted once each, as the kernel's out-of-order queue holds them). */
  get heldBytes(): number {
    let n = 0;
    for (let i = this.#head; i < this.#held.length; i++) n += this.#held[i]!.data.length;
    return n;
  }

  get isEmpty(): boolean {
    return this.#head >= this.#held.length;
  }

  /** Keeps `data` that starts at `seq` (a later duplicate of the same start is ignored unless longer). */
  hold(seq: number, data: Uint8Array): void {
    const held = this.#held;
    let i = held.length;
    while (i > this.#head && held[i - 1]!.start > seq) i--;
    this.#longest = Math.max(this.#longest, data.length);
    const prev = i > this.#head ? held[i - 1] : undefined;
    if (prev !== undefined && prev.start === seq) {
      if (data.length > prev.data.length) held[i - 1] = { start: seq, data };
      return;
    }
    held.splice(i, 0, { start: seq, data });
  }

  /**
   * The part of [seq, end) already held, as one range from its first to its last held byte, or
   * undefined (for a D-SACK of out-of-order data that arrived twice, Linux tcp_data_queue_ofo).
   */
  overlap(seq: number, end: number): [number, number] | undefined {
    const held = this.#held;
    // Sorted by start: find the first entry starting at or after `end`, then look back.
    let lo = this.#head;
    let hi = held.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (held[mid]!.start < end) lo = mid + 1;
      else hi = mid;
    }
    let from: number | undefined;
    let to: number | undefined;
    for (let i = lo - 1; i >= this.#head; i--) {
      const h = held[i]!;
      if (h.start + this.#longest <= seq) break; // nothing earlier reaches `seq`
      const s = Math.max(seq, h.start);
      const e = Math.min(end, h.start + h.data.length);
      if (s >= e) continue;
      from = Math.min(from ?? s, s);
      to = Math.max(to ?? e, e);
    }
    return from === undefined || to === undefined ? undefined : [from, to];
  }

  /** The next held bytes that continue the stream at `rcvNxt`, trimmed; undefined if none. */
  take(rcvNxt: number): Uint8Array | undefined {
    while (this.#head < this.#held.length) {
      const h = this.#held[this.#head]!;
      if (h.start > rcvNxt) return undefined;
      this.#head++;
      if (this.#head > 256 && this.#head * 2 > this.#held.length) {
        this.#held = this.#held.slice(this.#head);
        this.#head = 0;
      }
      if (h.start + h.data.length > rcvNxt) return h.data.subarray(rcvNxt - h.start);
    }
    return undefined;
  }
}
