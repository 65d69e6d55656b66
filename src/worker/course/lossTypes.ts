/**
 * What chapter 4's widget ("What loss really does") sends to the worker and gets back. Only types:
 * the page and the worker both import this file. Every figure is computed by the engines.
 */
import type { RunSnapshot } from '../api.ts';

export type StreamId = 'qos0' | 'qos1' | 'qos2' | 'ws';
export type CongestionName = 'cubic' | 'reno' | 'bbr';

export interface LossInput {
  /** Mean packet loss on the hub's access link (broker, WebSocket server), both directions, percent. */
  lossPct: number;
  /** Independent losses, or Gilbert-Elliott bursts of `burstPackets` on average. */
  lossModel: 'random' | 'bursty';
  burstPackets: number;
  /** One-way delay of the hub's access link, ms (the other links are perfect). */
  latencyMs: number;
  /** Time between two messages of the stream, ms. */
  everyMs: number;
  /** MQTT clients and broker set TCP_NODELAY (mqtt.js and mosquitto do not; ws always does). */
  noDelay: boolean;
  /** Congestion control of the MQTT clients and broker (the ws library's sockets keep Linux's default, cubic). */
  congestion: CongestionName;
  seed: number;
}

/** What TCP did underneath one stream's connections. */
export interface TcpUnderneath {
  /** Packets of these connections the link dropped. */
  dropped: number;
  /** Retransmissions by what triggered them. */
  rto: number;
  fastRetransmit: number;
  probe: number;
  synRto: number;
  /** Segments sent (data and ACKs, retransmissions included). */
  segments: number;
  /** Protocol messages carrying the readings (PUBLISH packets, WebSocket data frames), sender's and hub's. */
  appPackets: number;
  /** Of those, resent by the protocol itself (PUBLISH with DUP set). */
  appResends: number;
}

export type TimelineKind = 'drop' | 'rto' | 'fast-retransmit' | 'probe';

/** One moment on the timeline: a dropped packet or a retransmission, ms from the stream's start. */
export interface TimelineEvent {
  stream: StreamId;
  kind: TimelineKind;
  tMs: number;
}

export interface StreamResult {
  id: StreamId;
  label: string;
  sent: number;
  delivered: number;
  /** Messages that can no longer arrive, with why (the simulator's reasons). */
  lost: number;
  lostReasons: Record<string, number>;
  inFlight: number;
  /** Latency of every delivered message, sender's send call to receiver's delivery, ms, ascending. */
  latenciesMs: number[];
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  tcp: TcpUnderneath;
}

export interface LossResult {
  input: LossInput;
  /** When the stream started (every connection open and subscribed), ms of simulated time. */
  startMs: number;
  /** Messages in the stream (each protocol sends the same schedule). */
  count: number;
  payloadBytes: number;
  streams: StreamResult[];
  timeline: TimelineEvent[];
  /** The run as the Lab would show it (for the exports). */
  snapshot: RunSnapshot;
}

// ---- the bulk transfer beside the Mathis curve ----

export interface GoodputInput {
  congestion: CongestionName;
  /** One-way delay of the sink's access link, ms: the round trip is twice this. */
  latencyMs: number;
  seed: number;
}

export interface GoodputPoint {
  lossPct: number;
  /** Delivered bytes x 8 / 1000 over the transfer's time (first send to last delivery). */
  goodputKbps: number | null;
  /** Mathis et al.: MSS / RTT x sqrt(3/2) / sqrt(p), capped at the link's rate. */
  mathisKbps: number;
  completionS: number | null;
  retransmits: number;
  timeouts: number;
}

export interface GoodputResult {
  input: GoodputInput;
  bytes: number;
  mss: number;
  rttMs: number;
  linkKbps: number;
  points: GoodputPoint[];
}
