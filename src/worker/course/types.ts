/**
 * What the course's chapter widgets get from the worker (SimApi's `course*` methods). Only types:
 * no simulator code and no DOM, so the page and the worker both import this file. Every value is
 * structured-clone safe and computed by the protocol engines inside the worker: a widget never
 * writes a byte count of its own.
 */
import type { SequenceLane, SequenceMessage } from '../../charts/sequence.ts';
import type { WireBytesSeries } from '../../charts/wireBytes.ts';
import type { TopologyLink, TopologyNode } from '../../charts/topology.ts';
import type { RunSnapshot } from '../api.ts';

/** One named bit (or group of bits) inside one byte of a field. */
export interface BitField {
  name: string;
  /** Offset of the byte inside the whole packet. */
  byte: number;
  /** Highest and lowest bit, 7 = most significant. */
  hi: number;
  lo: number;
  /** The bits' value in words ("1 (last frame)", "0x1 text"). */
  value: string;
}

/** One field of a packet: a byte range [start, end) with a name and its decoded value. */
export interface ByteField {
  name: string;
  start: number;
  end: number;
  value: string;
  bits?: BitField[];
}

/** A packet's bytes as the engine produced them, with every field labelled. */
export interface AnnotatedBytes {
  title: string;
  /** The bytes, as the engine encoded them (may be shortened for display: see `totalBytes`). */
  bytes: Uint8Array;
  /** Length of the whole packet; larger than bytes.length when the payload was cut for display. */
  totalBytes: number;
  fields: ByteField[];
  /** Shown under the hex: what the engine did to produce these bytes. */
  note?: string;
}

// ---- chapter 3: overhead ----

export type MqttVersionName = '3.1.1' | '5';

export interface OverheadInput {
  payloadBytes: number;
  topicLength: number;
  qos: 0 | 1 | 2;
  mqttVersion: MqttVersionName;
  /** Which layers the chart counts. */
  layer: 'protocol' | 'tcpip' | 'tls';
  /** Payload sizes for the chart's x axis (default: the course's sweep around `payloadBytes`). */
  sweep?: number[];
}

export interface OverheadResult {
  input: OverheadInput;
  topic: string;
  wsMasked: AnnotatedBytes;
  wsUnmasked: AnnotatedBytes;
  mqttPublish: AnnotatedBytes;
  /** The acknowledgements the QoS level adds (PUBACK; PUBREC, PUBREL, PUBCOMP), in order. */
  mqttAcks: AnnotatedBytes[];
  /** Chart data at the chosen layer. */
  series: WireBytesSeries[];
  /** The header accounting the engines used (from the TCP engine's wire module). */
  accounting: { ipv4: number; tcp: number; tcpOptions: number; mss: number; tlsRecordOverhead: number };
}

// ---- chapter 2: handshakes ----

export interface HandshakeInput {
  /** One-way latency of each access link, ms (a packet crosses two: client up, server down). */
  latencyMs: number;
  tls: boolean;
  mqttVersion: MqttVersionName;
  /**
   * The MQTT client writes its first PUBLISH right after CONNECT instead of waiting for CONNACK
   * (allowed by MQTT 3.1.1 section 3.1.4 and MQTT 5 section 3.1.4; mqtt.js waits). Default false.
   */
  mqttPipelining?: boolean;
  /**
   * The MQTT client and broker set TCP_NODELAY (mqtt.js does not; mosquitto only with
   * `set_tcp_nodelay true`), so Nagle's algorithm is off on both ends. Default false.
   */
  mqttNoDelay?: boolean;
  /** Rate of the client's access link, both directions, kbit/s; 0 or absent: no limit. */
  bandwidthKbps?: number;
}

/** The bytes on the wire before the first message left, by what they are (sums to `bytesBefore`). */
export interface BytesBreakdown {
  /** Segments (both directions). */
  segments: number;
  /** Of those, segments without payload: SYN, SYN-ACK, pure ACKs. */
  controlSegments: number;
  /** IPv4 and TCP headers (options included) of every segment. */
  headerBytes: number;
  /** TLS handshake records, session tickets and the framing of TLS records around application data. */
  tlsBytes: number;
  /** The protocol's own handshake: the HTTP upgrade and 101, or CONNECT and CONNACK. */
  handshakeBytes: number;
}

export interface HandshakeMessage extends SequenceMessage {
  /** The packet's bytes with labelled fields, when the packet carries application-layer bytes. */
  inspect?: AnnotatedBytes;
  /** For packets inspected by size only (TCP headers, TLS records): what they contain. */
  sizeNote?: string;
}

