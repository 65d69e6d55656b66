/**
 * What chapter 1's picture shows at simulated time `t`: the counters of every line (packets and
 * bytes that entered it, each direction) and the packets in flight as dots. Pure, from the trips
 * the worker measured.
 */
import type { TopologyDot, TopologyLink } from '../../../charts/topology.ts';
import type { WiredSystem } from '../../../worker/course/types.ts';

export interface Frame {
  links: TopologyLink[];
  dots: TopologyDot[];
}

export function frameAt(system: WiredSystem, t: number, withDots = true): Frame {
  const links = system.links.map((l) => ({ ...l, ab: { packets: 0, bytes: 0 }, ba: { packets: 0, bytes: 0 } }));
  const dots: TopologyDot[] = [];
  for (const trip of system.trips) {
    if (trip.sentUs > t) continue;
    const line = links[trip.link];
    if (!line) continue;
    if (trip.half === 0) {
      line[trip.dir].packets++;
      line[trip.dir].bytes += trip.bytes;
    }
    if (withDots && t < trip.endUs && !(trip.dropped && t >= trip.endUs)) {
      const span = Math.max(1, trip.endUs - trip.sentUs);
      const along = Math.min(1, (t - trip.sentUs) / span);
      dots.push({ link: line.id, dir: trip.dir, progress: trip.half * 0.5 + along * 0.5, kind: trip.kind });
    }
  }
  return { links, dots };
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
