/**
 * Chapter 8's fan-out, run in Node or the worker: every run of the plan (./fanout-scenario.ts)
 * through ./fanout-step.ts, as the page's widget asks for them one by one, and the runs the prose
 * and the questions quote, each computed once per build.
 */
import { runFanoutStep } from './fanout-step.ts';
import { FANOUT_DEFAULTS, fanoutPlan, fanoutResult, pointAtN, type FanoutInput, type FanoutPoint, type FanoutResult } from './fanout-scenario.ts';
import { once } from './module.ts';

export function courseFanout(input: FanoutInput): FanoutResult {
  return fanoutResult(input, fanoutPlan(input).map(runFanoutStep));
}

/** Only the point at the input's N (no ladder below it): for figures that need one count. */
export function fanoutAtN(input: FanoutInput): FanoutPoint {
  const runs = fanoutPlan(input, [input.subscribers]).map(runFanoutStep);
  return pointAtN(fanoutResult(input, runs, [input.subscribers]));
}

const at = (change: Partial<FanoutInput>) => once(() => courseFanout({ ...FANOUT_DEFAULTS, ...change }));

export const FANOUT_RUNS = {
  /** The widget's defaults (100 subscribers, QoS 0, 100 bytes, a 1 Gbit/s hub): 1, 10 and 100. */
  defaults: at({}),
  /** The ladder up to 1,000 subscribers at the defaults. */
  thousand: at({ subscribers: 1000 }),
  /** 1,000 subscribers behind a 100 Mbit/s hub (that point only). */
  thousandSlowHub: once(() => fanoutAtN({ ...FANOUT_DEFAULTS, subscribers: 1000, hubMbps: 100 })),
  /** QoS 1, up to 100 subscribers. */
  qos1: at({ qos: 1 }),
  /** A count the page's ladder does not show (for a transfer question). */
  fifty: once(() => fanoutAtN({ ...FANOUT_DEFAULTS, subscribers: 50 })),
} as const;

/** The point of a run at `n` subscribers. */
export function pointOf(run: FanoutResult, n: number): FanoutPoint {
  const p = run.points.find((x) => x.subscribers === n);
  if (!p) throw new Error(`no point at ${n} subscribers in the run`);
  return p;
}

export { pointAtN };
