/**
 * Seeded random streams, one per named component (ns-3's habit): a stream's numbers depend only
 * on the run's seed and the stream's name, so adding a device never shifts another's numbers.
 * The generator is pure-rand's xoroshiro128+; the stream seed is SHA-256(seed + ':' + name).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** Derives a 32-bit seed for stream `name` of a run seeded with `seed`. */
export function streamSeed(seed: number, name: string): number {
  const digest = sha256(utf8ToBytes(`${seed}:${name}`));
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) | 0;
}

export class Rng {
  #gen: RandomGenerator;
  /** Undefined for a leaf stream (`leaf`). */
  readonly #name: string | undefined;

  /** Prefer `Rng.stream(seed, name)` or `rng.fork(name)`; a bare seed makes an unnamed stream. */
  constructor(
    readonly seed: number,
    name: string,
    leaf = false,
  ) {
    this.#gen = xoroshiro128plus(streamSeed(seed, name));
    this.#name = leaf ? undefined : name;
  }

  static stream(seed: number, name: string): Rng {
    return new Rng(seed, name);
  }

  /** The stream's name (not kept by a leaf stream, which throws). */
  get name(): string {
    if (this.#name === undefined) throw new Error('a leaf random stream keeps no name and cannot be forked');
    return this.#name;
  }

  /** An independent stream named `${this.name}/${name}`, from the same run seed. */
  fork(name: string): Rng {
    return new Rng(this.seed, this.#child(name));
  }

  /**
   * The stream `fork(name)` gives (the same numbers), for a user that never forks it: it does not
   * keep its name (about 64 bytes: a network makes one or more a link, a run one a host).
   */
  leaf(name: string): Rng {
    return new Rng(this.seed, this.#child(name), true);
  }

  #child(name: string): string {
    const own = this.name;
    return own === '' ? name : `${own}/${name}`;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.#gen);
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    return this.#gen.next() >>> 0;
  }

  /** `n` uniform random bytes (masking keys, Sec-WebSocket-Key, client ids). */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }
}

/** What a sans-IO engine is handed when it needs randomness: a function, not a generator. */
export type RandomBytes = (n: number) => Uint8Array;

export function randomBytesFrom(rng: Rng): RandomBytes {
  return (n) => rng.bytes(n);
}
