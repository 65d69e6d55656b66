/**
 * The engines' outboxes: a first-in first-out list drained one item at a time (events, outputs),
 * without the O(n) `Array.shift` per item, and the concatenation of queued bytes.
 */
export class Fifo<T> {
  /** Items at [#head, #tail); slots outside hold undefined, and the array keeps its size when the queue empties. */
  #items: (T | undefined)[] = [];
  #head = 0;
  #tail = 0;

  push(item: T): void {
    const items = this.#items;
    if (this.#tail < items.length) items[this.#tail] = item;
    // The first item gets four slots: most queues (a device's events, a connection's wire tags)
    // never hold more, and the first push onto an empty array would make room for 17, about
    // 100 bytes more each (a 1,000-device fleet: 2,000 of 3,000 queues held at most 2, 5 held 5 or more).
    else if (items.length === 0) this.#items = [item, undefined, undefined, undefined];
    else items.push(item);
    this.#tail++;
  }

  /** Empties the queue (keeping the array's storage). */
  clear(): void {
    for (let i = this.#head; i < this.#tail; i++) this.#items[i] = undefined;
    this.#head = 0;
    this.#tail = 0;
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#tail) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined; // let it go
    if (this.#head === this.#tail) {
      // Emptied: start again at the front, keeping the array (setting its length to 0 would
      // give its storage back, and the next push would allocate it again).
      this.#head = 0;
      this.#tail = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#tail) {
      // A queue that never quite empties lets go of what was read once it is most of the array.
      this.#items = this.#items.slice(this.#head, this.#tail);
      this.#tail -= this.#head;
      this.#head = 0;
    }
    return item;
  }
}

/**
 * One array lent to whichever call needs it, for results used and dropped within that call (the
 * packets one read gives): take() it, give() it back when done. A call made while it is out (a
 * nested one, or any after a call that threw before giving it back) gets a fresh array, so no two
 * users ever share one. Its slots keep what was last put in them until overwritten: a handful of
 * references, for the whole run.
 */
export class Spare<T> {
  #array: T[] | undefined = [];

  take(): T[] {
    const a = this.#array ?? [];
    this.#array = undefined;
    return a;
  }

  give(a: T[]): void {
    this.#array = a;
  }
}

/**
 * An empty list of packets, shared (frozen: a push into it throws): what an outbox that sent
 * nothing hands out, and what it starts again from, so its first packet makes a list of one (an
 * empty array's first push makes room for 17, and a client hands its outbox over after every call).
 */
export const NO_PACKETS = Object.freeze([]) as unknown as Uint8Array[];

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
