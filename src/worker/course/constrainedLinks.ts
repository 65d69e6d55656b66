/**
 * Chapter 9's link presets: the rates and delays of the constrained links the chapter compares,
 * each with where its figures come from. Radio links vary with coverage, load and operator, so
 * every figure here is a typical value, not a guarantee; the `source` says which document or
 * measurement it follows and what we assumed beyond it. Only data: the page shows these texts.
 *
 * The simulator's links are per node and per direction (simulator/net/config.ts): the device's
 * access link gets `upKbps` towards the network and `downKbps` back, and the whole one-way delay
 * of the radio network (`oneWayMs`), so a round trip between the device and the broker or server
 * is 2 x oneWayMs plus the time each packet takes to send at the link's rate.
 */

export type LinkPresetId = 'csd96' | 'gprs' | 'nbiot' | 'ltem' | 'geo' | 'slow4g';

export interface LinkPreset {
  id: LinkPresetId;
  label: string;
  /** Device -> network, kbit/s (1 kbit = 1000 bit). */
  upKbps: number;
  /** Network -> device, kbit/s. */
  downKbps: number;
  /** One-way delay between the device and the core, ms. */
  oneWayMs: number;
  /** Where the figures come from, in words (shown on the page). */
  source: string;
}

/** Chrome DevTools' "Slow 4G", as its source defines it (see the preset's `source`). */
const SLOW_4G = {
  // front_end/core/sdk/NetworkManager.ts, Slow4GConditions: download 1.6 * 1000 * 1000 / 8 * .9
  // bytes/s, upload 750 * 1000 / 8 * .9 bytes/s, latency 150 * 3.75 ms (its target RTT is 150 ms).
  downKbps: 1600 * 0.9,
  upKbps: 750 * 0.9,
  latencyMs: 150 * 3.75,
};

export const LINK_PRESETS: readonly LinkPreset[] = [
  {
    id: 'csd96',
    label: '9.6 kbit/s (GSM data call)',
    upKbps: 9.6,
    downKbps: 9.6,
    oneWayMs: 50,
    source:
      'GSM circuit-switched data runs at 9.6 kbit/s each way (3GPP TS 43.010); many industrial radio modems and satellite messaging services are as slow or slower. The 50 ms one way is our assumption, the same as chapter 2\'s slow link.',
  },
  {
    id: 'gprs',
    label: 'GPRS (2G)',
    upKbps: 20,
    downKbps: 40,
    oneWayMs: 350,
    source:
      'GPRS gives about 9 to 13 kbit/s per timeslot (coding schemes CS-1 and CS-2, 3GPP TS 45.003), and a common phone (multislot class 10) uses up to 4 timeslots down and 2 up. Measurements on live networks found round trips of 600 ms to over a second (Chakravorty and Pratt, "Performance issues with general packet radio service", 2002). Typical, assumed: 40 kbit/s down, 20 up, 700 ms round trip.',
  },
  {
    id: 'nbiot',
    label: 'NB-IoT',
    upKbps: 20,
    downKbps: 20,
    oneWayMs: 800,
    source:
      'NB-IoT (3GPP Release 13, device category NB1) peaks at about 26 kbit/s down and 62 kbit/s up; latency was specified as under 10 s, and deployment guides quote 1.6 to 10 s depending on coverage (GSMA, NB-IoT Deployment Guide, CLP.28). Typical, assumed: 20 kbit/s each way and a 1.6 s round trip, the good-coverage end.',
  },
  {
    id: 'ltem',
    label: 'LTE-M',
    upKbps: 375,
    downKbps: 300,
    oneWayMs: 75,
    source:
      'LTE-M (Cat-M1, 3GPP Release 13) peaks at 1 Mbit/s; a half-duplex device, the common kind, gets about 300 kbit/s down and 375 kbit/s up. Its radio latency is 10 to 15 ms (GSMA, LTE-M Deployment Guide), and an industry evaluation found 0.1 s message latency at the edge of normal coverage. Typical, assumed: a 150 ms round trip to a broker through the core network.',
  },
  {
    id: 'geo',
    label: 'GEO satellite',
    upKbps: 256,
    downKbps: 1024,
    oneWayMs: 300,
    source:
      'A geostationary satellite is 35,786 km up: ground to satellite to ground is at least 239 ms at the speed of light, a round trip at least 477 ms, before any processing; 600 ms round trips are usual. The rates (256 kbit/s up, 1 Mbit/s down, a small terminal) are our assumption: they vary widely with the service.',
  },
  {
    id: 'slow4g',
    label: 'Slow 4G (Chrome DevTools)',
    upKbps: SLOW_4G.upKbps,
    downKbps: SLOW_4G.downKbps,
    oneWayMs: SLOW_4G.latencyMs / 2,
    source:
      'Exactly Chrome DevTools\' "Slow 4G" throttling preset (named "Fast 3G" until May 2024): 1.6 Mbit/s x 0.9 down, 750 kbit/s x 0.9 up, and 150 ms x 3.75 = 562.5 ms of added latency (devtools-frontend, front_end/core/sdk/NetworkManager.ts, Slow4GConditions). DevTools adds that latency per request; here it is the round trip, 281.25 ms each way.',
  },
];

export function linkPreset(id: LinkPresetId): LinkPreset {
  const preset = LINK_PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`no link preset "${id}"`);
  return preset;
}

/**
 * The radio model (stated, not measured): after its last packet in either direction, a cellular
 * radio stays connected for an inactivity timer before it goes idle, the "tail". LTE operators set
 * it, about 10 s typically; Huang et al. measured LTE's power state machine on a commercial network
 * and found this high-power tail a main part of a phone's radio energy ("A Close Examination of
 * Performance and Power Characteristics of 4G LTE Networks", MobiSys 2012). NB-IoT and LTE-M
 * devices can ask for an early release (Release Assistance Indication, 3GPP Release 14), which
 * makes the tail nearly 0. No promotion delay, paging cycle (DRX) or power-saving mode is modelled.
 */
export const DEFAULT_TAIL_S = 10;
