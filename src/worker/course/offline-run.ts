/**
 * Chapter 6 in the worker: runs the reader's schedule on MQTT and on WebSocket
 * (./offline-scenario.ts) and reads per message and subscriber what happened (./offline-fates.ts),
 * the wills, and when each side noticed that a device had gone.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import { parseScenario, type Scenario } from '../../../simulator/scenarios/schema.ts';
import { APP_VERSION } from '../../lib/version.ts';
import { DEFAULT_TRACE_LIMIT } from '../api.ts';
import { makeSnapshot } from '../snapshot.ts';
import { countOutcomes, mqttFates, mqttKnew, onlineIntervals, wsFates, wsNoticed } from './offline-fates.ts';
import { mqttScenario, RUN_S, scheduleProblems, SUBSCRIBERS, wsScenario } from './offline-scenario.ts';
import type { MessageFate, OfflineInput, OfflineResult, OutcomeCounts, PresenceEvent, WillEvent } from './offline-types.ts';

/** Events one run may use (the default MQTT run needs about 25,000). */
const EVENT_BUDGET = 2_000_000;

export interface OneRun {
  scenario: Scenario;
  trace: TraceRecord[];
  endTime: number;
}

export function runSide(input: OfflineInput, side: 'mqtt' | 'ws'): OneRun {
  const problems = scheduleProblems(input);
  if (problems.length > 0) throw new RangeError(`outages: ${problems.join('; ')}`);
  const parsed = parseScenario(side === 'mqtt' ? mqttScenario(input) : wsScenario(input));
  if (!parsed.ok) throw new Error(`chapter 6's ${side} scenario is not valid: ${parsed.errors.join('; ')}`);
  const run = runScenario(parsed.scenario, watched({ seed: input.seed, eventBudget: EVENT_BUDGET }));
  return { scenario: parsed.scenario, trace: run.trace, endTime: run.endTime };
}

const secs = (ms: number) => `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 2 })} s`;

/** The text summary: per subscriber, what it got and what it missed, and the wills. */
export function summarize(counts: Record<'phone' | 'tablet', OutcomeCounts>, wills: WillEvent[], fates: MessageFate[]): string[] {
  const lines: string[] = [];
  for (const sub of SUBSCRIBERS) {
    const c = counts[sub];
    const parts = [
      `${c.live} live`,
      c.queued > 0 ? `${c.queued} kept by the broker while it was away and delivered when it came back` : '',
      c.held > 0 ? `${c.held} held by a publisher that was offline and delivered late` : '',
      c.retained > 0 ? `${c.retained} retained message${c.retained === 1 ? '' : 's'} on subscribing` : '',
      c.will > 0 ? `${c.will} will${c.will === 1 ? '' : 's'}` : '',
      c.queueFull > 0 ? `${c.queueFull} dropped at the queue bound` : '',
      c.qos0NotQueued > 0 ? `${c.qos0NotQueued} QoS 0 not queued while it was away` : '',
      c.beforeJoin > 0 ? `${c.beforeJoin} sent before it joined and not retained` : '',
      c.lost > 0 ? `${c.lost} lost otherwise` : '',
      c.inFlight > 0 ? `${c.inFlight} still on the way at the end` : '',
    ].filter((x) => x !== '');
    lines.push(`The ${sub}: ${parts.join(', ')}.`);
  }
  for (const w of wills) {
    const got = fates.filter((f) => f.label === `will of ${w.device}`).map((f) => `${f.subscriber} at ${secs(f.deliveredMs ?? 0)}${f.outcome === 'retained' ? ' (retained, on subscribing)' : ''}`);
    lines.push(`The ${w.device}'s will was published at ${secs(w.atMs)}, ${secs(w.atMs - w.lastHeardMs)} after the broker last heard from it${got.length > 0 ? `; seen by ${got.join(' and ')}` : ''}.`);
  }
  if (wills.length === 0) lines.push('No will was published.');
  return lines;
}

export function courseOffline(input: OfflineInput): OfflineResult {
  const mqttRun = runSide(input, 'mqtt');
  const wsRun = runSide(input, 'ws');
  const endMs = RUN_S * 1000;
  const mqttOnline = onlineIntervals(mqttRun.trace);
  const wsOnline = onlineIntervals(wsRun.trace);
  const { fates, wills } = mqttFates(input, mqttRun.trace, mqttOnline);
  const ws = wsFates(input, wsRun.trace, wsOnline);
  const noticed = wsNoticed(wsRun.trace);
  const knew = mqttKnew(mqttRun.trace);
  const presence: PresenceEvent[] = input.outages
    .filter((o) => o.atS > 0)
    .map((o) => {
      const from = o.atS * 1000;
      const nextOutage = input.outages.filter((x) => x.device === o.device && x.atS > o.atS).map((x) => x.atS * 1000);
      const until = Math.min(endMs, ...nextOutage);
      const will = wills.find((w) => w.device === o.device && w.atMs >= from && w.atMs < until);
      const ws0 = noticed.find((n) => n.device === o.device && n.atMs >= from && n.atMs < until);
      const k = knew.find((n) => n.device === o.device && n.atMs >= from && n.atMs < until);
      return { device: o.device, kind: o.kind, wentMs: from, mqttKnewMs: k?.atMs ?? null, mqttWillMs: will?.atMs ?? null, wsNoticedMs: ws0?.atMs ?? null };
    })
    .sort((a, b) => a.wentMs - b.wentMs);
  const counts = countOutcomes(fates);
  const snapshot = makeSnapshot({
    runId: 0,
    scenario: mqttRun.scenario,
    seed: input.seed,
    appVersion: APP_VERSION,
    durationUs: mqttRun.endTime,
    trace: mqttRun.trace,
    traceLimit: DEFAULT_TRACE_LIMIT,
  });
  return {
    input,
    mqtt: { fates, counts, online: mqttOnline, wills },
    ws: { fates: ws, counts: countOutcomes(ws), online: wsOnline },
    presence,
    snapshot,
    summary: summarize(counts, wills, fates),
  };
}
