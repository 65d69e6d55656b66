/** Chapter 11's widget state: the experiment's inputs and the worker's answer, and the chart's rows. */
import type { StormBinRow } from '../../../charts/stormAttempts.ts';
import { STORM_DEFAULTS } from '../../../worker/course/storm-scenario.ts';
import type { StormInput, StormResult } from '../../../worker/course/storm-types.ts';
import type { SimError } from '../../../worker/client.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

export class StormState {
  /** Starts at the module's defaults (the build computed the answer for exactly these). */
  input = $state<StormInput>({ ...STORM_DEFAULTS });
  /** The answer at the defaults, computed when the site was built. */
  readonly first = initialAnswer('storm');
  readonly task = courseTask('storm', { initial: this.first.value });

  get result(): StormResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get running(): boolean {
    return this.task.running;
  }

  async refresh(): Promise<void> {
    const input = $state.snapshot(this.input);
    if (!this.task.running && sameInput(input, this.task.result?.input)) return;
    await this.task.request(input);
  }

  set(patch: Partial<StormInput>): void {
    this.input = { ...this.input, ...patch };
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
