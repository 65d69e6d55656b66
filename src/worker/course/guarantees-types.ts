/**
 * What chapter 5's widget sends the worker and gets back, and the input it starts with (no
 * simulator code: the page and the worker both import this file). Every figure is computed by the
 * simulator in the worker.
 */
import type { SequenceLane, SequenceMessage } from '../../charts/sequence.ts';
import type { RunSnapshot } from '../api.ts';

/** MQTT at one QoS level, or WebSocket raw / with application acks / with acks and resume. */
export type Strategy = 'qos0' | 'qos1' | 'qos2' | 'ws-raw' | 'ws-acks' | 'ws-resume';

export interface GuaranteesInput {
  strategy: Strategy;
  /** MQTT: clean session (forgotten at disconnect) or kept (resumed on reconnect). */
  session: 'clean' | 'kept';
  /**
   * Whose access link is impaired (goes dark for `outageS` and loses `lossPct` of its packets): the
   * sensor's, the hub's (both hops at once), the dashboard's, or nobody's.
   */
  impaired: 'sensor' | 'hub' | 'dashboard' | 'none';
  outageS: number;
  /** Readings the sensor sends, one every `everyMs`. */
  count: number;
  everyMs: number;
  /** One-way latency of every access link, ms (a hop crosses two). */
  latencyMs: number;
  lossPct: number;
  mqttVersion: '3.1.1' | '5';
  /** MQTT keepalive, and the WebSocket heartbeat interval. */
  keepaliveS: number;
  /** The QoS the dashboard subscribes with (the broker sends at the lower of the two). */
  subscriptionQos: 0 | 1 | 2;
  /** mosquitto max_inflight_messages (also its receive quota for QoS 2). */
  brokerInflight: number;
  /** mosquitto max_queued_messages; for WebSocket with resume, the server's buffer per client. */
  brokerQueue: number;
  seed: number;
}

export type Outcome = 'delivered' | 'duplicated' | 'lost' | 'in-flight';

/**
 * The widget's start: the real-stack testbed's outage case (fidelity/cases.ts "mqtt qos1 outage
 * 10s keepalive 10s"): 125 readings every 200 ms at QoS 1 with kept sessions, keepalive 10 s, the
 * broker's link dark from 10 s to 20 s, 25 ms one way per hop (12.5 ms on each access link).
 */
/** (A value in this types file so the widget's starting controls are the module's defaults, with no simulator code in the page.) */
export const GUARANTEES_DEFAULTS: GuaranteesInput = {
  strategy: 'qos1',
  session: 'kept',
  impaired: 'hub',
  outageS: 10,
  count: 125,
  everyMs: 200,
  latencyMs: 12.5,
  lossPct: 0,
  mqttVersion: '3.1.1',
  keepaliveS: 10,
  subscriptionQos: 2,
  brokerInflight: 20,
  brokerQueue: 1000,
  seed: 1,
};

/** One reading's fate, end to end (sensor's send call to the dashboard's application). */
export interface MessageFate {
  /** 1-based reading number. */
  n: number;
  sentMs: number;
  outcome: Outcome;
  /** First delivery to the dashboard's application. */
  deliveredMs: number | null;
  latencyMs: number | null;
  /** Deliveries beyond the first. */
  extraCopies: number;
  /** For a lost reading: the hop it was lost on and the flow ledger's reason code. */
  hop: 1 | 2 | null;
  reason: string;
  /** The reason in words. */
  why: string;
}

export interface FateCounts {
  sent: number;
  delivered: number;
  /** Readings delivered more than once. */
  duplicated: number;
  lost: number;
  inFlight: number;
  /** Lost on hop 1 (sensor to hub) and hop 2 (hub to dashboard). */
  lostHop1: number;
  lostHop2: number;
  /** Longest sensor-to-dashboard wait of a delivered reading, ms. */
  maxLatencyMs: number | null;
}

/** What the broker's limits did in this run (MQTT only). */
export interface BrokerLimits {
  /** QoS 2 PUBLISHes refused for lack of receive quota (mosquitto: 20 awaiting PUBREL). */
  quotaDenied: number;
  /** Messages dropped from the dashboard's full queue. */
  queueDropped: number;
  /** Most QoS 1/2 PUBLISHes to the dashboard awaiting acknowledgement at once. */
  peakInflight: number;
  /** Most QoS 2 PUBLISHes from the sensor awaiting PUBREL at once. */
  peakAwaitingPubrel: number;
}

export interface SequenceWindow {
  id: 'one' | 'outage' | 'reconnect';
  title: string;
  lanes: SequenceLane[];
  messages: SequenceMessage[];
  /** Time 0 of the diagram, ms into the run. */
  originMs: number;
  /** The window had more packets than are drawn. */
  truncated: boolean;
}

/** The cost of one reading with no outage: time until the dashboard's application has it. */
export interface RoundTripCost {
  strategy: Strategy;
  latencyMs: number;
  /** latencyMs over one hop's round trip (4 x the access link latency). */
  roundTrips: number;
  /** Packets of that one reading (data and acknowledgements, both hops). */
  packets: number;
}

export interface StrategyRow {
  strategy: Strategy;
  session: 'clean' | 'kept' | null;
  counts: FateCounts;
  /** Distinct loss reasons, most frequent first. */
  reasons: { reason: string; hop: 1 | 2; count: number }[];
}

export interface GuaranteesResult {
  input: GuaranteesInput;
  /** One hop's round trip, ms. */
  rttMs: number;
  outage: { atMs: number; untilMs: number } | null;
  fates: MessageFate[];
  counts: FateCounts;
  limits: BrokerLimits | null;
  /** PUBACKs and PUBCOMPs the sensor received (MQTT): what its application was told arrived. */
  sensorAcks: number;
  windows: SequenceWindow[];
  /** One reading at each level with no outage (the round trips each costs). */
  costs: RoundTripCost[];
  /** The same outage for every strategy (MQTT at both sessions). */
  comparison: StrategyRow[];
  /** The chosen strategy's run, for the exports (the Lab imports its JSON). */
  snapshot: RunSnapshot;
}
