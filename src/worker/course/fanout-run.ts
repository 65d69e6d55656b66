/**
 * Chapter 8's fan-out, run in Node or the worker: every scenario of the plan
 * (./fanout-scenario.ts) as the worker's `run` answers it (src/worker/runtime.ts `snapshotOf`,
 * no trace records shipped: the costs need only the metrics), and the runs the prose and the
 * questions quote, each computed once per build.
 */
import type { RunSnapshot } from '../api.ts';
import { snapshotOf } from '../runtime.ts';
import { FANOUT_DEFAULTS, fanoutPlan, fanoutResult, pointAtN, type FanoutInput, type FanoutPoint, type FanoutResult } from './fanout-scenario.ts';
import { once } from './module.ts';

export function courseFanout(input: FanoutInput): FanoutResult {
  const runs: RunSnapshot[] = fanoutPlan(input).map((step) => snapshotOf(step.scenario, 0));
  return fanoutResult(input, runs);
}

/** Only the point at the input's N (no ladder below it): for figures that need one count. */
export function fanoutAtN(input: FanoutInput): FanoutPoint {
  const runs = fanoutPlan(input, [input.subscribers]).map((step) => snapshotOf(step.scenario, 0));
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
