/**
 * Chapter 6's schedule as two scenarios: MQTT (an mqtt-broker with mosquitto's behaviour and four
 * mqtt-clients) and the same devices on WebSocket (a ws-server relaying every message to the other
 * clients, with the patterns an application must build: a replay buffer per client, reconnect with
 * resume from the last sequence number, a heartbeat to notice who is gone).
 *
 * A "network" outage is a link outage on the device's access link (both directions): nobody says
 * goodbye. An "off" outage is an mqtt-client offline window (a clean DISCONNECT). An outage at 0 s
 * is a late join (mqtt.connectAtS). The WebSocket clients of the simulator cannot be switched off on
 * a schedule, so on that side every outage is a lost network (the widget says so).
 */
import { DEVICES, type DeviceId, type DeviceOutage, type OfflineInput, TIMELINE_S } from './offline-types.ts';

export const HUB = 'hub';
/** The run goes on after the timeline so that reconnects and resends finish. */
export const TAIL_S = 20;
export const RUN_S = TIMELINE_S + TAIL_S;
/** One-way latency of every access link, ms (a hop crosses two: 50 ms). */
export const LATENCY_MS = 25;
export const PAYLOAD_BYTES = 16;

/** What each device does. */
export const PUBLISHERS = {
  /** A thermostat: the temperature every 2 s, QoS 1, retained (the last value for late joiners). */
  thermo: { topic: 'home/temp', qos: 1 as const, retain: true, everyMs: 2000, startS: 1 },
  /** A door sensor: its state every 2 s, QoS 0, not retained. */
  door: { topic: 'home/door', qos: 0 as const, retain: false, everyMs: 2000, startS: 2 },
};
export const SUBSCRIBERS = ['phone', 'tablet'] as const;
export const SUBSCRIPTION = { topic: 'home/#', qos: 1 as const };
export const WILL_TOPIC = (device: DeviceId) => `home/${device}/status`;

export function outagesOf(input: OfflineInput, device: DeviceId): DeviceOutage[] {
  return input.outages.filter((o) => o.device === device).sort((a, b) => a.atS - b.atS);
}

/** The late join (an outage from 0 s), if any: the device first connects at its end. */
export function joinAtS(input: OfflineInput, device: DeviceId): number {
  const first = outagesOf(input, device)[0];
  return first !== undefined && first.atS === 0 ? first.forS : 0;
}

/** Outages other than the late join. */
function laterOutages(input: OfflineInput, device: DeviceId): DeviceOutage[] {
  return outagesOf(input, device).filter((o) => o.atS > 0);
}

/** Checks what the schema cannot: outages of one device may not overlap; all end on the timeline. */
export function scheduleProblems(input: OfflineInput): string[] {
  const problems: string[] = [];
  for (const device of DEVICES) {
    const list = outagesOf(input, device);
    list.forEach((o, i) => {
      if (o.atS + o.forS > TIMELINE_S) problems.push(`outage of ${device} at ${o.atS} s ends after ${TIMELINE_S} s`);
      const next = list[i + 1];
      if (next !== undefined && next.atS < o.atS + o.forS) problems.push(`outages of ${device} at ${o.atS} s and ${next.atS} s overlap`);
    });
  }
  return problems;
}

const base = (input: OfflineInput, title: string) => ({
  schema: 'wirelab/scenario@1',
  title,
  seed: input.seed,
  durationS: RUN_S,
  defaults: { link: { latencyMs: LATENCY_MS, jitterMs: 0, lossPct: 0 } },
});

function linkOf(outages: DeviceOutage[]): Record<string, unknown> {
  return outages.length === 0 ? {} : { link: { outages: outages.map((o) => ({ atS: o.atS, forS: o.forS })) } };
}

