/**
 * Chapter 5 in the worker: runs the outage experiment (./guarantees-scenario.ts) for the chosen
 * strategy, the same outage for every other strategy (the comparison), and one reading with no
 * outage per level (the round trips each costs), and reads the fates, the broker's limits and the
 * packets from the traces.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import { parseScenario, type Scenario } from '../../../simulator/scenarios/schema.ts';
import { APP_VERSION } from '../../lib/version.ts';
import { DEFAULT_TRACE_LIMIT } from '../api.ts';
import { makeSnapshot } from '../snapshot.ts';
import { brokerLimits, countFates, messageFates, reasonCounts, sensorAcks } from './guarantees-fates.ts';
import { oneReadingWindow, outageWindows } from './guarantees-packets.ts';
import { guaranteesScenario, isMqtt, MQTT_STRATEGIES, OUTAGE_AT_S, STREAM_START_S, WS_STRATEGIES } from './guarantees-scenario.ts';
import type { GuaranteesInput, GuaranteesResult, RoundTripCost, Strategy, StrategyRow } from './guarantees-types.ts';

/** Events one run may use (the default run needs about 60,000; the largest input allowed, under 1,000,000). */
const EVENT_BUDGET = 3_000_000;

export interface OneRun {
  scenario: Scenario;
  trace: TraceRecord[];
  endTime: number;
}

export function runOne(input: GuaranteesInput): OneRun {
  const parsed = parseScenario(guaranteesScenario(input));
  if (!parsed.ok) throw new Error(`chapter 5's scenario is not valid: ${parsed.errors.join('; ')}`);
  const run = runScenario(parsed.scenario, watched({ seed: input.seed, eventBudget: EVENT_BUDGET }));
  return { scenario: parsed.scenario, trace: run.trace, endTime: run.endTime };
}

export function hubLabel(strategy: Strategy): string {
  return isMqtt(strategy) ? 'broker' : 'server';
}

/** One reading, no outage: how long until the dashboard's application has it, in hop round trips. */
export function roundTripCost(input: GuaranteesInput, strategy: Strategy): { cost: RoundTripCost; run: OneRun } {
  const run = runOne({ ...input, strategy, count: 1, impaired: 'none', lossPct: 0 });
  const fate = messageFates(run.trace, strategy)[0];
  const latencyMs = fate?.latencyMs ?? Number.NaN;
  const rttMs = 4 * input.latencyMs;
  const window = oneReadingWindow(run.trace, STREAM_START_S * 1000, hubLabel(strategy), 2 * input.latencyMs);
  // The packets of this reading: everything from its first packet until the dashboard delivered it and the acks settled.
  return { cost: { strategy, latencyMs, roundTrips: Math.round((latencyMs / rttMs) * 100) / 100, packets: window.messages.length }, run };
}

/** The comparison: the same input for every strategy (MQTT at both sessions). */
export function compareStrategies(input: GuaranteesInput, chosen: { strategy: Strategy; session: 'clean' | 'kept'; fates: ReturnType<typeof messageFates> }): StrategyRow[] {
  const rows: StrategyRow[] = [];
  for (const strategy of MQTT_STRATEGIES)
    for (const session of ['clean', 'kept'] as const) {
      const fates = strategy === chosen.strategy && session === chosen.session ? chosen.fates : messageFates(runOne({ ...input, strategy, session }).trace, strategy);
      rows.push({ strategy, session, counts: countFates(fates), reasons: reasonCounts(fates) });
    }
  for (const strategy of WS_STRATEGIES) {
    const fates = strategy === chosen.strategy ? chosen.fates : messageFates(runOne({ ...input, strategy }).trace, strategy);
    rows.push({ strategy, session: null, counts: countFates(fates), reasons: reasonCounts(fates) });
  }
  return rows;
}

export interface GuaranteesOptions {
  /** Run every other strategy too (the widget does; figures that need one number do not). */
  compare?: boolean;
}

export function courseGuarantees(input: GuaranteesInput, options: GuaranteesOptions = {}): GuaranteesResult {
  const run = runOne(input);
  const fates = messageFates(run.trace, input.strategy);
  const outage = input.impaired === 'none' || input.outageS <= 0 ? null : { atMs: OUTAGE_AT_S * 1000, untilMs: (OUTAGE_AT_S + input.outageS) * 1000 };
  const hub = hubLabel(input.strategy);
  const oneWayMs = 2 * input.latencyMs;
  const chosenCost = roundTripCost(input, input.strategy);
  const costs = (['qos0', 'qos1', 'qos2', 'ws-raw', 'ws-acks'] as const).map((s) => (s === input.strategy ? chosenCost.cost : roundTripCost(input, s).cost));
  const one = oneReadingWindow(chosenCost.run.trace, STREAM_START_S * 1000, hub, oneWayMs);
  const snapshot = makeSnapshot({
    runId: 0,
    scenario: run.scenario,
    seed: input.seed,
    appVersion: APP_VERSION,
    durationUs: run.endTime,
    trace: run.trace,
    traceLimit: DEFAULT_TRACE_LIMIT,
  });
  return {
    input,
    rttMs: 4 * input.latencyMs,
    outage,
    fates,
    counts: countFates(fates),
    limits: isMqtt(input.strategy) ? brokerLimits(run.trace, fates) : null,
    sensorAcks: sensorAcks(run.trace),
    windows: [one, ...outageWindows(run.trace, outage, hub, oneWayMs, input.everyMs)],
    costs,
    comparison: options.compare === false ? [] : compareStrategies(input, { strategy: input.strategy, session: input.session, fates }),
    snapshot,
  };
}
