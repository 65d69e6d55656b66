/**
 * Loss models of one link direction. Each random model draws from its own named stream, and
 * draws once per packet it sees whatever the other models decide, so turning one model on or off
 * never changes another's numbers.
 */
import type { Rng } from '../core/rng.ts';
import type { Micros } from '../core/time.ts';
import { s } from '../core/time.ts';
import type { BurstLossConfig, OutageWindow } from './config.ts';

/** Independent loss with probability `pct`/100 per packet. */
export class BernoulliLoss {
  readonly p: number;
  constructor(
    pct: number,
    readonly rng: Rng,
  ) {
    this.p = pct / 100;
  }

  /** True when this packet is lost. */
  lose(): boolean {
    // Always draw, so the stream advances once per packet.
    return this.rng.float() < this.p;
  }
}

/**
 * Gilbert-Elliott two-state loss (Gilbert 1960, Elliott 1963): a Markov chain over Good and Bad,
 * stepped once per packet, with a per-state loss probability (1-k in Good, 1-h in Bad).
 */
export class GilbertElliottLoss {
  readonly p: number;
  readonly r: number;
  readonly h: number;
  readonly k: number;
  #bad = false;

  constructor(
    readonly params: { p: number; r: number; h: number; k: number },
    readonly rng: Rng,
    startBad = false,
  ) {
    this.p = params.p;
    this.r = params.r;
    this.h = params.h;
    this.k = params.k;
    this.#bad = startBad;
  }

  /**
   * The parameters of the simple Gilbert model (h = 0, k = 1) with mean loss `meanLoss` (0..1)
   * and mean run of consecutive losses `meanBurst` packets: r = 1/meanBurst and the stationary
   * P(Bad) = p/(p+r) = meanLoss, so p = meanLoss * r / (1 - meanLoss).
   */
  static fromMeans(meanLoss: number, meanBurst: number): { p: number; r: number; h: number; k: number } {
    if (!(meanBurst >= 1)) throw new RangeError(`burstLoss.meanBurstPackets must be >= 1, got ${meanBurst}`);
    if (!(meanLoss >= 0 && meanLoss < 1)) throw new RangeError(`burst loss mean must be in [0, 100) percent, got ${meanLoss * 100}`);
    const r = 1 / meanBurst;
    const p = (meanLoss * r) / (1 - meanLoss);
    if (p > 1) {
      throw new RangeError(
        `burst loss of ${meanLoss * 100}% with bursts of ${meanBurst} packets is impossible (needs P(Good->Bad) = ${p.toFixed(3)} > 1)`,
      );
    }
    return { p, r, h: 0, k: 1 };
  }

  /** Resolves a scenario's `burstLoss`; `linkLossPct` is the mean when only `meanBurstPackets` is given. */
  static fromConfig(config: BurstLossConfig, linkLossPct: number): { p: number; r: number; h: number; k: number } {
    if (config.meanBurstPackets !== undefined) {
      return GilbertElliottLoss.fromMeans((config.lossPct ?? linkLossPct) / 100, config.meanBurstPackets);
    }
    if (config.p === undefined || config.r === undefined) {
      throw new RangeError('burstLoss needs either meanBurstPackets (with lossPct) or both p and r');
    }
    const params = { p: config.p, r: config.r, h: config.h ?? 0, k: config.k ?? 1 };
    for (const [name, v] of Object.entries(params)) {
      if (!(v >= 0 && v <= 1)) throw new RangeError(`burstLoss.${name} must be a probability in [0, 1], got ${v}`);
    }
    return params;
  }

  get bad(): boolean {
    return this.#bad;
  }

  /** Steps the chain for one packet and says whether it is lost. Two draws per packet, always. */
  lose(): boolean {
    const transition = this.rng.float();
    const loss = this.rng.float();
    this.#bad = this.#bad ? transition >= this.r : transition < this.p;
    const delivered = this.#bad ? this.h : this.k;
    return loss >= delivered;
  }
}

/** The list error model (ns-3's ListErrorModel): drops exactly the packets named by index. */
export class ListLoss {
  readonly #indexes: Set<number>;
  constructor(indexes: readonly number[]) {
    this.#indexes = new Set(indexes);
  }

  lose(index: number): boolean {
    return this.#indexes.has(index);
  }
}

/** Scheduled outages: everything put on the wire in [at, at + for) is lost. */
export class OutageSchedule {
  readonly #windows: { from: Micros; until: Micros }[];
  constructor(windows: readonly OutageWindow[]) {
    this.#windows = windows.map((w) => ({ from: s(w.atS), until: s(w.atS) + s(w.forS) }));
  }

  covers(t: Micros): boolean {
    for (const w of this.#windows) if (t >= w.from && t < w.until) return true;
    return false;
  }
}
