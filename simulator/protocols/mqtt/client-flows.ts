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
import { FlowMessages } from './flow-messages.ts';
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
  #finished = false;
  /**
   * The messages, by run-wide id (./flow-messages.ts): which publish entry's flows, message
   * number, send time, when the broker last routed it, flags, and where its bits start in
   * `#bits`: two per flow of the message (delivered at least once; reported lost), so a fan-out
   * to N subscribers costs 2N bits.
   */
  #messages = new FlowMessages();
  /** The distinct flow arrays messages were sent on (one per publish entry), and their index. */
  #flowSets: FlowInfo[][] = [];
  #flowSetIndex = new Map<FlowInfo[], number>();
  #bits = new Uint8Array(1024);
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
  /** Bit pair of (message, flow) -> why the broker dropped it for that flow's subscriber (the first reason). */
  #brokerDrops = new Map<number, string>();

  /** Registers message number `msg` of a publisher on its flows; returns its run-wide id. */
  send(msg: number, flows: FlowInfo[], now: Micros): number {
    let set = this.#flowSetIndex.get(flows);
    if (set === undefined) {
      set = this.#flowSets.length;
      this.#flowSets.push(flows);
      this.#flowSetIndex.set(flows, set);
    }
    const id = this.#messages.add(set, flows.length, msg, now);
    const bytes = (this.#messages.bitsUsed + 7) >> 3;
    if (bytes > this.#bits.length) this.#bits = grown(this.#bits, new Uint8Array(Math.max(bytes, this.#bits.length * 2)));
    return id;
  }

  /**
   * A subscriber's application got message `id` (from the wire tags; undefined for a message no
   * flow sent): returns the flow, message number and whether it is a duplicate, or undefined when
   * it belongs to no declared flow of this subscriber (a will, a stranger's message).
   */
  deliver(subscriber: NodeId, id: number | undefined): { flow: FlowId; msg: number; duplicate: boolean } | undefined {
    const flows = this.#flowsOf(id);
    if (flows === undefined) return undefined;
    const k = flows.findIndex((f) => f.to === subscriber);
    if (k < 0) return undefined;
    const bit = this.#messages.bitBase(id!) + 2 * k;
    const duplicate = this.#bit(bit);
    this.#setBit(bit);
    return { flow: flows[k]!.flow, msg: this.#messages.msg(id!), duplicate };
  }

  /**
   * The publisher knows message `id` cannot arrive: returns the flows to report lost (those
   * not delivered and not already reported).
   */
  lostNow(id: number, reason: string): LostDecision[] {
    const flows = this.#flowsOf(id);
    if (flows === undefined) return [];
    const out: LostDecision[] = [];
    const base = this.#messages.bitBase(id);
    for (let k = 0; k < flows.length; k++) {
      const bit = base + 2 * k;
      if (this.#bit(bit) || this.#bit(bit + 1)) continue;
      this.#setBit(bit + 1);
      out.push({ flow: flows[k]!.flow, msg: this.#messages.msg(id), reason });
    }
    return out;
  }

  /** The publisher dropped message `id` with its session; it may still have reached the broker. */
  discardedByPublisher(id: number): void {
    if (this.#flowsOf(id) !== undefined) this.#messages.addFlags(id, DISCARDED_BY_PUBLISHER);
  }

  /**
   * QoS 0 message `id`: its connection is over and the broker's application received all its
   * bytes. Unless the broker routed it, it never will (QoS 0 is never sent again).
   */
  qos0Settled(id: number): void {
    if (this.#flowsOf(id) !== undefined) this.#messages.addFlags(id, QOS0_SETTLED);
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
    const flows = this.#flowsOf(id);
    if (node === undefined || flows === undefined) return;
    const k = flows.findIndex((x) => x.to === node);
    if (k < 0) return;
    const bit = this.#messages.bitBase(id!) + 2 * k;
    if (!this.#brokerDrops.has(bit)) this.#brokerDrops.set(bit, `broker-${reason}`);
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
    if (this.#flowsOf(id) !== undefined) this.#messages.setRoutedAt(id!, now);
  }

  /**
   * End of the run: the losses the rules above decide, in message order. The first call decides;
   * later calls (every client role calls it) return nothing.
   */
  finish(): LostDecision[] {
    if (this.#finished) return [];
    this.#finished = true;
    const out: LostDecision[] = [];
    const messages = this.#messages;
    for (let id = 1; id <= messages.count; id++) {
      const flows = this.#flowSets[messages.flowSet(id)]!;
      const base = messages.bitBase(id);
      for (let k = 0; k < flows.length; k++) {
        const bit = base + 2 * k;
        if (this.#bit(bit) || this.#bit(bit + 1)) continue;
        const f = flows[k]!;
        const reason = this.#brokerDrops.get(bit) ?? this.#whyLost(id, f);
        if (reason === undefined) continue;
        this.#setBit(bit + 1);
        out.push({ flow: f.flow, msg: messages.msg(id), reason });
      }
    }
    return out;
  }

  /** The flows of message `id`, or undefined for an id this ledger never gave. */
  #flowsOf(id: number | undefined): FlowInfo[] | undefined {
    return id === undefined || !this.#messages.has(id) ? undefined : this.#flowSets[this.#messages.flowSet(id)];
  }

  #bit(bit: number): boolean {
    return (this.#bits[bit >> 3]! & (1 << (bit & 7))) !== 0;
  }

  #setBit(bit: number): void {
    this.#bits[bit >> 3]! |= 1 << (bit & 7);
  }

  #whyLost(id: number, f: FlowInfo): string | undefined {
    const flags = this.#messages.flags(id);
    const sentAt = this.#messages.sentAt(id);
    const routedAt = this.#messages.routedAt(id);
    if ((flags & DISCARDED_BY_PUBLISHER) !== 0) return 'publisher-session-discarded';
    if ((flags & QOS0_SETTLED) !== 0 && routedAt === undefined) return 'qos0-connection-died';
    const after = (list: Micros[] | undefined, t = sentAt) => (list ?? []).some((x) => x >= t);
    const subscribed = this.#subscribedAt.get(f.to);
    if (f.qos === 0) {
      if (after(this.#connectionLosses.get(f.to))) return 'qos0-subscriber-connection-lost';
      // Routed to the subscription while the subscriber was between connections: the broker
      // wrote it on the connection the subscriber had left (or dropped it), and never again.
      const r = routedAt;
      if (r !== undefined && subscribed !== undefined && subscribed <= r && after(this.#connects.get(f.to), r + 1)) return 'qos0-subscriber-connection-lost';
    }
    if (after(this.#sessionEnds.get(f.to))) return 'subscriber-session-discarded';
    if (routedAt !== undefined && (subscribed === undefined || routedAt < subscribed)) return 'sent-before-subscription';
    return undefined;
  }
}

const DISCARDED_BY_PUBLISHER = 1;
const QOS0_SETTLED = 2;

function grown<A extends Uint8Array>(from: A, to: A): A {
  to.set(from);
  return to;
}

function push(map: Map<NodeId, Micros[]>, node: NodeId, t: Micros): void {
  let list = map.get(node);
  if (list === undefined) map.set(node, (list = []));
  list.push(t);
}
