/**
 * Chapter 10's "one server, many clients" widget state: the reader's settings and the answer for
 * them. The answer at the defaults comes from the build (the `serverLoad` course module); any other
 * comes from the plan's runs (src/worker/course/serverload-scenario.ts), one `serverLoadStep` at a
 * time on a worker of the widget's own, with progress and Cancel (./plannedRuns.svelte.ts).
 */
import {
  SERVERLOAD_DEFAULTS, serverLoadPlan, serverLoadResult, serverLoadWeight, type ServerLoadInput, type ServerLoadResult,
} from '../../../worker/course/serverload-scenario.ts';
import { initialAnswer } from './initial.ts';
import { PlannedRuns, type RunPlan } from './plannedRuns.svelte.ts';

export const SERVERLOAD_START: ServerLoadInput = SERVERLOAD_DEFAULTS;
export const DEVICE_STEPS = [1, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 9998] as const;
/** Up to this many devices a change runs at once; above it the reader presses Run. */
export const SERVERLOAD_AUTO_RUN_MAX = 1000;

const SERVERLOAD_PLAN: RunPlan<ServerLoadInput, ServerLoadResult, 'serverLoadStep'> = {
  module: 'serverLoadStep',
  plan: serverLoadPlan,
  weight: serverLoadWeight,
  describe: (step) => `${step.hub === 'mqtt' ? 'MQTT broker' : 'WebSocket server'}, ${step.devices.toLocaleString('en-US')} devices`,
  result: serverLoadResult,
};

export class ServerLoadState extends PlannedRuns<ServerLoadInput, ServerLoadResult, 'serverLoadStep'> {
  devices = $state(SERVERLOAD_START.devices);
  everyS = $state<ServerLoadInput['everyS']>(SERVERLOAD_START.everyS);
  qos = $state<0 | 1>(SERVERLOAD_START.qos);
  seed = $state(SERVERLOAD_START.seed);

  constructor() {
    super(initialAnswer('serverLoad'), SERVERLOAD_PLAN, SERVERLOAD_AUTO_RUN_MAX);
  }

  get input(): ServerLoadInput {
    return { devices: this.devices, everyS: this.everyS, qos: this.qos, seed: this.seed };
  }

  get clients(): number {
    return this.devices;
  }
}
