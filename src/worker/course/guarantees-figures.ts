/**
 * Chapter 5's figures: the named runs the prose quotes (`<Measure of="guarantees.x" />`), each
 * computed once per build, and the input the widget starts with.
 */
import * as z from 'zod';
import { msText } from './figures.ts';
import { once } from './module.ts';
import { courseGuarantees, roundTripCost } from './guarantees-run.ts';
import { GUARANTEES_DEFAULTS, type GuaranteesInput, type GuaranteesResult } from './guarantees-types.ts';

export { GUARANTEES_DEFAULTS };

export const guaranteesInput = z.strictObject({
  strategy: z.enum(['qos0', 'qos1', 'qos2', 'ws-raw', 'ws-acks', 'ws-resume']),
  session: z.enum(['clean', 'kept']),
  impaired: z.enum(['sensor', 'hub', 'dashboard', 'none']),
  outageS: z.number().min(0).max(60),
  count: z.number().int().min(1).max(300),
  everyMs: z.number().int().min(50).max(5000),
  latencyMs: z.number().min(0.5).max(200),
  lossPct: z.number().min(0).max(20),
  mqttVersion: z.enum(['3.1.1', '5']),
  keepaliveS: z.number().int().min(1).max(120),
  subscriptionQos: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  brokerInflight: z.number().int().min(1).max(1000),
  brokerQueue: z.number().int().min(1).max(10_000),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
}) satisfies z.ZodType<GuaranteesInput>;

const D = GUARANTEES_DEFAULTS;
export const QUOTA_SEEDS = [1, 2, 3, 4, 5];
/** The named runs the prose quotes (each computed once per build). */
export const figureRuns = {
  /** The default: QoS 1, kept sessions, the broker's link dark. */
  qos1Kept: once(() => courseGuarantees(D, { compare: true })),
  /**
   * The testbed's "mqtt qos2 defaults loss 20%" case (fidelity/cases.ts): 60 readings every 50 ms
   * at QoS 2, clean sessions, keepalive 60 s, 20 % loss on the broker's link and no outage, for
   * seeds 1 to 5, in MQTT 3.1.1 and 5: late PUBRELs use up mosquitto's receive quota of 20.
   */
  quotaRuns: once(() =>
    (['3.1.1', '5'] as const).map((mqttVersion) =>
      QUOTA_SEEDS.map((seed) =>
        courseGuarantees({ ...D, strategy: 'qos2', session: 'clean', impaired: 'hub', outageS: 0, lossPct: 20, count: 60, everyMs: 50, keepaliveS: 60, mqttVersion, seed }, { compare: false }),
      ),
    ),
  ),
  /** A kept session whose queue holds 10 messages, the dashboard offline for 10 s. */
  smallQueue: once(() => courseGuarantees({ ...D, impaired: 'dashboard', brokerQueue: 10 }, { compare: false })),
  /** QoS 2 from the sensor, but the dashboard subscribed at QoS 0. */
  downgraded: once(() => courseGuarantees({ ...D, strategy: 'qos2', impaired: 'dashboard', subscriptionQos: 0 }, { compare: false })),
  qos2Cost: once(() => roundTripCost(D, 'qos2')),
};

function row(result: GuaranteesResult, strategy: string, session: string | null) {
  const r = result.comparison.find((c) => c.strategy === strategy && c.session === session);
  if (!r) throw new Error(`no comparison row for ${strategy} ${session}`);
  return r.counts;
}

const s = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
/** "0, 32, 7, 9 and 2". */
const listText = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
const seconds = (ms: number | null) => (ms === null ? 'nothing delivered' : `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} s`);

export function guaranteesFigures() {
    const base = figureRuns.qos1Kept();
    const [quota311, quota5] = figureRuns.quotaRuns();
    const list = (runs: GuaranteesResult[]) => listText(runs.map((r) => s(r.limits?.quotaDenied ?? 0)));
    const queue = figureRuns.smallQueue();
    const down = figureRuns.downgraded();
    const cost = (strategy: string) => base.costs.find((c) => c.strategy === strategy)!;
    const qos2 = figureRuns.qos2Cost();
    return {
      readings: s(D.count),
      outageS: `${D.outageS} s`,
      rttMs: msText(base.rttMs),
      qos0RoundTrips: s(cost('qos0').roundTrips),
      qos1RoundTrips: s(cost('qos1').roundTrips),
      qos2RoundTrips: s(cost('qos2').roundTrips),
      qos0LatencyMs: msText(cost('qos0').latencyMs),
      qos2LatencyMs: msText(cost('qos2').latencyMs),
      qos2Packets: s(qos2.cost.packets),
      wsLatencyMs: msText(cost('ws-raw').latencyMs),
      qos1KeptLost: s(base.counts.lost),
      qos1KeptDuplicated: s(base.counts.duplicated),
      qos1KeptMaxWait: seconds(base.counts.maxLatencyMs),
      qos0KeptLost: s(row(base, 'qos0', 'kept').lost),
      qos1CleanLost: s(row(base, 'qos1', 'clean').lost),
      qos2CleanLost: s(row(base, 'qos2', 'clean').lost),
      qos2KeptLost: s(row(base, 'qos2', 'kept').lost),
      qos2KeptDuplicated: s(row(base, 'qos2', 'kept').duplicated),
      wsRawLost: s(row(base, 'ws-raw', null).lost),
      wsAcksLost: s(row(base, 'ws-acks', null).lost),
      wsAcksDuplicated: s(row(base, 'ws-acks', null).duplicated),
      wsResumeLost: s(row(base, 'ws-resume', null).lost),
      wsResumeDuplicated: s(row(base, 'ws-resume', null).duplicated),
      quotaReadings: s(quota311![0]!.counts.sent),
      quotaLost311: list(quota311!),
      quotaLost5: list(quota5!),
      quotaLostAll311: s(quota311!.reduce((sum, r) => sum + r.counts.lost, 0)),
      smallQueueLost: s(queue.limits?.queueDropped ?? 0),
      downgradedLost: s(down.counts.lost),
    };
  }
