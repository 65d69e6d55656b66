/**
 * Chapter 1 in the worker: one temperature sensor and three dashboards, wired with MQTT (sensor ->
 * broker -> 3 subscribers) and with WebSocket (sensor -> server -> 3 browsers), run together in one
 * scenario through the runtime. What comes back is, per wiring, its picture (nodes and links) and
 * every packet's trip over each half of each link, for the widget's animation and counters.
 *
 * The network is the simulator's star: a packet from A to B crosses A's uplink and then B's
 * downlink. The picture draws one line per device (sensor or dashboard) to its hub (broker or
 * server); a packet's first half of that line is the sender's access link, its second half the
 * receiver's. Counters count a packet on a line once, when it enters the line.
 */
import * as z from 'zod';
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { parseConnId } from '../../../simulator/metrics/conn.ts';
import { latencySummary } from '../../../simulator/metrics/percentile.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import type { TopologyLink, TopologyNode } from '../../charts/topology.ts';
import { APP_VERSION } from '../../lib/version.ts';
import { DEFAULT_TRACE_LIMIT } from '../api.ts';
import { makeSnapshot } from '../snapshot.ts';
import { numericQuestion } from './checks.ts';
import { msText } from './figures.ts';
import { defineCourseModule, once } from './module.ts';
import { SAMPLE_TOPIC } from './samples.ts';
import type { LinkTrip, ReadingOutcome, TwoWaysInput, TwoWaysResult, WiredSystem } from './types.ts';
import { followReadings, outcomeCounts } from './twoWaysReadings.ts';

export const TWO_WAYS_DEFAULTS: TwoWaysInput = { latencyMs: 20, lossPct: 0, seed: 1, everyMs: 1000, payloadBytes: 20, durationS: 6, mqttNoDelay: false };

const DASHBOARDS = 3;

interface Wiring {
  protocol: 'mqtt' | 'websocket';
  hub: string;
  sensor: string;
  dashboards: string[];
  hubLabel: string;
  sensorLabel: string;
  dashLabel: (i: number) => string;
}

const MQTT: Wiring = {
  protocol: 'mqtt', hub: 'broker', sensor: 'sensor', dashboards: ['dash-1', 'dash-2', 'dash-3'],
  hubLabel: 'broker', sensorLabel: 'sensor', dashLabel: (i) => `dashboard ${i + 1}`,
};
const WS: Wiring = {
  protocol: 'websocket', hub: 'server', sensor: 'ws-sensor', dashboards: ['browser-1', 'browser-2', 'browser-3'],
  hubLabel: 'server', sensorLabel: 'sensor', dashLabel: (i) => `browser ${i + 1}`,
};

/**
 * The scenario both wirings run in (same links, same seed); valid `wirelab/scenario@1`.
 * `brokerAcksAtOnce` turns the broker's delayed ACKs off: not a reader's setting, the model a
 * question's wrong answer comes from (a receiver that ACKs every PUBLISH at once).
 */
export function twoWaysScenario(input: TwoWaysInput, stopS?: number, brokerAcksAtOnce = false): unknown {
  const publish = { payloadBytes: input.payloadBytes, everyMs: input.everyMs, startS: 1, ...(stopS !== undefined ? { stopS } : {}) };
  // mqtt.js and mosquitto leave Nagle on; the reader may turn it off on every MQTT node.
  const tcp = input.mqttNoDelay ? { tcp: { nagle: false } } : {};
  const brokerTcp = brokerAcksAtOnce ? { tcp: { ...(input.mqttNoDelay ? { nagle: false } : {}), delayedAck: false } } : tcp;
  return {
    schema: 'wirelab/scenario@1',
    seed: input.seed,
    durationS: input.durationS,
    defaults: { link: { latencyMs: input.latencyMs, jitterMs: 0, lossPct: input.lossPct } },
    nodes: [
      { id: MQTT.hub, role: 'mqtt-broker', ...brokerTcp },
      { id: MQTT.sensor, role: 'mqtt-client', ...tcp, mqtt: { version: '3.1.1' }, publish: [{ topic: SAMPLE_TOPIC, qos: 0, ...publish }] },
      ...MQTT.dashboards.map((id) => ({ id, role: 'mqtt-client', ...tcp, mqtt: { version: '3.1.1' }, subscribe: [{ topic: SAMPLE_TOPIC, qos: 0 }] })),
      // The server relays every message from one client to all its other clients (a "room").
      { id: WS.hub, role: 'ws-server', ws: { rooms: true } },
      { id: WS.sensor, role: 'ws-client', send: [{ ...publish, to: WS.hub }] },
      ...WS.dashboards.map((id) => ({ id, role: 'ws-client', send: [] })),
    ],
  };
}

