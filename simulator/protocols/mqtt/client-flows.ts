/**
 * Flow bookkeeping shared by the `mqtt-client` roles of one run (see docs/ARCHITECTURE.md,
 * "Metrics"): which messages were sent on which flow, which arrived, and which can no longer
 * arrive. Pure data; the roles feed it and emit the trace records it decides.
 *
 * A flow is (publisher node, publish entry, subscriber node). Each published message gets a
 * run-wide id here; the id travels beside the bytes, in the simulation's own metadata
 * (simulator/runtime/roles/mqtt-tags.ts), never in the payload, so the subscriber and the broker
 * can tell which message, of which flow, they handled whatever the payload holds (0 bytes, or
 * the same bytes as another publisher's). Every operation is a map lookup: linear in messages.
 *
 * Loss rules. Certain losses are decided at once by the publisher: its queue dropped the message,
 * it was QoS 0 while offline, it expired in the queue, the broker refused it, or it was QoS 0
 * and the broker never received its bytes before the connection died (the role learns that
 * from the runtime once nothing more can arrive: Connection.onSettled). The others are decided at
 * the end of the run for messages not delivered by then (so a message once delivered is never
 * lost, and one lost is never delivered later):
 * - the broker dropped it for that subscriber (queue full, QoS 0 for an offline client, expired,
 *   too large, discarded with the subscriber's session): reason `broker-<why>`. Not decided at
 *   once because a publisher that resends it (DUP=1 after a reconnect) may still get it there;
 * - the publisher discarded it from a dropped session (in flight at a clean reconnect);
 * - QoS 0, its connection is over, the broker took in its bytes but never routed it (a broker
 *   that was closing that connection drops what still comes in): `qos0-connection-died`;
 * - delivered at QoS 0 to a subscriber whose connection was lost after it was sent, or routed
 *   while subscribed to a connection the subscriber had already left (it connected again
 *   afterwards): the broker keeps no QoS 0 messages for offline clients, as mosquitto by default;
 * - the subscriber's session ended after it was sent (clean session, or no session on reconnect);
 * - the broker last routed it before it had the subscriber's subscription of its current session
 *   (`sent-before-subscription`). A message the broker never got is not lost by this rule: it may
 *   still be on its way there.
 * Anything else still undelivered is in flight.
 */
import type { Micros } from '../../core/time.ts';
import type { FlowId, NodeId } from '../../core/trace.ts';
import type { QoS } from './codec.ts';
import { topicMatches } from './topics.ts';

export interface PublishEntry {
  topic: string;
  qos: QoS;
}

export interface SubscribeEntry {
  topic: string;
  qos: QoS;
}

export interface FlowInfo {
  flow: FlowId;
  from: NodeId;
  to: NodeId;
  topic: string;
  /** The QoS the subscriber gets: min(published, best matching subscription) ([MQTT-3.8.4-6]). */
  qos: QoS;
  entry: number;
}

interface SentMessage {
  id: number;
  msg: number;
  sentAt: Micros;
  flows: FlowInfo[];
  discardedByPublisher: boolean;
  /** When a broker last routed it (a resend with DUP=1 is routed again). */
  routedAt: Micros | undefined;
  /** QoS 0 whose connection is over after the broker took in its bytes: routed then, or never. */
  qos0Settled: boolean;
}

export interface LostDecision {
  flow: FlowId;
  msg: number;
  reason: string;
}

/** Flow id of publisher entry `entry` as seen by `subscriber`. */
export function mqttFlowId(publisher: NodeId, topic: string, subscriber: NodeId, entry: number, duplicateTopic: boolean): FlowId {
  return `mqtt:${publisher}/${topic}${duplicateTopic ? `#${entry}` : ''}->${subscriber}`;
}

