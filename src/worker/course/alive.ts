/**
 * Chapter 7, "Staying alive, and closing": MQTT keepalive and WebSocket ping/pong against a NAT
 * that forgets idle connections or a network that goes dark; when each end notices, what it is
 * told and what is lost meanwhile (./alive-run.ts runs it). The figures the prose quotes and the
 * chapter's questions are computed here from named runs.
 */
import { defineCourseModule } from './module.ts';
import { courseAlive } from './alive-run.ts';
import { aliveChecks } from './alive-checks.ts';
import { ALIVE_DEFAULTS, aliveFigures, aliveInput } from './alive-figures.ts';
import type { AliveInput } from './alive-types.ts';

export const alive = defineCourseModule({
  name: 'alive',
  input: aliveInput,
  defaults: ALIVE_DEFAULTS,
  run: (input: AliveInput) => courseAlive(input),
  figures: aliveFigures,
  checks: () => aliveChecks(),
});

declare module './module.ts' {
  interface CourseModules {
    alive: typeof alive;
  }
}
