/**
 * Chapter 10's "one server, many clients" in Node or the worker: every run of the plan
 * (./serverload-scenario.ts) through ./serverload-step.ts, as the page's widget asks for them one
 * by one, and the runs the prose and the questions quote, each computed once per build.
 */
import { once } from './module.ts';
import { serverLoadPlan, serverLoadResult, SERVERLOAD_DEFAULTS, type HubLoad, type ServerLoadInput, type ServerLoadPoint, type ServerLoadResult } from './serverload-scenario.ts';
import { runServerLoadStep } from './serverload-step.ts';

export function courseServerLoad(input: ServerLoadInput): ServerLoadResult {
  return serverLoadResult(input, serverLoadPlan(input).map(runServerLoadStep));
}

const one = (change: Partial<ServerLoadInput>, hub: 'mqtt' | 'ws') => once((): HubLoad => runServerLoadStep({ ...SERVERLOAD_DEFAULTS, ...change, hub }));

export const SERVERLOAD_RUNS = {
  /** The widget's defaults (1,000 devices, a reading a second each, QoS 1): 10, 100 and 1,000 devices. */
  defaults: once(() => courseServerLoad(SERVERLOAD_DEFAULTS)),
  /** 1,000 devices at QoS 0 (the broker alone). */
  qos0: one({ qos: 0 }, 'mqtt'),
  /** 1,000 devices a reading every 10 s: the message rate of 100 devices every second. */
  slow: one({ everyS: 10 }, 'mqtt'),
} as const;

/** The point of a run at `n` devices. */
export function loadAt(run: ServerLoadResult, n: number): ServerLoadPoint {
  const p = run.points.find((x) => x.devices === n);
  if (!p) throw new Error(`no point at ${n} devices in the run`);
  return p;
}
