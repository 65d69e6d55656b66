/**
 * Chapter 5, "Delivery guarantees": MQTT QoS 0, 1 and 2 with clean and kept sessions, and
 * WebSocket raw, with application acknowledgements, and with acknowledgements and resume, through
 * the same outage in the middle of a stream (./guarantees-run.ts runs it). The figures the prose
 * quotes and the chapter's questions are computed here from named runs.
 */
import { defineCourseModule } from './module.ts';
import { courseGuarantees } from './guarantees-run.ts';
import { guaranteesChecks } from './guarantees-checks.ts';
import { GUARANTEES_DEFAULTS, guaranteesFigures, guaranteesInput } from './guarantees-figures.ts';
import type { GuaranteesInput } from './guarantees-types.ts';

export const guarantees = defineCourseModule({
  name: 'guarantees',
  input: guaranteesInput,
  defaults: GUARANTEES_DEFAULTS,
  run: (input: GuaranteesInput) => courseGuarantees(input, { compare: true }),
  figures: guaranteesFigures,
  checks: () => guaranteesChecks(),
});

declare module './module.ts' {
  interface CourseModules {
    guarantees: typeof guarantees;
  }
}
