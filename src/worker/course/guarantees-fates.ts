/**
 * Chapter 5: each reading's fate from the sensor's send call to the dashboard's application, read
 * from a run's trace. MQTT readings are one flow (publisher to subscriber, decided by the run's
 * FlowLedger, simulator/protocols/mqtt/client-flows.ts); WebSocket readings are two flows, sensor
 * to server and server to dashboard, joined here: the server relays a reading at the moment it
 * first delivers it (ws-server.ts fanOut, called from the delivery), so the j-th reading the
 * dashboard's flow sends is the j-th distinct reading the server received.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { messageRows } from '../snapshot.ts';
import type { MessageRow } from '../api.ts';
import { DASHBOARD, HUB, isMqtt, SENSOR } from './guarantees-scenario.ts';
import type { BrokerLimits, FateCounts, MessageFate, Strategy } from './guarantees-types.ts';

/** Which hop a loss reason belongs to, and what it means in words (docs/ARCHITECTURE.md, "Metrics"). */
const REASONS: Record<string, { hop: 1 | 2; why: string }> = {
  // MQTT, decided by the publisher or at the end of the run.
  'qos0-connection-died': { hop: 1, why: "QoS 0: written into the sensor's connection, which died before the broker got it; nobody kept a copy" },
  'publisher-session-discarded': { hop: 1, why: 'in flight at the sensor when its clean session was thrown away on reconnecting' },
  'queue-full': { hop: 1, why: "the sensor's own outgoing queue was full" },
  'offline-qos0': { hop: 1, why: 'QoS 0 published while the sensor was offline, with offline queueing off' },
  'broker-receive-quota-exceeded': {
    hop: 1,
    why: 'QoS 2 beyond the 20 the broker holds awaiting PUBREL: dropped; a 3.1.1 sensor is never told and completes the flow as if delivered',
  },
  'broker-queue-full': { hop: 2, why: "the broker's queue for the dashboard was full (max_queued_messages)" },
  'broker-qos0-dropped-offline': { hop: 2, why: 'QoS 0 for a dashboard that was offline: brokers keep no QoS 0 messages for it by default' },
  'broker-message-expired': { hop: 2, why: 'expired in the broker before it could be sent' },
  'broker-packet-too-large': { hop: 2, why: 'larger than the dashboard accepts' },
  'broker-discarded-with-session': { hop: 2, why: "queued for the dashboard, then thrown away with its clean session" },
  'broker-forward-failed': { hop: 2, why: 'the broker could not forward it' },
  'qos0-subscriber-connection-lost': { hop: 2, why: "QoS 0: sent to the dashboard on a connection that died before it arrived" },
  'subscriber-session-discarded': { hop: 2, why: "the dashboard's clean session ended after it was sent" },
  'sent-before-subscription': { hop: 2, why: "routed while the dashboard's new session had not subscribed yet" },
  // WebSocket: hop 1 is the sensor's connection, hop 2 the dashboard's (the roles decide).
  'connection-died': { hop: 1, why: 'written into a connection that died; the application kept no copy' },
  'not-connected': { hop: 1, why: 'sent while the connection was down and no reconnect was coming' },
  'offline-queue-full': { hop: 1, why: "dropped from the sensor's full offline queue" },
  'client-offline': { hop: 2, why: 'relayed while the dashboard was disconnected, and the server keeps no buffer' },
  'buffer-full': { hop: 2, why: "pushed out of the server's full replay buffer before it was sent" },
  'client-gone': { hop: 2, why: 'meant for a dashboard whose connection died and which never reconnects' },
};

/** The hop and the words for a loss reason (`refused-0xNN`: the broker refused it). */
export function reasonInfo(reason: string, hopOfWs?: 1 | 2): { hop: 1 | 2; why: string } {
  const known = REASONS[reason];
  if (known) return hopOfWs !== undefined && !reason.startsWith('broker-') ? { hop: hopOfWs, why: known.why } : known;
  if (reason.startsWith('refused-')) return { hop: 1, why: `the broker refused it with reason code ${reason.slice('refused-'.length)}` };
  return { hop: hopOfWs ?? 1, why: reason };
}

