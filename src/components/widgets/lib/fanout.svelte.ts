/**
 * Chapter 8's fan-out widget state: the reader's settings, and the answer for them. The answer at
 * the defaults comes from the build (the `fanout` course module); any other is computed live: the
 * plan's runs (src/worker/course/fanout-scenario.ts) go to a worker of the widget's own one after
 * another (the `fanoutStep` module), progress moves as each ends, a newer setting stops the runs it
 * replaces, and Cancel stops them. Each run comes back as a few numbers, so thousands of
 * subscribers never block the page.
 */
import { SimClient, type SimError } from '../../../worker/client.ts';
import { FANOUT_DEFAULTS, fanoutPlan, fanoutResult, planWeight, type FanoutInput, type FanoutResult, type FanoutStep, type RunDigest } from '../../../worker/course/fanout-scenario.ts';
import { WorkerTask, type Perform } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

/** The widget's starting settings: the course module's defaults (the build's answer is for them). */
export const FANOUT_START: FanoutInput = FANOUT_DEFAULTS;
export const SUBSCRIBER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 9998] as const;
export const PAYLOAD_STEPS = [10, 20, 50, 100, 200, 500, 1000] as const;
/** Below this many subscribers a change runs at once; above it the reader presses Run. */
export const AUTO_RUN_MAX = 1000;

/** Runs the plan's steps in order, reporting progress over the whole plan as each ends. */
function runPlan(onStep: (text: string) => void): Perform<FanoutInput, FanoutResult> {
  return async (client, input, onProgress) => {
    const plan = fanoutPlan(input);
    const total = plan.reduce((n, s) => n + planWeight(s), 0);
    let done = 0;
    const runs: RunDigest[] = [];
    for (const [i, step] of plan.entries()) {
      onStep(`Run ${i + 1} of ${plan.length}: ${step.hub === 'mqtt' ? 'MQTT broker' : 'WebSocket server'}, ${step.subscribers.toLocaleString('en-US')} subscribers, ${step.withMessages ? 'with the messages' : 'connections only'}`);
      // No call timeout: a run of thousands of clients takes as long as it takes; its input is
      // bounded by the module's schema and the run by the simulator's event budget.
      runs.push(await client.call((api) => (api.course as unknown as (name: 'fanoutStep', step: FanoutStep) => Promise<RunDigest>)('fanoutStep', step), { timeoutMs: 0 }));
      done += planWeight(step);
      onProgress({ simTimeUs: 0, endTimeUs: 0, fraction: done / total });
    }
    onStep('');
    return fanoutResult(input, runs);
  };
}

export class FanoutState {
  subscribers = $state(FANOUT_START.subscribers);
  qos = $state<0 | 1>(FANOUT_START.qos);
  payloadBytes = $state(FANOUT_START.payloadBytes);
  hubMbps = $state<100 | 1000>(FANOUT_START.hubMbps);
  seed = $state(FANOUT_START.seed);
  /** Which run of the plan is going on, in words. */
  step = $state('');
  /** The answer at the defaults, computed when the site was built. */
  readonly first = initialAnswer('fanout');
  readonly task = new WorkerTask<FanoutInput, FanoutResult>(
    runPlan((text) => (this.step = text)),
    { client: new SimClient(), cancelStale: true, initial: this.first.value },
  );

  get result(): FanoutResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get input(): FanoutInput {
    return { subscribers: this.subscribers, qos: this.qos, payloadBytes: this.payloadBytes, hubMbps: this.hubMbps, seed: this.seed };
  }

  /** The input of the answer shown or being computed. */
  #requested = $state.raw<FanoutInput | null>(this.first.value?.input ?? null);

  /** The settings differ from the answer shown or being computed. */
  get stale(): boolean {
    return !sameInput(this.input, this.#requested ?? undefined);
  }

  /** Big runs wait for the reader's Run; small ones start at once. */
  get needsRun(): boolean {
    return this.stale && this.subscribers > AUTO_RUN_MAX;
  }

  /** Asks for the answer at the current settings (a big N only when `force`: the Run button). */
  async refresh(force = false): Promise<void> {
    const input = this.input;
    if (!this.stale || (!force && input.subscribers > AUTO_RUN_MAX)) return;
    this.#requested = input;
    await this.task.request(input);
  }

  /** After an error: a fresh worker, and the current settings again. */
  retry(): void {
    this.task.reset();
    this.#requested = null;
    void this.refresh(true);
  }

  cancel(): void {
    this.task.cancel();
    this.step = '';
    this.#requested = this.task.result?.input ?? null;
  }
}
