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
  callback: (a: unknown, b: unknown, c: unknown) => void;
  /** The callback's arguments (see `atWith` and `post`); undefined for `at`. */
  a: unknown;
  b: unknown;
  c: unknown;
  /** Its slot in the heap's tables while pending; -1 once it ran or was cancelled (it is then out of the heap). */
  slot: number;
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

/**
 * The heap is kept in typed arrays, by position: each pending event's time, sequence number and
 * slot, so ordering it reads contiguous numbers and never the event objects (scattered over the
 * heap: a cache miss each). A slot names a pending event: `#slots` gives its entry and `#pos` its
 * position, so cancelling or moving one is O(log n) without searching.
 */
export class Scheduler {
  #hAt = new Float64Array(256);
  #hSeq = new Float64Array(256);
  #hSlot = new Int32Array(256);
  #size = 0;
  #slots: (Entry | undefined)[] = [];
  #pos = new Int32Array(256);
  #freeSlots: number[] = [];
  /** Entries of `post` events that ran, for reuse. */
  #free: Entry[] = [];
  #now: Micros = 0;
  #seq = 0;
  #executed = 0;
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
    return this.#size;
  }

  /** Entries the heap holds (for tests and profiles): the pending events, since a cancelled one leaves it at once. */
  get heapSize(): number {
    return this.#size;
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
    this.#checkTime(at);
    const entry: Entry = { at, seq: this.#seq++, callback: callback as (a: unknown, b: unknown, c: unknown) => void, a, b, c: undefined, slot: -1, pooled: false };
    this.#push(entry);
    return entry as EventHandle;
  }

  /**
   * `atWith` for an event nobody will cancel (a packet's arrival), with up to three arguments: no
   * handle is returned, so the entry is taken from, and given back to, a free list instead of
   * made anew for every packet. Same order as `atWith`: it takes the next sequence number the
   * same way.
   */
  post<A, B, C = undefined>(at: Micros, callback: (a: A, b: B, c: C) => void, a: A, b: B, c?: C): void {
    this.#checkTime(at);
    let entry = this.#free.pop();
    if (entry === undefined) {
      entry = { at, seq: this.#seq++, callback: callback as (a: unknown, b: unknown, c: unknown) => void, a, b, c, slot: -1, pooled: true };
    } else {
      entry.at = at;
      entry.seq = this.#seq++;
      entry.callback = callback as (a: unknown, b: unknown, c: unknown) => void;
      entry.a = a;
      entry.b = b;
      entry.c = c;
    }
    this.#push(entry);
  }

  /** Schedules `callback` after `delay` microseconds. */
  after(delay: Micros, callback: EventCallback): EventHandle {
    return this.at(this.#now + delay, callback);
  }

  /** Cancels a scheduled event; cancelling one that already ran or was cancelled does nothing. */
  cancel(handle: EventHandle): void {
    const entry = handle as Entry;
    if (entry.slot < 0) return;
    this.#remove(entry);
    // Let go of what the event would have used (its owner may keep the handle).
    entry.a = entry.b = entry.c = undefined;
  }

  /**
   * Moves an event to time `at`, pending or not, with arguments `a` and `b`: exactly
   * `cancel(handle)` then `atWith(at, its callback, a, b)` (it takes the next sequence number, so
   * it runs after events already scheduled for that time), but the entry is reused, so a timer
   * moved by every ACK allocates nothing. Returns the handle (the same object).
   */
  reschedule<A, B>(handle: EventHandle, at: Micros, a?: A, b?: B): EventHandle {
    this.#checkTime(at);
    const entry = handle as Entry;
    if (entry.pooled) throw new Error('a posted event has no handle to reschedule');
    if (entry.slot >= 0) this.#remove(entry);
    entry.at = at;
    entry.seq = this.#seq++;
    entry.a = a;
    entry.b = b;
    this.#push(entry);
    return entry as EventHandle;
  }

  /** Time of the next pending event, or undefined when none is left. */
  peek(): Micros | undefined {
    return this.#size > 0 ? this.#hAt[0] : undefined;
  }

  /**
   * Runs events in order up to and including time `until` (default: until none is left), then
   * leaves the clock at `until` when given. Returns the number of events run.
   */
  run(until?: Micros): number {
    let ran = 0;
    for (;;) {
      if (this.#size === 0) break;
      const at = this.#hAt[0]!;
      if (until !== undefined && at > until) break;
      const next = this.#slots[this.#hSlot[0]!]!;
      this.#remove(next);
      if (this.#executed >= this.eventBudget) throw new EventBudgetExceeded(this.eventBudget, at);
      this.#now = at;
      this.#executed++;
      ran++;
      if (this.#check !== undefined && this.#executed % CHECK_EVERY === 0) this.#check(this.#now);
      const { a, b, c } = next;
      // Let the arguments go with the event (a handle may be kept by its owner).
      next.a = next.b = next.c = undefined;
      const callback = next.callback;
      if (next.pooled && this.#free.length < FREE_LIMIT) this.#free.push(next);
      callback(a, b, c);
    }
    if (until !== undefined && until > this.#now) this.#now = until;
    return ran;
  }

  #checkTime(at: Micros): void {
    if (!Number.isInteger(at)) throw new RangeError(`event time must be an integer number of microseconds, got ${at}`);
    if (at < this.#now) throw new RangeError(`cannot schedule an event at ${at} µs: it is before now (${this.#now} µs)`);
  }

  #push(entry: Entry): void {
    let slot = this.#freeSlots.pop();
    if (slot === undefined) {
      slot = this.#slots.length;
      this.#slots.push(entry);
      if (slot === this.#pos.length) this.#pos = grown(this.#pos, new Int32Array(2 * slot));
    } else {
      this.#slots[slot] = entry;
    }
    entry.slot = slot;
    const i = this.#size++;
    if (i === this.#hAt.length) {
      this.#hAt = grown(this.#hAt, new Float64Array(2 * i));
      this.#hSeq = grown(this.#hSeq, new Float64Array(2 * i));
      this.#hSlot = grown(this.#hSlot, new Int32Array(2 * i));
    }
    this.#siftUp(i, entry.at, entry.seq, slot);
  }

  /** Takes a pending entry out of the heap, wherever it is: the last one fills its place. */
  #remove(entry: Entry): void {
    const slot = entry.slot;
    const i = this.#pos[slot]!;
    entry.slot = -1;
    this.#slots[slot] = undefined;
    this.#freeSlots.push(slot);
    const n = --this.#size;
    if (i === n) return;
    const at = this.#hAt[n]!;
    const seq = this.#hSeq[n]!;
    const lastSlot = this.#hSlot[n]!;
    const parent = (i - 1) >> 1;
    if (i > 0 && (at < this.#hAt[parent]! || (at === this.#hAt[parent]! && seq < this.#hSeq[parent]!))) this.#siftUp(i, at, seq, lastSlot);
    else this.#siftDown(i, at, seq, lastSlot);
  }

  // Sift up and down by moving a hole, not by swapping pairs.
  /** Puts the event (at, seq, slot) at hole `i` and moves it up to its place. */
  #siftUp(i: number, at: number, seq: number, slot: number): void {
    const hAt = this.#hAt, hSeq = this.#hSeq, hSlot = this.#hSlot, pos = this.#pos;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pAt = hAt[p]!;
      if (at > pAt || (at === pAt && seq > hSeq[p]!)) break;
      hAt[i] = pAt;
      hSeq[i] = hSeq[p]!;
      const s = hSlot[p]!;
      hSlot[i] = s;
      pos[s] = i;
      i = p;
    }
    hAt[i] = at;
    hSeq[i] = seq;
    hSlot[i] = slot;
    pos[slot] = i;
  }

  /** Puts the event (at, seq, slot) at hole `i` and moves it down to its place. */
  #siftDown(i: number, at: number, seq: number, slot: number): void {
    const hAt = this.#hAt, hSeq = this.#hSeq, hSlot = this.#hSlot, pos = this.#pos;
    const n = this.#size;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let cAt = hAt[c]!;
      let cSeq = hSeq[c]!;
      const r = c + 1;
      if (r < n) {
        const rAt = hAt[r]!;
        if (rAt < cAt || (rAt === cAt && hSeq[r]! < cSeq)) {
          c = r;
          cAt = rAt;
          cSeq = hSeq[r]!;
        }
      }
      if (at < cAt || (at === cAt && seq < cSeq)) break;
      hAt[i] = cAt;
      hSeq[i] = cSeq;
      const s = hSlot[c]!;
      hSlot[i] = s;
      pos[s] = i;
      i = c;
    }
    hAt[i] = at;
    hSeq[i] = seq;
    hSlot[i] = slot;
    pos[slot] = i;
  }
}

function grown<A extends Float64Array | Int32Array>(from: A, to: A): A {
  to.set(from);
  return to;
}
