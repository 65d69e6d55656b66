/**
 * Chapter 10's first experiment, "one server, many clients", as scenarios and the shapes of its
 * answer. Page-safe (simulator types only): the widget imports the types and constants.
 *
 * N devices each send a reading every `everyS` seconds, their sends spread evenly over the
 * interval (device i starts at i/N of it), to one hub, twice:
 * - an MQTT broker (mosquitto's behaviour), the readings published to `sensors/<id>` at the
 *   reader's QoS, and one dashboard subscribed to `sensors/+` at the same QoS, because a broker
 *   is a relay: the application that uses the readings is another client;
 * - a WebSocket server (the `ws` library's behaviour) whose own application takes the readings.
 *
 * The devices connect at time 0; from WINDOW_START_S for WINDOW_S seconds the run is watched: a
 * probe (simulator/runtime/run.ts `RunProbe`) reads, every PROBE_EVERY_MS, what the hub's TCP
 * connections hold (send queue bytes, scoreboard segments, out-of-order bytes, armed timers)
 * and what its application holds (connections, sessions, queued and in-flight messages, timers),
 * and a trace sink counts the packets and bytes crossing the hub's access link and the readings
 * its application (WebSocket) or the dashboard (MQTT) received in the window.
 */

export type ServerHub = 'mqtt' | 'ws';

export interface ServerLoadInput {
  /** Devices connected to the hub, 1 to MAX_DEVICES. */
  devices: number;
  /** Seconds between two readings of one device. */
  everyS: number;
  /** MQTT QoS of the readings and of the dashboard's subscription (WebSocket has none). */
  qos: 0 | 1;
  seed: number;
}

export const SERVERLOAD_DEFAULTS: ServerLoadInput = { devices: 1000, everyS: 1, qos: 1, seed: 1 };
/** Two nodes are the hub and the dashboard; a scenario holds at most 10,000 (simulator/scenarios/limits.ts). */
export const MAX_DEVICES = 9_998;
/** The device counts the chart shows, up to the reader's N (which is added to them). */
export const DEVICE_LADDER = [10, 100, 1000] as const;
/** The intervals the reader picks from, seconds. */
export const EVERY_CHOICES = [0.1, 1, 10] as const;
/** Application bytes per reading. */
export const READING_BYTES = 64;
/** Every device's access link: 10 Mbit/s, 10 ms one way (round trip to the hub about 22 ms). */
export const DEVICE_LINK = { latencyMs: 10, jitterMs: 0, lossPct: 0, bandwidthKbps: 10_000 };
/** The hub's link: 1 Gbit/s, 1 ms, a queue that holds N SYNs at once (queue overflow is not this chapter's subject). */
export const HUB_LINK = { latencyMs: 1, jitterMs: 0, lossPct: 0, bandwidthKbps: 1_000_000, queuePackets: 100_000 };
/** When the watched window starts (every device connected and subscribed long before), and its length, seconds. */
export const WINDOW_START_S = 3;
export const WINDOW_S = 10;
/** How often the probe looks, ms (500 looks in the window). */
export const PROBE_EVERY_MS = 20;

export const SERVER_HUB_NODE: Record<ServerHub, string> = { mqtt: 'broker', ws: 'server' };
export const DASHBOARD = 'dash';
export const deviceId = (i: number): string => `d${i + 1}`;

/** The scenario (`wirelab/scenario@1`) for one hub. */
export function serverLoadScenario(hub: ServerHub, input: ServerLoadInput): Record<string, unknown> {
  const n = input.devices;
  const everyMs = Math.round(input.everyS * 1000);
  // Sends spread over one interval; readings only from the window's start (the connects are over).
  const startOf = (i: number) => WINDOW_START_S + (i * input.everyS) / n;
  const stopS = WINDOW_START_S + WINDOW_S;
  const nodes: unknown[] = [];
  if (hub === 'mqtt') {
    nodes.push({ id: SERVER_HUB_NODE.mqtt, role: 'mqtt-broker', link: HUB_LINK });
    nodes.push({ id: DASHBOARD, role: 'mqtt-client', subscribe: [{ topic: 'sensors/+', qos: input.qos }] });
    for (let i = 0; i < n; i++) {
      nodes.push({ id: deviceId(i), role: 'mqtt-client', publish: [{ topic: `sensors/${deviceId(i)}`, qos: input.qos, payloadBytes: READING_BYTES, everyMs, startS: startOf(i), stopS }] });
    }
  } else {
    nodes.push({ id: SERVER_HUB_NODE.ws, role: 'ws-server', link: HUB_LINK });
    for (let i = 0; i < n; i++) nodes.push({ id: deviceId(i), role: 'ws-client', send: [{ payloadBytes: READING_BYTES, everyMs, startS: startOf(i), stopS, to: SERVER_HUB_NODE.ws }] });
  }
  const what = hub === 'mqtt' ? `an MQTT broker and a dashboard, QoS ${input.qos}` : 'a WebSocket server';
  return {
    schema: 'wirelab/scenario@1',
    title: `chapter 10: ${n.toLocaleString('en-US')} devices, a reading every ${input.everyS} s each, to ${what}`,
    seed: input.seed,
    durationS: WINDOW_START_S + WINDOW_S + 1,
    defaults: { link: DEVICE_LINK },
    nodes,
  };
}

