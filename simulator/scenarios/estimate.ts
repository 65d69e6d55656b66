/**
 * What a run will cost, estimated from the scenario alone before anything runs: application
 * messages (every send, times its receivers), scheduler events and bytes held. A scenario past a
 * run limit (./limits.ts RUN_LIMITS) is refused with a message naming the limit, what would not
 * fit and how to make it fit; the CLI and the Lab both ask this before a run.
 *
 * The estimate is an upper bound in the usual case, not a promise: the run itself is still held
 * to its event and memory budgets (simulator/core/budget.ts), which stop it cleanly if a model
 * does more than estimated (retransmission storms, reconnect loops).
 *
 * Calibration (measured, see docs/ARCHITECTURE.md "Limits"): a small WebSocket message costs
 * about 5 scheduler events per hop (send, arrival on two links, ACK, timer); we count 8 per
 * segment and hop. A message (with 64 bytes of framing) takes ceil(bytes / MSS) segments on a
 * hop, with the MSS of the node that sends on that hop (its `tcp.mss`; the engine does not
 * negotiate it): `mss: 1` makes every byte a segment. A trace record holds about 120 bytes of
 * heap; a message leaves at least two (send and delivery or loss) per receiver.
 */
import { BYTES_PER_RECORD } from '../core/budget.ts';
import { ASK_LIMITS, RUN_LIMITS } from './limits.ts';
import type { Scenario } from './schema.ts';

/** Events counted per TCP segment and hop (see the calibration above). */
const EVENTS_PER_SEGMENT_HOP = 8;
/** The engine's MSS when a node's `tcp.mss` does not set one (simulator/protocols/tcp/defaults.ts). */
const DEFAULT_MSS = 1448;
/** Framing counted with each message's payload (MQTT and WebSocket headers, a topic). */
const FRAMING_BYTES = 64;

/** The MSS a node's TCP sends with: its `tcp.mss`, else the engine's default. */
function mssOf(options: unknown): number {
  const mss = (options as { mss?: unknown } | undefined)?.mss;
  return typeof mss === 'number' && mss >= 1 ? mss : DEFAULT_MSS;
}

export interface ResourceEstimate {
  /** Application messages, each counted once per receiver. */
  messages: number;
  /** Scheduler events. */
  events: number;
  /** Payload bytes that could be held at once (everything sent, if nothing were acknowledged), plus the message records. */
  heldBytes: number;
}

export interface ResourceLimits {
  messages: number;
  estimatedEvents: number;
  heldBytes: number;
}

interface Schedule {
  payloadBytes: number;
  everyMs: number;
  startS?: number | undefined;
  stopS?: number | undefined;
}

/** Sends of one schedule in [startS, min(stopS, durationS)), as the roles tick (ws-common.ts everyTick). */
export function sendsOf(entry: Schedule, durationS: number): number {
  const start = entry.startS ?? 0;
  const stop = Math.min(entry.stopS ?? durationS, durationS);
  if (!(stop > start)) return 0;
  const everyUs = Math.max(1, Math.round(entry.everyMs * 1000));
  return Math.ceil(((stop - start) * 1e6) / everyUs);
}

export function estimateRun(scenario: Scenario): ResourceEstimate {
  const nodes = scenario.nodes;
  const wsClients = nodes.filter((n) => n.role === 'ws-client').length;
  const subscribers = nodes.filter((n) => n.role === 'mqtt-client' && (n.subscribe?.length ?? 0) > 0).length;
  let messages = 0;
  let events = 0;
  let payload = 0;
  // The MSS brokers send to subscribers with: the smallest of any broker's listeners (a client may
  // pick its broker, and its transport), so the estimate stays an upper bound.
  let brokerMss = Infinity;
  for (const n of nodes) {
    if (n.role !== 'mqtt-broker') continue;
    brokerMss = Math.min(brokerMss, mssOf(n.tcp));
    if (n.websocketTcp !== undefined) brokerMss = Math.min(brokerMss, mssOf({ ...n.tcp, ...n.websocketTcp }));
  }
  if (brokerMss === Infinity) brokerMss = DEFAULT_MSS;
  /** `entry` sent to `receivers`, crossing one TCP hop per MSS in `hopMss` (each hop's sender's). */
  const add = (entry: Schedule, receivers: number, hopMss: readonly number[]) => {
    const n = sendsOf(entry, scenario.durationS) * Math.max(1, receivers);
    let segments = 0;
    for (const mss of hopMss) segments += Math.ceil((entry.payloadBytes + FRAMING_BYTES) / mss);
    messages += n;
    events += n * segments * EVENTS_PER_SEGMENT_HOP;
    payload += n * entry.payloadBytes;
  };
  for (const node of nodes) {
    const mss = mssOf(node.tcp);
    if (node.role === 'ws-client') {
      const rooms = nodes.some((s) => s.role === 'ws-server' && s.ws?.rooms !== undefined && s.ws.rooms !== false);
      // Through a balancer a message crosses two TCP connections (client-balancer, balancer-server).
      for (const e of node.send ?? []) add(e, rooms ? wsClients : 1, nodes.some((b) => b.role === 'balancer' && b.id === e.to) ? [mss, DEFAULT_MSS] : [mss]);
      const heartbeatS = node.ws?.heartbeatS ?? 0;
      if (heartbeatS > 0) events += Math.ceil(scenario.durationS / heartbeatS) * 2 * EVENTS_PER_SEGMENT_HOP;
    } else if (node.role === 'ws-server') {
      for (const e of node.ws?.push ?? []) add(e, wsClients, [mss]);
      const heartbeatS = node.ws?.heartbeatS ?? 0;
      if (heartbeatS > 0) events += Math.ceil(scenario.durationS / heartbeatS) * wsClients * 2 * EVENTS_PER_SEGMENT_HOP;
    } else if (node.role === 'mqtt-client') {
      // Publisher to broker, then broker to each subscriber.
      for (const e of node.publish ?? []) add(e, subscribers, [mss, brokerMss]);
      const keepaliveS = node.mqtt?.keepaliveS ?? 60;
      if (keepaliveS > 0) events += Math.ceil(scenario.durationS / keepaliveS) * 2 * EVENTS_PER_SEGMENT_HOP;
    } else if (node.role === 'balancer') {
      // A health check (SYN, SYN-ACK, ACK, RST) per backend every interS (2 s by default).
      const check = node.lb.check;
      if (check !== false) events += Math.ceil(scenario.durationS / (check?.interS ?? 2)) * node.lb.backends.length * 4 * EVENTS_PER_SEGMENT_HOP;
    } else if (node.role === 'tcp-sender') {
      messages += 1;
      events += Math.ceil(node.bytes / mss) * EVENTS_PER_SEGMENT_HOP;
      payload += node.bytes;
    }
    // Connecting, closing and the odd retransmission.
    events += 200;
  }
  return { messages, events, heldBytes: payload + messages * 2 * BYTES_PER_RECORD };
}

