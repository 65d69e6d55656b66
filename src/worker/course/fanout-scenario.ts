/**
 * Chapter 8's fan-out experiment as scenarios, and how its costs are read from the runs. Pure and
 * free of simulator code (types only), because both sides use it: the course module (./fanout.ts)
 * for the build's figures, and the page's widget, which sends the same scenarios to the worker one
 * at a time (the `fanoutStep` module, ./fanout-step.ts) so that thousands of subscribers never block
 * the page: each run is reduced to a few numbers where it ran (`RunDigest`), so what crosses to the
 * page is a few hundred bytes, not a snapshot of 10,000 flows.
 *
 * One publisher, one hub, N subscribers, twice: an MQTT broker (mosquitto's behaviour) with N
 * subscribers to one topic, and a WebSocket server relaying each message of one client to the
 * others in its room (the `ws` library's behaviour; roles/ws-server.ts `rooms`).
 *
 * What one published message costs is measured as a difference of two runs of the same scenario
 * with the same seed: one in which the publisher sends MESSAGES messages once every connection is
 * up, one in which it sends none. The simulator is deterministic and the publisher's send timers
 * draw no random numbers, so both runs make exactly the same connections until the first message
 * (tests/widgets/course/fanout.test.ts checks this against the trace, packet by packet): what the
 * first run has more is what the messages cost. Counted on each node's access link (every packet
 * and every byte of IPv4 + TCP + payload that crosses it, ACKs included; the link layer is not counted).
 */
import type { FlowMetrics, LinkMetrics, MessageRow } from '../api.ts';

export type Hub = 'mqtt' | 'ws';

export interface FanoutInput {
  /** Subscribers (MQTT) or other members of the room (WebSocket), 1 to MAX_SUBSCRIBERS. */
  subscribers: number;
  /** MQTT QoS of the publisher and of every subscription (WebSocket has none). */
  qos: 0 | 1;
  /** Application bytes in each message. */
  payloadBytes: number;
  /** The hub's access link, Mbit/s. */
  hubMbps: 100 | 1000;
  seed: number;
}

export const FANOUT_DEFAULTS: FanoutInput = { subscribers: 100, qos: 0, payloadBytes: 100, hubMbps: 1000, seed: 1 };

/**
 * A scenario holds at most 10,000 nodes (simulator/scenarios/limits.ts `nodes`; a test keeps the
 * two equal): the publisher, the hub and 9,998 subscribers. A plain number here, as the page may
 * not import simulator code.
 */
export const MAX_SUBSCRIBERS = 9_998;
/** Messages the publisher sends in the measured run; figures are per message (total / MESSAGES). */
export const MESSAGES = 5;
/** The one topic: 11 bytes in every PUBLISH. */
export const TOPIC = 'rooms/lobby';
/** The subscriber counts the chart shows, up to the reader's N (which is added to them). */
export const LADDER = [1, 10, 100, 1000] as const;
/** Every client's own access link: 10 Mbit/s, 10 ms one way. */
export const CLIENT_LINK = { latencyMs: 10, jitterMs: 0, lossPct: 0, bandwidthKbps: 10_000 };
/**
 * The hub's queue holds a whole burst (N SYNs at once, then N copies of a message): with Linux's
 * default 1,000 packets, a fan-out to thousands at one instant overflows it, and TCP resends what
 * was dropped. That is a real effect, but not this chapter's subject.
 */
export const HUB_QUEUE_PACKETS = 100_000;
/** mqtt.js's keepalive (60 s): the runs stay shorter, so no PINGREQ falls into either run. */
const KEEPALIVE_LIMIT_S = 60;

export const HUB_NODE: Record<Hub, string> = { mqtt: 'broker', ws: 'server' };
export const PUBLISHER = 'pub';
export const subscriberId = (i: number): string => `s${i + 1}`;

