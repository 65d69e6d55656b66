/**
 * How the CLI asks V8 to size its heap. A run allocates fast and much of what it allocates lives
 * a while (packets, segments and timers in flight) and is then dropped, so the old generation fills
 * with garbage between major collections; left to itself, V8 lets the heap grow to up to four times
 * what was live after the last one (its dynamic growing factor). For the 10,000-device fleet
 * (bench/fleet.ts) that was about 1.6 GB resident for about 330 MB live. Asking it to collect once
 * the heap has grown by half (`--heap-growing-percent=50`) keeps a run near what it really holds.
 *
 * The flag is read at every major collection, so setting it once at start-up, before the run,
 * takes effect (measured: the 3,000-device x 20 s fleet peaked at 305 MB with it set this way,
 * 459 MB without). A `--heap-growing-percent` given to Node by the user (command line or
 * NODE_OPTIONS) is left alone.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

export function keepHeapNearLive(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('heap-growing-percent'));
  if (!given) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
