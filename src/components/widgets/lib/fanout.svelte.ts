/**
 * Chapter 8's fan-out widget state: the reader's settings, and the answer for them. The answer at
 * the defaults comes from the build (the `fanout` course module); any other is computed live by
 * sending the same scenarios (src/worker/course/fanout-scenario.ts) through the worker runner,
 * `SimClient.run`, one after another on a worker of the widget's own: progress streams in, a newer
 * setting stops the runs it replaces, and Cancel stops them, so thousands of subscribers never
 * block the page.
 */
import type { RunSnapshot } from '../../../worker/api.ts';
import { SimClient, type SimError } from '../../../worker/client.ts';
import { FANOUT_DEFAULTS, fanoutPlan, fanoutResult, planWeight, type FanoutInput, type FanoutResult } from '../../../worker/course/fanout-scenario.ts';
import { WorkerTask, type Perform } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

/** The widget's starting settings: the course module's defaults (the build's answer is for them). */
export const FANOUT_START: FanoutInput = FANOUT_DEFAULTS;
export const SUBSCRIBER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 9998] as const;
export const PAYLOAD_STEPS = [10, 20, 50, 100, 200, 500, 1000] as const;
/** How long a run may go without reporting progress before it is stopped as runaway, ms. */
export const STALL_MS = 180_000;
/** Below this many subscribers a change runs at once; above it the reader presses Run. */
export const AUTO_RUN_MAX = 1000;

/** Runs the plan's scenarios in order, reporting progress over the whole plan. */
function runPlan(onStep: (text: string) => void): Perform<FanoutInput, FanoutResult> {
  return async (client, input, onProgress) => {
    const plan = fanoutPlan(input);
    const total = plan.reduce((n, s) => n + planWeight(s), 0);
    let done = 0;
    const runs: RunSnapshot[] = [];
    for (const [i, step] of plan.entries()) {
      const weight = planWeight(step);
      onStep(`${step.hub === 'mqtt' ? 'MQTT broker' : 'WebSocket server'}, ${step.subscribers.toLocaleString('en-US')} subscribers, ${step.withMessages ? 'with the messages' : 'connections only'} (run ${i + 1} of ${plan.length})`);
      // The scenarios are bounded by the widget's own limits (at most 10,000 nodes, 13.5 s), so
      // the worker need not ask the reader about their size; no trace records are shipped.
      runs.push(
        await client.run(step.scenario, { traceLimit: 0, confirmed: true }, (p) =>
          onProgress({ simTimeUs: p.simTimeUs, endTimeUs: p.endTimeUs, fraction: (done + weight * p.fraction) / total }),
        ),
      );
      done += weight;
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
    // A run's progress is its simulated time, and thousands of clients connect in its first
    // moments: at 9,998 the first per cent takes tens of seconds, longer than the client's
    // default 20 s without progress before it stops a run as runaway.
    { client: new SimClient({ stallMs: STALL_MS }), cancelStale: true, initial: this.first.value },
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