const mb = (bytes: number) => `${Math.round(bytes / 1e6).toLocaleString('en-US')} MB`;
const n = (x: number) => (x >= 1e15 ? x.toExponential(1) : Math.round(x).toLocaleString('en-US'));

/**
 * One line per run limit the scenario would pass, each naming the limit, the estimate, and what
 * to change. `raise` says how the caller lets a reader raise a limit (the CLI names its options).
 */
export function resourceProblems(
  scenario: Scenario,
  limits: ResourceLimits = RUN_LIMITS,
  raise: Partial<Record<keyof ResourceLimits, string>> = {},
): string[] {
  const e = estimateRun(scenario);
  const how = (key: keyof ResourceLimits) => (raise[key] ? `, or raise it with ${raise[key]}` : '');
  const problems: string[] = [];
  if (e.messages > limits.messages)
    problems.push(
      `the run would carry about ${n(e.messages)} messages (every send, times its receivers), over the limit of ${n(limits.messages)} [limit messages]: shorten durationS or send less often${how('messages')}`,
    );
  if (e.events > limits.estimatedEvents)
    problems.push(
      `the run would take about ${n(e.events)} simulator events, over the limit of ${n(limits.estimatedEvents)} [limit estimatedEvents]: shorten durationS, send less often or smaller${how('estimatedEvents')}`,
    );
  if (e.heldBytes > limits.heldBytes)
    problems.push(
      `the run could hold about ${mb(e.heldBytes)} of messages in memory, over the limit of ${mb(limits.heldBytes)} [limit heldBytes]: send fewer or smaller messages${how('heldBytes')}`,
    );
  return problems;
}

/** The estimate of several runs together (a sweep's variants times its runs). */
export function sumEstimates(estimates: readonly ResourceEstimate[]): ResourceEstimate {
  return estimates.reduce((a, e) => ({ messages: a.messages + e.messages, events: a.events + e.events, heldBytes: Math.max(a.heldBytes, e.heldBytes) }), { messages: 0, events: 0, heldBytes: 0 });
}

/**
 * When a run that fits its limits is still big (past a threshold of ./limits.ts ASK_LIMITS): one
 * plain sentence saying what it will take, for the question "run it anyway?"; null when it is
 * small enough to start without asking. (Several runs run one after another: bytes held are the
 * largest one's, messages and events add up.)
 */
export function bigRunNote(e: ResourceEstimate, ask: ResourceLimits = ASK_LIMITS): string | null {
  const over: string[] = [];
  if (e.messages > ask.messages) over.push(`${n(ask.messages)} messages`);
  if (e.events > ask.estimatedEvents) over.push(`${n(ask.estimatedEvents)} events`);
  if (e.heldBytes > ask.heldBytes) over.push(`${mb(ask.heldBytes)} held`);
  if (over.length === 0) return null;
  return (
    `it would carry about ${n(e.messages)} message${e.messages === 1 ? '' : 's'}, take about ${n(e.events)} simulator events and hold up to about ${mb(e.heldBytes)} of messages in memory ` +
    `(past ${over.join(' and ')}, a run is big enough to ask first): it may take a minute or more and several hundred MB`
  );
}
