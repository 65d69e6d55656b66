/**
 * Chapter 9 in the worker, "Bandwidth and battery on constrained links": the same readings from
 * four devices (WebSocket, MQTT QoS 0, 1, 2) over one of the link presets (./constrainedLinks.ts),
 * what each costs in bytes and radio-on time (./constrainedRun.ts), the figures the prose quotes
 * (./constrainedFigures.ts) and the chapter's questions (./constrainedChecks.ts).
 */
import * as z from 'zod';
import { constrainedChecks } from './constrainedChecks.ts';
import { constrainedFigures } from './constrainedFigures.ts';
import { CONSTRAINED_DEFAULTS } from './constrainedRuns.ts';
import { courseConstrained } from './constrainedRun.ts';
import type { ConstrainedInput } from './constrainedTypes.ts';
import { defineCourseModule } from './module.ts';

export const constrainedInputSchema = z.strictObject({
  link: z.enum(['csd96', 'gprs', 'nbiot', 'ltem', 'geo', 'slow4g']),
  everyS: z.number().int().min(5).max(3600),
  payloadBytes: z.number().int().min(1).max(1000),
  tls: z.boolean(),
  tailS: z.number().min(1).max(30),
  keepaliveS: z.number().int().min(0).max(3600),
  wsHeartbeatS: z.number().int().min(0).max(3600),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
}) satisfies z.ZodType<ConstrainedInput>;

/** Chapter "Bandwidth and battery on constrained links": the four devices, their figures and questions. */
export const constrained = defineCourseModule({
  name: 'constrained',
  input: constrainedInputSchema,
  defaults: CONSTRAINED_DEFAULTS,
  run: courseConstrained,
  figures: constrainedFigures,
  checks: constrainedChecks,
});

declare module './module.ts' {
  interface CourseModules {
    constrained: typeof constrained;
  }
}
