/**
 * Discrete-event scheduler, after ns-3's: events are ordered by (time, insertion sequence), so
 * two events at the same microsecond run in the order they were scheduled and a run is
 * deterministic by construction. Time never goes backwards.
 */
import { CHECK_EVERY, DEFAULT_EVENT_BUDGET } from './budget.ts';
import type { Micros } from './time.ts';

export type EventCallback = () => void;

/** A scheduled event; pass it to `cancel`. */
export interface EventHandle {
  readonly at: Micros;
  readonly seq: number;
}

interface Entry {
  at: Micros;
  seq: number;
  callback: (a: unknown, b: unknown) => void;
  /** The callback's arguments (see `atWith`); undefined for `at`. */
  a: unknown;
  b: unknown;
  state: 'pending' | 'cancelled' | 'done';
  /** Made by `post`: never handed out, so it goes back to the free list once run. */
  pooled: boolean;
}

/** Free entries kept for `post` at most (a run's packets in flight at once, about). */
const FREE_LIMIT = 65_536;

/** Thrown when a run executes more events than its budget allows (a runaway model). */
export class EventBudgetExceeded extends Error {
  readonly code = 'event-budget-exceeded';
  constructor(
    readonly budget: number,
    readonly at: Micros,
  ) {
    super(`the run executed ${budget.toLocaleString('en-US')} events, its event budget, and was stopped at t=${(at / 1e6).toFixed(3)} s: a runaway model, or a run too big for one go`);
    this.name = 'EventBudgetExceeded';
  }
}

export interface SchedulerOptions {
  /** Most events one scheduler may execute over its life; default 20 million (./budget.ts). */
  eventBudget?: number;
  /** Called with the time every CHECK_EVERY events (./budget.ts memoryCheck); may throw to stop the run. */
  check?: (now: Micros) => void;
}

export class Scheduler {
  #heap: Entry[] = [];
  /** Entries of `post` events that ran, for reuse. */
  #free: Entry[] = [];
  #now: Micros = 0;
  #seq = 0;
  #executed = 0;
  #live = 0;
  /** Cancelled entries still in the heap (they leave it when they reach the top, or on compaction). */
  #cancelled = 0;
  readonly eventBudget: number;
  readonly #check: ((now: Micros) => void) | undefined;

  constructor(options: SchedulerOptions = {}) {
    this.eventBudget = options.eventBudget ?? DEFAULT_EVENT_BUDGET;
    this.#check = options.check;
  }

  /** The current simulated time. */
  get now(): Micros {
    return this.#now;
  }

  /** How many events have run so far. */
  get executed(): number {
    return this.#executed;
  }

  /** How many events are scheduled and not cancelled. */
  get pending(): number {
    return this.#live;
  }

  /** Entries the heap holds, cancelled ones not yet dropped included (for tests and profiles). */
  get heapSize(): number {
    return this.#heap.length;
  }

  /** Schedules `callback` at absolute time `at` (not before now). */
  at(at: Micros, callback: EventCallback): EventHandle {
    return this.atWith(at, callback, undefined, undefined);
  }

