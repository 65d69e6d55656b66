/**
 * Sequence-number arithmetic and the RST that answers a stray segment.
 *
 * Inside the engine a sequence number is an unbounded integer (JS numbers are exact far beyond
 * 2^32). Each direction counts from `BASE_SEQ`, not from its ISN: our ISS and the peer's IRS are
 * both BASE_SEQ inside, and on the wire a number is (internal + offset) mod 2^32, the offset being
 * ISN - BASE_SEQ (kept as a 32-bit integer, `seqOffset`). Incoming numbers are unwrapped next to
 * the value we expect (RFC 1982 serial arithmetic). Only differences and order of sequence numbers
 * ever matter inside, so this is the same engine as one counting from the ISN; what it buys is
 * that the numbers stay small integers (V8 keeps integers below 2^31 unboxed; half of all ISNs
 * are above that, and a field holding one such number boxes that field in every connection).
 *
 * Also the engine's output queues (segments and events the caller drains).
 */
import type { TcpFlags, TcpSegment } from './api.ts';
import { IPV4_HEADER_BYTES, TCP_HEADER_BYTES } from './wire.ts';

export const SEQ_MOD = 2 ** 32;
export const EMPTY = new Uint8Array(0);

/**
 * The flag sets the engine sends, made once: a segment's flags are never changed after it is
 * made, so every segment can share them (one object fewer per segment). Keys in the order the
 * engine always wrote them.
 */
export const ACK: TcpFlags = Object.freeze({ ack: true });
export const ACK_PSH: TcpFlags = Object.freeze({ ack: true, psh: true });
export const ACK_FIN: TcpFlags = Object.freeze({ ack: true, fin: true });
export const ACK_PSH_FIN: TcpFlags = Object.freeze({ ack: true, psh: true, fin: true });
export const RST_ACK: TcpFlags = Object.freeze({ rst: true, ack: true });
export const SYN: TcpFlags = Object.freeze({ syn: true });
export const SYN_ACK: TcpFlags = Object.freeze({ syn: true, ack: true });

/**
 * The timestamps option's clock (RFC 7323 section 5.4): Linux ticks it in milliseconds
 * (TCP_TS_HZ = 1000, tcp_time_stamp_ts) and adds a random per-connection offset (tsoffset). We
 * add 1 ms instead: the value never matters, except that a TSecr of 0 means "no echo" (Linux
 * tcp_ack_update_rtt checks rcv_tsecr), so a segment sent in the first millisecond of a run must
 * not carry TSval 0.
 */
export function tsClock(now: number): number {
  return Math.floor(now / 1000) + 1;
}

/**
 * An RTT sample from a timestamp echo `ecr` at `now`, in µs (Linux tcp_rtt_tsopt_us): whole
 * milliseconds of the timestamp clock, at least one.
 */
export function tsRtt(now: number, ecr: number): number {
  return Math.max(1, tsClock(now) - ecr) * 1000;
}

/** Where each direction's sequence numbers start inside the engine (see above). */
export const BASE_SEQ = 1;

/** The offset from internal to wire numbers for an initial sequence number `isn`, mod 2^32 as an int32. */
export function seqOffset(isn: number): number {
  return (isn - BASE_SEQ) | 0;
}

/** Wire form of the internal number `seq` of a direction with offset `offset` (`>>> 0`: mod 2^32). */
export function toWire(seq: number, offset: number): number {
  return (seq + offset) >>> 0;
}

/**
 * The internal number nearest to `ref` whose wire form is `wire`, for a direction with offset
 * `offset`: `| 0` (ToInt32) takes the difference mod 2^32 as a signed offset, and the offset and
 * `ref` may be taken off as they are, as only their values mod 2^32 matter to it.
 */
export function fromWire(wire: number, offset: number, ref: number): number {
  return ref + ((wire - offset - ref) | 0);
}

/**
 * Wire form of a sequence number (a non-negative integer below 2^53): `>>> 0` is
 * ToUint32, the value mod 2^32, in integer arithmetic (`% SEQ_MOD` on a number past 2^31 is a
 * floating-point remainder, a call into the runtime on every segment).
 */
export function wireSeq(seq: number): number {
  return seq >>> 0;
}

/**
 * The RST that answers `segment` when no connection wants it (RFC 9293 3.5.2, "reset
 * generation"): if it carried an ACK, the RST takes that number as its sequence number;
 * otherwise the RST has sequence 0 and acknowledges everything the segment occupied.
 * The runtime uses this for segments to a port nobody listens on (connect -> 'refused').
 */
export function resetFor(segment: TcpSegment): TcpSegment {
  const base = {
    srcPort: segment.dstPort,
    dstPort: segment.srcPort,
    window: 0,
    payload: EMPTY,
    wireBytes: IPV4_HEADER_BYTES + TCP_HEADER_BYTES,
    retransmission: false,
  };
  if (segment.flags.ack) return { ...base, seq: segment.ack, ack: 0, flags: { rst: true } };
  const occupied = segment.payload.length + (segment.flags.syn ? 1 : 0) + (segment.flags.fin ? 1 : 0);
  return { ...base, seq: 0, ack: wireSeq(segment.seq + occupied), flags: { rst: true, ack: true } };
}

/**
 * A first-in first-out queue the caller drains one item at a time (`next()`), after every call
 * into the engine. Most calls make one segment and one event: the oldest item waits in a field,
 * and an array is made only for the items behind it (and let go once drained), so an idle
 * connection holds no array. Items are never undefined.
 */
export class Queue<T> {
  /** The oldest item, when it is not in `#rest`. */
  #first: T | undefined;
  /** Items after `#first` (or all of them once `#first` was taken), from `#head` on. */
  #rest: T[] | undefined;
  #head = 0;

  push(item: T): void {
    // Into the field only when nothing waits, so the field always holds the oldest item.
    if (this.#first === undefined && this.#rest === undefined) this.#first = item;
    else (this.#rest ??= []).push(item);
  }

  next(): T | undefined {
    const first = this.#first;
    if (first !== undefined) {
      this.#first = undefined;
      return first;
    }
    const rest = this.#rest;
    if (rest === undefined) return undefined;
    const item = rest[this.#head++];
    if (this.#head === rest.length) {
      this.#rest = undefined;
      this.#head = 0;
    }
    return item;
  }
}
