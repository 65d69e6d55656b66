/**
 * The engines' outboxes: a first-in first-out list drained one item at a time (events, outputs),
 * without the O(n) `Array.shift` per item, and the concatenation of queued bytes.
 */
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    if (this.#head === this.#items.length) {
      this.#items.length = 0; // emptied in place: no new array each time the queue drains
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      // A queue that never quite empties lets go of what was read once it is most of the array.
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/** The chunks as one array (the only chunk itself when there is one); undefined for none. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array | undefined {
  if (chunks.length === 0) return undefined;
  if (chunks.length === 1) return chunks[0];
  let total = 0;
  for (const b of chunks) total += b.length;
  const all = new Uint8Array(total);
  let at = 0;
  for (const b of chunks) {
    all.set(b, at);
    at += b.length;
  }
  return all;
}
