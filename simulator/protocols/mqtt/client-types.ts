/**
 * Options and events of the MQTT client engine (./client.ts). Kept apart so the role, the socket
 * adapter and the tests can import the shapes without the engine.
 */
import type { Micros } from '../../core/time.ts';
import type { MqttPacket, MqttVersion, MqttVersionName, PublishProperties, QoS, UserProperties } from './codec.ts';

export interface WillOptions {
  topic: string;
  payload: Uint8Array;
  qos?: QoS;
  retain?: boolean;
  /** MQTT 5 Will Delay Interval, seconds (section 3.1.3.2.2). */
  delayS?: number;
  properties?: { messageExpiryInterval?: number; userProperties?: UserProperties; contentType?: string };
}

export interface MqttClientOptions {
  /** '3.1.1' (level 4) or '5'; default 3.1.1. */
  version: MqttVersion | MqttVersionName;
  /** Required unless clean is true (3.1.1 [MQTT-3.1.3-7]); an MQTT 5 server may assign one. */
  clientId: string;
  /** 3.1.1 Clean Session / MQTT 5 Clean Start; default true (mqtt.js default). */
  clean: boolean;
  /** Seconds; 0 turns keepalive off; default 60 (mqtt.js). */
  keepaliveS: number;
  /**
   * Seconds to wait for PINGRESP before the connection is declared dead. Default: half the
   * keepalive, which is what mqtt.js 5 does (its KeepaliveManager pings at 1 keepalive and gives
   * up at 1.5).
   */
  pingTimeoutS?: number;
  /**
   * When PINGREQ goes and when a silent connection is given up (./client-keepalive.ts): 'mqtt.js'
   * (default: timer restarted only by acknowledgements and PINGRESP) or 'idle' (PINGREQ after a
   * keepalive without sending, the specification's minimum).
   */
  keepaliveRule: 'mqtt.js' | 'idle';
  /**
   * After a reconnect: 'mqtt.js' (default) sends the stored QoS 1/2 messages one at a time, each
   * after the previous one's flow ended (./client-outgoing.ts startFlush); 'all-at-once' re-sends
   * every unacknowledged one at once and lets the window send the queue.
   */
  resendPacing: 'mqtt.js' | 'all-at-once';
  /**
   * The DUP flag of a PUBLISH re-sent after a reconnect. 'mqtt.js' (the default): 0, as mqtt.js 5
   * writes it, against [MQTT-3.3.1-1]: its store keeps the packet as first written (publish() takes
   * `dup` from its options, false by default) and `storeDeliver` writes it again unchanged (client.ts
   * `_onConnect`); the testbed saw none of 71-75 resends flagged. 'spec': DUP=1. Brokers tell a
   * repeat by its packet id either way (mosquitto src/handle_publish.c; ./broker-inbound.ts).
   */
  resendDup: 'mqtt.js' | 'spec';
  /** MQTT 5 Session Expiry Interval, seconds; 0 (the default) ends the session at disconnect. */
  sessionExpiryS: number;
  username?: string;
  password?: Uint8Array;
  will?: WillOptions;
  /**
   * Outgoing QoS 1/2 PUBLISHes awaiting acknowledgement. MQTT 5 also caps it at the server's
   * Receive Maximum ([MQTT-3.3.4-7]). Default 65535 (no limit of the client's own, as mqtt.js).
   */
  maxInflight: number;
  /** MQTT 5 Receive Maximum the client announces for incoming QoS 1/2 (default 65535, omitted). */
  receiveMaximum: number;
  /** Messages waiting to be sent (offline, or behind the in-flight window); the newest is dropped when full. */
  maxQueued: number;
  /** Queue QoS 0 messages while offline (mqtt.js does); when false they are dropped at once. */
  queueQos0Offline: boolean;
  /** MQTT 5: use outgoing topic aliases when the server allows them (Topic Alias Maximum > 0). */
  topicAliases: boolean;
  /** MQTT 5 Topic Alias Maximum the client accepts from the server (default 0: none). */
  topicAliasMaximum: number;
  /** Re-send remembered subscriptions when a connection starts without a kept session (mqtt.js resubscribe). */
  resubscribe: boolean;
  /** Seconds to wait for CONNACK before giving up on the connection (mqtt.js connectTimeout 30 s). */
  connectTimeoutS: number;
  /**
   * MQTT 5: how PUBREC, PUBREL and PUBCOMP with reason code Success are written. 'mqtt.js' (the
   * default): with the reason code and an empty Property Length, 6 bytes, as mqtt.js 5 writes them
   * (./ack-forms.ts). 'short': the 4-byte form the specification allows. PUBACK is 4 bytes either way.
   */
  ackForm: 'mqtt.js' | 'short';
  /**
   * NON-STANDARD, off by default. Re-send an unacknowledged PUBLISH (DUP=1) or PUBREL after this
   * many milliseconds on a live connection, as some old clients do. The specification forbids it
   * in MQTT 5 ([MQTT-4.4.0-1]: only on reconnect) and TCP already recovers losses; it exists to
   * show the duplicates such clients cause.
   */
  nonStandardResendMs?: number;
}

