/**
 * The published messages of one run's FlowLedger (./client-flows.ts), stored as columns in
 * fixed-size chunks: a 10,000-device fleet sends 600,000 messages, and one object (or one key
 * string) per message would be most of what the run holds.
 *
 * Chunks of CHUNK messages are added as messages come, so nothing is ever copied and at most one
 * chunk is unused room; columns that doubled when full kept up to half their room unused, and the
 * old and the new arrays both alive while copying (about 50 MB at the 10,000-device run's peak,
 * with a 600,000-entry array of pointers to each message's flows beside them).
 *
 * Each column has the narrowest type that holds every value it can get exactly:
 * - the message's flows, as an index into the ledger's table of distinct flow arrays (one per
 *   publish entry, so fewer than the 2^24 entries a Map may hold): Uint32;
 * - the publisher's message number: Uint32 (checked; a run cannot send 2^32 messages on one entry);
 * - when it was sent and when the broker last routed it: integer microseconds (../../core/time.ts)
 *   under 255 * 2^32 (about 12 days; a run lasts at most one day, simulator/scenarios/schema.ts
 *   durationS, and a later time is refused here), split into a Uint32 low word and a Uint8 high
 *   byte, 5 bytes where a Float64 takes 8. The routed time's high byte is stored plus one, so 0
 *   (a new chunk's zeros) means "never routed";
 * - where the message's bits start in the ledger's bit set, as an offset from its chunk's first
 *   message's (a Float64 per chunk): Uint32 (checked: CHUNK messages of up to 2^19 flows each);
 * - flags: Uint8.
 * That is 23 bytes a message where the doubling Float64 columns and the pointer took 41 to 74.
 */
import type { Micros } from '../../core/time.ts';

/** Messages per chunk (a power of two: the chunk of message id is id >>> CHUNK_BITS). */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const SLOT = CHUNK - 1;
const TWO_32 = 4294967296;
/** Times are under 255 * 2^32 us: the routed column keeps its high byte plus one in a Uint8. */
const TIME_LIMIT = 255 * TWO_32;
const U32_MAX = 0xffffffff;

/** One chunk's columns, views on one buffer (5 Uint32 columns, then 3 Uint8 ones). */
class Chunk {
  readonly flowSet: Uint32Array;
  readonly msg: Uint32Array;
  readonly sentLo: Uint32Array;
  readonly routedLo: Uint32Array;
  readonly bitOffset: Uint32Array;
  readonly sentHi: Uint8Array;
  /** High byte of the routed time plus one; 0: never routed. */
  readonly routedHi: Uint8Array;
  readonly flags: Uint8Array;

  constructor(readonly bitBase: number) {
    const buffer = new ArrayBuffer(CHUNK * (5 * 4 + 3));
    this.flowSet = new Uint32Array(buffer, 0, CHUNK);
    this.msg = new Uint32Array(buffer, 4 * CHUNK, CHUNK);
    this.sentLo = new Uint32Array(buffer, 8 * CHUNK, CHUNK);
    this.routedLo = new Uint32Array(buffer, 12 * CHUNK, CHUNK);
    this.bitOffset = new Uint32Array(buffer, 16 * CHUNK, CHUNK);
    this.sentHi = new Uint8Array(buffer, 20 * CHUNK, CHUNK);
    this.routedHi = new Uint8Array(buffer, 21 * CHUNK, CHUNK);
    this.flags = new Uint8Array(buffer, 22 * CHUNK, CHUNK);
  }
}

/** Messages by run-wide id 1, 2, 3... (dense; slot 0 of the first chunk is unused). */
export class FlowMessages {
  #chunks: Chunk[] = [];
  #count = 0;
  #bitsUsed = 0;

  /** Messages added so far: the ids are 1..count. */
  get count(): number {
    return this.#count;
  }

  /** Bits the messages use: 2 per flow. */
  get bitsUsed(): number {
    return this.#bitsUsed;
  }

  /** Adds message `msg` sent at `sentAt` on flow set `flowSet` of `flowCount` flows; returns its id. */
  add(flowSet: number, flowCount: number, msg: number, sentAt: Micros): number {
    if (!(msg >= 0 && msg <= U32_MAX && Number.isInteger(msg))) throw new RangeError(`FlowLedger: message number must be an integer from 0 to ${U32_MAX}, got ${msg}`);
    checkTime(sentAt, 'send');
    const id = this.#count + 1;
    const c = id >>> CHUNK_BITS;
    if (c === this.#chunks.length) this.#chunks.push(new Chunk(this.#bitsUsed));
    const chunk = this.#chunks[c]!;
    const offset = this.#bitsUsed - chunk.bitBase;
    if (offset > U32_MAX) throw new RangeError(`FlowLedger: the messages of one chunk have more than ${U32_MAX} bits (2 per flow)`);
    const i = id & SLOT;
    chunk.flowSet[i] = flowSet;
    chunk.msg[i] = msg;
    chunk.sentLo[i] = sentAt >>> 0;
    chunk.sentHi[i] = Math.floor(sentAt / TWO_32);
    chunk.bitOffset[i] = offset;
    this.#bitsUsed += 2 * flowCount;
    this.#count = id;
    return id;
  }

  /** Whether `id` is one this table gave. */
  has(id: number): boolean {
    return id >>> 0 === id && id >= 1 && id <= this.#count;
  }

  flowSet(id: number): number {
    return this.#chunk(id).flowSet[id & SLOT]!;
  }

  msg(id: number): number {
    return this.#chunk(id).msg[id & SLOT]!;
  }

  sentAt(id: number): Micros {
    const c = this.#chunk(id);
    const i = id & SLOT;
    return c.sentHi[i]! * TWO_32 + c.sentLo[i]!;
  }

  /** When the broker last routed message `id`; undefined: never. */
  routedAt(id: number): Micros | undefined {
    const c = this.#chunk(id);
    const i = id & SLOT;
    const hi = c.routedHi[i]!;
    return hi === 0 ? undefined : (hi - 1) * TWO_32 + c.routedLo[i]!;
  }

  setRoutedAt(id: number, t: Micros): void {
    checkTime(t, 'route');
    const c = this.#chunk(id);
    const i = id & SLOT;
    c.routedLo[i] = t >>> 0;
    c.routedHi[i] = Math.floor(t / TWO_32) + 1;
  }

  flags(id: number): number {
    return this.#chunk(id).flags[id & SLOT]!;
  }

  addFlags(id: number, flags: number): void {
    this.#chunk(id).flags[id & SLOT]! |= flags;
  }

  /** The first of message `id`'s bits in the ledger's bit set (two per flow). */
  bitBase(id: number): number {
    const c = this.#chunk(id);
    return c.bitBase + c.bitOffset[id & SLOT]!;
  }

  #chunk(id: number): Chunk {
    return this.#chunks[id >>> CHUNK_BITS]!;
  }
}

function checkTime(t: Micros, what: string): void {
  if (!(t >= 0 && t < TIME_LIMIT && Number.isInteger(t))) throw new RangeError(`FlowLedger: ${what} time must be an integer number of microseconds from 0 to ${TIME_LIMIT - 1}, got ${t}`);
}
