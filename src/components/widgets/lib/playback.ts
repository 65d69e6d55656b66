/**
 * What chapter 1's picture shows at simulated time `t`: the counters of every line, each direction
 * (packets and bytes that arrived at the far end, packets still on the line, packets dropped), and
 * the packets on the way as dots. Pure, from the trips the worker measured. A drawn line is two
 * access links (the sender's, then the receiver's; the core between them is instantaneous), so a
 * packet arrives when its second half ends, and is on the way from its first half's start.
 */
import type { TopologyDot, TopologyLink } from '../../../charts/topology.ts';
import type { WiredSystem } from '../../../worker/course/types.ts';

export interface Frame {
  links: TopologyLink[];
  dots: TopologyDot[];
}

/** `follow`: the reading whose packets are drawn highlighted (an index into `system.readings`). */
export function frameAt(system: WiredSystem, t: number, withDots = true, follow?: number): Frame {
  const zero = () => ({ packets: 0, bytes: 0, inFlight: 0, dropped: 0 });
  const links = system.links.map((l) => ({ ...l, ab: zero(), ba: zero() }));
  const dots: TopologyDot[] = [];
  for (const trip of system.trips) {
    if (trip.sentUs > t) continue;
    const line = links[trip.link];
    if (!line) continue;
    const count = line[trip.dir];
    if (t < trip.endUs) count.inFlight++;
    else if (trip.dropped) count.dropped++;
    else if (trip.half === 1) {
      count.packets++;
      count.bytes += trip.bytes;
    }
    if (withDots && t < trip.endUs && !(trip.dropped && t >= trip.endUs)) {
      const span = Math.max(1, trip.endUs - trip.sentUs);
      const along = Math.min(1, (t - trip.sentUs) / span);
      const dot: TopologyDot = { link: line.id, dir: trip.dir, progress: trip.half * 0.5 + along * 0.5, kind: trip.kind };
      if (follow !== undefined && trip.readings?.includes(follow)) dot.highlight = true;
      dots.push(dot);
    }
  }
  return { links, dots };
}

/** Time of the last moment anything happened before `t` (a trip started or ended), for stepping back. */
export function previousEventBefore(systems: WiredSystem[], t: number): number | undefined {
  let best: number | undefined;
  for (const s of systems) {
    for (const trip of s.trips) {
      for (const at of [trip.sentUs, trip.endUs]) if (at < t && (best === undefined || at > best)) best = at;
    }
  }
  return best;
}

/** Time of the next moment anything happens after `t` (a trip starts or ends), for stepping. */
export function nextEventAfter(systems: WiredSystem[], t: number): number | undefined {
  let best: number | undefined;
  for (const s of systems) {
    for (const trip of s.trips) {
      for (const at of [trip.sentUs, trip.endUs]) if (at > t && at < Number.MAX_SAFE_INTEGER && (best === undefined || at < best)) best = at;
    }
  }
  return best;
}

/** Where one reading is at time `t`, in words, for every dashboard of a wiring. */
export function readingStatus(system: WiredSystem, reading: number, t: number, dashLabel: (i: number) => string): string {
  const r = system.readings[reading];
  if (!r) return 'no such reading';
  const s = (us: number) => `${(us / 1e6).toFixed(2)} s`;
  if (t < r.sentUs) return `sent at ${s(r.sentUs)} (not yet)`;
  const parts = r.deliveredUs.map((at, d) => {
    const who = dashLabel(d);
    if (at !== undefined) return at <= t ? `${who} got it at ${s(at)} (${Math.round((at - r.sentUs) / 1000)} ms)` : `${who}: on the way`;
    return `${who}: ${OUTCOME_WORDS[r.outcome[d]!]}`;
  });
  return `sent at ${s(r.sentUs)}; ${parts.join('; ')}`;
}

/** What an outcome means, in a phrase. */
export const OUTCOME_WORDS = {
  delivered: 'delivered',
  'on-the-way': 'still on the way when the run ended (late, not lost)',
  'not-sent': 'never left the sensor: its connection was not open yet',
  missed: 'missed: not yet connected when the hub passed it on',
} as const;