export const DEFAULT_CLIENT_OPTIONS: Omit<MqttClientOptions, 'clientId'> = {
  version: 4,
  clean: true,
  keepaliveS: 60,
  sessionExpiryS: 0,
  maxInflight: 65535,
  receiveMaximum: 65535,
  maxQueued: 1000,
  queueQos0Offline: true,
  topicAliases: false,
  topicAliasMaximum: 0,
  resubscribe: true,
  connectTimeoutS: 30,
  ackForm: 'mqtt.js',
  keepaliveRule: 'mqtt.js',
  resendPacing: 'mqtt.js',
  resendDup: 'mqtt.js',
};

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  properties?: PublishProperties;
}

/** Why a message the application published will not be (further) sent. */
export type DropReason =
  | 'queue-full' // the bounded outgoing queue was full
  | 'offline-qos0' // QoS 0 while offline and queueQos0Offline is false
  | 'session-discarded' // in flight, and the session was discarded (clean start or session not present)
  | 'expired' // MQTT 5 message expiry passed while it waited in the queue
  | 'refused'; // MQTT 5 PUBACK/PUBREC with a reason code >= 0x80

export type DisconnectReason =
  | 'keepalive-timeout' // no PINGRESP in time: the connection is dead
  | 'connect-timeout' // no CONNACK in time
  | 'connect-refused' // CONNACK with an error code
  | 'server-disconnect' // MQTT 5 DISCONNECT from the server
  | 'protocol-error' // the server sent bad bytes or broke a rule
  | 'connection-lost' // the transport died (the IO layer said so)
  | 'client-disconnect'; // the application called disconnect()

export type ClientEvent =
  /** A packet went out or came in (for traces). `offset`: bytes written on this connection after it. */
  | { type: 'packet'; dir: 'send' | 'receive'; packet: MqttPacket; bytes: number; offset?: number; token?: number }
  | { type: 'connected'; sessionPresent: boolean; reasonCode: number; assignedClientId?: string }
  /** The message is done on the sender's side: QoS 0 written, QoS 1 PUBACK, QoS 2 PUBCOMP. */
  | { type: 'published'; token: number; qos: QoS; offset?: number }
  | { type: 'dropped'; token: number; qos: QoS; reason: DropReason; reasonCode?: number }
  | {
      type: 'message'; topic: string; payload: Uint8Array; qos: QoS; retain: boolean; dup: boolean;
      messageId?: number; properties?: PublishProperties;
    }
  | { type: 'subscribed'; messageId: number; granted: number[] }
  | { type: 'unsubscribed'; messageId: number; reasonCodes?: number[] }
  | { type: 'disconnected'; reason: DisconnectReason; reasonCode?: number; detail?: string }
  /** The IO layer must close the transport once it has written what dataToSend() still holds. */
  | { type: 'close' };

export type ClientState = 'offline' | 'connecting' | 'connected';

export interface ClientCounters {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** PUBLISH/PUBREL re-sent on a resumed session ([MQTT-4.4.0-1]). */
  resentOnReconnect: number;
  /** PUBLISH/PUBREL re-sent on a timer (the non-standard mode). */
  resentOnTimer: number;
}

export type { Micros };
