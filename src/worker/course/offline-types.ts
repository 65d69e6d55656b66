/**
 * What chapter 6's widget ("Offline clients") sends the worker and gets back, and the schedule it
 * starts with (no simulator code: the page and the worker both import this file).
 *
 * Four devices share one broker (or one WebSocket server): a thermostat and a door sensor that
 * publish, a phone and a tablet that subscribe to everything. The reader draws when each device is
 * offline, and how: its network lost (the broker notices only by keepalive and publishes its will)
 * or switched off cleanly (DISCONNECT: no will). An outage that starts at 0 s is a late join.
 */
import type { RunSnapshot } from '../api.ts';

export const DEVICES = ['thermo', 'door', 'phone', 'tablet'] as const;
export type DeviceId = (typeof DEVICES)[number];
export type OutageKind = 'network' | 'off';

export interface DeviceOutage {
  device: DeviceId;
  /** Seconds into the run; 0 means the device joins late, at atS + forS. */
  atS: number;
  forS: number;
  kind: OutageKind;
}

export interface OfflineInput {
  outages: DeviceOutage[];
  /** Every device's MQTT keepalive, and the WebSocket heartbeat. */
  keepaliveS: number;
  /** mosquitto max_queued_messages per client; for WebSocket, the server's replay buffer per client. */
  maxQueued: number;
  /** The phone's session: kept (clean session 0 / a session expiry) or clean. The tablet's is always clean. */
  phoneSession: 'kept' | 'clean';
  mqttVersion: '3.1.1' | '5';
  /** MQTT 5 Will Delay Interval of both publishers, seconds (0: at once; ignored in 3.1.1). */
  willDelayS: number;
  seed: number;
}

/** The timeline the reader draws on, seconds. */
export const TIMELINE_S = 60;
/** Outages may be drawn in steps of this many seconds. */
export const STEP_S = 1;

/**
 * The widget's start: the phone switched off for 20 s (its queue of 5 overflows), the thermostat's
 * network lost from 34 s to 54 s (its will goes out), the tablet joining at 40 s (retained values).
 */
export const OFFLINE_DEFAULTS: OfflineInput = {
  outages: [
    { device: 'phone', atS: 10, forS: 20, kind: 'off' },
    { device: 'thermo', atS: 34, forS: 20, kind: 'network' },
    { device: 'tablet', atS: 0, forS: 40, kind: 'off' },
  ],
  keepaliveS: 10,
  maxQueued: 5,
  phoneSession: 'kept',
  mqttVersion: '3.1.1',
  willDelayS: 0,
  seed: 1,
};

/** What happened to one message (or will) for one subscriber. */
export type Outcome =
  | 'live' // delivered while both ends were connected
  | 'queued' // the broker (or server buffer) kept it while the subscriber was away; delivered on reconnect
  | 'held' // the publisher's client kept it while it was offline; delivered after it reconnected
  | 'retained' // seen by a subscriber that joined (or came back) later, as the topic's retained message
  | 'will' // a Last Will, published by the broker for a device that vanished
  | 'queue-full' // dropped at the queue bound
  | 'qos0-not-queued' // QoS 0 for an absent subscriber: not queued
  | 'before-join' // published before the subscriber's first connection, and not (or no longer) retained
  | 'lost' // another loss (a dying connection, a discarded session...), with its reason
  | 'in-flight'; // still on its way when the run ended

export interface MessageFate {
  /** `thermo #3`, or `will of thermo`. */
  label: string;
  publisher: DeviceId;
  subscriber: DeviceId;
  topic: string;
  qos: 0 | 1 | 2;
  /** When the publisher's application sent it (a will: when the broker published it), ms. */
  sentMs: number;
  outcome: Outcome;
  /** When the subscriber's application got it, ms. */
  deliveredMs: number | null;
  /** The simulator's reason code for a loss, or ''. */
  reason: string;
  /** Why, in words. */
  why: string;
}

export interface OutcomeCounts {
  live: number;
  queued: number;
  held: number;
  retained: number;
  will: number;
  queueFull: number;
  qos0NotQueued: number;
  beforeJoin: number;
  lost: number;
  inFlight: number;
}

/** A will published by the broker. */
export interface WillEvent {
  device: DeviceId;
  /** When the broker published it, ms. */
  atMs: number;
  /** The device's last packet before it, as the broker received it, ms. */
  lastHeardMs: number;
  topic: string;
}

/** One connected interval of a device, as the device saw it (ms). */
export interface Online {
  device: DeviceId;
  fromMs: number;
  untilMs: number | null;
}

export interface SideResult {
  fates: MessageFate[];
  /** Per subscriber (phone, tablet). */
  counts: Record<'phone' | 'tablet', OutcomeCounts>;
  online: Online[];
}

export interface PresenceEvent {
  device: DeviceId;
  kind: OutageKind;
  /** When the device went offline (the outage began), ms. */
  wentMs: number;
  /** MQTT: when the broker knew (DISCONNECT read, or the keepalive ran out), ms. */
  mqttKnewMs: number | null;
  /** MQTT: when the broker published its will (null: never, e.g. a clean DISCONNECT). */
  mqttWillMs: number | null;
  /** WebSocket: when the server's heartbeat found the connection dead, ms (null: it never did). */
  wsNoticedMs: number | null;
}

export interface OfflineResult {
  input: OfflineInput;
  mqtt: SideResult & { wills: WillEvent[] };
  ws: SideResult;
  presence: PresenceEvent[];
  /** The MQTT run, for the exports (the Lab imports its JSON). */
  snapshot: RunSnapshot;
  /** A plain-text summary of the MQTT outcomes (the widget's text summary). */
  summary: string[];
}
