/**
 * The sender's byte stream: what the application wrote and the peer has not acknowledged yet,
 * addressed by (unbounded) sequence number. Writes are copied, as a socket's send() copies.
 *
 * TLS record model (see wire.ts): each write is its own TLS record, split at 2^14 bytes.
 */
import { TLS_MAX_RECORD_PLAINTEXT } from './wire.ts';

interface Chunk {
  start: number;
  data: Uint8Array;
}

export class SendBuffer {
  #chunks: Chunk[] = [];
  #head = 0;
  /** Sequence number after the last byte written. */
  end: number;

  constructor(start: number) {
    this.end = start;
  }

  write(data: Uint8Array): void {
    if (data.length === 0) return;
    this.#chunks.push({ start: this.end, data: data.slice() });
    this.end += data.length;
  }

  /** `len` bytes from `seq` (a view when they sit in one write, else a copy). */
  bytesAt(seq: number, len: number): Uint8Array {
    let i = this.#index(seq);
    const c = this.#chunks[i]!;
    const off = seq - c.start;
    if (off + len <= c.data.length) return c.data.subarray(off, off + len);
    const out = new Uint8Array(len);
    for (let n = 0; n < len; ) {
      const k = this.#chunks[i++]!;
      const from = seq + n - k.start;
      const take = Math.min(k.data.length - from, len - n);
      out.set(k.data.subarray(from, from + take), n);
      n += take;
    }
    return out;
  }

  /** TLS records whose first byte lies in [from, to). */
  tlsRecordsIn(from: number, to: number): number {
    if (to <= from || this.#head >= this.#chunks.length) return 0;
    let n = 0;
    for (let i = this.#index(from); i < this.#chunks.length; i++) {
      const c = this.#chunks[i]!;
      if (c.start >= to) break;
      const last = Math.min(c.start + c.data.length, to) - 1;
      if (last < from) continue;
      const firstK = Math.max(0, Math.ceil((from - c.start) / TLS_MAX_RECORD_PLAINTEXT));
      const lastK = Math.floor((last - c.start) / TLS_MAX_RECORD_PLAINTEXT);
      if (lastK >= firstK) n += lastK - firstK + 1;
    }
    return n;
  }

  /** Forgets writes that lie entirely before `seq` (acknowledged). */
  release(seq: number): void {
    while (this.#head < this.#chunks.length) {
      const c = this.#chunks[this.#head]!;
      if (c.start + c.data.length > seq) break;
      this.#head++;
    }
    // All acknowledged, or most: let the old writes go (a connection writing a little at a time
    // would otherwise hold every write it ever made).
    if ((this.#head > 256 && this.#head * 2 > this.#chunks.length) || (this.#head > 0 && this.#head === this.#chunks.length)) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Index of the write holding `seq` (binary search over the kept writes). */
  #index(seq: number): number {
    let lo = this.#head;
    let hi = this.#chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#chunks[mid]!.start <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
