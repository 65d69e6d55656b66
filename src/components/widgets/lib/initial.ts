/**
 * A widget's first answer, computed when the site is built and carried in its HTML: the build's
 * server render runs the course module at its defaults (the simulator is deterministic, so this is
 * what the worker would answer), the widget renders it, and writes it into a hidden element; in
 * the browser the widget reads it back before hydrating, so the page shows real figures at once,
 * nothing shifts when the widget wakes, and the worker starts only when the reader changes something.
 *
 *   const first = initialAnswer('overhead');
 *   const task = courseTask('overhead', { initial: first.value });
 *   <div hidden {...first.attributes}></div>
 */
import { serverSide } from 'virtual:wirelab/server';
import type { CourseName, CourseOutput } from '../../../worker/api.ts';
import { decodeAnswer, encodeAnswer } from './answerCodec.ts';

export { sameInput } from './answerCodec.ts';

export interface InitialAnswer<T> {
  value: T | null;
  /** Spread on a hidden element: carries the answer from the build to the browser. */
  attributes: { 'data-wl-course': string; 'data-wl-answer': string };
}

export function initialAnswer<K extends CourseName>(name: K): InitialAnswer<CourseOutput<K>> {
  if (serverSide) {
    const value = serverSide.course(name);
    return { value, attributes: { 'data-wl-course': name, 'data-wl-answer': encodeAnswer(value) } };
  }
  const text = typeof document === 'undefined' ? null : document.querySelector(`[data-wl-course="${name}"]`)?.getAttribute('data-wl-answer') ?? null;
  let value: CourseOutput<K> | null = null;
  try {
    value = text ? (decodeAnswer(text) as CourseOutput<K>) : null;
  } catch {
    value = null; // a damaged page: the widget asks the worker instead
  }
  return { value, attributes: { 'data-wl-course': name, 'data-wl-answer': text ?? '' } };
}
