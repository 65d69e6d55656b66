/**
 * The build's server render of a widget (reached only through `virtual:wirelab/server`, see
 * src/lib/buildTimePlugin.mjs): the course modules run here at their defaults, so a widget's HTML
 * holds its real first answer, and charts are drawn into a server DOM (linkedom).
 */
import { parseHTML } from 'linkedom';
import type { CourseName, CourseOutput, RunSnapshot } from '../../../worker/api.ts';
import { COURSE, runCourse } from '../../../worker/course/index.ts';
import { snapshotOf } from '../../../worker/runtime.ts';

const answers = new Map<string, unknown>();
let dom: Document | null = null;

export const serverSide = {
  /** Module `name` at its defaults (computed once per build). */
  course<K extends CourseName>(name: K): CourseOutput<K> {
    if (!answers.has(name)) answers.set(name, runCourse(name, COURSE[name].defaults));
    return answers.get(name) as CourseOutput<K>;
  },
  /** The Lab's first run (its default preset), as the worker would answer it (src/worker/sim.worker.ts). */
  lab(json: unknown, traceLimit: number): RunSnapshot {
    return snapshotOf(json, traceLimit);
  },
  /** A document to draw charts into. */
  document(): Document {
    dom ??= parseHTML('<!doctype html><html><body></body></html>').document as unknown as Document;
    return dom;
  },
};
