/**
 * Chapter 5's sequence diagrams: the application-layer packets of a run (MQTT packets, or
 * WebSocket frames and handshakes) as arrows between the sensor, the hub and the dashboard. A
 * packet's send and receive records are paired per connection and direction in order (TCP
 * delivers a connection's bytes in order, so the k-th packet one end reads is the k-th the other
 * wrote); a packet with no receive never arrived: its connection died with it.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { parseConnId } from '../../../simulator/metrics/conn.ts';
import type { SequenceLane, SequenceMessage } from '../../charts/sequence.ts';
import { APP_HEADER_BYTES } from '../../../simulator/runtime/roles/ws-common.ts';
import { DASHBOARD, HUB, SENSOR } from './guarantees-scenario.ts';
import type { SequenceWindow } from './guarantees-types.ts';

/** Most packets one diagram draws (a longer window is cut and says so). */
export const WINDOW_PACKETS = 28;

export interface AppPacket {
  from: string;
  to: string;
  sentUs: number;
  /** null: it never arrived. */
  arrivedUs: number | null;
  label: string;
  layer: 'mqtt' | 'websocket' | 'http';
  bytes: number;
  /** CONNECT or the WebSocket upgrade request: a (re)connection starts. */
  opens: boolean;
}

export function lanes(hubLabel: string): SequenceLane[] {
  return [
    { id: SENSOR, label: 'sensor' },
    { id: HUB, label: hubLabel },
    { id: DASHBOARD, label: 'dashboard' },
  ];
}

function mqttLabel(r: Extract<TraceRecord, { kind: 'mqtt-packet' }>): string {
  const type = r.type.toUpperCase();
  if (type === 'PUBLISH') return `PUBLISH QoS ${r.qos ?? 0}${r.packetId !== undefined ? ` id ${r.packetId}` : ''}${r.dup ? ' DUP' : ''}`;
  if (r.packetId !== undefined) return `${type} id ${r.packetId}${r.reasonCode !== undefined && r.reasonCode >= 0x80 ? ` (rc ${r.reasonCode})` : ''}`;
  return type;
}

function wsLabel(r: Extract<TraceRecord, { kind: 'ws-frame' }>): string {
  if (r.opcode === 'text' || r.opcode === 'binary') return r.payloadBytes === APP_HEADER_BYTES ? 'ack (text frame)' : 'reading (text frame)';
  return r.opcode;
}

/** Every application-layer packet between the three nodes, in the order they were sent. */
export function appPackets(trace: readonly TraceRecord[]): AppPacket[] {
  const nodes = new Set([SENSOR, HUB, DASHBOARD]);
  const out: AppPacket[] = [];
  // Sent and not yet matched, per connection and sending node, oldest first.
  const open = new Map<string, AppPacket[]>();
  const otherEnd = (conn: string, node: string) => {
    const ends = parseConnId(conn);
    return ends ? (ends.client === node ? ends.server : ends.client) : undefined;
  };
  const sent = (conn: string, node: string, p: Omit<AppPacket, 'from' | 'to' | 'arrivedUs'>) => {
    const to = otherEnd(conn, node);
    if (!to || !nodes.has(node) || !nodes.has(to)) return;
    const packet: AppPacket = { ...p, from: node, to, arrivedUs: null };
    out.push(packet);
    const key = `${conn}|${node}`;
    open.set(key, [...(open.get(key) ?? []), packet]);
  };
  const received = (conn: string, node: string, t: number) => {
    const from = otherEnd(conn, node);
    const queue = from ? open.get(`${conn}|${from}`) : undefined;
    const packet = queue?.shift();
    if (packet) packet.arrivedUs = t;
  };
  for (const r of trace) {
    if (r.kind === 'mqtt-packet') {
      if (r.dir === 'send') sent(r.conn, r.node, { sentUs: r.t, label: mqttLabel(r), layer: 'mqtt', bytes: r.bytes, opens: r.type === 'connect' });
      else received(r.conn, r.node, r.t);
    } else if (r.kind === 'ws-frame') {
      if (r.dir === 'send') sent(r.conn, r.node, { sentUs: r.t, label: wsLabel(r), layer: 'websocket', bytes: r.frameBytes, opens: false });
      else received(r.conn, r.node, r.t);
    } else if (r.kind === 'ws-event' && (r.event === 'handshake-send' || r.event === 'handshake-receive')) {
      // "request 265 bytes" / "response 129 bytes" (ws-common.ts traceWsEvent).
      const [what = '', bytes = '0'] = (r.detail ?? '').split(' ');
      if (r.event === 'handshake-send') {
        const request = what.startsWith('req');
        sent(`${r.conn}#hs`, r.node, { sentUs: r.t, label: request ? 'GET (Upgrade)' : '101 Switching Protocols', layer: 'http', bytes: Number(bytes) || 0, opens: request });
      } else received(`${r.conn}#hs`, r.node, r.t);
    }
  }
  return out;
}

