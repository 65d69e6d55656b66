/**
 * Chapter 9's widget state: the reader's settings, and the worker's answer for them (four devices
 * on one constrained link). The newest request wins.
 */
import type { SimError } from '../../../worker/client.ts';
import type { LinkPresetId } from '../../../worker/course/constrainedLinks.ts';
import type { ConstrainedInput, ConstrainedResult } from '../../../worker/course/constrainedTypes.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

/** The widget's starting settings: the course module's defaults (src/worker/course/constrainedRuns.ts CONSTRAINED_DEFAULTS). */
export const CONSTRAINED_START: ConstrainedInput = { link: 'nbiot', everyS: 300, payloadBytes: 20, tls: false, tailS: 10, keepaliveS: 60, wsHeartbeatS: 0, seed: 1 };
export const INTERVALS_S = [10, 30, 60, 120, 300, 600, 900, 1800, 3600] as const;
export const TAILS_S = [1, 2, 5, 10, 15, 20] as const;
export const KEEPALIVES_S = [0, 30, 60, 120, 300, 600, 1200] as const;
export const HEARTBEATS_S = [0, 30, 60, 120, 300] as const;
export const PAYLOADS = [1, 10, 20, 50, 100, 200, 500, 1000] as const;

export class ConstrainedState {
  link = $state<LinkPresetId>(CONSTRAINED_START.link);
  everyS = $state(CONSTRAINED_START.everyS);
  payloadBytes = $state(CONSTRAINED_START.payloadBytes);
  tls = $state(CONSTRAINED_START.tls);
  tailS = $state(CONSTRAINED_START.tailS);
  keepaliveS = $state(CONSTRAINED_START.keepaliveS);
  wsHeartbeatS = $state(CONSTRAINED_START.wsHeartbeatS);
  seed = $state(CONSTRAINED_START.seed);
  /** The answer at the defaults, computed when the site was built. */
  readonly first = initialAnswer('constrained');
  readonly task = courseTask('constrained', { initial: this.first.value });

  get result(): ConstrainedResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get input(): ConstrainedInput {
    return {
      link: this.link,
      everyS: this.everyS,
      payloadBytes: this.payloadBytes,
      tls: this.tls,
      tailS: this.tailS,
      keepaliveS: this.keepaliveS,
      wsHeartbeatS: this.wsHeartbeatS,
      seed: this.seed,
    };
  }

  async refresh(): Promise<void> {
    const input = this.input;
    if (!this.task.running && sameInput(input, this.task.result?.input)) return;
    await this.task.request(input);
  }
}
