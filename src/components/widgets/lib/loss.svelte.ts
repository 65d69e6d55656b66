/**
 * Chapter 4's widget state: the reader's settings, and the worker's answers for them (the stream
 * four ways, and the bulk transfers beside the Mathis curve). The newest request wins.
 */
import type { SimError } from '../../../worker/client.ts';
import type { CongestionName, GoodputInput, GoodputResult, LossInput, LossResult } from '../../../worker/course/lossTypes.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

/** The widget's starting settings: the course module's defaults (src/worker/course/lossStreams.ts LOSS_DEFAULTS). */
export const LOSS_START: LossInput = { lossPct: 5, lossModel: 'random', burstPackets: 4, latencyMs: 25, everyMs: 50, noDelay: false, congestion: 'cubic', seed: 1 };
export const GOODPUT_START: GoodputInput = { congestion: 'cubic', latencyMs: 25, seed: 1 };
export const LOSS_STEPS = [0, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20] as const;
export const INTERVALS = [20, 50, 100, 200, 500, 1000] as const;

export class LossState {
  lossPct = $state(LOSS_START.lossPct);
  lossModel = $state<LossInput['lossModel']>(LOSS_START.lossModel);
  burstPackets = $state(LOSS_START.burstPackets);
  latencyMs = $state(LOSS_START.latencyMs);
  everyMs = $state(LOSS_START.everyMs);
  noDelay = $state(LOSS_START.noDelay);
  congestion = $state<CongestionName>(LOSS_START.congestion);
  seed = $state(LOSS_START.seed);
  /** The answer at the defaults, computed when the site was built. */
  readonly first = initialAnswer('loss');
  readonly task = courseTask('loss', { initial: this.first.value });

  get result(): LossResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get input(): LossInput {
    return {
      lossPct: this.lossPct,
      lossModel: this.lossModel,
      burstPackets: this.burstPackets,
      latencyMs: this.latencyMs,
      everyMs: this.everyMs,
      noDelay: this.noDelay,
      congestion: this.congestion,
      seed: this.seed,
    };
  }

  async refresh(): Promise<void> {
    const input = this.input;
    if (!this.task.running && sameInput(input, this.task.result?.input)) return;
    await this.task.request(input);
  }
}

export class GoodputState {
  congestion = $state<CongestionName>(GOODPUT_START.congestion);
  readonly first = initialAnswer('lossGoodput');
  readonly task = courseTask('lossGoodput', { initial: this.first.value });

  get result(): GoodputResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get input(): GoodputInput {
    return { ...GOODPUT_START, congestion: this.congestion };
  }

  async refresh(): Promise<void> {
    const input = this.input;
    if (!this.task.running && sameInput(input, this.task.result?.input)) return;
    await this.task.request(input);
  }
}