/** A valid `wirelab/scenario@1` of the MQTT side (the Lab can import it from the JSON export). */
export function mqttScenario(input: OfflineInput): Record<string, unknown> {
  const v5 = input.mqttVersion === '5';
  const client = (device: DeviceId, kept: boolean) => {
    const later = laterOutages(input, device);
    const join = joinAtS(input, device);
    const mqtt: Record<string, unknown> = {
      version: input.mqttVersion,
      keepaliveS: input.keepaliveS,
      clientId: device,
      // mqtt.js's reconnect (the role's default): a new attempt 1 s after each lost connection or
      // failed attempt (reconnectPeriod), no backoff.
      cleanSession: !kept,
      // MQTT 5 keeps a session only while its expiry interval runs (0 ends it with the connection).
      ...(v5 && kept ? { sessionExpiryS: 3600 } : {}),
      ...(join > 0 ? { connectAtS: join } : {}),
    };
    const off = later.filter((o) => o.kind === 'off');
    if (off.length > 0) mqtt.offline = off.map((o) => ({ atS: o.atS, forS: o.forS }));
    return { id: device, role: 'mqtt-client', ...linkOf(later.filter((o) => o.kind === 'network')), mqtt };
  };
  const publisher = (device: 'thermo' | 'door') => {
    const p = PUBLISHERS[device];
    // Publishers keep their sessions, so QoS 1 written into a dead connection is resent after it.
    const node = client(device, true);
    (node.mqtt as Record<string, unknown>).will = {
      topic: WILL_TOPIC(device), payloadBytes: 7, qos: 1, retain: true, ...(v5 && input.willDelayS > 0 ? { delayS: input.willDelayS } : {}),
    };
    return { ...node, publish: [{ topic: p.topic, qos: p.qos, retain: p.retain, payloadBytes: PAYLOAD_BYTES, everyMs: p.everyMs, startS: p.startS, stopS: TIMELINE_S }] };
  };
  return {
    ...base(input, 'Chapter 6: offline clients, MQTT'),
    nodes: [
      { id: HUB, role: 'mqtt-broker', broker: { maxQueuedMessages: input.maxQueued } },
      publisher('thermo'),
      publisher('door'),
      { ...client('phone', input.phoneSession === 'kept'), subscribe: [SUBSCRIPTION] },
      { ...client('tablet', false), subscribe: [SUBSCRIPTION] },
    ],
  };
}

/**
 * The WebSocket side: every outage (late joins too) is a lost network; the server relays each
 * message to the clients that have connected at least once, keeps the last `maxQueued` per client
 * for replay, and pings every keepalive (dead after 1.5 x, as the broker's rule).
 */
export function wsScenario(input: OfflineInput): Record<string, unknown> {
  const heartbeat = { heartbeatS: input.keepaliveS, pongTimeoutS: input.keepaliveS / 2 };
  // Retry 1 s after each lost connection or failed attempt, as the MQTT clients here (mqtt.js's
  // fixed reconnectPeriod), with a 2 s connect timeout: the comparison is about what each side
  // keeps, not about backoff.
  const reconnect = { reconnect: { initialDelayS: 1, maxDelayS: 1, jitter: 0, connectTimeoutS: 2 } };
  const client = (device: DeviceId) => ({ id: device, role: 'ws-client', ...linkOf(outagesOf(input, device)) });
  const sender = (device: 'thermo' | 'door') => {
    const p = PUBLISHERS[device];
    return {
      ...client(device),
      ws: { ...heartbeat, ...reconnect, ...(p.qos > 0 ? { appAcks: { timeoutS: input.keepaliveS } } : {}) },
      send: [{ payloadBytes: PAYLOAD_BYTES, everyMs: p.everyMs, startS: p.startS, stopS: TIMELINE_S, to: HUB }],
    };
  };
  return {
    ...base(input, 'Chapter 6: offline clients, WebSocket with a replay buffer, resume and heartbeats'),
    nodes: [
      { id: HUB, role: 'ws-server', ws: { rooms: true, ...heartbeat, serverBuffer: input.maxQueued } },
      sender('thermo'),
      sender('door'),
      ...SUBSCRIBERS.map((device) => ({ ...client(device), ws: { ...heartbeat, ...reconnect }, send: [] })),
    ],
  };
}
