/**
 * Packet Identifiers for one side of one session (section 2.3.1 of both versions).
 *
 * - An identifier is a non-zero 16-bit integer [MQTT-2.3.1-1].
 * - A new SUBSCRIBE, UNSUBSCRIBE or QoS > 0 PUBLISH takes an identifier not in use
 *   [MQTT-2.3.1-2]; it becomes free again when its acknowledgement flow ends: PUBACK, PUBCOMP,
 *   SUBACK, UNSUBACK [MQTT-2.3.1-6] (3.1.1) / section 2.2.1 (5).
 * - Identifiers are handed out in a cycle (1, 2, 3 ... 65535, 1 ...), skipping those in use, like
 *   mosquitto and mqtt.js: a just-freed identifier is not reused at once, so a late duplicate
 *   acknowledgement cannot be mistaken for the next message's.
 */
import { localError } from './errors.ts';

export const MAX_PACKET_ID = 65535;

export class PacketIdAllocator {
  /**
   * The identifiers in use: the first #count of a short array while there are few (a client
   * usually has a handful in flight, and a Set that gains and loses one entry per message keeps
   * rebuilding its table), a Set once there are more than SMALL. The array starts with four
   * slots at the first identifier (an empty array's first push would make room for 17).
   */
  #small: number[] = [];
  #count = 0;
  #big: Set<number> | undefined;
  #next = 1;

  /** Takes the next free identifier; throws when all 65535 are in use. */
  allocate(): number {
    if (this.inUse >= MAX_PACKET_ID) {
      throw localError('mqtt-packet-ids-exhausted', 'all 65535 packet identifiers are in use');
    }
    for (;;) {
      const id = this.#next;
      this.#next = id === MAX_PACKET_ID ? 1 : id + 1;
      if (!this.isInUse(id)) {
        this.#add(id);
        return id;
      }
    }
  }

  /** Marks `id` in use (a session restored with this identifier in flight). */
  claim(id: number): void {
    if (!this.isInUse(id)) this.#add(id);
  }

  /** Returns `id` to the pool; freeing an identifier not in use is harmless. */
  free(id: number): void {
    if (this.#big !== undefined) {
      this.#big.delete(id);
      return;
    }
    const at = this.#indexOf(id);
    if (at < 0) return;
    this.#small[at] = this.#small[--this.#count]!;
  }

  isInUse(id: number): boolean {
    return this.#big !== undefined ? this.#big.has(id) : this.#indexOf(id) >= 0;
  }

  get inUse(): number {
    return this.#big !== undefined ? this.#big.size : this.#count;
  }

  /** Forgets every identifier (the session was discarded); the cycle continues where it was. */
  clear(): void {
    this.#small = [];
    this.#count = 0;
    this.#big = undefined;
  }

  #indexOf(id: number): number {
    const small = this.#small;
    for (let i = 0; i < this.#count; i++) if (small[i] === id) return i;
    return -1;
  }

  #add(id: number): void {
    if (this.#big !== undefined) this.#big.add(id);
    else if (this.#count < SMALL) {
      const small = this.#small;
      if (this.#count < small.length) small[this.#count] = id;
      else if (small.length === 0) this.#small = [id, 0, 0, 0];
      else small.push(id);
      this.#count++;
    } else {
      this.#big = new Set(this.#small.slice(0, this.#count));
      this.#big.add(id);
      this.#small = [];
      this.#count = 0;
    }
  }
}

/** Above this many identifiers in use, a Set (see PacketIdAllocator). */
const SMALL = 32;
