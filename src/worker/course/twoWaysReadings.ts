/**
 * Chapter 1's readings, followed through the trace: which packets carry which reading, and what
 * became of each (reading, dashboard) pair by the end of the run. Pure, from trace records.
 *
 * A reading is the sensor's n-th data unit (MQTT PUBLISH or WebSocket text frame), n from 0 in the
 * order the sensor wrote them. The hub (broker or server) relays a reading at the instant it
 * receives it (both roles forward synchronously), so its sends at one instant on one dashboard's
 * connection are matched, in order, to the readings it received at that instant. Packets are
 * tagged by byte ranges: each side's stream offsets come from the protocol records (WebSocket
 * handshake and frames, MQTT packets), each TCP segment covers [seq - ISS - 1, + payload), and the
 * runtime traces a segment's `link-send` right after its `tcp-send` (and a packet's downlink
 * `link-send` right after its uplink `link-receive`), so the tags follow the packet over both links.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { parseConnId } from '../../../simulator/metrics/conn.ts';
import type { ReadingOutcome, ReadingTrack } from './types.ts';

export type { ReadingOutcome, ReadingTrack };

export interface ReadingWiring {
  protocol: 'mqtt' | 'websocket';
  hub: string;
  sensor: string;
  dashboards: string[];
}

export interface ReadingsFollowed {
  readings: ReadingTrack[];
  /** Packets (`${link}#${packet}`) carrying bytes of each reading: reading indexes. */
  packetReadings: Map<string, number[]>;
  /** When the sensor's protocol session opened (MQTT CONNACK received / WebSocket open), µs. */
  sensorOpenUs: number | undefined;
  /** The sensor's SYN retransmissions (its connection attempt waiting on TCP's timer). */
  sensorSynRetries: number;
}

function isData(r: TraceRecord, protocol: ReadingWiring['protocol']): r is Extract<TraceRecord, { kind: 'mqtt-packet' | 'ws-frame' }> {
  return protocol === 'mqtt'
    ? r.kind === 'mqtt-packet' && r.type.toLowerCase() === 'publish'
    : r.kind === 'ws-frame' && (r.opcode === 'text' || r.opcode === 'binary');
}

/** Bytes a protocol record puts in its node's stream on `conn` (0 for records that are not sends). */
function streamBytes(r: TraceRecord): number {
  if (r.kind === 'mqtt-packet' && r.dir === 'send') return r.bytes;
  if (r.kind === 'ws-frame' && r.dir === 'send') return r.frameBytes;
  if (r.kind === 'ws-event' && r.event === 'handshake-send') return Number(/(\d+) bytes/.exec(r.detail ?? '')?.[1] ?? 0);
  return 0;
}

/**
 * `scheduleUs`: when the sensor's schedule asks for a reading (µs). The MQTT sensor (mqtt.js)
 * takes every one, queueing it while offline; the WebSocket sensor, like most applications, sends
 * nothing until its socket is open, so a reading due before that is never produced.
 */
