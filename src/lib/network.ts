/**
 * The network settings every widget's controls edit, the steps their sliders offer, and how they
 * become a scenario link (simulator/scenarios/schema.ts, `linkSchema`).
 */
import type { LinkSpec } from '../../simulator/scenarios/schema.ts';

export interface NetworkSettings {
  /** One-way latency of each access link, ms. */
  latencyMs: number;
  /** Extra random delay per packet, up to this many ms. */
  jitterMs: number;
  /** Packet loss, percent (the mean loss when bursty). */
  lossPct: number;
  /** Link rate, kbit/s. */
  bandwidthKbps: number;
  /** Losses come in bursts (Gilbert-Elliott) instead of one by one. */
  burstLoss: boolean;
  /** Windows when the link loses everything. */
  outages: { atS: number; forS: number }[];
}

export const DEFAULT_NETWORK: NetworkSettings = {
  latencyMs: 25,
  jitterMs: 0,
  lossPct: 0,
  bandwidthKbps: 10_000,
  burstLoss: false,
  outages: [],
};

/** Mean length of a loss burst when bursty loss is on, packets. */
export const MEAN_BURST_PACKETS = 4;

/** Loss from 0 to 30%, with fine steps at the low end where a little loss already matters. */
export const LOSS_STEPS = [0, 0.1, 0.2, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30] as const;
export const LATENCY_STEPS = [0, 1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300, 400, 500] as const;
export const JITTER_STEPS = [0, 1, 2, 5, 10, 20, 30, 50, 75, 100] as const;
export const BANDWIDTH_STEPS = [56, 128, 256, 512, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1_000_000] as const;

/** "5", "0.5", "12.5": no trailing zeros. */
export function formatNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** 512 -> "512 kbit/s", 10000 -> "10 Mbit/s". */
export function formatBandwidth(kbps: number): string {
  if (kbps >= 1_000_000) return `${formatNumber(kbps / 1_000_000)} Gbit/s`;
  if (kbps >= 1_000) return `${formatNumber(kbps / 1_000)} Mbit/s`;
  return `${formatNumber(kbps)} kbit/s`;
}

/** The same, in words for screen readers. */
export function speakBandwidth(kbps: number): string {
  if (kbps >= 1_000_000) return `${formatNumber(kbps / 1_000_000)} gigabits per second`;
  if (kbps >= 1_000) return `${formatNumber(kbps / 1_000)} megabits per second`;
  return `${formatNumber(kbps)} kilobits per second`;
}

type RateField = 'latencyMs' | 'jitterMs' | 'lossPct' | 'bandwidthKbps';
const RATE_FIELDS: readonly RateField[] = ['latencyMs', 'jitterMs', 'lossPct', 'bandwidthKbps'];

/**
 * The controls' settings for a scenario's link: its own values, and `DEFAULT_NETWORK`'s where it
 * sets none (a slider needs a position). What the controls show is not what the scenario says:
 * `unsetFields` names the difference, and `linkFromEdits` adds only what the reader changed.
 */
export function settingsFromLink(link: LinkSpec | undefined): NetworkSettings {
  return {
    latencyMs: link?.latencyMs ?? DEFAULT_NETWORK.latencyMs,
    jitterMs: link?.jitterMs ?? DEFAULT_NETWORK.jitterMs,
    lossPct: link?.lossPct ?? DEFAULT_NETWORK.lossPct,
    bandwidthKbps: link?.bandwidthKbps ?? DEFAULT_NETWORK.bandwidthKbps,
    burstLoss: link?.burstLoss !== undefined,
    outages: (link?.outages ?? []).map((o) => ({ ...o })),
  };
}

/**
 * What a link without the field means to the simulator (simulator/net/config.ts
 * BUILTIN_LINK_DEFAULTS: no delay, no jitter, no loss; no bandwidth is no rate limit, as 0 is).
 * Values, not imported: the page carries no simulator code.
 */
const SIMULATOR_DEFAULTS: Record<RateField, number> = { latencyMs: 0, jitterMs: 0, lossPct: 0, bandwidthKbps: 0 };

/**
 * The fields the scenario's link leaves to the simulator's defaults, the reader has not set, and
 * the controls show at another value (25 ms where the run has no delay, 10 Mbit/s where it has no
 * rate limit): what the page must say the controls do not show.
 */
export function unsetFields(link: LinkSpec | undefined, shown: NetworkSettings, now: NetworkSettings): RateField[] {
  return RATE_FIELDS.filter((key) => link?.[key] === undefined && now[key] === shown[key] && shown[key] !== SIMULATOR_DEFAULTS[key]);
}

/**
 * The scenario's link after the reader's edits: `link` as loaded, with each setting the reader
 * changed from what the controls showed (`shown`, from `settingsFromLink(link)`) written over it.
 * A field the scenario left unset stays unset until the reader moves its control, so the Lab runs
 * the scenario it loaded, as the command line does (a missing `bandwidthKbps` is no rate limit
 * there, not the controls' 10 Mbit/s: 841 against 841.228 ms), and a scenario's own bursty-loss
 * parameters survive unless the reader turns bursty loss off or on.
 */
export function linkFromEdits(link: LinkSpec | undefined, shown: NetworkSettings, now: NetworkSettings): LinkSpec {
  const { burstLoss, outages, ...rest } = { ...link } as LinkSpec;
  const out: LinkSpec = rest;
  for (const key of RATE_FIELDS) if (link?.[key] !== undefined || now[key] !== shown[key]) out[key] = now[key];
  if (now.burstLoss === shown.burstLoss) {
    if (burstLoss !== undefined) out.burstLoss = burstLoss;
  } else if (now.burstLoss && now.lossPct > 0) {
    out.burstLoss = { meanBurstPackets: MEAN_BURST_PACKETS };
  }
  const sameOutages = JSON.stringify(now.outages) === JSON.stringify(shown.outages);
  if (sameOutages) {
    if (outages !== undefined) out.outages = outages;
  } else if (now.outages.length > 0) {
    out.outages = now.outages.map((o) => ({ ...o }));
  }
  return out;
}
