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

/** What a session map reads as before anything was put in it (never written: see Session). */
const NONE: ReadonlyMap<never, never> = new Map<never, never>();

/**
 * The maps are made at their first entry, and read as an empty one until then: a publisher's
 * session never subscribes, a QoS 0 or 1 client never stores an incoming QoS 2 id, and each empty
 * Map or Set costs about 180 bytes, four per session. Entries go in and out through the methods.
 */
export class Session {
  #subscriptions: Map<string, Subscription> | undefined;
  #inflight: Map<number, InflightDelivery> | undefined;
  readonly queue: Delivery[] = [];
  #queuedIds: Set<number> | undefined;
  #incomingQos2: Map<number, BrokerMessage | null> | undefined;
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

  /** Subscriptions by filter as subscribed. */
  get subscriptions(): ReadonlyMap<string, Subscription> {
    return this.#subscriptions ?? NONE;
  }

  /** Adds or replaces (same filter) a subscription. */
  setSubscription(filter: string, sub: Subscription): void {
    (this.#subscriptions ??= new Map()).set(filter, sub);
  }

  /** Removes a subscription; whether there was one. */
  deleteSubscription(filter: string): boolean {
    return this.#subscriptions?.delete(filter) ?? false;
  }

  /** Outgoing QoS 1/2 messages in flight by packet id; insertion order is send order: resent in this order on resume ([MQTT-4.6.0-1]). */
  get inflight(): ReadonlyMap<number, InflightDelivery> {
    return this.#inflight ?? NONE;
  }

  setInflight(flight: InflightDelivery): void {
    (this.#inflight ??= new Map()).set(flight.packetId, flight);
  }

  deleteInflight(packetId: number): void {
    this.#inflight?.delete(packetId);
  }

  /**
   * Incoming QoS 2 packet ids awaiting PUBREL. With forwarding on PUBREL (method A) the stored
   * message is kept here; with forwarding on PUBLISH (method B) the value is null.
   */
  get incomingQos2(): ReadonlyMap<number, BrokerMessage | null> {
    return this.#incomingQos2 ?? NONE;
  }

  setIncomingQos2(packetId: number, message: BrokerMessage | null): void {
    (this.#incomingQos2 ??= new Map()).set(packetId, message);
  }

  deleteIncomingQos2(packetId: number): void {
    this.#incomingQos2?.delete(packetId);
  }

  /**
   * A packet id not used by any outgoing message in flight or queued ([MQTT-2.3.1-2]): the next
   * after the last one given, wrapping 65535 -> 1; undefined when all 65535 are in use.
   */
  allocatePacketId(): number | undefined {
    for (let i = 0; i < 65535; i++) {
      this.#lastPacketId = this.#lastPacketId >= 65535 ? 1 : this.#lastPacketId + 1;
      if (!this.inflight.has(this.#lastPacketId) && !(this.#queuedIds?.has(this.#lastPacketId) ?? false)) return this.#lastPacketId;
    }
    return undefined;
  }

  enqueue(d: Delivery): void {
    this.queue.push(d);
    // Packet ids held by queued deliveries (not yet in flight).
    if (d.packetId !== undefined) (this.#queuedIds ??= new Set()).add(d.packetId);
  }

  dequeue(): Delivery | undefined {
    const d = this.queue.shift();
    if (d?.packetId !== undefined) this.#queuedIds?.delete(d.packetId);
    return d;
  }

  /** Number of QoS 1/2 messages sent and not yet completely acknowledged. */
  get inflightCount(): number {
    return this.inflight.size;
  }
}