/** A quantity the probe read: its mean over the looks in the window and its largest value. */
export interface Held {
  mean: number;
  peak: number;
}

/** What one hub held and carried in the window. */
export interface HubLoad {
  kind: ServerHub;
  devices: number;
  /** TCP connections the hub's host knows (devices, plus the dashboard for MQTT). */
  tcpConnections: Held;
  /** The application's own connections (MQTT sessions connected; WebSocket connections open). */
  appConnections: Held;
  /** Bytes in the hub's TCP send queues (written, not yet acknowledged), all connections together. */
  sendQueueBytes: Held;
  /** Segments on the hub's retransmission scoreboards, all together. */
  scoreboardSegments: Held;
  /** Out-of-order bytes the hub's TCP holds (0 on these lossless links). */
  outOfOrderBytes: Held;
  /** Armed TCP timers at the hub, by kind (Linux: one retransmit, one delayed-ACK timer per socket). */
  retransmitTimers: Held;
  delayedAckTimers: Held;
  /** Scheduler timers the application holds (broker: one engine timer; WebSocket: one per connection with a timer). */
  appTimers: Held;
  /** Outgoing MQTT messages queued (behind the window or for offline sessions) and in flight (sent, unacknowledged). 0 for WebSocket. */
  queuedMessages: Held;
  inflightMessages: Held;
  /** Readings sent by the devices in the window, and received by the consumer (the dashboard or the server's application). */
  sent: number;
  received: number;
  /** Readings the broker dropped in the window because a queue was full (mosquitto's max_queued_messages). */
  dropped: number;
  /** Packets and bytes crossing the hub's access link in the window, each way. */
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
}

export interface ServerLoadPoint {
  devices: number;
  mqtt: HubLoad;
  ws: HubLoad;
}

export interface ServerLoadResult {
  input: ServerLoadInput;
  windowS: number;
  /** One point per device count: DEVICE_LADDER below N, and N; ascending. */
  points: ServerLoadPoint[];
}

/** The device counts one answer runs. */
export function deviceLadder(devices: number): number[] {
  return [...new Set([...DEVICE_LADDER.filter((n) => n < devices), devices])];
}

/** One run of the plan: a hub at a device count. */
export interface ServerLoadStep extends ServerLoadInput {
  hub: ServerHub;
}

export function serverLoadPlan(input: ServerLoadInput, ladder = deviceLadder(input.devices)): ServerLoadStep[] {
  return ladder.flatMap((devices) => (['mqtt', 'ws'] as const).map((hub) => ({ ...input, devices, hub })));
}

/** Relative cost of a run (for a progress bar over the plan): devices x readings. */
export const serverLoadWeight = (step: ServerLoadStep): number => step.devices * (1 + WINDOW_S / step.everyS);

/** Puts the plan's runs (in `serverLoadPlan` order) together. */
export function serverLoadResult(input: ServerLoadInput, runs: readonly HubLoad[], ladder = deviceLadder(input.devices)): ServerLoadResult {
  if (runs.length !== ladder.length * 2) throw new Error(`expected ${ladder.length * 2} runs, got ${runs.length}`);
  return { input, windowS: WINDOW_S, points: ladder.map((devices, i) => ({ devices, mqtt: runs[2 * i]!, ws: runs[2 * i + 1]! })) };
}

/** Per reading received, and per device per second, of a window total. */
export const perReading = (load: HubLoad, total: number): number => (load.received === 0 ? 0 : total / load.received);
export const perDeviceSecond = (load: HubLoad, total: number): number => total / load.devices / WINDOW_S;