function toMessages(packets: AppPacket[], originUs: number, oneWayMs: number, prefix: string): SequenceMessage[] {
  return packets.map((p, i) => {
    const sentMs = (p.sentUs - originUs) / 1000;
    const lost = p.arrivedUs === null;
    return {
      id: `${prefix}-${i}`,
      from: p.from,
      to: p.to,
      sentMs,
      // A packet that never arrived is drawn half way, to where the outage swallowed it.
      arrivedMs: lost ? sentMs + oneWayMs / 2 : (p.arrivedUs! - originUs) / 1000,
      label: p.label,
      bytes: p.bytes,
      layer: p.layer,
      ...(lost ? { lost: true } : {}),
    };
  });
}

function windowOf(id: SequenceWindow['id'], title: string, packets: AppPacket[], fromUs: number, hubLabel: string, oneWayMs: number): SequenceWindow {
  const start = packets.findIndex((p) => p.sentUs >= fromUs);
  const chosen = start < 0 ? [] : packets.slice(start, start + WINDOW_PACKETS);
  const originUs = chosen[0]?.sentUs ?? fromUs;
  return {
    id,
    title,
    lanes: lanes(hubLabel),
    messages: toMessages(chosen, originUs, oneWayMs, id),
    originMs: originUs / 1000,
    truncated: start >= 0 && packets.length - start > WINDOW_PACKETS,
  };
}

/**
 * The outage run's two windows: from a moment before the outage, and from the first
 * (re)connection after it starts (or, if nobody reconnected, from its end).
 */
export function outageWindows(trace: readonly TraceRecord[], outage: { atMs: number; untilMs: number } | null, hubLabel: string, oneWayMs: number, everyMs: number): SequenceWindow[] {
  if (!outage) return [];
  const packets = appPackets(trace);
  const atUs = outage.atMs * 1000;
  // Start one reading's interval (at most a second) before the outage, so a normal delivery shows first.
  const before = windowOf('outage', 'The outage begins', packets, atUs - Math.min(everyMs, 1000) * 1000, hubLabel, oneWayMs);
  const reopen = packets.find((p) => p.opens && p.sentUs >= atUs);
  const after = windowOf('reconnect', reopen ? 'Reconnecting, and what is sent again' : 'After the outage (nobody reconnects)', packets, reopen ? reopen.sentUs : outage.untilMs * 1000, hubLabel, oneWayMs);
  return [before, after];
}

/** The single reading of a run with no outage, from its first packet to the last acknowledgement. */
export function oneReadingWindow(trace: readonly TraceRecord[], streamStartMs: number, hubLabel: string, oneWayMs: number): SequenceWindow {
  const packets = appPackets(trace).filter((p) => !p.label.startsWith('PING') && p.label !== 'ping' && p.label !== 'pong');
  return windowOf('one', 'One reading, no outage', packets, streamStartMs * 1000, hubLabel, oneWayMs);
}
