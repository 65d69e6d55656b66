/**
 * The simulator's Web Worker: implements `SimApi` (./api.ts) and exposes it with comlink. It is
 * the only place in the site that imports the simulator for more than types.
 *
 * A run is synchronous inside the worker, so the page stays free while it goes on; progress is
 * posted through the caller's comlink proxy at most every `progressEveryMs` of wall-clock time.
 * Cancelling is the page terminating this worker (./client.ts), which needs nothing from here.
 */
import * as Comlink from 'comlink';
import type { TraceStore } from '../../simulator/core/trace-store.ts';
import { bigRunNote, estimateRun, resourceProblems } from '../../simulator/scenarios/estimate.ts';
import { parseScenario, type Scenario } from '../../simulator/scenarios/schema.ts';
import { APP_VERSION } from '../lib/version.ts';
import { DEFAULT_TRACE_LIMIT, SIM_API_VERSION, type RunOptions, type RunOutcome, type RunProgress, type SimApi } from './api.ts';
import { browserEventBudget, runSimulation, traceFormat } from './runtime.ts';
import { runCourse } from './course/index.ts';
import { makeSnapshot } from './snapshot.ts';
import { mqttDescribePackets, wsDescribeFrames, wsEncodeFrame } from './inspect.ts';

let runCounter = 0;
let lastRun: { runId: number; trace: TraceStore } | null = null;

const api: SimApi = {
  hello() {
    return { apiVersion: SIM_API_VERSION, appVersion: APP_VERSION };
  },

  validate(json) {
    const parsed = parseScenario(json);
    return parsed.ok ? { ok: true, scenario: parsed.scenario } : { ok: false, errors: parsed.errors };
  },

  run(json, options: RunOptions = {}, onProgress?: (p: RunProgress) => void): RunOutcome {
    const parsed = parseScenario(json);
    if (!parsed.ok) return { ok: false, errors: parsed.errors };
    // Estimated before anything runs (simulator/scenarios/estimate.ts): a link must never take the tab down.
    const tooBig = resourceProblems(parsed.scenario);
    if (tooBig.length > 0) return { ok: false, errors: tooBig, tooBig: true };
    // Within the limits but big: the page asks the reader first ("Run anyway"), as the CLI does.
    const big = options.confirmed ? null : bigRunNote(estimateRun(parsed.scenario));
    if (big !== null) return { ok: false, errors: [big], confirm: true };
    const seed = options.seed ?? parsed.scenario.seed;
    const scenario: Scenario = { ...parsed.scenario, seed };
    const everyMs = options.progressEveryMs ?? 100;
    let lastReport = -Infinity;
    const report = (p: RunProgress, force = false) => {
      const now = performance.now();
      if (!onProgress || (!force && now - lastReport < everyMs)) return;
      lastReport = now;
      // Fire and forget: awaiting the page would stall the run for a round trip each time.
      void Promise.resolve(onProgress(p)).catch(() => {});
    };
    const run = runSimulation(scenario, seed, (p) => report(p), browserEventBudget(scenario));
    const runId = ++runCounter;
    lastRun = { runId, trace: run.trace };
    report({ simTimeUs: run.durationUs, endTimeUs: run.durationUs, fraction: 1 }, true);
    return {
      ok: true,
      snapshot: makeSnapshot({
        runId,
        scenario: options.omitScenario ? null : scenario,
        seed,
        appVersion: APP_VERSION,
        durationUs: run.durationUs,
        trace: run.trace,
        metrics: run.metrics,
        traceLimit: options.traceLimit ?? DEFAULT_TRACE_LIMIT,
        ...(options.rows ? { rows: options.rows } : {}),
      }),
    };
  },

  course: runCourse as SimApi['course'],

  wsEncodeFrame,
  wsDescribeFrames,
  mqttDescribePackets,

  traceSlice(runId, from, count, kinds) {
    if (!lastRun || lastRun.runId !== runId) return { total: 0, records: [] };
    return lastRun.trace.select(kinds ?? [], from, count);
  },

  traceFormat,

  traceColumns(runId) {
    if (!lastRun || lastRun.runId !== runId) return null;
    // The buffers move to the page (postMessage's transfer list), not copied.
    const { columns, transfer } = lastRun.trace.columns();
    return Comlink.transfer(columns, transfer);
  },
};

Comlink.expose(api);