/** When the publisher starts, the time between its messages and the run's length, seconds. */
export function fanoutTiming(input: FanoutInput): { startS: number; gapS: number; durationS: number } {
  const bps = input.hubMbps * 1e6;
  const tenths = (s: number) => Math.ceil(s * 10) / 10;
  // Setting up a subscriber moves about 600 bytes across the hub's link (SYN, CONNECT, SUBSCRIBE,
  // their answers and ACKs); allow twice the time that takes, after 1 s.
  const startS = tenths(1 + (2 * input.subscribers * 600 * 8) / bps);
  // One message's copies leave the hub one after another: allow twice that before the next.
  const gapS = tenths(Math.max(0.5, 0.3 + (2 * input.subscribers * (input.payloadBytes + 80) * 8) / bps));
  const durationS = tenths(startS + MESSAGES * gapS + 1);
  if (durationS >= KEEPALIVE_LIMIT_S) throw new Error(`the fan-out run would last ${durationS} s, past the 60 s keepalive`);
  return { startS, gapS, durationS };
}

/** The scenario (`wirelab/scenario@1`) for one hub, with or without the publisher's messages. */
export function fanoutScenario(hub: Hub, input: FanoutInput, withMessages: boolean): Record<string, unknown> {
  const { startS, gapS, durationS } = fanoutTiming(input);
  const schedule = { payloadBytes: input.payloadBytes, everyMs: Math.round(gapS * 1000), startS, stopS: startS + (MESSAGES - 0.5) * gapS };
  const hubLink = { latencyMs: 1, jitterMs: 0, lossPct: 0, bandwidthKbps: input.hubMbps * 1000, queuePackets: HUB_QUEUE_PACKETS };
  const nodes: unknown[] = [];
  if (hub === 'mqtt') {
    nodes.push({ id: HUB_NODE.mqtt, role: 'mqtt-broker', link: hubLink });
    nodes.push({ id: PUBLISHER, role: 'mqtt-client', publish: withMessages ? [{ topic: TOPIC, qos: input.qos, ...schedule }] : [] });
    for (let i = 0; i < input.subscribers; i++) nodes.push({ id: subscriberId(i), role: 'mqtt-client', subscribe: [{ topic: TOPIC, qos: input.qos }] });
  } else {
    // One room of every client: each message from one is relayed to all the others.
    nodes.push({ id: HUB_NODE.ws, role: 'ws-server', link: hubLink, ws: { rooms: true } });
    nodes.push({ id: PUBLISHER, role: 'ws-client', send: withMessages ? [{ ...schedule, to: HUB_NODE.ws }] : [] });
    for (let i = 0; i < input.subscribers; i++) nodes.push({ id: subscriberId(i), role: 'ws-client', send: [] });
  }
  const what = hub === 'mqtt' ? `an MQTT broker, QoS ${input.qos}` : 'a WebSocket server with one room';
  return {
    schema: 'wirelab/scenario@1',
    title: `chapter 8: one publisher, ${input.subscribers.toLocaleString('en-US')} subscribers through ${what}${withMessages ? '' : ' (connections only)'}`,
    seed: input.seed,
    durationS,
    defaults: { link: CLIENT_LINK },
    nodes,
  };
}

/** Packets and bytes crossing a place's access link, per published message. */
export interface Cost {
  packetsOut: number;
  packetsIn: number;
  bytesOut: number;
  bytesIn: number;
}

export interface HubCost {
  kind: Hub;
  publisher: Cost;
  /** The broker or the server. */
  hub: Cost;
  /** All subscribers together. */
  subscribers: Cost;
  /** One subscriber (all of them divided by N; every subscriber costs the same here). */
  perSubscriber: Cost;
  /** Copies delivered to subscribers' applications, of MESSAGES x N. */
  delivered: number;
  expected: number;
  /** Publisher's send to a subscriber's delivery, over every copy: median and slowest, ms. */
  latencyP50Ms: number | null;
  latencyMaxMs: number | null;
  /** Retransmitted segments in the measured run (0 on these perfect links, unless something overflowed). */
  retransmissions: number;
}

export interface FanoutPoint {
  subscribers: number;
  mqtt: HubCost;
  ws: HubCost;
}

export interface FanoutResult {
  input: FanoutInput;
  messages: number;
  /** One point per subscriber count: LADDER up to the reader's N, and N itself; ascending. */
  points: FanoutPoint[];
}

