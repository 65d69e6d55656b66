/**
 * The course-module registry: every chapter widget's worker module (./module.ts), by name, found
 * by looking at what the files of this folder export (a new module file registers itself; its
 * `declare module` line adds it to the `CourseModules` type the page's calls are typed by). The
 * worker answers `course(name, input)` from here.
 */
import { isCourseModule, type CourseModules } from './module.ts';
import type { CourseProgress } from '../api.ts';
import type { CheckQuestion } from './types.ts';
import { reportingTo } from './watch.ts';

type Registry = CourseModules;
type Names = keyof Registry;

function collect(files: Record<string, Record<string, unknown>>): Registry {
  const registry: Record<string, unknown> = {};
  for (const [file, exports] of Object.entries(files)) {
    for (const value of Object.values(exports)) {
      if (!isCourseModule(value)) continue;
      if (Object.hasOwn(registry, value.name)) throw new Error(`two course modules are named "${value.name}" (one in ${file})`);
      registry[value.name] = value;
    }
  }
  return registry as unknown as Registry;
}

/** Every course module by name. */
export const COURSE: Registry = collect(import.meta.glob<Record<string, unknown>>(['./*.ts', '!./index.ts'], { eager: true }));

/**
 * Runs one module on an input from the page: the input is checked with the module's schema first,
 * and a bad one throws an error naming the field (the page shows it as text). Its runs report
 * their progress to `onProgress` (./watch.ts).
 */
export function runCourse(name: string, input: unknown, onProgress?: (p: CourseProgress) => void): unknown {
  const module = moduleOf(name);
  const parsed = module.input.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`the ${name} widget's input is not valid: ${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`);
  }
  return reportingTo(onProgress, () => (module.run as (input: unknown) => unknown)(parsed.data));
}

/** Every module's figures, as `<module>.<figure>` keys (the names `<Measure of="...">` takes). */
export function courseFigures(): Record<string, string> {
  const all: Record<string, string> = {};
  for (const name of Object.keys(COURSE) as Names[]) {
    const module: { figures?: () => Record<string, string> } = COURSE[name];
    if (!module.figures) continue;
    for (const [key, value] of Object.entries(module.figures())) all[`${name}.${key}`] = value;
  }
  return all;
}

/** A module's questions (empty when it has none). */
export function courseChecks(name: string): CheckQuestion[] {
  const module: { checks?: () => CheckQuestion[] } = moduleOf(name);
  return module.checks?.() ?? [];
}

function moduleOf(name: string): Registry[Names] {
  if (!Object.hasOwn(COURSE, name)) throw new Error(`there is no course module named "${name}"`);
  return COURSE[name as Names];
}
