/**
 * Chapter 4's first experiment, run and read: one stream over MQTT QoS 0, 1, 2 and WebSocket
 * across the same lossy link (./lossScenario.ts), and what came of it: each message's latency, the
 * messages lost and why, and what TCP did underneath each stream's connections (packets dropped,
 * retransmissions by their trigger) on a timeline.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { parseConnId } from '../../../simulator/metrics/conn.ts';
import { latencySummary } from '../../../simulator/metrics/percentile.ts';
import { APP_VERSION } from '../../lib/version.ts';
import { DEFAULT_TRACE_LIMIT } from '../api.ts';
import { makeSnapshot } from '../snapshot.ts';
import { PAYLOAD_BYTES, runLossExperiment, STREAM_COUNT, STREAMS, type StreamNodes } from './lossScenario.ts';
import type { LossInput, LossResult, StreamResult, TcpUnderneath, TimelineEvent } from './lossTypes.ts';
import { endToEndLatencies } from './twoWays.ts';

export const LOSS_DEFAULTS: LossInput = {
  lossPct: 5,
  lossModel: 'random',
  burstPackets: 4,
  latencyMs: 25,
  everyMs: 50,
  noDelay: false,
  congestion: 'cubic',
  seed: 1,
};

/** Which stream a connection belongs to (by the device at its client end), if any. */
function streamOfConn(conn: string | undefined): StreamNodes | undefined {
  const ends = conn ? parseConnId(conn) : undefined;
  if (!ends) return undefined;
  return STREAMS.find((s) => s.sender === ends.client || s.receiver === ends.client);
}

/** The MQTT stream's messages, read from its flow's app records. */
function mqttMessages(trace: readonly TraceRecord[], s: StreamNodes) {
  let flow: string | undefined;
  const sent = new Map<number, number>();
  const latencies: number[] = [];
  const delivered = new Set<number>();
  const lost = new Map<number, string>();
  for (const r of trace) {
    if (r.kind === 'flow' && r.from === s.sender && r.to === s.receiver) flow = r.flow;
    if (flow === undefined || !('flow' in r) || r.flow !== flow) continue;
    if (r.kind === 'app-send' && !sent.has(r.msg)) sent.set(r.msg, r.t);
    else if (r.kind === 'app-deliver' && !delivered.has(r.msg)) {
      const t0 = sent.get(r.msg);
      if (t0 === undefined) continue;
      delivered.add(r.msg);
      latencies.push((r.t - t0) / 1000);
    } else if (r.kind === 'app-lost' && !lost.has(r.msg)) lost.set(r.msg, r.reason);
  }
  // A delivery wins over a loss record for the same message (docs/ARCHITECTURE.md, Metrics).
  for (const msg of delivered) lost.delete(msg);
  return { sent: sent.size, latencies, lostReasons: [...lost.values()] };
}

/** The WebSocket stream: sensor -> server and server -> dashboard flows, joined at the relay. */
function wsMessages(trace: readonly TraceRecord[], s: StreamNodes) {
  const latencies = endToEndLatencies(trace, {
    protocol: 'websocket', hub: s.hub, sensor: s.sender, dashboards: [s.receiver],
    hubLabel: 'server', sensorLabel: 'sensor', dashLabel: () => 'dashboard',
  });
  const flows = new Set<string>();
  let upstream: string | undefined;
  for (const r of trace) {
    if (r.kind !== 'flow') continue;
    if (r.from === s.sender && r.to === s.hub) upstream = r.flow;
    if ((r.from === s.sender && r.to === s.hub) || (r.from === s.hub && r.to === s.receiver)) flows.add(r.flow);
  }
  const sent = new Set<number>();
  const lostReasons: string[] = [];
  for (const r of trace) {
    if (r.kind === 'app-send' && r.flow === upstream) sent.add(r.msg);
    else if (r.kind === 'app-lost' && flows.has(r.flow)) lostReasons.push(r.reason);
  }
  return { sent: sent.size, latencies, lostReasons };
}

function tcpUnderneath(trace: readonly TraceRecord[], s: StreamNodes, fromUs: number): TcpUnderneath {
  const out: TcpUnderneath = { dropped: 0, rto: 0, fastRetransmit: 0, probe: 0, synRto: 0, segments: 0, appPackets: 0, appResends: 0 };
  for (const r of trace) {
    if (r.t < fromUs) continue;
    if (r.kind === 'link-drop' && streamOfConn(r.conn) === s) out.dropped++;
    else if (r.kind === 'mqtt-packet' && r.dir === 'send' && r.type.toLowerCase() === 'publish' && streamOfConn(r.conn) === s) {
      out.appPackets++;
      if (r.dup) out.appResends++;
    } else if (r.kind === 'ws-frame' && r.dir === 'send' && (r.opcode === 'text' || r.opcode === 'binary') && streamOfConn(r.conn) === s) out.appPackets++;
    else if (r.kind === 'tcp-send' && streamOfConn(r.conn) === s) out.segments++;
    else if (r.kind === 'tcp-retransmit' && streamOfConn(r.conn) === s) {
      if (r.cause === 'rto') out.rto++;
      else if (r.cause === 'fast-retransmit') out.fastRetransmit++;
      else if (r.cause === 'tail-loss-probe') out.probe++;
      else out.synRto++;
    }
  }
  return out;
}

/** Drops and retransmissions of the streams' connections after the stream started, ms from the start. */
export function timelineOf(trace: readonly TraceRecord[], fromUs: number): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  for (const r of trace) {
    if (r.t < fromUs || (r.kind !== 'link-drop' && r.kind !== 'tcp-retransmit')) continue;
    const s = streamOfConn(r.conn);
    if (!s) continue;
    const kind = r.kind === 'link-drop' ? 'drop' : r.cause === 'fast-retransmit' ? 'fast-retransmit' : r.cause === 'tail-loss-probe' ? 'probe' : 'rto';
    out.push({ stream: s.id, kind, tMs: (r.t - fromUs) / 1000 });
  }
  return out;
}

function countReasons(reasons: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reasons) out[r] = (out[r] ?? 0) + 1;
  return out;
}

export function courseLoss(input: LossInput): LossResult {
  const run = runLossExperiment(input);
  const streams: StreamResult[] = STREAMS.map((s) => {
    const m = s.id === 'ws' ? wsMessages(run.trace, s) : mqttMessages(run.trace, s);
    const sorted = [...m.latencies].sort((a, b) => a - b);
    const summary = latencySummary(sorted);
    const lost = Math.min(m.lostReasons.length, m.sent - sorted.length);
    return {
      id: s.id,
      label: s.label,
      sent: m.sent,
      delivered: sorted.length,
      lost,
      lostReasons: countReasons(m.lostReasons),
      inFlight: Math.max(0, m.sent - sorted.length - lost),
      latenciesMs: sorted,
      ...summary,
      tcp: tcpUnderneath(run.trace, s, run.startUs),
    };
  });
  const snapshot = makeSnapshot({
    runId: 0,
    scenario: run.scenario,
    seed: input.seed,
    appVersion: APP_VERSION,
    durationUs: run.endUs,
    trace: run.trace,
    traceLimit: DEFAULT_TRACE_LIMIT,
  });
  return { input, startMs: run.startUs / 1000, count: STREAM_COUNT, payloadBytes: PAYLOAD_BYTES, streams, timeline: timelineOf(run.trace, run.startUs), snapshot };
}