/** The subscriber counts one answer runs: the ladder below N, then N. */
export function ladderFor(subscribers: number): number[] {
  return [...new Set([...LADDER.filter((n) => n < subscribers), subscribers])];
}

/** One run of the plan: a hub, a subscriber count, with or without the messages. */
export interface FanoutStep extends FanoutInput {
  hub: Hub;
  withMessages: boolean;
}

/** What one answer runs, in order: for each subscriber count, each hub, the run without then with messages. */
export function fanoutPlan(input: FanoutInput, ladder = ladderFor(input.subscribers)): FanoutStep[] {
  const plan: FanoutStep[] = [];
  for (const subscribers of ladder) for (const hub of ['mqtt', 'ws'] as const) for (const withMessages of [false, true]) plan.push({ ...input, subscribers, hub, withMessages });
  return plan;
}

/** How long each run takes, relatively: its subscribers (for a progress bar over the whole plan). */
export const planWeight = (step: { subscribers: number; withMessages: boolean }): number => (step.subscribers + 2) * (step.withMessages ? 2 : 1);

type Links = ReadonlyMap<string, LinkMetrics>;

/**
 * One run reduced to what the costs need, where it ran (the worker, or Node for the build): whole-run
 * totals per place, the copies delivered and the latency of every copy summarised.
 */
export interface RunDigest {
  publisher: Cost;
  hub: Cost;
  /** All subscribers together. */
  subscribers: Cost;
  /** Retransmitted segments on every link. */
  retransmitted: number;
  /** Copies delivered to subscribers' applications (MQTT: publisher -> subscriber flows; WebSocket: server -> member flows). */
  copies: number;
  /** Publisher's send to a subscriber's delivery, over every copy: median (nearest rank) and slowest, ms. */
  latencyP50Ms: number | null;
  latencyMaxMs: number | null;
}

function linkCost(links: Links, node: string): Cost {
  const up = links.get(`${node}->core`);
  const down = links.get(`core->${node}`);
  return { packetsOut: up?.segmentsSent ?? 0, packetsIn: down?.segmentsSent ?? 0, bytesOut: up?.bytes ?? 0, bytesIn: down?.bytes ?? 0 };
}

const minus = (a: Cost, b: Cost, per: number): Cost => ({
  packetsOut: (a.packetsOut - b.packetsOut) / per,
  packetsIn: (a.packetsIn - b.packetsIn) / per,
  bytesOut: (a.bytesOut - b.bytesOut) / per,
  bytesIn: (a.bytesIn - b.bytesIn) / per,
});

function subscribersCost(links: Links, n: number): Cost {
  const sum: Cost = { packetsOut: 0, packetsIn: 0, bytesOut: 0, bytesIn: 0 };
  for (let i = 0; i < n; i++) {
    const c = linkCost(links, subscriberId(i));
    sum.packetsOut += c.packetsOut;
    sum.packetsIn += c.packetsIn;
    sum.bytesOut += c.bytesOut;
    sum.bytesIn += c.bytesIn;
  }
  return sum;
}

/**
 * End-to-end latency of every copy: MQTT flows run from the publisher to each subscriber; a
 * WebSocket message is two flows (publisher -> server, server -> member), joined in order (the
 * server relays the k-th message it got as the k-th it sends each member: one sender, TCP in order).
 */
function latencies(hub: Hub, messages: readonly MessageRow[]): number[] {
  const byFlow = new Map<string, MessageRow[]>();
  for (const m of messages) {
    let list = byFlow.get(m.flow);
    if (!list) byFlow.set(m.flow, (list = []));
    list.push(m);
  }
  const out: number[] = [];
  if (hub === 'mqtt') {
    for (const [flow, rows] of byFlow) if (flow.startsWith(`mqtt:${PUBLISHER}/`)) for (const r of rows) if (r.deliveredMs !== null) out.push(r.deliveredMs - r.sentMs);
    return out;
  }
  const up = byFlow.get(`ws:${PUBLISHER}->${HUB_NODE.ws}`) ?? [];
  for (const [flow, rows] of byFlow) {
    if (!flow.startsWith(`ws:${HUB_NODE.ws}->`)) continue;
    rows.forEach((r, k) => {
      const sent = up[k];
      if (sent && r.deliveredMs !== null) out.push(r.deliveredMs - sent.sentMs);
    });
  }
  return out;
}

