/** Chapter 11's widget state: the experiment's inputs and the worker's answer, and the chart's rows. */
import type { StormBinRow } from '../../../charts/stormAttempts.ts';
import { STORM_DEFAULTS } from '../../../worker/course/storm-scenario.ts';
import type { StormResult } from '../../../worker/course/storm-types.ts';
import { CourseState } from './courseState.svelte.ts';

export class StormState extends CourseState<'storm'> {
  constructor() {
    super('storm', STORM_DEFAULTS);
  }
}

/** The chart's rows: seconds after the failure, and the clients back so far. */
export function binRows(r: StormResult): StormBinRow[] {
  let back = 0;
  return r.bins.map((b) => {
    back += b.reopened;
    return { tS: Math.round(b.tMs - r.failAtMs) / 1000, attempts: b.attempts, handshakeRetransmits: b.handshakeRetransmits, drops: b.drops, backSoFar: back };
  });
}

/** "4.02 s", or the words for none. */
export function secondsOrNever(ms: number | null): string {
  return ms === null ? 'not within the run' : `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 2 })} s`;
}
