/**
 * What the build computes once for every page (server side only: imported by .astro components,
 * which never reach the browser). The simulator is deterministic, so a figure computed here is
 * the one the worker would compute in the reader's browser.
 */
import type { CheckName, FigureKey } from '../../../worker/api.ts';
import { courseChecks, courseFigures } from '../../../worker/course/index.ts';
import type { CheckQuestion } from '../../../worker/course/types.ts';

let figures: Record<string, string> | null = null;

/** A figure for the prose; an unknown key fails the build (never a page saying "not available"). */
export function buildFigure(key: FigureKey): string {
  figures ??= courseFigures();
  const value = figures[key];
  if (value === undefined) throw new Error(`<Measure of="${key}">: there is no such figure. Figures are named <module>.<figure>, from the course modules' figures() in src/worker/course/.`);
  return value;
}

/** A module's questions; a name without questions fails the build. */
export function buildChecks(name: CheckName): CheckQuestion[] {
  const questions = courseChecks(name);
  if (questions.length === 0) throw new Error(`<UnderstandingCheck of="${name}">: that course module has no checks().`);
  return questions;
}
