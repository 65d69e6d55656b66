/**
 * How the CLI asks V8 to manage its heap. A run allocates fast and much of what it allocates lives
 * a while (packets, segments and timers in flight) and is then dropped.
 *
 * 1. Heap growth. The old generation fills with garbage between major collections; left to
 *    itself, V8 lets the heap grow to up to four times what was live after the last one (its
 *    dynamic growing factor). For the 10,000-device fleet (bench/fleet.ts) that was about 1.6 GB
 *    resident for about 330 MB live. Asking it to collect once the heap has grown by half
 *    (`--heap-growing-percent=50`) keeps a run near what it really holds (measured: the
 *    3,000-device x 20 s fleet peaked at 305 MB with it set this way, 459 MB without).
 * 2. No allocation-site pretenuring. V8 samples, per allocation site, how many of its objects
 *    survive a scavenge; once 85 % or more do while the young generation is at its largest, it
 *    allocates that site's objects straight in the old generation (V8's
 *    src/heap/pretenuring-handler.cc, AllocationSite::kPretenureRatio). A run's per-packet and
 *    per-message objects live about a round trip, long enough to be caught alive by a scavenge
 *    but not much longer: pretenured, they die in the old generation, which then fills with
 *    garbage that only a full mark-compact takes back. Measured with --trace-gc on the
 *    3,000-device x 20 s fleet: with pretenuring, each scavenge promoted about 3 MB but the heap
 *    grew by about 8 MB, and the run made 6 mark-compacts; without, 3 (peak RSS 237 -> 197 MB).
 *
 * Flags are read as the heap works, so setting them once at start-up, before the run, takes
 * effect. A flag the user gave Node (command line or NODE_OPTIONS) is left alone: e.g.
 * `node --allocation-site-pretenuring bin/wirelab.mjs ...` runs with V8's default.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

export function keepHeapNearLive(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''];
  const unless = (name: string, flag: string) => {
    if (!given.some((arg) => arg.includes(name))) setFlagsFromString(flag);
  };
  unless('heap-growing-percent', `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  unless('allocation-site-pretenuring', '--no-allocation-site-pretenuring');
}