function flowsOf(trace: readonly TraceRecord[]): Map<string, { from: string; to: string }> {
  const flows = new Map<string, { from: string; to: string }>();
  for (const r of trace) if (r.kind === 'flow') flows.set(r.flow, { from: r.from, to: r.to });
  return flows;
}

function rowsByFlow(trace: readonly TraceRecord[]): Map<string, MessageRow[]> {
  const out = new Map<string, MessageRow[]>();
  for (const row of messageRows(trace)) {
    const list = out.get(row.flow) ?? [];
    list.push(row);
    out.set(row.flow, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.msg - b.msg);
  return out;
}

function flowId(flows: Map<string, { from: string; to: string }>, from: string, to: string): string | undefined {
  for (const [id, f] of flows) if (f.from === from && f.to === to) return id;
  return undefined;
}

function fateOf(n: number, sentMs: number, row: MessageRow | undefined, lostHop: 1 | 2 | undefined, lostReason: string | undefined): MessageFate {
  const base = { n, sentMs, deliveredMs: null, latencyMs: null, extraCopies: 0, hop: null, reason: '', why: '' } as const;
  if (lostReason !== undefined) {
    const info = reasonInfo(lostReason, lostHop);
    return { ...base, outcome: 'lost', hop: info.hop, reason: lostReason, why: info.why };
  }
  if (!row || row.status === 'in-flight') return { ...base, outcome: 'in-flight', why: 'still on its way when the run ended' };
  const deliveredMs = row.deliveredMs!;
  return {
    ...base,
    outcome: row.duplicates > 0 ? 'duplicated' : 'delivered',
    deliveredMs,
    latencyMs: deliveredMs - sentMs,
    extraCopies: row.duplicates,
  };
}

/** Every reading's fate, in the order the sensor sent them. */
export function messageFates(trace: readonly TraceRecord[], strategy: Strategy): MessageFate[] {
  const flows = flowsOf(trace);
  const rows = rowsByFlow(trace);
  if (isMqtt(strategy)) {
    const id = flowId(flows, SENSOR, DASHBOARD);
    return (id ? rows.get(id) ?? [] : []).map((r, i) =>
      fateOf(i + 1, r.sentMs, r, undefined, r.status === 'lost' ? r.lostReason : undefined),
    );
  }
  const up = rows.get(flowId(flows, SENSOR, HUB) ?? '') ?? [];
  const downId = flowId(flows, HUB, DASHBOARD);
  const down = rows.get(downId ?? '') ?? [];
  // Relay order: the readings the server delivered for the first time, in the order it did.
  const relayed: number[] = [];
  const seen = new Set<number>();
  const upId = flowId(flows, SENSOR, HUB);
  for (const r of trace) {
    if (r.kind !== 'app-deliver' || r.flow !== upId || seen.has(r.msg)) continue;
    seen.add(r.msg);
    relayed.push(r.msg);
  }
  const downOf = new Map<number, MessageRow>();
  relayed.forEach((upMsg, j) => {
    const d = down[j];
    if (d) downOf.set(upMsg, d);
  });
  return up.map((u, i) => {
    if (u.status === 'lost') return fateOf(i + 1, u.sentMs, undefined, 1, u.lostReason);
    const d = downOf.get(u.msg);
    if (u.status === 'in-flight' || !d) return fateOf(i + 1, u.sentMs, undefined, undefined, undefined);
    if (d.status === 'lost') return fateOf(i + 1, u.sentMs, undefined, 2, d.lostReason);
    // The end-to-end row: sent by the sensor, delivered by the dashboard.
    return fateOf(i + 1, u.sentMs, { ...d, sentMs: u.sentMs }, undefined, undefined);
  });
}

export function countFates(fates: readonly MessageFate[]): FateCounts {
  let maxLatency: number | null = null;
  const c: FateCounts = { sent: fates.length, delivered: 0, duplicated: 0, lost: 0, inFlight: 0, lostHop1: 0, lostHop2: 0, maxLatencyMs: null };
  for (const f of fates) {
    if (f.outcome === 'delivered' || f.outcome === 'duplicated') {
      c.delivered++;
      if (f.outcome === 'duplicated') c.duplicated++;
      if (f.latencyMs !== null && (maxLatency === null || f.latencyMs > maxLatency)) maxLatency = f.latencyMs;
    } else if (f.outcome === 'lost') {
      c.lost++;
      if (f.hop === 1) c.lostHop1++;
      else c.lostHop2++;
    } else c.inFlight++;
  }
  c.maxLatencyMs = maxLatency;
  return c;
}

/** Loss reasons with their hop and count, most frequent first (ties by name). */
export function reasonCounts(fates: readonly MessageFate[]): { reason: string; hop: 1 | 2; count: number }[] {
  const by = new Map<string, { reason: string; hop: 1 | 2; count: number }>();
  for (const f of fates) {
    if (f.outcome !== 'lost' || f.hop === null) continue;
    const key = `${f.hop}:${f.reason}`;
    const e = by.get(key) ?? { reason: f.reason, hop: f.hop, count: 0 };
    e.count++;
    by.set(key, e);
  }
  return [...by.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/**
 * What the broker's limits did, from its packets and notes: QoS 2 publishes it refused for lack of
 * receive quota, readings dropped from the dashboard's full queue, and the most PUBLISHes awaiting
 * acknowledgement at once in each direction (per session: a clean connect starts from zero).
 */
export function brokerLimits(trace: readonly TraceRecord[], fates: readonly MessageFate[]): BrokerLimits {
  // The PUBRECs that refused a PUBLISH for lack of quota (the broker notes each, with its packet
  // id, at the moment it answers): a 3.1.1 PUBREC carries no reason code to tell them apart.
  const refused = new Set<string>();
  for (const r of trace) {
    if (r.kind !== 'mqtt-event' || r.node !== HUB || r.event !== 'publish-denied' || !r.detail?.includes('no receive quota')) continue;
    const id = /packet id (\d+)/.exec(r.detail)?.[1];
    if (id) refused.add(`${id}@${r.t}`);
  }
  const awaitingPubrel = new Set<number>();
  const inflight = new Set<number>();
  let peakAwaiting = 0;
  let peakInflight = 0;
  const towards = (conn: string, node: string) => conn.startsWith(`${node}:`);
  for (const r of trace) {
    if (r.kind === 'mqtt-event' && r.node === HUB && r.event === 'client-connected' && r.detail?.endsWith('clean true')) {
      if (r.clientId === SENSOR) awaitingPubrel.clear();
      if (r.clientId === DASHBOARD) inflight.clear();
      continue;
    }
    if (r.kind !== 'mqtt-packet' || r.node !== HUB) continue;
    const id = r.packetId;
    if (id === undefined) continue;
    if (towards(r.conn, SENSOR)) {
      // Held awaiting PUBREL from the PUBREC that accepts it until the PUBREL comes.
      if (r.dir === 'send' && r.type === 'pubrec' && !refused.has(`${id}@${r.t}`)) awaitingPubrel.add(id);
      else if (r.dir === 'receive' && r.type === 'pubrel') awaitingPubrel.delete(id);
      peakAwaiting = Math.max(peakAwaiting, awaitingPubrel.size);
    } else if (towards(r.conn, DASHBOARD)) {
      if (r.dir === 'send' && r.type === 'publish' && (r.qos ?? 0) > 0) inflight.add(id);
      else if (r.dir === 'receive' && (r.type === 'puback' || r.type === 'pubcomp')) inflight.delete(id);
      peakInflight = Math.max(peakInflight, inflight.size);
    }
  }
  const quotaDenied = refused.size;
  const queueDropped = fates.filter((f) => f.reason === 'broker-queue-full').length;
  return { quotaDenied, queueDropped, peakInflight, peakAwaitingPubrel: peakAwaiting };
}

/** PUBACKs and PUBCOMPs the sensor received: the deliveries its hop confirmed. */
export function sensorAcks(trace: readonly TraceRecord[]): number {
  let n = 0;
  for (const r of trace) if (r.kind === 'mqtt-packet' && r.node === SENSOR && r.dir === 'receive' && (r.type === 'puback' || r.type === 'pubcomp')) n++;
  return n;
}