/** Every subscriber of `topic` among `subscribers` and the QoS it gets. */
export function matchingSubscribers(
  topic: string,
  qos: QoS,
  subscribers: ReadonlyArray<{ node: NodeId; subscribe: readonly SubscribeEntry[] }>,
): Array<{ node: NodeId; qos: QoS }> {
  const out: Array<{ node: NodeId; qos: QoS }> = [];
  for (const s of subscribers) {
    let best = -1;
    for (const sub of s.subscribe) if (topicMatches(sub.topic, topic)) best = Math.max(best, sub.qos);
    if (best >= 0) out.push({ node: s.node, qos: Math.min(qos, best) as QoS });
  }
  return out;
}

/**
 * One run's ledger, shared by its mqtt-client roles (RoleContext.shared). Every operation costs
 * O(flows of the message) or less, and `finish()` walks the messages once however many clients
 * call it, so a run with many clients stays linear in the number of messages.
 */
export class FlowLedger {
  #nextId = 1;
  #finished = false;
  #messages = new Map<number, SentMessage>();
  /** `${flow}:${msg}` delivered at least once. */
  #delivered = new Set<string>();
  #lost = new Set<string>();
  /**
   * Per subscriber node: times its connection was lost and its session ended (as the subscriber
   * saw them), and when the broker first added its subscription in its current session.
   */
  #connectionLosses = new Map<NodeId, Micros[]>();
  #connects = new Map<NodeId, Micros[]>();
  #sessionEnds = new Map<NodeId, Micros[]>();
  #subscribedAt = new Map<NodeId, Micros>();
  /** Client id -> node, to find the flow of a broker drop. */
  #nodeOfClient = new Map<string, NodeId>();
  /** `${flow}:${msg}` -> why the broker dropped it for that flow's subscriber (the first reason). */
  #brokerDrops = new Map<string, string>();

  /** Registers message number `msg` of a publisher on its flows; returns its run-wide id. */
  send(msg: number, flows: FlowInfo[], now: Micros): number {
    const id = this.#nextId++;
    this.#messages.set(id, { id, msg, sentAt: now, flows, discardedByPublisher: false, routedAt: undefined, qos0Settled: false });
    return id;
  }

  /**
   * A subscriber's application got message `id` (from the wire tags; undefined for a message no
   * flow sent): returns the flow, message number and whether it is a duplicate, or undefined when
   * it belongs to no declared flow of this subscriber (a will, a stranger's message).
   */
  deliver(subscriber: NodeId, id: number | undefined): { flow: FlowId; msg: number; duplicate: boolean } | undefined {
    const m = id === undefined ? undefined : this.#messages.get(id);
    if (m === undefined) return undefined;
    const info = m.flows.find((f) => f.to === subscriber);
    if (info === undefined) return undefined;
    const key = `${info.flow}:${m.msg}`;
    const duplicate = this.#delivered.has(key);
    this.#delivered.add(key);
    return { flow: info.flow, msg: m.msg, duplicate };
  }

