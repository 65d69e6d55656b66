/**
 * The flow metrics' per-message columns (./flows.ts FlowState): a byte of flags and a double a
 * message, for every flow of one reducer, in typed-array chunks they share. A flow is handed its
 * rows a page of PAGE messages at a time and keeps the list of its pages' first rows, not typed
 * arrays of its own. Two typed arrays per flow (objects and buffers) that doubled when full held
 * about 1 KB for a flow of 60 messages, up to half of it unused, so about 10 MB for the
 * 10,000-device fleet; a page list holds 4 numbers for those 60 messages, and a flow leaves at
 * most PAGE - 1 rows unused. Chunks are added when the last is full, never copied.
 */

/** Messages a page: 16. */
export const PAGE_SHIFT = 4;
export const PAGE_MASK = (1 << PAGE_SHIFT) - 1;
/** Rows a chunk: 4,096 (256 pages; 36 KB of columns). */
export const CHUNK_SHIFT = 12;
export const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

export class MessagePages {
  /** By chunk: each row's flags (./flows.ts SENT, DELIVERED, LOST). */
  readonly flags: Uint8Array[] = [];
  /** By chunk: each row's time (./flows.ts FlowState). */
  readonly times: Float64Array[] = [];
  #pages = 0;

  /** A new page of PAGE rows, all 0: its first row. */
  page(): number {
    const row = this.#pages++ << PAGE_SHIFT;
    if (row >>> CHUNK_SHIFT === this.flags.length) {
      this.flags.push(new Uint8Array(1 << CHUNK_SHIFT));
      this.times.push(new Float64Array(1 << CHUNK_SHIFT));
    }
    return row;
  }

  /** Rows handed out (pages x PAGE), for a memory estimate. */
  get rows(): number {
    return this.#pages << PAGE_SHIFT;
  }
}