function picture(w: Wiring): { nodes: TopologyNode[]; links: TopologyLink[] } {
  const zero = () => ({ packets: 0, bytes: 0 });
  const nodes: TopologyNode[] = [
    { id: w.sensor, label: w.sensorLabel, x: 0, y: 0.5, role: w.protocol === 'mqtt' ? 'publisher' : 'WebSocket client' },
    { id: w.hub, label: w.hubLabel, x: 0.42, y: 0.5, role: w.protocol === 'mqtt' ? 'MQTT broker' : 'WebSocket server' },
    ...w.dashboards.map((id, i) => ({ id, label: w.dashLabel(i), x: 1, y: i / (DASHBOARDS - 1), role: w.protocol === 'mqtt' ? 'subscriber' : 'WebSocket client' })),
  ];
  const links: TopologyLink[] = [
    { id: `${w.sensor}|${w.hub}`, a: w.sensor, b: w.hub, ab: zero(), ba: zero() },
    ...w.dashboards.map((id) => ({ id: `${w.hub}|${id}`, a: w.hub, b: id, ab: zero(), ba: zero() })),
  ];
  return { nodes, links };
}

/** Which device a connection id names besides the hub (`client:port-server:port`). */
function deviceOf(conn: string | undefined, w: Wiring): string | undefined {
  const ends = conn ? parseConnId(conn) : undefined;
  if (!ends) return undefined;
  return [ends.client, ends.server].find((n) => n !== w.hub && (n === w.sensor || w.dashboards.includes(n)));
}

/** Every packet's trip over each half of each drawn link, from the link records of the trace. */
export function tripsOf(trace: readonly TraceRecord[], w: Wiring, links: TopologyLink[], packetReadings?: Map<string, number[]>): LinkTrip[] {
  const devices = new Set([w.sensor, ...w.dashboards]);
  const linkIndex = (device: string) => links.findIndex((l) => l.a === device || l.b === device);
  const open = new Map<string, LinkTrip>();
  const trips: LinkTrip[] = [];
  for (const r of trace) {
    if (r.kind !== 'link-send' && r.kind !== 'link-receive' && r.kind !== 'link-drop') continue;
    const [from, to] = r.link.split('->') as [string, string];
    const node = from === 'core' ? to : from;
    const outgoing = from !== 'core';
    let device: string | undefined;
    if (devices.has(node)) device = node;
    else if (node === w.hub) device = deviceOf(r.conn, w);
    if (device === undefined) continue;
    const index = linkIndex(device);
    if (index < 0) continue;
    const key = `${r.link}#${r.packet}`;
    if (r.kind === 'link-send') {
      const line = links[index]!;
      // Direction along the drawn line a -> b: the packet leaves `node` or arrives at it.
      const towardsB = outgoing ? node === line.a : node === line.b;
      const trip: LinkTrip = {
        link: index,
        dir: towardsB ? 'ab' : 'ba',
        half: outgoing ? 0 : 1,
        sentUs: r.t,
        endUs: r.t,
        bytes: r.bytes,
        dropped: false,
        // Header-only TCP segments (SYN, ACK, FIN) are 40 + options bytes; anything larger carries data.
        kind: r.bytes > 60 ? 'data' : 'control',
      };
      const readings = packetReadings?.get(key);
      if (readings !== undefined) trip.readings = readings;
      open.set(key, trip);
      trips.push(trip);
    } else {
      const trip = open.get(key);
      if (!trip) continue;
      trip.endUs = r.t;
      trip.dropped = r.kind === 'link-drop';
      open.delete(key);
    }
  }
  // Still travelling at the end of the run: leave endUs = Infinity-like (the run's end) to the caller.
  for (const trip of open.values()) trip.endUs = Number.MAX_SAFE_INTEGER;
  return trips;
}

function countOf(trace: readonly TraceRecord[], pred: (r: TraceRecord) => boolean): number {
  let n = 0;
  for (const r of trace) if (pred(r)) n++;
  return n;
}

/**
 * Latency from the sensor's send call to each dashboard's delivery, one value per (reading,
 * dashboard) delivered. MQTT flows already run publisher -> subscriber. A WebSocket reading is
 * two flows: sensor -> server, then server -> browser; the server relays a reading at the moment
 * it is delivered to it, so a relayed send is matched to the delivery at the same instant.
 */
