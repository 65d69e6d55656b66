/**
 * Chapter 8's fan-out widget state: the reader's settings, and the answer for them. The answer at
 * the defaults comes from the build (the `fanout` course module); any other comes from the plan's
 * runs (src/worker/course/fanout-scenario.ts), one `fanoutStep` at a time on a worker of the
 * widget's own, with progress and Cancel (./plannedRuns.svelte.ts).
 */
import { FANOUT_DEFAULTS, fanoutPlan, fanoutResult, planWeight, type FanoutInput, type FanoutResult } from '../../../worker/course/fanout-scenario.ts';
import { initialAnswer } from './initial.ts';
import { PlannedRuns, type RunPlan } from './plannedRuns.svelte.ts';

/** The widget's starting settings: the course module's defaults (the build's answer is for them). */
export const FANOUT_START: FanoutInput = FANOUT_DEFAULTS;
export const SUBSCRIBER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 9998] as const;
export const PAYLOAD_STEPS = [10, 20, 50, 100, 200, 500, 1000] as const;
/** Below this many subscribers a change runs at once; above it the reader presses Run. */
export const AUTO_RUN_MAX = 1000;

const FANOUT_PLAN: RunPlan<FanoutInput, FanoutResult, 'fanoutStep'> = {
  module: 'fanoutStep',
  plan: fanoutPlan,
  weight: planWeight,
  describe: (step) => `${step.hub === 'mqtt' ? 'MQTT broker' : 'WebSocket server'}, ${step.subscribers.toLocaleString('en-US')} subscribers, ${step.withMessages ? 'with the messages' : 'connections only'}`,
  result: fanoutResult,
};

export class FanoutState extends PlannedRuns<FanoutInput, FanoutResult, 'fanoutStep'> {
  subscribers = $state(FANOUT_START.subscribers);
  qos = $state<0 | 1>(FANOUT_START.qos);
  payloadBytes = $state(FANOUT_START.payloadBytes);
  hubMbps = $state<100 | 1000>(FANOUT_START.hubMbps);
  seed = $state(FANOUT_START.seed);

  constructor() {
    super(initialAnswer('fanout'), FANOUT_PLAN, AUTO_RUN_MAX);
  }

  get input(): FanoutInput {
    return { subscribers: this.subscribers, qos: this.qos, payloadBytes: this.payloadBytes, hubMbps: this.hubMbps, seed: this.seed };
  }

  get clients(): number {
    return this.subscribers;
  }
}
