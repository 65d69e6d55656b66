/**
 * The real side's metrics, from the peers' event logs (fidelity/peers: JSON lines stamped with
 * CLOCK_MONOTONIC in µs), the forwarder's byte counters and nstat. Pure, so the definitions are
 * unit-tested; they mirror the simulator's (fidelity/sim.ts):
 * - latency of a message: its first receipt minus its send, in ms; p50/p95 by nearest rank;
 * - lost: sent and never received; duplicates: receipts after the first;
 * - wire bytes: IP bytes offered to the link, both directions (the simulator counts IP + TCP +
 *   options of every transmission, dropped or not, and no link layer);
 * - retransmits: nstat TcpRetransSegs of both namespaces.
 */
import { percentile, type RunMetrics } from './table.ts';

export interface Ev {
  ev: string;
  t: number;
  seq?: number;
  client?: number;
  dup?: boolean;
  [k: string]: unknown;
}

const ms = (us: number) => us / 1000;

/** First time each key appears among events named `ev`. */
function firstBy(events: readonly Ev[], ev: string, key: (e: Ev) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of events) if (e.ev === ev && !out.has(key(e))) out.set(key(e), e.t);
  return out;
}

const bySeq = (e: Ev) => `${e.client ?? 0}:${e.seq}`;

/** Latencies (ms) of messages sent (`sendEv` in `sent`) and received (`recvEv` in `received`), matched by client and seq. */
export function latencies(sent: readonly Ev[], sendEv: string, received: readonly Ev[], recvEv: string, key = bySeq) {
  const sendAt = firstBy(sent, sendEv, key);
  const recvAt = firstBy(received, recvEv, key);
  const out: { sentAt: number; ms: number }[] = [];
  for (const [k, t] of recvAt) {
    const s = sendAt.get(k);
    if (s !== undefined) out.push({ sentAt: s, ms: ms(t - s) });
  }
  return { list: out, sent: sendAt.size, received: recvAt.size, receipts: received.filter((e) => e.ev === recvEv).length };
}

export interface WireCounts {
  inBytes: number;
  retransmits: number;
}

export function echoMetrics(client: readonly Ev[], wire: WireCounts): RunMetrics {
  const l = latencies(client, 'send', client, 'recv', (e) => String(e.seq));
  const v = l.list.map((x) => x.ms);
  return { 'echo p50 ms': percentile(v, 50), 'echo p95 ms': percentile(v, 95), 'wire bytes': wire.inBytes, retransmits: wire.retransmits };
}

export function mqttMetrics(pub: readonly Ev[], sub: readonly Ev[], wire: WireCounts, topicKey = false): RunMetrics {
  // Several publishers: the subscriber's events name the topic ("sensors/7"); map it to the client.
  const subKeyed = topicKey ? sub.map((e) => ({ ...e, client: Number(String(e.topic).split('/').pop()) })) : sub;
  const l = latencies(pub, 'pub', subKeyed, 'msg');
  const v = l.list.map((x) => x.ms);
  return {
    'latency p50 ms': percentile(v, 50),
    'latency p95 ms': percentile(v, 95),
    lost: l.sent - l.received,
    'wire bytes': wire.inBytes,
    retransmits: wire.retransmits,
  };
}

/**
 * The outage case: `outageAt` (µs) and `forS`. Before: messages sent before the outage; after:
 * those sent 5 s or more after it ended (reconnected by then). Noticed: the first `offline` of each
 * client after the outage began, in s from its start.
 */
export function outageMetrics(pub: readonly Ev[], sub: readonly Ev[], outageAt: number, forS: number): RunMetrics {
  const l = latencies(pub, 'pub', sub, 'msg');
  const before = l.list.filter((x) => x.sentAt < outageAt).map((x) => x.ms);
  const after = l.list.filter((x) => x.sentAt >= outageAt + (forS + 5) * 1e6).map((x) => x.ms);
  const noticed = (events: readonly Ev[]) => {
    const e = events.find((x) => x.ev === 'offline' && x.t >= outageAt);
    return e ? (e.t - outageAt) / 1e6 : null;
  };
  return {
    lost: l.sent - l.received,
    duplicates: l.receipts - l.received,
    'latency p50 before ms': percentile(before, 50),
    'latency max ms': percentile(l.list.map((x) => x.ms), 100),
    'latency p50 after ms': percentile(after, 50),
    'publisher noticed s': noticed(pub),
    'subscriber noticed s': noticed(sub),
    'dup flags seen': sub.filter((e) => e.ev === 'msg' && e.dup === true).length,
    ...resends(resent(pub)),
  };
}

/**
 * Times of PUBLISHes written again with a packet id already written before (mqtt.js numbers them
 * upwards, so a repeat is a resend after a reconnect), and how many of those carried DUP.
 */
export function resent(pub: readonly Ev[]): { t: number; dup: boolean }[] {
  const seen = new Set<string>();
  const out: { t: number; dup: boolean }[] = [];
  for (const e of pub) {
    if (e.ev !== 'publish-sent') continue;
    const key = `${e.client ?? 0}:${String(e.mid)}`;
    if (seen.has(key)) out.push({ t: e.t, dup: e.dup === true });
    seen.add(key);
  }
  return out;
}

/** PUBLISHes resent after the reconnect: how many, how many with DUP, and from the first to the last (ms): the client's pacing. */
export function resends(list: readonly { t: number; dup: boolean }[]): RunMetrics {
  const times = list.map((x) => x.t);
  return {
    resent: list.length,
    'resent with DUP': list.filter((x) => x.dup).length,
    'resend span ms': times.length ? ms(Math.max(...times) - Math.min(...times)) : null,
  };
}

/** Messages per second delivered to the dashboard between 2 s after the first publish and the last publish. */
export function dashboardMetrics(pub: readonly Ev[], sub: readonly Ev[]): RunMetrics {
  const pubs = pub.filter((e) => e.ev === 'pub').map((e) => e.t);
  if (pubs.length === 0) return { 'delivered per s': null, 'latency p50 ms': null };
  const from = Math.min(...pubs) + 2e6;
  const to = Math.max(...pubs);
  const inWindow = sub.filter((e) => e.ev === 'msg' && e.t >= from && e.t < to).length;
  const m = mqttMetrics(pub, sub, { inBytes: 0, retransmits: 0 }, true);
  return { 'delivered per s': to > from ? inWindow / ((to - from) / 1e6) : null, 'latency p50 ms': m['latency p50 ms'] ?? null };
}

/** Completion of a bulk transfer: the sender's connect to the sink's last byte, in s. */
export function bulkMetrics(sender: readonly Ev[], sink: readonly Ev[], wire: WireCounts): RunMetrics {
  const start = sender.find((e) => e.ev === 'connect')?.t;
  const end = sink.find((e) => e.ev === 'received-all')?.t;
  return { 'completion s': start !== undefined && end !== undefined ? (end - start) / 1e6 : null, retransmits: wire.retransmits };
}

/**
 * From the client's SYN entering the link (the capture; the JavaScript work before it is not
 * counted) to the first message back in namespace a (MQTT: at the subscriber; WebSocket: the echo),
 * in ms and in round trips of the link (2 x delayMs).
 */
export function connectMetrics(synAt: number | undefined, receiver: readonly Ev[], recvEv: string, delayMs: number): RunMetrics {
  const first = receiver.find((e) => e.ev === recvEv)?.t;
  const total = synAt !== undefined && first !== undefined ? ms(first - synAt) : null;
  return { 'first message ms': total, 'first message RTTs': total === null ? null : total / (2 * delayMs) };
}
