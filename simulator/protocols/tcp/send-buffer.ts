/**
 * The sender's byte stream: what the application wrote and the peer has not acknowledged yet,
 * addressed by (unbounded) sequence number. Writes are copied, as a socket's send() copies.
 *
 * Storage (how, not what): the bytes are copied once, back to back, into append-only blocks, so
 * the small writes one segment gathers (Nagle, a burst of small messages) lie side by side and
 * the segment's payload is a view of its block, not a second copy. Bytes once written never
 * change, so a view handed out stays true however long the network or the peer keeps it. A new
 * block is sized to twice what is unacknowledged (64 bytes to 16 KiB; a larger write gets a block
 * of its own), so a connection that writes a little at a time holds one small block, and a busy
 * one allocates rarely. The block being filled is kept apart from older blocks that still hold
 * unacknowledged bytes (a list made only when there are some). Like Linux's skbs, a segment
 * crosses a block boundary only by a copy.
 *
 * TLS record model (see wire.ts): each write is its own TLS record, split at 2^14 bytes; the
 * write boundaries are kept for it (`trackWrites`).
 */
import { TLS_MAX_RECORD_PLAINTEXT } from './wire.ts';

/**
 * Smallest and largest block made for small writes (a larger write gets a block of its own). 64
 * bytes is the largest typed array V8 keeps on its own heap, the cheapest to make.
 */
const MIN_BLOCK = 64;
const MAX_BLOCK = 16_384;

export class SendBuffer {
  /** The block writes go into, and the sequence number of its first byte. */
  #tail: Uint8Array | undefined;
  #tailStart = 0;
  /** Older blocks with unacknowledged bytes, oldest first, and where each starts (from `#head`). */
  #older: Uint8Array[] | undefined;
  #olderStart: number[] | undefined;
  #head = 0;
  /** Sequence number of each write's first byte (for TLS records), from `#writeHead` on. */
  #writes: number[] | undefined;
  #writeHead = 0;
  /** Everything before this sequence number was acknowledged. */
  #released: number;
  /** Sequence number after the last byte written. */
  end: number;

  constructor(start: number, trackWrites = true) {
    this.end = start;
    this.#released = start;
    if (trackWrites) this.#writes = [];
  }

  write(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    this.#writes?.push(this.end);
    const tail = this.#tail;
    const used = this.end - this.#tailStart;
    if (tail !== undefined && tail.length - used >= n) {
      tail.set(data, used);
    } else {
      // The full tail joins the older blocks if any of it is unacknowledged.
      if (tail !== undefined && this.end > this.#released) {
        (this.#older ??= []).push(tail);
        (this.#olderStart ??= []).push(this.#tailStart);
      }
      const want = 2 * (this.end - this.#released + n);
      const block = new Uint8Array(n > MAX_BLOCK ? n : Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, want)));
      block.set(data);
      this.#tail = block;
      this.#tailStart = this.end;
    }
    this.end += n;
  }

  /** `len` bytes from `seq` (a view when they sit in one block, else a copy). */
  bytesAt(seq: number, len: number): Uint8Array {
    if (seq >= this.#tailStart) {
      const off = seq - this.#tailStart;
      return this.#tail!.subarray(off, off + len);
    }
    let i = this.#olderIndex(seq);
    const starts = this.#olderStart!;
    const blocks = this.#older!;
    const off = seq - starts[i]!;
    if (off + len <= this.#filled(i)) return blocks[i]!.subarray(off, off + len);
    const out = new Uint8Array(len);
    for (let n = 0; n < len; i++) {
      const inOlder = i < blocks.length;
      const b = inOlder ? blocks[i]! : this.#tail!;
      const from = seq + n - (inOlder ? starts[i]! : this.#tailStart);
      const take = Math.min((inOlder ? this.#filled(i) : this.end - this.#tailStart) - from, len - n);
      out.set(b.subarray(from, from + take), n);
      n += take;
    }
    return out;
  }

  /** TLS records whose first byte lies in [from, to). */
  tlsRecordsIn(from: number, to: number): number {
    const w = this.#writes;
    if (w === undefined || to <= from || this.#writeHead >= w.length) return 0;
    let n = 0;
    for (let i = this.#writeIndex(from); i < w.length; i++) {
      const start = w[i]!;
      if (start >= to) break;
      const writeEnd = i + 1 < w.length ? w[i + 1]! : this.end;
      const last = Math.min(writeEnd, to) - 1;
      if (last < from) continue;
      const firstK = Math.max(0, Math.ceil((from - start) / TLS_MAX_RECORD_PLAINTEXT));
      const lastK = Math.floor((last - start) / TLS_MAX_RECORD_PLAINTEXT);
      if (lastK >= firstK) n += lastK - firstK + 1;
    }
    return n;
  }

  /** Forgets what lies entirely before `seq` (acknowledged). */
  release(seq: number): void {
    if (seq > this.#released) this.#released = Math.min(seq, this.end);
    const older = this.#older;
    if (older !== undefined) {
      const starts = this.#olderStart!;
      // An older block ends where the next one (or the tail) starts.
      while (this.#head < older.length && (this.#head + 1 < older.length ? starts[this.#head + 1]! : this.#tailStart) <= seq) {
        older[this.#head++] = EMPTY_BLOCK;
      }
      if (this.#head === older.length) {
        this.#older = this.#olderStart = undefined;
        this.#head = 0;
      } else if (this.#head > 64 && this.#head * 2 > older.length) {
        this.#older = older.slice(this.#head);
        this.#olderStart = starts.slice(this.#head);
        this.#head = 0;
      }
    }
    // Everything acknowledged: a large tail is let go (a connection gone quiet keeps little).
    if (this.#released === this.end && this.#tail !== undefined && this.#tail.length > MIN_BLOCK) {
      this.#tail = undefined;
      this.#tailStart = this.end;
    }
    const w = this.#writes;
    if (w !== undefined) {
      while (this.#writeHead < w.length && (this.#writeHead + 1 < w.length ? w[this.#writeHead + 1]! : this.end) <= seq) this.#writeHead++;
      if (this.#writeHead > 0 && (this.#writeHead === w.length || (this.#writeHead > 256 && this.#writeHead * 2 > w.length))) {
        this.#writes = w.slice(this.#writeHead);
        this.#writeHead = 0;
      }
    }
  }

  /** Bytes written into older block `i` (it was left with room when a write did not fit). */
  #filled(i: number): number {
    const starts = this.#olderStart!;
    return (i + 1 < starts.length ? starts[i + 1]! : this.#tailStart) - starts[i]!;
  }

  /** Index of the older block holding `seq` (binary search). */
  #olderIndex(seq: number): number {
    const starts = this.#olderStart!;
    let lo = this.#head;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index of the write holding `seq`. */
  #writeIndex(seq: number): number {
    const w = this.#writes!;
    let lo = this.#writeHead;
    let hi = w.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (w[mid]! <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Put in the slot of a released older block (the block itself is let go). */
const EMPTY_BLOCK = new Uint8Array(0);
