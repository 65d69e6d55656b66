/**
 * One run of chapter 8's fan-out, in the worker (or in Node for the build): the scenario of one
 * step of the plan (./fanout-scenario.ts), run with the metrics reduced as it goes (every record
 * counted, none kept but the message records), and reduced again to its `RunDigest`. The page asks
 * for the plan's runs one at a time, so it can show how far the plan is and stop it, and each
 * answer is a few hundred bytes whatever the number of subscribers: nothing big is copied to the
 * page's main thread.
 */
import * as z from 'zod';
import { MetricsReducer } from '../../../simulator/metrics/index.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { messageRows } from '../snapshot.ts';
import { digestOf, FANOUT_DEFAULTS, fanoutScenario, MAX_SUBSCRIBERS, type FanoutStep, type RunDigest } from './fanout-scenario.ts';
import { defineCourseModule } from './module.ts';

export const fanoutStepSchema = z.strictObject({
  subscribers: z.number().int().min(1).max(MAX_SUBSCRIBERS),
  qos: z.union([z.literal(0), z.literal(1)]),
  payloadBytes: z.number().int().min(1).max(1000),
  hubMbps: z.union([z.literal(100), z.literal(1000)]),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  hub: z.enum(['mqtt', 'ws']),
  withMessages: z.boolean(),
}) satisfies z.ZodType<FanoutStep>;

export function runFanoutStep(step: FanoutStep): RunDigest {
  const parsed = parseScenario(fanoutScenario(step.hub, step, step.withMessages));
  if (!parsed.ok) throw new Error(`the fan-out scenario is not valid: ${parsed.errors.join('; ')}`);
  const metrics = new MetricsReducer();
  // traceLimit 0: no packet record is kept (message records always are); the metrics see every record.
  const run = runScenario(parsed.scenario, watched({ seed: step.seed, traceLimit: 0, sinks: [metrics] }));
  return digestOf(step.hub, step.subscribers, { metrics: metrics.result(), messages: messageRows(run.trace) });
}

/** One run of the fan-out plan (the page's widget asks for each in turn). */
export const fanoutStep = defineCourseModule({
  name: 'fanoutStep',
  input: fanoutStepSchema,
  defaults: { ...FANOUT_DEFAULTS, hub: 'mqtt', withMessages: true } satisfies FanoutStep,
  run: runFanoutStep,
});

declare module './module.ts' {
  interface CourseModules {
    fanoutStep: typeof fanoutStep;
  }
}
