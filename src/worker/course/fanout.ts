/**
 * Chapter 8 in the worker, "Communication models at scale": one publisher to N subscribers
 * through an MQTT broker and through a WebSocket server with a room (./fanout-scenario.ts), the
 * figures its prose quotes (./fanout-figures.ts) and its questions (./fanout-checks.ts).
 *
 * `run` (./fanout-run.ts) runs every step of the plan with ./fanout-step.ts, so the build's answer
 * is the one the page computes live: the widget asks the worker for the same steps one at a time
 * (`fanoutStep`: progress between them, Cancel, nothing big copied to the page) and puts them
 * together with the same `fanoutResult`.
 */
import * as z from 'zod';
import { fanoutChecks } from './fanout-checks.ts';
import { fanoutFigures } from './fanout-figures.ts';
import { courseFanout } from './fanout-run.ts';
import { FANOUT_DEFAULTS, MAX_SUBSCRIBERS, type FanoutInput } from './fanout-scenario.ts';
import { defineCourseModule } from './module.ts';

export const fanoutInputSchema = z.strictObject({
  subscribers: z.number().int().min(1).max(MAX_SUBSCRIBERS),
  qos: z.union([z.literal(0), z.literal(1)]),
  payloadBytes: z.number().int().min(1).max(1000),
  hubMbps: z.union([z.literal(100), z.literal(1000)]),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
}) satisfies z.ZodType<FanoutInput>;

/** Chapter "Communication models at scale": the fan-out, its figures and questions. */
export const fanout = defineCourseModule({
  name: 'fanout',
  input: fanoutInputSchema,
  defaults: FANOUT_DEFAULTS,
  run: courseFanout,
  figures: fanoutFigures,
  checks: fanoutChecks,
});

declare module './module.ts' {
  interface CourseModules {
    fanout: typeof fanout;
  }
}