const round = (v: number | null, digits = 3) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

/** A run's digest, from its metrics over every record and its message rows (src/worker/snapshot.ts `messageRows`). */
export function digestOf(hub: Hub, subscribers: number, run: { metrics: { flows: readonly FlowMetrics[]; links: readonly LinkMetrics[] }; messages: readonly MessageRow[] }): RunDigest {
  const links = new Map(run.metrics.links.map((l) => [l.link, l]));
  const lat = latencies(hub, run.messages).sort((a, b) => a - b);
  return {
    publisher: linkCost(links, PUBLISHER),
    hub: linkCost(links, HUB_NODE[hub]),
    subscribers: subscribersCost(links, subscribers),
    retransmitted: run.metrics.links.reduce((n, l) => n + l.retransmitted, 0),
    copies: run.metrics.flows.filter((f) => (hub === 'mqtt' ? f.from === PUBLISHER : f.from === HUB_NODE.ws)).reduce((n, f) => n + f.delivered, 0),
    // Nearest rank, as simulator/metrics/percentile.ts: the p-th of n sorted values is at rank ceil(p/100 x n).
    latencyP50Ms: lat.length === 0 ? null : round(lat[Math.ceil(0.5 * lat.length) - 1]!),
    latencyMaxMs: lat.length === 0 ? null : round(lat[lat.length - 1]!),
  };
}

/** The costs of one hub at one N, from the digests of its two runs (without and with the messages). */
export function hubCost(hub: Hub, subscribers: number, idle: RunDigest, busy: RunDigest): HubCost {
  const publisher = minus(busy.publisher, idle.publisher, MESSAGES);
  const subs = minus(busy.subscribers, idle.subscribers, MESSAGES);
  // Every message leaves the publisher in at least one packet, and every copy delivered reached a
  // subscriber's link in one: counts below that mean the metrics missed part of a run (metrics
  // computed over a trace cut to its newest records), and no figure is shown from them.
  if (publisher.packetsOut < 1 || subs.packetsIn * MESSAGES < busy.copies) {
    throw new Error(`the ${hub === 'mqtt' ? 'broker' : 'server'}'s run with ${subscribers.toLocaleString('en-US')} subscribers was not counted in full (its packet counts miss part of the run), so its costs are not shown`);
  }
  return {
    kind: hub,
    publisher,
    hub: minus(busy.hub, idle.hub, MESSAGES),
    subscribers: subs,
    perSubscriber: { packetsOut: subs.packetsOut / subscribers, packetsIn: subs.packetsIn / subscribers, bytesOut: subs.bytesOut / subscribers, bytesIn: subs.bytesIn / subscribers },
    delivered: busy.copies,
    expected: MESSAGES * subscribers,
    latencyP50Ms: busy.latencyP50Ms,
    latencyMaxMs: busy.latencyMaxMs,
    retransmissions: busy.retransmitted - idle.retransmitted,
  };
}

/** Puts the plan's runs (their digests, in `fanoutPlan` order) together into the answer. */
export function fanoutResult(input: FanoutInput, runs: readonly RunDigest[], ladder = ladderFor(input.subscribers)): FanoutResult {
  if (runs.length !== ladder.length * 4) throw new Error(`expected ${ladder.length * 4} runs, got ${runs.length}`);
  const points = ladder.map((subscribers, i) => ({
    subscribers,
    mqtt: hubCost('mqtt', subscribers, runs[4 * i]!, runs[4 * i + 1]!),
    ws: hubCost('ws', subscribers, runs[4 * i + 2]!, runs[4 * i + 3]!),
  }));
  return { input, messages: MESSAGES, points };
}

/** The answer's point at the reader's N. */
export const pointAtN = (r: FanoutResult): FanoutPoint => r.points[r.points.length - 1]!;
