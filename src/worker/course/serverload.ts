/**
 * Chapter 10 in the worker, "Scaling out: one server, many clients", first experiment: N devices
 * to an MQTT broker with one dashboard and to a WebSocket server (./serverload-scenario.ts), what
 * the hub holds and carries, the figures its prose quotes (./serverload-figures.ts) and its
 * questions (./serverload-checks.ts).
 *
 * `run` runs every step of the plan with ./serverload-step.ts, so the build's answer is the one the
 * page computes live: the widget asks the worker for the same steps one at a time.
 */
import * as z from 'zod';
import { serverLoadChecks } from './serverload-checks.ts';
import { serverLoadFigures } from './serverload-figures.ts';
import { courseServerLoad, SERVERLOAD_RUNS } from './serverload-run.ts';
import { SERVERLOAD_DEFAULTS, type ServerLoadInput } from './serverload-scenario.ts';
import { serverLoadFields } from './serverload-step.ts';
import { defineCourseModule } from './module.ts';

export const serverLoad = defineCourseModule({
  name: 'serverLoad',
  input: z.strictObject(serverLoadFields) satisfies z.ZodType<ServerLoadInput>,
  defaults: SERVERLOAD_DEFAULTS,
  // The build asks for the defaults for the page's first answer and the figures: one computation.
  run: (input) => (JSON.stringify(input) === JSON.stringify(SERVERLOAD_DEFAULTS) ? SERVERLOAD_RUNS.defaults() : courseServerLoad(input)),
  figures: serverLoadFigures,
  checks: serverLoadChecks,
});

declare module './module.ts' {
  interface CourseModules {
    serverLoad: typeof serverLoad;
  }
}
