/** The chapter figures, fetched from the worker once per page and shared by every <Measure>. */
import type { CourseFigures } from '../../../worker/course/types.ts';
import { sharedClient } from '../../../worker/client.ts';

let figures: Promise<CourseFigures> | null = null;

export function courseFigures(): Promise<CourseFigures> {
  figures ??= sharedClient().call((api) => api.courseFigures());
  // A failed request is not cached: the next <Measure> asks again.
  figures.catch(() => (figures = null));
  return figures;
}