  /**
   * Schedules `callback(a, b)` at absolute time `at`: a hot caller passes one function made once
   * and the event's data as arguments, instead of making a closure per event (a packet's arrival
   * on a link, for one).
   */
  atWith<A, B>(at: Micros, callback: (a: A, b: B) => void, a: A, b: B): EventHandle {
    if (!Number.isInteger(at)) throw new RangeError(`event time must be an integer number of microseconds, got ${at}`);
    if (at < this.#now) throw new RangeError(`cannot schedule an event at ${at} µs: it is before now (${this.#now} µs)`);
    const entry: Entry = { at, seq: this.#seq++, callback: callback as (a: unknown, b: unknown) => void, a, b, state: 'pending', pooled: false };
    this.#push(entry);
    this.#live++;
    return entry as EventHandle;
  }

  /**
   * `atWith` for an event nobody will cancel (a packet's arrival): no handle is returned, so the
   * entry is taken from, and given back to, a free list instead of made anew for every packet.
   * Same order as `atWith`: it takes the next sequence number the same way.
   */
  post<A, B>(at: Micros, callback: (a: A, b: B) => void, a: A, b: B): void {
    if (!Number.isInteger(at)) throw new RangeError(`event time must be an integer number of microseconds, got ${at}`);
    if (at < this.#now) throw new RangeError(`cannot schedule an event at ${at} µs: it is before now (${this.#now} µs)`);
    let entry = this.#free.pop();
    if (entry === undefined) {
      entry = { at, seq: this.#seq++, callback: callback as (a: unknown, b: unknown) => void, a, b, state: 'pending', pooled: true };
    } else {
      entry.at = at;
      entry.seq = this.#seq++;
      entry.callback = callback as (a: unknown, b: unknown) => void;
      entry.a = a;
      entry.b = b;
      entry.state = 'pending';
    }
    this.#push(entry);
    this.#live++;
  }

  /** Schedules `callback` after `delay` microseconds. */
  after(delay: Micros, callback: EventCallback): EventHandle {
    return this.at(this.#now + delay, callback);
  }

  /** Cancels a scheduled event; cancelling one that already ran or was cancelled does nothing. */
  cancel(handle: EventHandle): void {
    const entry = handle as Entry;
    if (entry.state !== 'pending') return;
    entry.state = 'cancelled';
    // Let go of what the event would have used; the entry itself waits in the heap.
    entry.a = entry.b = undefined;
    this.#live--;
    this.#cancelled++;
    // Restarted timers (a retransmission or keepalive timer moved on by every ACK) leave many
    // cancelled entries far in the future: once they outnumber the live ones, drop them all, so
    // the heap stays about the size of what is pending. Which entry runs next never depends on
    // the heap's shape (the order (at, seq) is total), so this changes no run.
    if (this.#cancelled > 1024 && this.#cancelled > this.#live) this.#compact();
  }

  /** Time of the next live event, or undefined when none is left. */
  peek(): Micros | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.at;
  }

  /**
   * Runs events in order up to and including time `until` (default: until none is left), then
   * leaves the clock at `until` when given. Returns the number of events run.
   */
  run(until?: Micros): number {
    let ran = 0;
    for (;;) {
      this.#dropCancelled();
      const next = this.#heap[0];
      if (next === undefined || (until !== undefined && next.at > until)) break;
      this.#pop();
      this.#live--;
      if (this.#executed >= this.eventBudget) throw new EventBudgetExceeded(this.eventBudget, next.at);
      this.#now = next.at;
      this.#executed++;
      ran++;
      if (this.#check !== undefined && this.#executed % CHECK_EVERY === 0) this.#check(this.#now);
      next.state = 'done';
      const { a, b } = next;
      // Let the arguments go with the event (a cancelled handle may be kept by its owner).
      next.a = next.b = undefined;
      const callback = next.callback;
      if (next.pooled && this.#free.length < FREE_LIMIT) this.#free.push(next);
      callback(a, b);
    }
    if (until !== undefined && until > this.#now) this.#now = until;
    return ran;
  }

  #dropCancelled(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.state === 'cancelled') {
      this.#pop();
      this.#cancelled--;
    }
  }

  /** Removes every cancelled entry and restores the heap order (Floyd's bottom-up build, O(n)). */
  #compact(): void {
    const heap = this.#heap;
    let n = 0;
    for (let i = 0; i < heap.length; i++) {
      const e = heap[i]!;
      if (e.state !== 'cancelled') heap[n++] = e;
    }
    heap.length = n;
    this.#cancelled = 0;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.#siftDown(i, heap[i]!);
  }

  static #before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  // Sift up and down by moving a hole, not by swapping pairs: a destructuring swap
  // (`[a, b] = [b, a]`) allocated an array per step, 11 % of all a fleet run allocated.
  #push(entry: Entry): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (!Scheduler.#before(entry, above)) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Entry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) this.#siftDown(0, last);
    return top;
  }

  /** Puts `entry` at hole `i` and moves it down to its place. */
  #siftDown(i: number, entry: Entry): void {
    const heap = this.#heap;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && Scheduler.#before(heap[r]!, heap[l]!) ? r : l;
      if (!Scheduler.#before(heap[child]!, entry)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = entry;
  }
}
