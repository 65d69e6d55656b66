/**
 * The chapter widgets' side of the worker (SimApi's `course*` methods): one function per method.
 * Figures and checks for chapter 1 need the MQTT and WebSocket roles in the runtime; a build
 * without them leaves those figures out (the page says "not available") rather than inventing them.
 */
import { chapter1Checks, chapter2Checks, chapter3Checks } from './checks.ts';
import { chapter1Figures, chapter2Figures, chapter3Figures } from './figures.ts';
import { courseTwoWays, TWO_WAYS_DEFAULTS } from './twoWays.ts';
import type { CheckQuestion, CourseFigures, TwoWaysResult } from './types.ts';

export { courseOverhead } from './overhead.ts';
export { courseHandshake } from './handshake.ts';
export { courseTwoWays, TWO_WAYS_DEFAULTS } from './twoWays.ts';

let defaultRun: TwoWaysResult | null = null;

/** Chapter 1's run with the widget's default settings (computed once per worker). */
function chapter1Run(): TwoWaysResult {
  defaultRun ??= courseTwoWays(TWO_WAYS_DEFAULTS);
  return defaultRun;
}

export function courseFigures(): CourseFigures {
  let ch1: CourseFigures = {};
  try {
    ch1 = chapter1Figures(chapter1Run());
  } catch {
    // The roles chapter 1 needs are not in this build: its figures stay absent.
  }
  return { ...ch1, ...chapter2Figures(), ...chapter3Figures() };
}

export function courseChecks(chapter: 1 | 2 | 3): CheckQuestion[] {
  if (chapter === 1) return chapter1Checks(chapter1Run());
  if (chapter === 2) return chapter2Checks();
  return chapter3Checks();
}
