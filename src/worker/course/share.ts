/**
 * Chapter 10's second experiment in the worker: a stream of jobs to k consumers through one broker,
 * as a shared subscription and as plain subscriptions, with or without consumer c1 dropping off
 * the network (./share-scenario.ts, ./share-run.ts); the figures the prose quotes and its questions.
 */
import * as z from 'zod';
import { numericQuestion } from './checks.ts';
import { once } from './module.ts';
import { courseShare } from './share-run.ts';
import { DROP_AT_S, MAX_CONSUMERS, SHARE_DEFAULTS, type ShareInput } from './share-scenario.ts';
import { defineCourseModule } from './module.ts';
import type { CheckQuestion } from './types.ts';

export const shareInputSchema = z.strictObject({
  consumers: z.number().int().min(1).max(MAX_CONSUMERS),
  jobsPerS: z.union([z.literal(10), z.literal(50), z.literal(200)]),
  drop: z.boolean(),
  keepaliveS: z.union([z.literal(10), z.literal(60)]),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
}) satisfies z.ZodType<ShareInput>;

const at = (change: Partial<ShareInput>) => once(() => courseShare({ ...SHARE_DEFAULTS, ...change }));
export const SHARE_RUNS = {
  defaults: at({}),
  noDrop: at({ drop: false }),
  keepalive60: at({ keepaliveS: 60 }),
  /** Four consumers (a count the page's first answer does not show), for a transfer question. */
  four: at({ consumers: 4 }),
} as const;

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

function shareFigures() {
  const d = SHARE_RUNS.defaults();
  const calm = SHARE_RUNS.noDrop();
  const long = SHARE_RUNS.keepalive60();
  const s = d.shared;
  return {
    dropAt: `${DROP_AT_S} s`,
    produced: int(s.produced),
    calmEach: calm.shared.consumers.map((c) => int(c.received)).join(', '),
    plainEach: int(calm.plain.consumers[0]!.received),
    c1Before: int(s.consumers[0]!.received),
    othersAfter: s.consumers.slice(1).map((c) => int(c.received)).join(' and '),
    sentToDropped: int(s.sentToDropped),
    cutOff: `${int(s.cutOffAtS ?? 0)} s`,
    silentFor: `${int((s.cutOffAtS ?? DROP_AT_S) - DROP_AT_S)} s`,
    lost: int(s.neverReceived),
    discarded: int(s.discardedWithSession),
    plainLost: int(d.plain.neverReceived),
    long60Produced: int(long.shared.produced),
    long60CutOff: `${int(long.shared.cutOffAtS ?? 0)} s`,
    long60Lost: int(long.shared.neverReceived),
    long60QueueFull: int(long.shared.queueFull),
    long60Discarded: int(long.shared.discardedWithSession),
  };
}

function shareChecks(): CheckQuestion[] {
  const d = SHARE_RUNS.defaults();
  const four = SHARE_RUNS.four().shared;
  const s = d.shared;
  const silent = (s.cutOffAtS ?? DROP_AT_S) - DROP_AT_S;
  const rate = SHARE_DEFAULTS.jobsPerS;
  return [
    numericQuestion(
      'ch10-share-lost',
      `${four.consumers.length} consumers share $share/workers/jobs; the producer publishes ${rate} QoS 1 jobs a second. Consumer c1 loses its network (no DISCONNECT); the broker cuts it off ${silent} s later, when its ${SHARE_DEFAULTS.keepaliveS} s keepalive has run out, and c1 had a clean session. How many jobs does no consumer ever get?`,
      four.neverReceived,
      [
        { value: 0, slip: 'Expects the broker to hand c1\'s jobs to the others. MQTT 5 allows it, but mosquitto does not: the jobs stay in c1\'s session and are discarded with it.' },
        { value: four.sentToDropped, slip: 'Counts only the jobs written to c1\'s connection (the in-flight window). The broker keeps choosing c1 in its turn until it cuts it off; those jobs wait in c1\'s queue and are lost too.' },
        { value: rate * silent, slip: 'Counts every job of the silent time. Only c1\'s turns are lost: one job in every consumer count.' },
      ],
      ' jobs',
      `${int(four.neverReceived)}: for ${silent} s one job in ${four.consumers.length} went to c1 (about ${rate} / ${four.consumers.length} × ${silent}); ${four.sentToDropped} of them were written to its dead connection, the rest queued in its session, and all were discarded when the broker ended the session (${int(four.discardedWithSession)} discarded).`,
    ),
    {
      id: 'ch10-share-vs-plain',
      prompt: `Three consumers, ${rate} jobs a second. With $share/workers/jobs each got about a third; with a plain subscription to jobs, what does each consumer get, and what does the broker send?`,
      choices: [
        'Each gets every job; the broker sends three copies of each job.',
        'Each gets a third; the broker picks one at random.',
        'Each gets every job; the broker sends one copy, which the network duplicates.',
        'Only the first subscriber gets the jobs.',
      ],
      answer: 0,
      slips: [
        null,
        'A plain subscription has no group: every matching subscriber gets its own copy. Sharing happens only under $share/.',
        'TCP is point to point: the broker writes every copy on each consumer\'s own connection.',
        'MQTT delivers to every matching subscription; no subscriber takes a message away from another unless they share a group.',
      ],
      explanation: `Measured without a drop: with the plain subscription each consumer received ${SHARE_RUNS.noDrop().plain.consumers.map((c) => int(c.received)).join(', ')} of ${int(SHARE_RUNS.noDrop().plain.produced)} jobs; shared, ${SHARE_RUNS.noDrop().shared.consumers.map((c) => int(c.received)).join(', ')}.`,
    },
  ];
}

export const share = defineCourseModule({
  name: 'share',
  input: shareInputSchema,
  defaults: SHARE_DEFAULTS,
  // The build asks for the defaults for the page's first answer and the figures: one computation.
  run: (input) => (JSON.stringify(input) === JSON.stringify(SHARE_DEFAULTS) ? SHARE_RUNS.defaults() : courseShare(input)),
  figures: shareFigures,
  checks: shareChecks,
});

declare module './module.ts' {
  interface CourseModules {
    share: typeof share;
  }
}
