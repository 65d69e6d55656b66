/**
 * What chapter 7's widget ("Staying alive, and closing") sends to the worker and gets back. Only
 * types: the page and the worker both import this file. Every time in it is read from a run of the
 * engines (./alive-run.ts), never computed by hand.
 */
import type { RunSnapshot } from '../api.ts';

/** What silently breaks the device's connection. */
export type AliveFailure = 'nat' | 'dark';

export interface AliveInput {
  /**
   * 'nat': a NAT on the device's access link forgets a connection idle for `idleTimeoutS`;
   * 'dark': the device's network goes dark at DARK_AT_S and stays dark (a phone in a lift, a
   * sensor losing power); no NAT.
   */
  failure: AliveFailure;
  /** The NAT's idle timeout, seconds ('nat' only). */
  idleTimeoutS: number;
  /** MQTT keepalive of the device, seconds (0: none; mqtt.js's default is 60). */
  keepaliveS: number;
  /** The WebSocket server pings every this many seconds, the `ws` README's heartbeat (0: none, as `ws` does by itself). */
  heartbeatS: number;
  /** The browser app runs its own heartbeat too (an application message at the same interval: browsers cannot send pings). */
  browserHeartbeat: boolean;
  /** One-way delay of every access link, ms. */
  latencyMs: number;
  /** Random loss on the device's access link, percent. */
  lossPct: number;
  seed: number;
}

/** The four ends whose knowledge the chapter compares. */
export type SideId = 'ws-server' | 'ws-browser' | 'mqtt-broker' | 'mqtt-device';

/** When one end learned that its connection was gone, and what it was told. */
export interface SideResult {
  side: SideId;
  label: string;
  protocol: 'websocket' | 'mqtt';
  /** When it learned the first connection was gone, ms of simulated time; null if not within the run. */
  detectedAtMs: number | null;
  /** detectedAtMs minus the moment the connection died; null when it never died or was never detected. */
  detectMs: number | null;
  /** What told it ("no pong within 30 s", "TCP gave up after 15 retransmissions"...). */
  how: string;
  /** What the application was told: a WebSocket close code and reason, or MQTT's words. */
  reported: string;
  /** WebSocket close code the application saw (1006...), or null. */
  closeCode: number | null;
  /** Connections this end opened or accepted during the run. */
  connections: number;
}

export type AliveEventKind =
  | 'ping' | 'pong' | 'pingreq' | 'pingresp' | 'message' | 'close-frame' | 'disconnect' | 'connect'
  | 'nat-drop' | 'outage-drop' | 'retransmit' | 'detected' | 'closed';

/** One moment on the timeline: what one end sent or saw. */
export interface AliveEvent {
  side: SideId;
  tMs: number;
  kind: AliveEventKind;
  dir: 'sent' | 'received' | 'lost' | 'note';
  text: string;
}

/** One server-to-device message ("alert") and what became of it. */
export interface AlertFate {
  protocol: 'websocket' | 'mqtt';
  msg: number;
  sentAtMs: number;
  /** Delivered at (ms), or null when lost. */
  deliveredAtMs: number | null;
  /** Why it was lost (the simulator's reason), or null. */
  lostReason: string | null;
}

export interface ProtocolRun {
  protocol: 'websocket' | 'mqtt';
  /** When the device's first connection died (NAT forgot it, or the network went dark), ms; null if it never did. */
  diedAtMs: number | null;
  /** Times the device's connections died during the run. */
  deaths: number;
  /** Packets a NAT or the dark network dropped. */
  dropped: number;
  /** TCP retransmissions on the device's connections (both ends). */
  retransmits: number;
}

export interface AliveResult {
  input: AliveInput;
  durationMs: number;
  /** When the alerts are sent (ms). */
  alertTimesMs: number[];
  sides: SideResult[];
  runs: ProtocolRun[];
  events: AliveEvent[];
  /** Events left out of `events` (the timeline keeps at most ALIVE_EVENT_LIMIT per protocol). */
  eventsOmitted: number;
  alerts: AlertFate[];
  /** The WebSocket run and the MQTT run as the Lab would show them (for the exports). */
  snapshots: { websocket: RunSnapshot; mqtt: RunSnapshot };
}
