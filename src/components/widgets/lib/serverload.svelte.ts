/**
 * Chapter 10's "one server, many clients" widget state: the reader's settings and the answer for
 * them. The answer at the defaults comes from the build (the `serverLoad` course module); any other
 * is computed live, the plan's runs (src/worker/course/serverload-scenario.ts) sent to a worker of
 * the widget's own one after another (the `serverLoadStep` module), with progress as each ends; a
 * newer setting stops the runs it replaces, and Cancel stops them (as chapter 8's ./fanout.svelte.ts).
 */
import { SimClient, type SimError } from '../../../worker/client.ts';
import {
  SERVERLOAD_DEFAULTS, serverLoadPlan, serverLoadResult, serverLoadWeight,
  type HubLoad, type ServerLoadInput, type ServerLoadResult, type ServerLoadStep,
} from '../../../worker/course/serverload-scenario.ts';
import { WorkerTask, type Perform } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

export const SERVERLOAD_START: ServerLoadInput = SERVERLOAD_DEFAULTS;
export const DEVICE_STEPS = [1, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 9998] as const;
/** Up to this many devices a change runs at once; above it the reader presses Run. */
export const SERVERLOAD_AUTO_RUN_MAX = 1000;

function runPlan(onStep: (text: string) => void): Perform<ServerLoadInput, ServerLoadResult> {
  return async (client, input, onProgress) => {
    const plan = serverLoadPlan(input);
    const total = plan.reduce((n, s) => n + serverLoadWeight(s), 0);
    let done = 0;
    const runs: HubLoad[] = [];
    for (const [i, step] of plan.entries()) {
      onStep(`Run ${i + 1} of ${plan.length}: ${step.hub === 'mqtt' ? 'MQTT broker' : 'WebSocket server'}, ${step.devices.toLocaleString('en-US')} devices`);
      // No call timeout: thousands of devices take as long as they take; the schema bounds the input.
      runs.push(await client.call((api) => (api.course as unknown as (name: 'serverLoadStep', step: ServerLoadStep) => Promise<HubLoad>)('serverLoadStep', step), { timeoutMs: 0 }));
      done += serverLoadWeight(step);
      onProgress({ simTimeUs: 0, endTimeUs: 0, fraction: done / total });
    }
    onStep('');
    return serverLoadResult(input, runs);
  };
}

export class ServerLoadState {
  devices = $state(SERVERLOAD_START.devices);
  everyS = $state<ServerLoadInput['everyS']>(SERVERLOAD_START.everyS);
  qos = $state<0 | 1>(SERVERLOAD_START.qos);
  seed = $state(SERVERLOAD_START.seed);
  step = $state('');
  readonly first = initialAnswer('serverLoad');
  readonly task = new WorkerTask<ServerLoadInput, ServerLoadResult>(runPlan((text) => (this.step = text)), {
    client: new SimClient(),
    cancelStale: true,
    initial: this.first.value,
  });

  get result(): ServerLoadResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get input(): ServerLoadInput {
    return { devices: this.devices, everyS: this.everyS, qos: this.qos, seed: this.seed };
  }

  #requested = $state.raw<ServerLoadInput | null>(this.first.value?.input ?? null);

  get stale(): boolean {
    return !sameInput(this.input, this.#requested ?? undefined);
  }

  get needsRun(): boolean {
    return this.stale && this.devices > SERVERLOAD_AUTO_RUN_MAX;
  }

  async refresh(force = false): Promise<void> {
    const input = this.input;
    if (!this.stale || (!force && input.devices > SERVERLOAD_AUTO_RUN_MAX)) return;
    this.#requested = input;
    await this.task.request(input);
  }

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
