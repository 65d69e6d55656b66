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

  get isEmpty(): boolean {
    return this.#head >= this.#held.length;
  }

  /** Keeps `data` that starts at `seq` (a later duplicate of the same start is ignored unless longer). */
  hold(seq: number, data: Uint8Array): void {
    const held = this.#held;
    let i = held.length;
    while (i > this.#head && held[i - 1]!.start > seq) i--;
    const prev = i > this.#head ? held[i - 1] : undefined;
    if (prev !== undefined && prev.start === seq) {
      if (data.length > prev.data.length) held[i - 1] = { start: seq, data };
      return;
    }
    held.splice(i, 0, { start: seq, data });
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
