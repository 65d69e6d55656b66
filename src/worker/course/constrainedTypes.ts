/**
 * What chapter 9's widget ("Bandwidth and battery on constrained links") sends to the worker and
 * gets back. Only types: the page and the worker both import this file.
 */
import type { RunSnapshot } from '../api.ts';
import type { LinkPreset, LinkPresetId } from './constrainedLinks.ts';

export type ProtocolId = 'ws' | 'qos0' | 'qos1' | 'qos2';

export interface ConstrainedInput {
  /** The device's access link (./constrainedLinks.ts). */
  link: LinkPresetId;
  /** Seconds between two readings of a device. */
  everyS: number;
  /** Application bytes per reading. */
  payloadBytes: number;
  /** TLS 1.3 around every connection (records of 22 bytes more per write; the handshake table adds its flights). */
  tls: boolean;
  /** The radio model's inactivity timer ("tail"), seconds. */
  tailS: number;
  /** MQTT keepalive of the devices, seconds (mqtt.js: 60; 0 = none). */
  keepaliveS: number;
  /** WebSocket ping every this many seconds from the device (0 = none, as browsers and ws by default). */
  wsHeartbeatS: number;
  seed: number;
}

/** One protocol's steady state: per reading, averaged over the measured readings. */
export interface ProtocolCost {
  id: ProtocolId;
  label: string;
  /** Readings sent in the measured window, and delivered to the application (server or subscriber). */
  sent: number;
  delivered: number;
  /** IP packets and their bytes (IPv4 + TCP + options + TLS records + payload) per reading, device -> network. */
  upPackets: number;
  upBytes: number;
  /** The same, network -> device. */
  downPackets: number;
  downBytes: number;
  /** Of the packets, those with no payload (pure TCP ACKs), both directions, per reading. */
  pureAcks: number;
  /** MQTT keepalive packets (PINGREQ + PINGRESP) per reading. */
  pings: number;
  /** upBytes + downBytes, and that times the readings of a day. */
  bytesPerReading: number;
  bytesPerDay: number;
  /** Latency from the device's send to the application's delivery, ms (median). */
  latencyMs: number | null;
  /** Radio on per reading (./constrainedRadio.ts), split into its parts, seconds. */
  radio: RadioOn;
  /** Radio on per day at this rate, hours. */
  radioHoursPerDay: number;
}

export interface RadioOn {
  /** Time the radio is on per reading, s. */
  onS: number;
  /** Of it: sending and receiving bits at the link's rate. */
  airtimeS: number;
  /** Waiting between packets of one wake-up: answers on their way (round trips). */
  waitingS: number;
  /** The inactivity timer after each wake-up's last packet. */
  tailS: number;
  /** Wake-ups (idle -> connected) per reading. */
  wakeups: number;
}

/** Opening a connection on this link (chapter 2's experiment, with the link's rate and delay). */
export interface ConnectCost {
  protocol: 'websocket' | 'mqtt';
  tls: boolean;
  /** Bytes on the wire, both directions, before the first reading leaves (IP headers included). */
  bytesBefore: number;
  /** Of bytesBefore, the bytes of segments TCP sent a second time (its timer ran out on the slow link). */
  resentBytes: number;
  /** From the SYN until the first reading has reached the server or broker, ms. */
  firstArrivedMs: number;
  /** The same on a link of unlimited rate with the same delay: the round trips alone, ms. */
  roundTripsOnlyMs: number;
  /** Radio on for a connect-and-send (first arrival plus the tail), s. */
  radioOnS: number;
}

export interface ConstrainedResult {
  input: ConstrainedInput;
  preset: LinkPreset;
  /** Round trip device <-> broker or server with empty packets, ms. */
  rttMs: number;
  /** Readings measured per protocol, and the measured window, s. */
  readings: number;
  windowS: number;
  /** One-way delay between the broker and the subscribing application (the extra hop), ms. */
  backendHopMs: number;
  protocols: ProtocolCost[];
  connect: ConnectCost[];
  /** The run, as the Lab shows it (exports). */
  snapshot: RunSnapshot;
}
