/**
 * The broker engine's public types: options (with mosquitto's defaults), what it outputs, the
 * events it reports and its counters. The engine is ./broker.ts.
 */
import type { AccessControlConfig } from './acl.ts';
import type { QoS } from './broker-types.ts';

export interface BrokerOptions {
  /** Outgoing QoS 1/2 messages in flight per client (mosquitto max_inflight_messages; 0: no maximum). */
  maxInflightMessages: number;
  /** QoS 1/2 messages queued per client beyond the in-flight window (mosquitto max_queued_messages; 0: no maximum). */
  maxQueuedMessages: number;
  /** Queue QoS 0 messages for offline clients with a kept session (mosquitto queue_qos0_messages). */
  queueQos0Offline: boolean;
  /** When a QoS 2 message from a publisher is forwarded (section 4.3.3 method B or A). */
  qos2Forwarding: 'on-publish' | 'on-pubrel';
  /** Topic Alias Maximum announced in an MQTT 5 CONNACK (mosquitto: 10); 0 refuses aliases. */
  topicAliasMaximum: number;
  /**
   * Largest keepalive an MQTT 5 client gets (mosquitto max_keepalive, 65535): a client asking
   * for 0 (none) or more is told this Server Keep Alive in CONNACK and held to it (section 3.2.2.3.14).
   */
  maxKeepalive: number;
  /**
   * How the broker times keepalive (./broker-keepalive.ts): 1, mosquitto 2.0.21 (whole seconds: cut
   * off when the second L + keepalive * 3 / 2 is over, L the second of the last packet); 6, Debian's
   * 2.0.11 (the same rule checked every 6 whole seconds); 0, exactly 1.5 x keepalive [MQTT-3.1.2-24].
   */
  keepaliveSweepS: number;
  /** Username/password and per-client topic rules; none by default. */
  access: AccessControlConfig;
}

export const DEFAULT_BROKER_OPTIONS: BrokerOptions = {
  maxInflightMessages: 20,
  maxQueuedMessages: 1000,
  queueQos0Offline: false,
  qos2Forwarding: 'on-pubrel',
  topicAliasMaximum: 10,
  maxKeepalive: 65535,
  keepaliveSweepS: 1,
  access: {},
};

export type BrokerOutput = { connId: string; bytes: Uint8Array } | { connId: string; close: true };

/** Summary of one packet sent or received, for mqtt-packet trace records. */
export interface BrokerPacketEvent {
  type: 'packet';
  connId: string;
  clientId?: string;
  dir: 'send' | 'receive';
  packetType: string;
  bytes: number;
  qos?: number;
  packetId?: number;
  dup?: boolean;
  retain?: boolean;
  topic?: string;
  reasonCode?: number;
  /** The broker's sequence number of the message this packet belongs to, if any. */
  seq?: number;
}

export type BrokerEventName =
  | 'client-connected' | 'connect-refused' | 'session-resumed' | 'session-created' | 'session-discarded'
  | 'session-takeover' | 'session-expired' | 'client-disconnected' | 'connection-lost'
  | 'keepalive-timeout' | 'protocol-error' | 'will-published' | 'will-delayed' | 'will-cancelled'
  | 'publish-denied' | 'subscribe-denied' | 'subscribed' | 'unsubscribed' | 'retained-set' | 'retained-cleared'
  | 'queue-full' | 'qos0-dropped-offline' | 'message-expired' | 'packet-too-large'
  | 'qos2-duplicate' | 'resend' | 'discarded-with-session' | 'forward-failed' | 'receive-quota-exceeded';

export interface BrokerNoteEvent {
  type: 'broker';
  event: BrokerEventName;
  connId?: string;
  clientId?: string;
  detail?: string;
  /** The message concerned (drops, wills, retained changes): its sequence number and topic... */
  seq?: number;
  topic?: string;
  /** ...the client id that published it, and its payload (engine-side only: roles that know the
   * flows can read the publisher's message number from it to emit app-lost; not for traces). */
  publisher?: string;
  payload?: Uint8Array;
}

/**
 * What one inbound PUBLISH (or will) cost the broker at once: the publisher's acknowledgement and
 * one PUBLISH per delivery to an online subscriber. Deliveries that were queued or dropped are
 * counted, not costed; their packets carry `seq` when they leave later.
 */
export interface BrokerFanOutEvent {
  type: 'fan-out';
  seq: number;
  clientId?: string;
  topic: string;
  qos: QoS;
  /** The message's payload (not a copy), so a run can tell which message was routed when. */
  payload: Uint8Array;
  /** Deliveries decided (one per matching client, or per subscription id in MQTT 5). */
  deliveries: number;
  sentNow: number;
  queued: number;
  dropped: number;
  /** Packets and bytes the broker sent for it while handling it. */
  packets: number;
  bytes: number;
}

export type BrokerEvent = BrokerPacketEvent | BrokerNoteEvent | BrokerFanOutEvent;

export interface BrokerCounters {
  connectionsAccepted: number;
  connectionsRefused: number;
  packetsReceived: number;
  bytesReceived: number;
  packetsSent: number;
  bytesSent: number;
  publishesReceived: number;
  /** PUBLISH packets sent to subscribers, resends included. */
  publishesSent: number;
  /** QoS 1/2 deliveries dropped because a client's queue was full. */
  queueDropped: number;
  qos0DroppedOffline: number;
  expiredDropped: number;
  /** Messages in flight or queued for a session that ended (clean session, expiry). */
  discardedWithSession: number;
  willsPublished: number;
  protocolErrors: number;
  sessionTakeovers: number;
  qos2DuplicatesIgnored: number;
}
