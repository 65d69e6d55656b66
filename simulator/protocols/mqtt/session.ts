/**
 * The broker's state for one client id (MQTT 3.1.1 section 4.1, MQTT 5 section 4.1): what lives
 * on when the network connection goes away, if the session is kept.
 *
 * - subscriptions, by filter as subscribed (a new SUBSCRIBE with the same filter replaces it,
 *   [MQTT-3.8.4-3]; a shared one under its whole `$share/{group}/{filter}`);
 * - outgoing QoS 1/2 messages in flight, by packet id, in the order they were sent, each
 *   `publish-sent` (waiting for PUBACK/PUBREC) or `pubrel-sent` (waiting for PUBCOMP);
 * - outgoing messages queued behind the in-flight window or while the client is offline;
 * - incoming QoS 2 packet ids received and not yet released by PUBREL.
 */
import type { Micros } from '../../core/time.ts';
import type { BrokerMessage, QoS } from './broker-types.ts';

export interface Subscription {
  /** The topic filter that matches (for `$share/{group}/{filter}`, the part after the group). */
  filter: string;
  /** MQTT 5 shared subscription group (section 4.8.2); the session keys it by the full string. */
  shareGroup?: string;
  /** Granted (maximum) QoS. */
  qos: QoS;
  /** MQTT 5 options (section 3.8.3.1); 3.1.1 subscriptions have the defaults. */
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
  subscriptionId?: number;
}

/** One delivery of a message to this client: the QoS and subscription ids it goes out with. */
export interface Delivery {
  message: BrokerMessage;
  qos: QoS;
  /** RETAIN flag on the outgoing PUBLISH. */
  retain: boolean;
  subscriptionIds: number[];
  /** QoS 1/2: the packet id, given when the broker took the delivery on (as mosquitto does). */
  packetId?: number;
}

export interface InflightDelivery extends Delivery {
  packetId: number;
  state: 'publish-sent' | 'pubrel-sent';
}

/** Session expiry interval meaning "never" (MQTT 5 section 3.1.2.11.2). */
export const SESSION_NEVER_EXPIRES = 0xffffffff;

export class Session {
  readonly subscriptions = new Map<string, Subscription>();
  /** Insertion order is send order: resent in this order on resume ([MQTT-4.6.0-1]). */
  readonly inflight = new Map<number, InflightDelivery>();
  readonly queue: Delivery[] = [];
  /** Packet ids held by queued deliveries (not yet in flight). */
  readonly queuedIds = new Set<number>();
  /**
   * Incoming QoS 2 packet ids awaiting PUBREL. With forwarding on PUBREL (method A) the stored
   * message is kept here; with forwarding on PUBLISH (method B) the value is null.
   */
  readonly incomingQos2 = new Map<number, BrokerMessage | null>();
  /** Seconds the session outlives its connection; SESSION_NEVER_EXPIRES for ever. */
  expiryInterval: number;
  /** When an offline session is discarded, or undefined while connected / never. */
  expiresAt: Micros | undefined;
  /** The connection currently attached, or undefined while offline. */
  connId: string | undefined;
  /** Protocol version of the last connection (3 = 3.1, 4 = 3.1.1, 5). */
  version: 3 | 4 | 5 = 4;
  #lastPacketId = 0;

  constructor(
    readonly clientId: string,
    expiryInterval: number,
  ) {
    this.expiryInterval = expiryInterval;
  }

  /**
   * A packet id not used by any outgoing message in flight or queued ([MQTT-2.3.1-2]): the next
   * after the last one given, wrapping 65535 -> 1; undefined when all 65535 are in use.
   */
  allocatePacketId(): number | undefined {
    for (let i = 0; i < 65535; i++) {
      this.#lastPacketId = this.#lastPacketId >= 65535 ? 1 : this.#lastPacketId + 1;
      if (!this.inflight.has(this.#lastPacketId) && !this.queuedIds.has(this.#lastPacketId)) return this.#lastPacketId;
    }
    return undefined;
  }

  enqueue(d: Delivery): void {
    this.queue.push(d);
    if (d.packetId !== undefined) this.queuedIds.add(d.packetId);
  }

  dequeue(): Delivery | undefined {
    const d = this.queue.shift();
    if (d?.packetId !== undefined) this.queuedIds.delete(d.packetId);
    return d;
  }

  /** Number of QoS 1/2 messages sent and not yet completely acknowledged. */
  get inflightCount(): number {
    return this.inflight.size;
  }
}
