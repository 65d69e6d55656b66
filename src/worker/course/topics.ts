/**
 * Chapter 8's topic explorer in the worker ("Communication models at scale"): the reader's topic
 * tree and filters through the simulator's own broker (./topics-run.ts) and the chapter's questions
 * about matching (./topics-checks.ts).
 */
import * as z from 'zod';
import { defineCourseModule } from './module.ts';
import { topicsChecks } from './topics-checks.ts';
import { courseTopics, MAX_LINE_CHARS, MAX_LINES } from './topics-run.ts';
import { TOPICS_DEFAULTS, type TopicsInput } from './topics-types.ts';

export const topicsInputSchema = z.strictObject({
  topics: z.string().max(MAX_LINES * (MAX_LINE_CHARS + 1)),
  filters: z.string().max(MAX_LINES * (MAX_LINE_CHARS + 1)),
  version: z.enum(['3.1.1', '5']),
  rounds: z.number().int().min(1).max(4),
}) satisfies z.ZodType<TopicsInput>;

/** Chapter "Communication models at scale": topic filters tried against a tree the reader edits. */
export const topics = defineCourseModule({
  name: 'topics',
  input: topicsInputSchema,
  defaults: TOPICS_DEFAULTS,
  run: courseTopics,
  checks: topicsChecks,
});

declare module './module.ts' {
  interface CourseModules {
    topics: typeof topics;
  }
}
