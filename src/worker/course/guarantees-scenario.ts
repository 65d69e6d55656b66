/**
 * Chapter 5's experiment as a scenario: a sensor streams readings through a hub (an MQTT broker or
 * a WebSocket server) to one dashboard, and one access link goes dark in the middle of the stream.
 * The strategy decides the roles' options; everything else (links, timing, seed) is shared, so the
 * strategies differ only in what the protocol and the application do about the outage.
 *
 * A packet from A to B crosses A's access link and then B's, so with `latencyMs` on every access
 * link one hop (sensor to hub, or hub to dashboard) takes 2 x latencyMs one way.
 */
import { SAMPLE_TOPIC } from './samples.ts';
import type { GuaranteesInput, Strategy } from './guarantees-types.ts';

/** The stream starts at this second (the connections are open by then). */
export const STREAM_START_S = 1;
/** The outage starts this many seconds into the run (fixed: the stream is flowing by then). */
export const OUTAGE_AT_S = 10;
/** Time left after the last send and the outage's end, for reconnects and resends to finish. */
const TAIL_S = 25;
/** Readings are this many bytes (a small JSON reading). */
export const PAYLOAD_BYTES = 20;

export const HUB = 'hub';
export const SENSOR = 'sensor';
export const DASHBOARD = 'dashboard';

export const MQTT_STRATEGIES = ['qos0', 'qos1', 'qos2'] as const;
export const WS_STRATEGIES = ['ws-raw', 'ws-acks', 'ws-resume'] as const;

export function isMqtt(strategy: Strategy): strategy is 'qos0' | 'qos1' | 'qos2' {
  return strategy === 'qos0' || strategy === 'qos1' || strategy === 'qos2';
}

export function qosOf(strategy: 'qos0' | 'qos1' | 'qos2'): 0 | 1 | 2 {
  return strategy === 'qos0' ? 0 : strategy === 'qos1' ? 1 : 2;
}

/** When the last reading is sent, seconds into the run. */
export function streamStopS(input: Pick<GuaranteesInput, 'count' | 'everyMs'>): number {
  return STREAM_START_S + (input.count * input.everyMs) / 1000;
}

export function runDurationS(input: GuaranteesInput): number {
  const outageEnd = input.impaired === 'none' || input.outageS <= 0 ? 0 : OUTAGE_AT_S + input.outageS;
  return Math.ceil(Math.max(streamStopS(input), outageEnd) + TAIL_S);
}

/** The node whose access link is impaired: it loses packets and goes dark (the hub's affects both hops). */
function impairedNode(input: GuaranteesInput): string | null {
  if (input.impaired === 'none') return null;
  return input.impaired === 'sensor' ? SENSOR : input.impaired === 'hub' ? HUB : DASHBOARD;
}

/** A valid `wirelab/scenario@1` for the input (the Lab can import it from the widget's JSON export). */
export function guaranteesScenario(input: GuaranteesInput): Record<string, unknown> {
  const impaired = impairedNode(input);
  const link = (id: string) =>
    id === impaired ? { link: { lossPct: input.lossPct, ...(input.outageS > 0 ? { outages: [{ atS: OUTAGE_AT_S, forS: input.outageS }] } : {}) } } : {};
  // Sends every everyMs inside [start, stop): exactly `count` readings.
  const schedule = { payloadBytes: PAYLOAD_BYTES, everyMs: input.everyMs, startS: STREAM_START_S, stopS: streamStopS(input) };
  const base = {
    schema: 'wirelab/scenario@1',
    title: `Chapter 5: ${input.strategy}, the ${input.impaired === 'none' ? 'links all perfect' : `${input.impaired}'s link impaired (${input.outageS} s outage, ${input.lossPct} % loss)`}`,
    seed: input.seed,
    durationS: runDurationS(input),
    defaults: { link: { latencyMs: input.latencyMs, jitterMs: 0, lossPct: 0 } },
  };
  if (isMqtt(input.strategy)) {
    const kept = input.session === 'kept';
    const v5 = input.mqttVersion === '5';
    // MQTT 5 keeps a session only while its Session Expiry Interval runs (0, the default, ends it
    // with the connection: section 3.1.2.11.2), so a kept session asks for an hour.
    const session = { cleanSession: !kept, ...(v5 && kept ? { sessionExpiryS: 3600 } : {}) };
    const mqtt = (clientId: string) => ({ version: input.mqttVersion, keepaliveS: input.keepaliveS, clientId, ...session });
    return {
      ...base,
      nodes: [
        { id: HUB, role: 'mqtt-broker', ...link(HUB), broker: { maxInflightMessages: input.brokerInflight, maxQueuedMessages: input.brokerQueue } },
        { id: SENSOR, role: 'mqtt-client', ...link(SENSOR), mqtt: mqtt(SENSOR), publish: [{ topic: SAMPLE_TOPIC, qos: qosOf(input.strategy), ...schedule }] },
        { id: DASHBOARD, role: 'mqtt-client', ...link(DASHBOARD), mqtt: mqtt(DASHBOARD), subscribe: [{ topic: SAMPLE_TOPIC, qos: input.subscriptionQos }] },
      ],
    };
  }
  // WebSocket: the application's heartbeat plays MQTT's keepalive (ping every keepaliveS, dead
  // after 1.5 x keepaliveS without a pong, as the broker's rule), so both notice an outage alike.
  const heartbeat = { heartbeatS: input.keepaliveS, pongTimeoutS: input.keepaliveS / 2 };
  const reconnect = input.strategy === 'ws-raw' ? {} : { reconnect: { initialDelayS: 1, maxDelayS: 30, jitter: 0 } };
  const acks = input.strategy === 'ws-raw' ? {} : { appAcks: { timeoutS: input.keepaliveS } };
  return {
    ...base,
    nodes: [
      // The server relays every reading to the dashboard (a room of the two), as chapter 1's does.
      { id: HUB, role: 'ws-server', ...link(HUB), ws: { rooms: true, ...heartbeat, ...(input.strategy === 'ws-resume' ? { serverBuffer: input.brokerQueue } : {}) } },
      { id: SENSOR, role: 'ws-client', ...link(SENSOR), ws: { ...heartbeat, ...reconnect, ...acks }, send: [{ ...schedule, to: HUB }] },
      { id: DASHBOARD, role: 'ws-client', ...link(DASHBOARD), ws: { ...heartbeat, ...reconnect }, send: [] },
    ],
  };
}

export function strategiesAll(): Strategy[] {
  return [...MQTT_STRATEGIES, ...WS_STRATEGIES];
}
