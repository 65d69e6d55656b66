/**
 * Settings of one direction of a node's access link, as a scenario names them, and how the
 * scenario's layers combine into the settings of one direction.
 *
 * Topology is a star: every node has an uplink (node -> core) and a downlink (core -> node). A
 * packet from A to B crosses A's uplink, then B's downlink, so its latency is the sum of both
 * latencies and it can be lost on either. The core itself forwards instantly and never drops
 * (except `no-route`, when the destination node does not exist).
 *
 * Layering, later wins field by field: built-in defaults < scenario `defaults.link` < the node's
 * `link` (both directions) < the node's `up` or `down` (one direction).
 */

export interface OutageWindow {
  /** Start, seconds from the start of the run. */
  atS: number;
  /** Length in seconds: the link loses everything in [atS, atS + forS). */
  forS: number;
}

/**
 * Gilbert-Elliott bursty loss. Two ways to give it:
 * - `meanBurstPackets` (mean length of a run of consecutive losses) with the mean loss rate taken
 *   from `lossPct` here or, when absent, from the link's `lossPct`. This is the simple Gilbert
 *   model: every packet is lost in the Bad state, none in the Good state, so the mean burst is
 *   1/r and the mean loss is p/(p+r). When `burstLoss` is given this way, the link's `lossPct`
 *   is the mean of the bursty process and is not applied a second time as Bernoulli loss.
 * - `p`, `r` and optionally `h`, `k` (the classic parameters): p = P(Good -> Bad),
 *   r = P(Bad -> Good), h = P(delivered | Bad) (default 0), k = P(delivered | Good) (default 1).
 *   Then the link's `lossPct` stays an independent Bernoulli loss on top.
 */
export interface BurstLossConfig {
  meanBurstPackets?: number;
  lossPct?: number;
  p?: number;
  r?: number;
  h?: number;
  k?: number;
}

export interface LinkConfig {
  /** One-way propagation delay, ms. */
  latencyMs: number;
  /** Per-packet extra delay, uniform in [0, jitterMs] ms, drawn independently: packets may be reordered. */
  jitterMs: number;
  /** Bernoulli loss, percent of packets. */
  lossPct: number;
  /** Bandwidth in kbit/s (1 kbit = 1000 bit); 0 or absent means no serialization delay. */
  bandwidthKbps?: number;
  /** Packets that may wait behind the one being transmitted; tail drop beyond (default 1000, Linux txqueuelen). */
  queuePackets?: number;
  /** Bytes that may wait behind the one being transmitted, when given; tail drop beyond. */
  queueBytes?: number;
  /** Largest IP packet the link carries (default 1500); larger packets are dropped with reason 'mtu'. */
  mtuBytes?: number;
  burstLoss?: BurstLossConfig;
  outages?: OutageWindow[];
  /** List error model: 0-based indexes of packets offered to this direction to drop (tests, exact experiments). */
  dropList?: number[];
  /**
   * A NAT or proxy on this access link that forgets a connection after this many seconds without a
   * packet in either direction; from then on it silently drops that connection's packets.
   */
  idleTimeoutS?: number;
}

export type LinkConfigInput = Partial<LinkConfig>;

export const DEFAULT_QUEUE_PACKETS = 1000;
export const DEFAULT_MTU_BYTES = 1500;

export const BUILTIN_LINK_DEFAULTS: LinkConfig = {
  latencyMs: 0,
  jitterMs: 0,
  lossPct: 0,
  queuePackets: DEFAULT_QUEUE_PACKETS,
  mtuBytes: DEFAULT_MTU_BYTES,
};

/** Merges link settings field by field; `undefined` fields do not override. */
export function mergeLinkConfig(...layers: (LinkConfigInput | undefined)[]): LinkConfig {
  const out: Record<string, unknown> = {};
  for (const layer of [BUILTIN_LINK_DEFAULTS, ...layers]) {
    if (layer === undefined) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) out[key] = value;
    }
  }
  return out as unknown as LinkConfig;
}

/** Checks values a schema may not have caught when a link is built directly (tests, bench). */
export function validateLinkConfig(config: LinkConfig, where: string): void {
  const nonNegative = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new RangeError(`${where}.${name} must be a finite number >= 0, got ${v}`);
    }
  };
  nonNegative('latencyMs', config.latencyMs);
  nonNegative('jitterMs', config.jitterMs);
  nonNegative('lossPct', config.lossPct);
  nonNegative('bandwidthKbps', config.bandwidthKbps);
  nonNegative('queuePackets', config.queuePackets);
  nonNegative('queueBytes', config.queueBytes);
  nonNegative('mtuBytes', config.mtuBytes);
  nonNegative('idleTimeoutS', config.idleTimeoutS);
  if (config.lossPct > 100) throw new RangeError(`${where}.lossPct must be at most 100, got ${config.lossPct}`);
  for (const [i, o] of (config.outages ?? []).entries()) {
    nonNegative(`outages[${i}].atS`, o.atS);
    nonNegative(`outages[${i}].forS`, o.forS);
  }
  for (const [i, idx] of (config.dropList ?? []).entries()) {
    if (!Number.isInteger(idx) || idx < 0) throw new RangeError(`${where}.dropList[${i}] must be an integer >= 0, got ${idx}`);
  }
}
