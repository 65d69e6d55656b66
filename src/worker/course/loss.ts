/**
 * Chapter 4 in the worker, "What loss really does": the stream four ways (./lossStreams.ts), the
 * figures its prose quotes (./lossFigures.ts) and its questions (./lossChecks.ts).
 */
import * as z from 'zod';
import { lossChecks } from './lossChecks.ts';
import { lossFigures } from './lossFigures.ts';
import { courseLoss, LOSS_DEFAULTS } from './lossStreams.ts';
import type { LossInput } from './lossTypes.ts';
import { defineCourseModule } from './module.ts';

export const lossInputSchema = z.strictObject({
  lossPct: z.number().min(0).max(20),
  lossModel: z.enum(['random', 'bursty']),
  burstPackets: z.number().min(1).max(20),
  latencyMs: z.number().min(1).max(200),
  everyMs: z.number().int().min(10).max(2000),
  noDelay: z.boolean(),
  congestion: z.enum(['cubic', 'reno', 'bbr']),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
}) satisfies z.ZodType<LossInput>;

/** Chapter "What loss really does": the stream four ways, its figures and questions. */
export const loss = defineCourseModule({
  name: 'loss',
  input: lossInputSchema,
  defaults: LOSS_DEFAULTS,
  run: courseLoss,
  figures: lossFigures,
  checks: lossChecks,
});

declare module './module.ts' {
  interface CourseModules {
    loss: typeof loss;
  }
}
