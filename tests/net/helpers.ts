import { Rng } from '../../simulator/core/rng.ts';
import { Scheduler } from '../../simulator/core/scheduler.ts';
import type { LinkDrop, LinkReceive, TraceRecord } from '../../simulator/core/trace.ts';
import { TraceBuffer } from '../../simulator/core/trace.ts';
import type { LinkConfigInput } from '../../simulator/net/config.ts';
import { mergeLinkConfig } from '../../simulator/net/config.ts';
import type { Packet } from '../../simulator/net/link.ts';
import { Link } from '../../simulator/net/link.ts';
import type { IdleTimeoutMiddlebox } from '../../simulator/net/middlebox.ts';

/** One link direction with its own scheduler and trace, for tests. */
export function testLink(config: LinkConfigInput, seed = 1, middlebox?: IdleTimeoutMiddlebox) {
  const scheduler = new Scheduler();
  const trace = new TraceBuffer();
  const arrived: { t: number; packet: Packet }[] = [];
  const link = new Link('a->core', mergeLinkConfig(config), { scheduler, trace, rng: Rng.stream(seed, ''), middlebox }, (packet) =>
    arrived.push({ t: scheduler.now, packet }),
  );
  /** Offers a packet of `bytes` at absolute time `at` (µs). */
  const sendAt = (at: number, bytes = 100, conn?: string, tag?: unknown) =>
    scheduler.at(at, () => link.send({ src: 'a', dst: 'b', bytes, conn, payload: tag }));
  return { scheduler, trace, link, arrived, sendAt };
}

export const drops = (records: TraceRecord[]) => records.filter((r): r is LinkDrop => r.kind === 'link-drop');
export const receives = (records: TraceRecord[]) => records.filter((r): r is LinkReceive => r.kind === 'link-receive');
