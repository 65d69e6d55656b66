/**
 * Chapter 4's second experiment: a 2 MB bulk transfer (tcp-sender -> tcp-sink, the simulator's
 * goodput model: `goodputKbps` of simulator/metrics/flows.ts) at several loss rates, beside the
 * Mathis et al. (1997) curve for Reno in steady state, MSS / RTT x sqrt(3/2) / sqrt(p).
 *
 * The loss is on the data direction only (the sink's downlink), so p is the model's loss rate;
 * the sink's link has the delay (both ways) and a 10 Mbit/s rate, the sender's is perfect, as in
 * the testbed's bulk case (fidelity/cases.ts). The congestion control is the reader's choice:
 * Mathis describes Reno; CUBIC grows faster after a loss and BBR does not take loss as its signal.
 */
import * as z from 'zod';
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { flowMetrics } from '../../../simulator/metrics/flows.ts';
import { defaultTcpOptions } from '../../../simulator/protocols/tcp/defaults.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import type { GoodputInput, GoodputPoint, GoodputResult } from './lossTypes.ts';
import { defineCourseModule, once } from './module.ts';

export const GOODPUT_DEFAULTS: GoodputInput = { congestion: 'cubic', latencyMs: 25, seed: 1 };
export const BULK_BYTES = 2_000_000;
export const LINK_KBPS = 10_000;
export const GOODPUT_LOSSES = [0.5, 1, 2, 5, 10, 20] as const;

/**
 * Mathis et al., "The macroscopic behavior of the TCP congestion avoidance algorithm" (1997):
 * throughput = MSS / RTT x C / sqrt(p) with C = sqrt(3/2), in kbit/s; never above the link's rate.
 */
export function mathisKbps(mss: number, rttMs: number, lossPct: number, linkKbps = LINK_KBPS): number {
  const p = lossPct / 100;
  const kbps = ((mss * 8) / (rttMs / 1000) / 1000) * (Math.sqrt(1.5) / Math.sqrt(p));
  return Math.min(linkKbps, kbps);
}

export function bulkScenario(input: GoodputInput, lossPct: number): unknown {
  const tcp = { congestion: input.congestion };
  return {
    schema: 'wirelab/scenario@1',
    title: `chapter 4: a ${BULK_BYTES / 1e6} MB transfer at ${lossPct}% loss (${input.congestion})`,
    seed: input.seed,
    durationS: 600,
    nodes: [
      { id: 'sink', role: 'tcp-sink', link: { latencyMs: input.latencyMs, jitterMs: 0, lossPct: 0, bandwidthKbps: LINK_KBPS }, down: { lossPct }, tcp },
      { id: 'sender', role: 'tcp-sender', to: 'sink', bytes: BULK_BYTES, startS: 0, link: { latencyMs: 0, jitterMs: 0, lossPct: 0, bandwidthKbps: 0 }, tcp },
    ],
  };
}

function count(trace: readonly TraceRecord[], pred: (r: TraceRecord) => boolean): number {
  let n = 0;
  for (const r of trace) if (pred(r)) n++;
  return n;
}

export function bulkPoint(input: GoodputInput, lossPct: number, mss: number, rttMs: number): GoodputPoint {
  const parsed = parseScenario(bulkScenario(input, lossPct));
  if (!parsed.ok) throw new Error(`the chapter's bulk scenario is not valid: ${parsed.errors.join('; ')}`);
  const run = runScenario(parsed.scenario, watched({ seed: input.seed, eventBudget: 2_000_000 }));
  const flow = flowMetrics(run.trace)[0];
  return {
    lossPct,
    goodputKbps: flow?.goodputKbps ?? null,
    mathisKbps: mathisKbps(mss, rttMs, lossPct),
    completionS: flow?.completionS ?? null,
    retransmits: count(run.trace, (r) => r.kind === 'tcp-retransmit'),
    timeouts: count(run.trace, (r) => r.kind === 'tcp-retransmit' && r.cause === 'rto'),
  };
}

export function courseGoodput(input: GoodputInput): GoodputResult {
  const mss = defaultTcpOptions().mss;
  const rttMs = 2 * input.latencyMs;
  return { input, bytes: BULK_BYTES, mss, rttMs, linkKbps: LINK_KBPS, points: GOODPUT_LOSSES.map((p) => bulkPoint(input, p, mss, rttMs)) };
}

const runs = {
  cubic: once(() => courseGoodput({ ...GOODPUT_DEFAULTS, congestion: 'cubic' })),
  reno: once(() => courseGoodput({ ...GOODPUT_DEFAULTS, congestion: 'reno' })),
  bbr: once(() => courseGoodput({ ...GOODPUT_DEFAULTS, congestion: 'bbr' })),
};

const kbps = (v: number | null | undefined): string => (v === null || v === undefined ? 'no figure (the transfer did not finish)' : `${Math.round(v).toLocaleString('en-US')} kbit/s`);
const at = (r: GoodputResult, lossPct: number): GoodputPoint => {
  const p = r.points.find((x) => x.lossPct === lossPct);
  if (!p) throw new Error(`no goodput point at ${lossPct}%`);
  return p;
};

/** The figures the chapter's prose quotes about the bulk transfers. */
export function goodputFigures() {
  const cubic = runs.cubic();
  const reno = runs.reno();
  const bbr = runs.bbr();
  return {
    mathis1: kbps(at(reno, 1).mathisKbps),
    cubic1: kbps(at(cubic, 1).goodputKbps),
    mathis2: kbps(at(reno, 2).mathisKbps),
    reno2: kbps(at(reno, 2).goodputKbps),
    mathis10: kbps(at(reno, 10).mathisKbps),
    reno10: kbps(at(reno, 10).goodputKbps),
    cubic10: kbps(at(cubic, 10).goodputKbps),
    bbr10: kbps(at(bbr, 10).goodputKbps),
    mathis20: kbps(at(reno, 20).mathisKbps),
    bbr20: kbps(at(bbr, 20).goodputKbps),
    reno20: kbps(at(reno, 20).goodputKbps),
  };
}

/** The bulk transfer beside the Mathis curve (chapter "What loss really does", second widget part). */
export const lossGoodput = defineCourseModule({
  name: 'lossGoodput',
  input: z.strictObject({
    congestion: z.enum(['cubic', 'reno', 'bbr']),
    latencyMs: z.number().min(1).max(200),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  }) satisfies z.ZodType<GoodputInput>,
  defaults: GOODPUT_DEFAULTS,
  run: courseGoodput,
  figures: goodputFigures,
});

declare module './module.ts' {
  interface CourseModules {
    lossGoodput: typeof lossGoodput;
  }
}
