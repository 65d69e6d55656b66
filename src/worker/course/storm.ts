/**
 * Chapter 11, "Scaling out: many servers, one failing": WebSocket clients behind a sticky balancer,
 * one server failing and the reconnect storm that follows (./storm-run.ts runs it). The figures the
 * prose quotes and the chapter's questions are computed here from named runs.
 */
import { defineCourseModule } from './module.ts';
import { courseStorm } from './storm-run.ts';
import { stormChecks } from './storm-checks.ts';
import { STORM_DEFAULTS, stormFigures, stormInput } from './storm-figures.ts';
import type { StormInput } from './storm-types.ts';

export const storm = defineCourseModule({
  name: 'storm',
  input: stormInput,
  defaults: STORM_DEFAULTS,
  run: (input: StormInput) => courseStorm(input),
  figures: stormFigures,
  checks: () => stormChecks(),
});

declare module './module.ts' {
  interface CourseModules {
    storm: typeof storm;
  }
}
