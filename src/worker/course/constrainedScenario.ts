/**
 * Chapter 9's experiment as one scenario: four devices on the same kind of constrained link, each
 * sending the same readings one way: over WebSocket to a server (the application), and over MQTT
 * 3.1.1 at QoS 0, 1 and 2 through a broker to a subscribing application ("backend"). Every
 * device has its own access link (the simulator's star network), so the four never share the
 * radio's rate; the broker, the server and the backend sit in one data centre, BACKEND_MS from
 * the core each, so the MQTT readings make one more crossing of 2 x BACKEND_MS than WebSocket's.
 *
 * The readings start at START_S, when every connection is long open (the slowest link's
 * handshakes take a few seconds), and READINGS of them are measured: the window is
 * [START_S, START_S + READINGS x everyS), one interval per reading, keepalive traffic included.
 * Each role keeps its library's defaults (mqtt.js: keepalive 60 s, Nagle on; ws: TCP_NODELAY,
 * no heartbeat unless the input asks for one).
 */
import { parseScenario, type Scenario } from '../../../simulator/scenarios/schema.ts';
import { TLS13_RECORD_OVERHEAD } from '../../../simulator/protocols/tcp/wire.ts';
import { linkPreset } from './constrainedLinks.ts';
import type { ConstrainedInput, ProtocolId } from './constrainedTypes.ts';

export const READINGS = 10;
export const START_S = 20;
/** After the window, for the last answers to come back (longer than any link's round trips). */
export const DRAIN_S = 10;
/** One-way delay from the core to the broker, the server and the backend, ms (one data centre). */
export const BACKEND_MS = 1;
/** mqtt.js's default keepalive (NETWORK-FACTS.md), seconds. */
export const MQTT_KEEPALIVE_S = 60;

export interface Device {
  id: ProtocolId;
  label: string;
  node: string;
  /** Who delivers its readings to the application. */
  receiver: string;
}

export const DEVICES: readonly Device[] = [
  { id: 'ws', label: 'WebSocket', node: 'dev-ws', receiver: 'server' },
  { id: 'qos0', label: 'MQTT QoS 0', node: 'dev-qos0', receiver: 'backend' },
  { id: 'qos1', label: 'MQTT QoS 1', node: 'dev-qos1', receiver: 'backend' },
  { id: 'qos2', label: 'MQTT QoS 2', node: 'dev-qos2', receiver: 'backend' },
];

export const windowUs = (input: Pick<ConstrainedInput, 'everyS'>) => ({ from: START_S * 1e6, to: (START_S + READINGS * input.everyS) * 1e6 });

/** The scenario (valid `wirelab/scenario@1`) for this input. */
export function constrainedScenario(input: ConstrainedInput): unknown {
  const preset = linkPreset(input.link);
  const radio = {
    up: { latencyMs: preset.oneWayMs, bandwidthKbps: preset.upKbps },
    down: { latencyMs: preset.oneWayMs, bandwidthKbps: preset.downKbps },
  };
  const dataCentre = { latencyMs: BACKEND_MS, jitterMs: 0, lossPct: 0 };
  const tcp = input.tls ? { tcp: { tlsRecordOverhead: TLS13_RECORD_OVERHEAD } } : {};
  const everyMs = input.everyS * 1000;
  const schedule = { payloadBytes: input.payloadBytes, everyMs, startS: START_S, stopS: START_S + (READINGS - 0.5) * input.everyS };
  const nodes: unknown[] = [
    { id: 'broker', role: 'mqtt-broker', link: dataCentre, ...tcp },
    { id: 'server', role: 'ws-server', link: dataCentre, ...tcp },
    {
      id: 'backend', role: 'mqtt-client', link: dataCentre, ...tcp,
      mqtt: { version: '3.1.1', clientId: 'backend', keepaliveS: MQTT_KEEPALIVE_S },
      subscribe: [0, 1, 2].map((qos) => ({ topic: `sensors/qos${qos}`, qos })),
    },
    {
      id: 'dev-ws', role: 'ws-client', link: { jitterMs: 0, lossPct: 0 }, ...radio, ...tcp,
      ...(input.wsHeartbeatS > 0 ? { ws: { heartbeatS: input.wsHeartbeatS } } : {}),
      send: [{ ...schedule, to: 'server' }],
    },
  ];
  for (const qos of [0, 1, 2] as const) {
    nodes.push({
      id: `dev-qos${qos}`, role: 'mqtt-client', link: { jitterMs: 0, lossPct: 0 }, ...radio, ...tcp,
      mqtt: { version: '3.1.1', clientId: `dev-qos${qos}`, keepaliveS: input.keepaliveS },
      publish: [{ topic: `sensors/qos${qos}`, qos, ...schedule }],
    });
  }
  return {
    schema: 'wirelab/scenario@1',
    title: `chapter 9: a reading every ${input.everyS} s over ${preset.label}${input.tls ? ', TLS' : ''}`,
    description: `Four devices on ${preset.label} links (${preset.upKbps} kbit/s up, ${preset.downKbps} kbit/s down, ${preset.oneWayMs} ms each way) send ${input.payloadBytes}-byte readings every ${input.everyS} s: over WebSocket to a server, and over MQTT 3.1.1 at QoS 0, 1 and 2 through a broker to a subscriber.`,
    seed: input.seed,
    durationS: START_S + READINGS * input.everyS + DRAIN_S,
    nodes,
  };
}

export function parsedScenario(input: ConstrainedInput): Scenario {
  const result = parseScenario(constrainedScenario(input));
  if (!result.ok) throw new Error(`chapter 9's scenario is not valid: ${result.errors.join('; ')}`);
  return result.scenario;
}