export function followReadings(trace: readonly TraceRecord[], w: ReadingWiring, scheduleUs: readonly number[]): ReadingsFollowed {
  const dashOf = (conn: string) => {
    const ends = parseConnId(conn);
    return ends ? w.dashboards.indexOf(ends.client) : -1;
  };
  const readings: ReadingTrack[] = scheduleUs.map((t) => ({ sentUs: t, deliveredUs: w.dashboards.map(() => undefined), outcome: [] }));
  const tickAt = new Map(scheduleUs.map((t, i) => [t, i]));
  /** Readings in the order the sensor's application produced them (its message numbers). */
  const produced: number[] = [];
  const left = new Set<number>();
  // The sensor's flows (MQTT: one per subscriber, numbered alike; WebSocket: the one to the
  // server) and the WebSocket server's flows to the browsers.
  const sensorFlows = new Set<string>();
  const downstream = new Map<string, number>();
  const flowTo = new Map<string, string>();
  for (const r of trace) {
    if (r.kind !== 'flow') continue;
    flowTo.set(r.flow, r.to);
    if (r.from === w.sensor) sensorFlows.add(r.flow);
    if (r.from === w.hub && w.dashboards.includes(r.to)) downstream.set(r.flow, w.dashboards.indexOf(r.to));
  }
  const firstSensorFlow = [...sensorFlows][0];

  // Pass 1: every side's stream as units [start, end, reading slot], and the data units in order.
  // (The engines' records may come before or after the TCP segments that carry their bytes.)
  type Unit = { start: number; end: number; reading: number };
  const streams = new Map<string, { at: number; units: Unit[] }>();
  const sensorSentOn = new Map<string, Unit[]>();
  const hubReceived: { conn: string; t: number }[] = [];
  const hubSent = new Map<string, Unit[]>(); // `${conn}@${t}` -> the hub's data units sent then
  const hubSentOrder: { conn: string; t: number; unit: Unit }[] = [];
  const deliveries: Extract<TraceRecord, { kind: 'app-deliver' }>[] = [];
  let sensorSent = 0;
  let sensorOpenUs: number | undefined;
  let sensorSynRetries = 0;
  for (const r of trace) {
    if (r.kind === 'app-send' && r.flow === firstSensorFlow && produced.length === r.msg) {
      produced.push(tickAt.get(r.t) ?? -1);
    } else if (r.kind === 'app-deliver' && !r.duplicate) {
      deliveries.push(r);
    } else if (r.kind === 'tcp-retransmit' && r.node === w.sensor && r.cause === 'syn-rto') {
      sensorSynRetries++;
    } else if (r.kind === 'mqtt-packet' || r.kind === 'ws-frame' || r.kind === 'ws-event') {
      if (r.kind === 'ws-event' && r.node === w.sensor && r.event === 'open') sensorOpenUs ??= r.t;
      if (r.kind === 'mqtt-packet' && r.node === w.sensor && r.dir === 'receive' && r.type.toLowerCase() === 'connack') sensorOpenUs ??= r.t;
      const data = r.kind !== 'ws-event' && isData(r, w.protocol);
      if (data && r.node === w.hub && r.dir === 'receive' && dashOf(r.conn) < 0) hubReceived.push({ conn: r.conn, t: r.t });
      const n = streamBytes(r);
      if (n === 0) continue;
      const key = `${r.node}|${r.conn}`;
      let s = streams.get(key);
      if (!s) streams.set(key, (s = { at: 0, units: [] }));
      const unit: Unit = { start: s.at, end: s.at + n, reading: -1 };
      s.units.push(unit);
      s.at += n;
      if (!data) continue;
      if (r.node === w.sensor) {
        unit.reading = produced[sensorSent++] ?? -1;
        left.add(unit.reading);
        const track = readings[unit.reading];
        if (track && track.leftUs === undefined) track.leftUs = r.t;
        sensorSentOn.set(r.conn, [...(sensorSentOn.get(r.conn) ?? []), unit]);
      } else if (r.node === w.hub && dashOf(r.conn) >= 0) {
        const slot = `${r.conn}@${r.t}`;
        hubSent.set(slot, [...(hubSent.get(slot) ?? []), unit]);
        hubSentOrder.push({ conn: r.conn, t: r.t, unit });
      }
    }
  }

  // The hub's k-th data unit from the sensor on a connection is the sensor's k-th on it (TCP keeps
  // order); its sends at the same instant carry what it received then, in order.
  const hubReceivedAt = new Map<number, number[]>();
  const taken = new Map<string, number>();
  for (const { conn, t } of hubReceived) {
    const k = taken.get(conn) ?? 0;
    taken.set(conn, k + 1);
    const reading = sensorSentOn.get(conn)?.[k]?.reading;
    if (reading !== undefined) hubReceivedAt.set(t, [...(hubReceivedAt.get(t) ?? []), reading]);
  }
  const hubHad = new Set([...hubReceivedAt.values()].flat());
  const relayedTo = new Map<number, Set<number>>();
  const relayedInOrder = w.dashboards.map((): number[] => []);
  for (const [slot, units] of hubSent) {
    const t = Number(slot.slice(slot.lastIndexOf('@') + 1));
    units.forEach((unit, k) => (unit.reading = hubReceivedAt.get(t)?.[k] ?? -1));
  }
  for (const { conn, unit } of hubSentOrder) {
    const d = dashOf(conn);
    relayedInOrder[d]!.push(unit.reading);
    if (unit.reading < 0) continue;
    if (!relayedTo.has(unit.reading)) relayedTo.set(unit.reading, new Set());
    relayedTo.get(unit.reading)!.add(d);
  }

  // Deliveries: MQTT messages keep the sensor's numbering; a browser's n-th delivery is the n-th
  // reading the server relayed to it.
  for (const r of deliveries) {
    let reading: number | undefined;
    let dash = -1;
    if (w.protocol === 'mqtt' && sensorFlows.has(r.flow)) {
      reading = produced[r.msg];
      dash = w.dashboards.indexOf(flowTo.get(r.flow) ?? '');
    } else if (downstream.has(r.flow)) {
      dash = downstream.get(r.flow)!;
      const got = relayedInOrder[dash]![r.msg];
      reading = got !== undefined && got >= 0 ? got : undefined;
    }
    const track = reading === undefined ? undefined : readings[reading];
    if (track && dash >= 0 && track.deliveredUs[dash] === undefined) track.deliveredUs[dash] = r.t;
  }

  // Pass 2: which packets carry which readings (a segment's link-send follows its tcp-send; a
  // packet's downlink link-send follows its uplink link-receive).
  const iss = new Map<string, number>();
  const packetReadings = new Map<string, number[]>();
  let lastSegment: { conn: string; readings: number[] } | undefined;
  let lastArrival: { conn: string; readings: number[] } | undefined;
  for (const r of trace) {
    if (r.kind === 'tcp-send') {
      const key = `${r.node}|${r.conn}`;
      if (r.flags.includes('SYN') && !iss.has(key)) iss.set(key, r.seq);
      const base = iss.get(key);
      const found: number[] = [];
      if (r.payloadBytes > 0 && base !== undefined) {
        const from = (r.seq - base - 1) >>> 0;
        const to = from + r.payloadBytes;
        for (const u of streams.get(key)?.units ?? []) if (u.reading >= 0 && u.start < to && u.end > from && !found.includes(u.reading)) found.push(u.reading);
      }
      lastSegment = { conn: r.conn, readings: found };
    } else if (r.kind === 'link-send') {
      const up = !r.link.startsWith('core->');
      const source = up ? lastSegment : lastArrival;
      if (source && source.conn === r.conn && source.readings.length > 0) packetReadings.set(`${r.link}#${r.packet}`, source.readings);
      if (up) lastSegment = undefined;
      else lastArrival = undefined;
    } else if (r.kind === 'link-receive' && !r.link.startsWith('core->')) {
      lastArrival = { conn: r.conn ?? '', readings: packetReadings.get(`${r.link}#${r.packet}`) ?? [] };
    }
  }

  readings.forEach((track, i) => {
    track.outcome = track.deliveredUs.map((at, d): ReadingOutcome => {
      if (at !== undefined) return 'delivered';
      if (!left.has(i)) return 'not-sent';
      if (!hubHad.has(i)) return 'on-the-way';
      return relayedTo.get(i)?.has(d) ? 'on-the-way' : 'missed';
    });
  });
  return { readings, packetReadings, sensorOpenUs, sensorSynRetries };
}

/** Counts of the outcomes over every (reading, dashboard) pair. */
export function outcomeCounts(readings: readonly ReadingTrack[]): Record<ReadingOutcome, number> {
  const counts: Record<ReadingOutcome, number> = { delivered: 0, 'on-the-way': 0, 'not-sent': 0, missed: 0 };
  for (const r of readings) for (const o of r.outcome) counts[o]++;
  return counts;
}