export interface HandshakeTimeline {
  protocol: 'websocket' | 'mqtt';
  lanes: SequenceLane[];
  messages: HandshakeMessage[];
  /** When the segment carrying the client's first message left the client, ms from the SYN. */
  firstSendMs: number;
  /** When the first message's last byte reached the server, ms from the SYN. */
  firstArrivedMs: number;
  /** Round trips of the client-server path before that moment. */
  roundTrips: number;
  /** Bytes on the wire, both directions, IP headers included, before that moment. */
  bytesBefore: number;
  /** What those bytes are: headers of every segment, TLS records, the protocol's handshake. */
  breakdown: BytesBreakdown;
  /** Of those, the protocol handshake's own bytes (HTTP upgrade, or CONNECT + CONNACK). */
  handshakeBytes: number;
}

export interface HandshakeResult {
  input: HandshakeInput;
  /** The seed of both runs (client ids, sequence numbers, masking keys): exported figures name it. */
  seed: number;
  rttMs: number;
  websocket: HandshakeTimeline;
  mqtt: HandshakeTimeline;
  /** The Sec-WebSocket-Key the client sent and the Accept value the engine computed. */
  accept: { key: string; accept: string };
}

// ---- chapter 1: one system wired two ways ----

export interface TwoWaysInput {
  latencyMs: number;
  lossPct: number;
  seed: number;
  /** Readings per second from the sensor. */
  everyMs: number;
  payloadBytes: number;
  durationS: number;
  /** The MQTT sensor and broker set TCP_NODELAY (mqtt.js and mosquitto do not by default). */
  mqttNoDelay?: boolean;
}

/** One packet's trip over one access link, for the animation and the counters. */
export interface LinkTrip {
  /** Index into the topology's links. */
  link: number;
  dir: 'ab' | 'ba';
  /** 0: the sender's access link (first half of the drawn line); 1: the receiver's (second half). */
  half: 0 | 1;
  sentUs: number;
  /** Arrival, or the time it was dropped. */
  endUs: number;
  bytes: number;
  dropped: boolean;
  kind: 'data' | 'control';
  /** The readings (indexes into WiredSystem.readings) whose bytes this packet carries. */
  readings?: number[];
}

/** What became of one reading for one dashboard when the run ended (./twoWaysReadings.ts). */
export type ReadingOutcome = 'delivered' | 'on-the-way' | 'not-sent' | 'missed';

/** One reading the sensor's application produced, followed to every dashboard. */
export interface ReadingTrack {
  /** When the sensor's schedule asked for it (µs). */
  sentUs: number;
  /** When its bytes first left the sensor (µs); undefined if they never did. */
  leftUs?: number;
  /** Per dashboard, in the picture's order: delivery time (µs), or undefined. */
  deliveredUs: (number | undefined)[];
  outcome: ReadingOutcome[];
}

export interface WiredSystem {
  protocol: 'websocket' | 'mqtt';
  nodes: TopologyNode[];
  /** Links with zero counters; the widget fills them from `trips` at the current time. */
  links: TopologyLink[];
  trips: LinkTrip[];
  /** Sensor send call to dashboard delivery, over every (reading, dashboard) delivered. */
  latencyMs: { p50: number; max: number } | null;
  /** (reading, dashboard) pairs delivered. */
  delivered: number;
  /** Readings the sensor's application produced times the number of dashboards: the deliveries expected. */
  sent: number;
  /** Every reading the sensor's application produced, and what became of it at each dashboard. */
  readings: ReadingTrack[];
  /** The (reading, dashboard) pairs by outcome when the run ended. */
  outcomes: Record<ReadingOutcome, number>;
  /** When the sensor's session opened (MQTT CONNACK, WebSocket open), µs; undefined: never in the run. */
  sensorOpenUs: number | undefined;
  /** Times the sensor resent its SYN (its connection attempt waiting on TCP's 1 s, 2 s, 4 s timer). */
  sensorSynRetries: number;
  /** Packets the hub (broker or server) sent carrying readings, per reading the sensor sent. */
  fanoutPerReading: number;
}

export interface TwoWaysResult {
  input: TwoWaysInput;
  durationUs: number;
  mqtt: WiredSystem;
  websocket: WiredSystem;
  /** The run as the Lab would show it: metrics, one row per message, the trace (for the exports). */
  snapshot: RunSnapshot;
}

// ---- understanding checks and figures in the prose ----

export interface CheckQuestion {
  id: string;
  prompt: string;
  choices: string[];
  /** Index into `choices` of the right answer, computed by the simulator. */
  answer: number;
  /** Shown after answering: why, with the computed figures. */
  explanation: string;
  /** Per choice, the misconception that leads to it when it is wrong (null: none named). */
  slips?: (string | null)[];
}

/** Named figures the chapter prose shows inline (`<Measure of="ch3.mqttPublish20" />`). */
export type CourseFigures = Record<string, string>;
