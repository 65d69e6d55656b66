/**
 * Chapter 9's radio model: how long a device's radio is on, from the packets it sends and
 * receives. A model, stated, not a measurement of any modem:
 *
 * - The radio is busy while it sends or receives a packet's bits at the link's rate: on the
 *   uplink from the moment the packet starts leaving to the moment its last bit has left, on the
 *   downlink for the same length of time up to the moment the last bit has arrived.
 * - After the last packet of a burst it stays connected for the inactivity timer `tailUs` (LTE's
 *   RRC inactivity timer, ./constrainedLinks.ts DEFAULT_TAIL_S), then goes idle. A packet that
 *   comes before the timer runs out keeps it connected (and restarts the timer).
 * - Waking up costs nothing more here: no promotion delay, no paging cycle, no power-saving mode.
 *
 * So radio-on time is airtime (bytes / rate), plus the waiting between packets of one burst (the
 * round trips the protocol waits for answers), plus one tail per wake-up.
 */
import type { RadioOn } from './constrainedTypes.ts';

/** One packet's busy interval at the device's radio, µs. */
export interface Busy {
  from: number;
  to: number;
}

export interface RadioTotals {
  onUs: number;
  airtimeUs: number;
  waitingUs: number;
  tailUs: number;
  wakeups: number;
}

/**
 * Radio-on time for a set of busy intervals (any order) and an inactivity timer: the intervals are
 * merged when the gap between them is shorter than the timer, and each merged burst is on from its
 * first bit to its last, plus the timer.
 */
export function radioOn(busy: readonly Busy[], tailUs: number): RadioTotals {
  const sorted = [...busy].filter((b) => b.to >= b.from).sort((a, b) => a.from - b.from || a.to - b.to);
  const out: RadioTotals = { onUs: 0, airtimeUs: 0, waitingUs: 0, tailUs: 0, wakeups: 0 };
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]!.from;
    let end = sorted[i]!.to;
    let air = 0;
    let airEnd = start; // end of the airtime already counted (packets may overlap: up and down at once)
    for (; i < sorted.length && sorted[i]!.from <= end + tailUs; i++) {
      const b = sorted[i]!;
      const from = Math.max(b.from, airEnd);
      if (b.to > from) air += b.to - from;
      airEnd = Math.max(airEnd, b.to);
      end = Math.max(end, b.to);
    }
    out.wakeups++;
    out.airtimeUs += air;
    out.waitingUs += end - start - air;
    out.tailUs += tailUs;
    out.onUs += end - start + tailUs;
  }
  return out;
}

/** Per reading, in seconds. */
export function perReading(t: RadioTotals, readings: number): RadioOn {
  const s = (us: number) => us / 1e6 / readings;
  return { onS: s(t.onUs), airtimeS: s(t.airtimeUs), waitingS: s(t.waitingUs), tailS: s(t.tailUs), wakeups: t.wakeups / readings };
}
