/**
 * What one chapter widget's worker module is (docs/ARCHITECTURE.md, "Adding a chapter"): the
 * schema its input is checked with when it crosses into the worker, the function that computes
 * its answer with the engines, the input the widget starts with, and optionally the figures the
 * chapter prose shows inline (`<Measure of="<module>.<figure>" />`) and the chapter's "check your
 * understanding" questions (`<UnderstandingCheck of="<module>" />`).
 *
 * A module registers itself: ./index.ts finds every `defineCourseModule` export in this folder,
 * and the file adds its name to the `CourseModules` map below with one declaration, so the page's
 * one call `course(name, input)` (SimApi, ../api.ts) is typed by that map:
 *
 *   export const overhead = defineCourseModule({ name: 'overhead', input, defaults, run, figures, checks });
 *   declare module './module.ts' { interface CourseModules { overhead: typeof overhead } }
 */
import type * as z from 'zod';
import type { CheckQuestion } from './types.ts';

/** Every course module by name; each module file adds its own entry (declaration merging). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CourseModules {}

const BRAND = Symbol.for('wirelab.courseModule');

export interface CourseModule<Input, Output, Figure extends string = never> {
  /** The name pages call it by (`course('overhead', input)`), also the prefix of its figures. */
  readonly name: string;
  /** Checks the input the page sends (untrusted: it may come from a permalink). */
  readonly input: z.ZodType<Input>;
  /** The widget's starting input: what the page shows before the reader changes anything. */
  readonly defaults: Input;
  /** Computes the widget's answer; deterministic (same input, same output). */
  run(input: Input): Output;
  /** The figures the prose shows, each computed by the engines with the inputs its sentence names. */
  figures?(): Record<Figure, string>;
  /** The chapter's questions; right answers and wrong choices both computed. */
  checks?(): CheckQuestion[];
}

type WithChecks = { checks(): CheckQuestion[] };

/**
 * Declares a module, keeping its figure names as a literal union and whether it has checks (so
 * `<Measure of>` and `<UnderstandingCheck of>` are typed).
 */
export function defineCourseModule<Input, Output, Figure extends string = never>(module: CourseModule<Input, Output, Figure> & WithChecks): CourseModule<Input, Output, Figure> & WithChecks;
export function defineCourseModule<Input, Output, Figure extends string = never>(module: CourseModule<Input, Output, Figure>): CourseModule<Input, Output, Figure>;
export function defineCourseModule<Input, Output, Figure extends string = never>(module: CourseModule<Input, Output, Figure>): CourseModule<Input, Output, Figure> {
  return Object.assign(module, { [BRAND]: true });
}

/** True for what `defineCourseModule` returned (how ./index.ts finds the modules). */
export function isCourseModule(value: unknown): value is CourseModule<unknown, unknown, string> {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/** Caches a module's run at its defaults (figures and checks of one module share it). */
export function once<T>(compute: () => T): () => T {
  let value: { v: T } | null = null;
  return () => (value ??= { v: compute() }).v;
}