export function endToEndLatencies(trace: readonly TraceRecord[], w: Wiring): number[] {
  const flowTo = new Map<string, string>();
  const upstream = new Set<string>();
  for (const r of trace) {
    if (r.kind !== 'flow') continue;
    if (r.from === w.sensor && w.dashboards.includes(r.to)) flowTo.set(r.flow, r.to);
    else if (r.from === w.sensor && r.to === w.hub) upstream.add(r.flow);
    else if (r.from === w.hub && w.dashboards.includes(r.to)) flowTo.set(r.flow, r.to);
  }
  const sentAt = new Map<string, number>();
  // Upstream deliveries by instant: the origin send times of readings the hub got at that instant.
  const relayOrigins = new Map<number, number[]>();
  const taken = new Map<string, number>();
  const origin = new Map<string, number>();
  const seen = new Set<string>();
  const out: number[] = [];
  for (const r of trace) {
    if (r.kind === 'app-send') {
      const key = `${r.flow}#${r.msg}`;
      if (sentAt.has(key)) continue;
      sentAt.set(key, r.t);
      if (flowTo.has(r.flow) && w.protocol === 'websocket') {
        // A relayed copy: its origin is the n-th reading the hub received at this instant.
        const at = relayOrigins.get(r.t) ?? [];
        const slot = `${r.flow}@${r.t}`;
        const n = taken.get(slot) ?? 0;
        taken.set(slot, n + 1);
        if (at[n] !== undefined) origin.set(key, at[n]!);
      } else if (flowTo.has(r.flow)) {
        origin.set(key, r.t);
      }
    } else if (r.kind === 'app-deliver') {
      const key = `${r.flow}#${r.msg}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (upstream.has(r.flow)) {
        const t0 = sentAt.get(key);
        if (t0 !== undefined) relayOrigins.set(r.t, [...(relayOrigins.get(r.t) ?? []), t0]);
      } else if (flowTo.has(r.flow)) {
        const t0 = origin.get(key);
        if (t0 !== undefined) out.push((r.t - t0) / 1000);
      }
    }
  }
  return out;
}

/** When the sensor's schedule asks for a reading (µs): every `everyMs` from 1 s, before the end (or `stopS`). */
export function readingSchedule(input: TwoWaysInput, stopS?: number): number[] {
  const end = Math.min(input.durationS, stopS ?? Infinity) * 1e6;
  const out: number[] = [];
  for (let t = 1e6; t < end; t += Math.round(input.everyMs * 1000)) out.push(t);
  return out;
}

function system(trace: readonly TraceRecord[], w: Wiring, scheduleUs: number[]): WiredSystem {
  const { nodes, links } = picture(w);
  const followed = followReadings(trace, w, scheduleUs);
  const trips = tripsOf(trace, w, links, followed.packetReadings);
  const isData = (r: TraceRecord, node: string) =>
    w.protocol === 'mqtt'
      ? r.kind === 'mqtt-packet' && r.node === node && r.dir === 'send' && r.type.toLowerCase() === 'publish'
      : r.kind === 'ws-frame' && r.node === node && r.dir === 'send' && (r.opcode === 'text' || r.opcode === 'binary');
  const readings = countOf(trace, (r) => isData(r, w.sensor));
  const copies = countOf(trace, (r) => isData(r, w.hub));
  const latencies = followed.readings.flatMap((r) => r.deliveredUs.flatMap((at) => (at === undefined ? [] : [(at - r.sentUs) / 1000])));
  const summary = latencySummary(latencies);
  return {
    protocol: w.protocol,
    nodes,
    links,
    trips,
    latencyMs: summary.p50 === null ? null : { p50: summary.p50, max: summary.max! },
    delivered: latencies.length,
    sent: followed.readings.length * w.dashboards.length,
    readings: followed.readings,
    outcomes: outcomeCounts(followed.readings),
    sensorOpenUs: followed.sensorOpenUs,
    sensorSynRetries: followed.sensorSynRetries,
    fanoutPerReading: readings > 0 ? Math.round((copies / readings) * 100) / 100 : 0,
  };
}

export function courseTwoWays(input: TwoWaysInput, brokerAcksAtOnce = false): TwoWaysResult {
  const parsed = parseScenario(twoWaysScenario(input, undefined, brokerAcksAtOnce));
  if (!parsed.ok) throw new Error(`the chapter's scenario is not valid: ${parsed.errors.join('; ')}`);
  const run = runScenario(parsed.scenario, watched({ seed: input.seed, eventBudget: 2_000_000 }));
  // The same snapshot the Lab gets for a run, so the widget's exports (messages and packets CSV,
  // JSON importable in the Lab) are the shared ones.
  const snapshot = makeSnapshot({
    runId: 0,
    scenario: parsed.scenario,
    seed: input.seed,
    appVersion: APP_VERSION,
    durationUs: run.endTime,
    trace: run.trace,
    traceLimit: DEFAULT_TRACE_LIMIT,
  });
  const schedule = readingSchedule(input);
  return { input: { ...input, mqttNoDelay: input.mqttNoDelay ?? false }, durationUs: run.endTime, mqtt: system(run.trace, MQTT, schedule), websocket: system(run.trace, WS, schedule), snapshot };
}

/**
 * Lost, or only late? Both wirings at `lossPct`, seeds 1..`seeds`, readings for the widget's 5
 * seconds, then a minute with nothing new, so whatever TCP is still resending has time to arrive.
 */
export function settledOutcomes(lossPct: number, seeds: number): { mqtt: Record<ReadingOutcome, number>; websocket: Record<ReadingOutcome, number>; slowestMs: number; slowestWaitedMs: number } {
  const total = () => ({ delivered: 0, 'on-the-way': 0, 'not-sent': 0, missed: 0 });
  const out = { mqtt: total(), websocket: total(), slowestMs: 0, slowestWaitedMs: 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    const input = { ...TWO_WAYS_DEFAULTS, lossPct, seed, durationS: 66 };
    const parsed = parseScenario(twoWaysScenario(input, TWO_WAYS_DEFAULTS.durationS));
    if (!parsed.ok) throw new Error(`the chapter's scenario is not valid: ${parsed.errors.join('; ')}`);
    const run = runScenario(parsed.scenario, watched({ seed, eventBudget: 2_000_000 }));
    const schedule = readingSchedule(input, TWO_WAYS_DEFAULTS.durationS);
    for (const w of [MQTT, WS]) {
      const followed = followReadings(run.trace, w, schedule);
      const counts = outcomeCounts(followed.readings);
      for (const k of Object.keys(counts) as ReadingOutcome[]) out[w.protocol][k] += counts[k];
      for (const r of followed.readings) {
        for (const at of r.deliveredUs) {
          if (at === undefined || (at - r.sentUs) / 1000 <= out.slowestMs) continue;
          out.slowestMs = (at - r.sentUs) / 1000;
          // How much of that it spent at the sensor, waiting for its connection to open.
          out.slowestWaitedMs = ((r.leftUs ?? r.sentUs) - r.sentUs) / 1000;
        }
      }
    }
  }
  return out;
}

/** The run at the widget's defaults, which the figures and questions describe (computed once). */
const defaultRun = once(() => courseTwoWays(TWO_WAYS_DEFAULTS));
/** The same at 10 and 20 readings a second, with the libraries' defaults and with TCP_NODELAY. */
const fastRuns = once(() => ({
  at10: courseTwoWays({ ...TWO_WAYS_DEFAULTS, everyMs: 100 }),
  at20: courseTwoWays({ ...TWO_WAYS_DEFAULTS, everyMs: 50 }),
  at20NoDelay: courseTwoWays({ ...TWO_WAYS_DEFAULTS, everyMs: 50, mqttNoDelay: true }),
}));
/** Longer access links (50 ms) at 10 readings a second: readings closer than the round trip. */
const SLOW_LINK_EVERY_MS = 100;
const SLOW_LINK: TwoWaysInput = { ...TWO_WAYS_DEFAULTS, latencyMs: 50, everyMs: SLOW_LINK_EVERY_MS };
const slowLinkRuns = once(() => ({
  defaults: courseTwoWays(SLOW_LINK),
  noDelay: courseTwoWays({ ...SLOW_LINK, mqttNoDelay: true }),
  // The same with a broker that ACKs every PUBLISH at once, for the slip that forgets delayed ACKs.
  brokerAcksAtOnce: courseTwoWays(SLOW_LINK, true),
}));
const SETTLE_LOSS_PCT = 10;
const SETTLE_SEEDS = 10;
const settledRun = once(() => settledOutcomes(SETTLE_LOSS_PCT, SETTLE_SEEDS));

/** Chapter "Two protocols": one system wired two ways, its figures and questions. */
export const twoWays = defineCourseModule({
  name: 'twoWays',
  input: z.strictObject({
    latencyMs: z.number().min(0).max(500),
    lossPct: z.number().min(0).max(30),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    everyMs: z.number().int().min(50).max(60_000),
    payloadBytes: z.number().int().min(0).max(65_535),
    durationS: z.number().min(1).max(60),
    mqttNoDelay: z.boolean().optional(),
  }) satisfies z.ZodType<TwoWaysInput>,
  defaults: TWO_WAYS_DEFAULTS,
  run: courseTwoWays,
  figures: () => {
    const run = defaultRun();
    const p50 = (v: { p50: number } | null) => (v ? msText(v.p50) : 'nothing delivered');
    const fast = fastRuns();
    const settled = settledRun();
    const both = (k: ReadingOutcome) => settled.mqtt[k] + settled.websocket[k];
    const expected = both('delivered') + both('on-the-way') + both('not-sent') + both('missed');
    return {
      mqttLatencyP50: p50(run.mqtt.latencyMs),
      wsLatencyP50: p50(run.websocket.latencyMs),
      mqttFanout: String(run.mqtt.fanoutPerReading),
      wsFanout: String(run.websocket.fanoutPerReading),
      // The sensor's round trip to its hub: its access link and the hub's, both ways.
      hubRttMs: msText(4 * TWO_WAYS_DEFAULTS.latencyMs),
      mqttLatencyP50At10: p50(fast.at10.mqtt.latencyMs),
      mqttLatencyP50At20: p50(fast.at20.mqtt.latencyMs),
      wsLatencyP50At20: p50(fast.at20.websocket.latencyMs),
      mqttLatencyP50At20NoDelay: p50(fast.at20NoDelay.mqtt.latencyMs),
      settledLossPct: `${SETTLE_LOSS_PCT} %`,
      settledSeeds: String(SETTLE_SEEDS),
      settledExpected: String(expected),
      settledDelivered: String(both('delivered')),
      settledOnTheWay: String(both('on-the-way')),
      settledMissed: String(both('missed')),
      settledNotSentWs: String(settled.websocket['not-sent']),
      settledSlowest: msText(settled.slowestMs),
      settledSlowestWaited: msText(settled.slowestWaitedMs),
    };
  },
  checks: () => {
    const { mqtt: m, websocket: w } = defaultRun();
    const slow = slowLinkRuns();
    const mqttP50 = slow.defaults.mqtt.latencyMs?.p50 ?? NaN;
    const wsP50 = slow.defaults.websocket.latencyMs?.p50 ?? NaN;
    const noDelayP50 = slow.noDelay.mqtt.latencyMs?.p50 ?? NaN;
    const acksAtOnceP50 = slow.brokerAcksAtOnce.mqtt.latencyMs?.p50 ?? NaN;
    return [
      numericQuestion(
        'ch1-fanout',
        'In the MQTT wiring, how many PUBLISH packets does the broker send for each reading the sensor publishes?',
        m.fanoutPerReading,
        [1, m.fanoutPerReading + 1, 2 * m.fanoutPerReading],
        '',
        `${m.fanoutPerReading}: one per subscribed dashboard. The sensor sends one; the copies are the broker's work.`,
      ),
      numericQuestion(
        'ch1-ws-fanout',
        'In the WebSocket wiring, how many frames does the server write for each reading it receives?',
        w.fanoutPerReading,
        [0, 1, w.fanoutPerReading + 1],
        '',
        `${w.fanoutPerReading}: the server's own loop writes the reading to each browser's connection: the same fan-out, done by your code.`,
      ),
      numericQuestion(
        'ch1-nagle',
        `Make every access link 50 ms and send ${1000 / SLOW_LINK_EVERY_MS} readings a second, with the libraries' defaults. What median latency, sensor to dashboard, does the MQTT wiring show?`,
        mqttP50,
        [
          { value: wsP50, slip: `that is the WebSocket wiring's: readings ${SLOW_LINK_EVERY_MS} ms apart come faster than the ${4 * 50} ms round trip to the broker, so Nagle holds each one for the ACK of the one before` },
          { value: wsP50 / 2, slip: 'counts two access links: a reading crosses four (sensor up, broker down, broker up, dashboard down)' },
          { value: acksAtOnceP50, slip: "that is what a broker that ACKs every PUBLISH at once would give. The broker's Linux, having answered the sensor's CONNECT, is in interactive mode and holds its ACK of the first PUBLISH 40 ms, hoping to send it with an answer; Nagle passes that wait on to every reading behind it" },
        ],
        ' ms',
        `${mqttP50} ms against ${wsP50} ms over WebSocket: readings come faster than the round trip to the broker, so Nagle holds each PUBLISH (at the sensor and at the broker) for the ACK of the one before, and the broker's first ACK is a delayed one, which every later reading inherits (${acksAtOnceP50} ms if the broker ACKed at once). With TCP_NODELAY on the MQTT side it is ${noDelayP50} ms.`,
      ),
    ];
  },
});

declare module './module.ts' {
  interface CourseModules {
    twoWays: typeof twoWays;
  }
}