  /**
   * The publisher knows message `id` cannot arrive: returns the flows to report lost (those
   * not delivered and not already reported).
   */
  lostNow(id: number, reason: string): LostDecision[] {
    const m = this.#messages.get(id);
    if (m === undefined) return [];
    const out: LostDecision[] = [];
    for (const f of m.flows) {
      const key = `${f.flow}:${m.msg}`;
      if (this.#delivered.has(key) || this.#lost.has(key)) continue;
      this.#lost.add(key);
      out.push({ flow: f.flow, msg: m.msg, reason });
    }
    return out;
  }

  /** The publisher dropped message `id` with its session; it may still have reached the broker. */
  discardedByPublisher(id: number): void {
    const m = this.#messages.get(id);
    if (m !== undefined) m.discardedByPublisher = true;
  }

  /**
   * QoS 0 message `id`: its connection is over and the broker's application received all its
   * bytes. Unless the broker routed it, it never will (QoS 0 is never sent again).
   */
  qos0Settled(id: number): void {
    const m = this.#messages.get(id);
    if (m !== undefined) m.qos0Settled = true;
  }

  /** Node `node` connects with client id `clientId` (for broker drops, which name client ids). */
  registerClient(clientId: string, node: NodeId): void {
    this.#nodeOfClient.set(clientId, node);
  }

  /**
   * A broker dropped message `id` for the client `subscriberClientId`: lost on that flow at the
   * end of the run unless it was delivered after all. Drops of messages outside the declared
   * flows (a will, a stranger's publish: id undefined) are ignored.
   */
  droppedAtBroker(subscriberClientId: string, id: number | undefined, reason: string): void {
    const node = this.#nodeOfClient.get(subscriberClientId);
    const m = id === undefined ? undefined : this.#messages.get(id);
    if (node === undefined || m === undefined) return;
    const f = m.flows.find((x) => x.to === node);
    if (f === undefined) return;
    const key = `${f.flow}:${m.msg}`;
    if (!this.#brokerDrops.has(key)) this.#brokerDrops.set(key, `broker-${reason}`);
  }

  subscriberConnectionLost(node: NodeId, now: Micros): void {
    push(this.#connectionLosses, node, now);
  }

  /** A subscriber's connection was accepted (CONNACK received). */
  subscriberConnected(node: NodeId, now: Micros): void {
    push(this.#connects, node, now);
  }

  subscriberSessionEnded(node: NodeId, now: Micros): void {
    push(this.#sessionEnds, node, now);
    this.#subscribedAt.delete(node);
  }

  /** The broker added a subscription for client `clientId` (the first one counts, per session). */
  subscribedAtBroker(clientId: string, now: Micros): void {
    const node = this.#nodeOfClient.get(clientId);
    if (node !== undefined && !this.#subscribedAt.has(node)) this.#subscribedAt.set(node, now);
  }

  /** The broker routed message `id` (undefined: not a flow's) to its subscribers of the moment. */
  routedAtBroker(id: number | undefined, now: Micros): void {
    const m = id === undefined ? undefined : this.#messages.get(id);
    if (m !== undefined) m.routedAt = now;
  }

  /**
   * End of the run: the losses the rules above decide, in message order. The first call decides;
   * later calls (every client role calls it) return nothing.
   */
  finish(): LostDecision[] {
    if (this.#finished) return [];
    this.#finished = true;
    const out: LostDecision[] = [];
    for (const m of this.#messages.values()) {
      for (const f of m.flows) {
        const key = `${f.flow}:${m.msg}`;
        if (this.#delivered.has(key) || this.#lost.has(key)) continue;
        const reason = this.#brokerDrops.get(key) ?? this.#whyLost(m, f);
        if (reason === undefined) continue;
        this.#lost.add(key);
        out.push({ flow: f.flow, msg: m.msg, reason });
      }
    }
    return out;
  }

  #whyLost(m: SentMessage, f: FlowInfo): string | undefined {
    if (m.discardedByPublisher) return 'publisher-session-discarded';
    if (m.qos0Settled && m.routedAt === undefined) return 'qos0-connection-died';
    const after = (list: Micros[] | undefined, t = m.sentAt) => (list ?? []).some((x) => x >= t);
    const subscribed = this.#subscribedAt.get(f.to);
    if (f.qos === 0) {
      if (after(this.#connectionLosses.get(f.to))) return 'qos0-subscriber-connection-lost';
      // Routed to the subscription while the subscriber was between connections: the broker
      // wrote it on the connection the subscriber had left (or dropped it), and never again.
      const r = m.routedAt;
      if (r !== undefined && subscribed !== undefined && subscribed <= r && after(this.#connects.get(f.to), r + 1)) return 'qos0-subscriber-connection-lost';
    }
    if (after(this.#sessionEnds.get(f.to))) return 'subscriber-session-discarded';
    if (m.routedAt !== undefined && (subscribed === undefined || m.routedAt < subscribed)) return 'sent-before-subscription';
    return undefined;
  }
}

function push(map: Map<NodeId, Micros[]>, node: NodeId, t: Micros): void {
  let list = map.get(node);
  if (list === undefined) map.set(node, (list = []));
  list.push(t);
}
