/**
 * Routing one message: the retained store, then every matching session gets its deliveries
 * (./broker-outbound.ts takes each on). Overlapping subscriptions (both measured on mosquitto
 * 2.0.11, tests/conformance/mqtt-broker-mosquitto.test.ts): MQTT 3.1.1 gets one delivery per
 * client at the highest QoS of its matching subscriptions; MQTT 5 one per matching subscription,
 * at its QoS and with its identifier, in topic tree order (see ./broker.ts).
 */
import type { Micros } from '../../core/time.ts';
import type { BrokerCore, FanOutTally } from './broker-core.ts';
import { deliver } from './broker-outbound.ts';
import { pickShareMembers } from './broker-share.ts';
import type { BrokerMessage, QoS } from './broker-types.ts';
import type { Delivery, Session, Subscription } from './session.ts';
import { topicMatches } from './topics.ts';

export interface DispatchResult {
  deliveries: number;
  sentNow: number;
  queued: number;
  dropped: number;
}

/**
 * Order of two filters matching the same topic as a topic tree walk meets them: at the first
 * level where they differ, the filter that ends there first, then a literal level, then `+`,
 * then `#`.
 */
function treeOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  const rank = (level: string | undefined) => (level === undefined ? -1 : level === '#' ? 2 : level === '+' ? 1 : 0);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = rank(x[i]) - rank(y[i]);
    if (d !== 0) return d;
  }
  return 0;
}

/** No shared subscription picks (read only). */
const NO_PICKS: ReadonlyMap<string, Subscription[]> = new Map();

/** Stores/clears the retained copy and delivers `message` to every matching session. */
export function dispatch(core: BrokerCore, message: BrokerMessage, now: Micros): DispatchResult {
  const result: DispatchResult = { deliveries: 0, sentNow: 0, queued: 0, dropped: 0 };
  if (message.retain) {
    const change = core.retained.apply(message);
    if (change === 'set' || change === 'replaced') core.note('retained-set', undefined, `${change} on "${message.topic}"`, message);
    else if (change === 'cleared') core.note('retained-cleared', undefined, `"${message.topic}"`, message);
  }
  const sharedPicks = core.shareGroups.size === 0 ? NO_PICKS : pickShareMembers(core, message.topic);
  const receivers = core.index.match(message.topic);
  for (const member of sharedPicks.keys()) receivers.add(member);
  for (const clientId of receivers) {
    const session = core.sessions.get(clientId)!;
    for (const delivery of deliveriesFor(session, message, sharedPicks.get(clientId))) {
      result.deliveries++;
      const outcome = deliver(core, session, delivery, now);
      result[outcome]++;
    }
  }
  return result;
}

/** The deliveries one session gets for one message (see the overlap choice at the top). */
function deliveriesFor(session: Session, message: BrokerMessage, sharedPicks: Subscription[] | undefined): readonly Delivery[] {
  if (sharedPicks === undefined && session.version !== 5) return bestDelivery(session, message);
  const matching: Subscription[] = sharedPicks === undefined ? [] : [...sharedPicks];
  for (const sub of session.subscriptions.values()) {
    if (sub.shareGroup !== undefined || !topicMatches(sub.filter, message.topic)) continue;
    // MQTT 5 No Local: not to the client that published it ([MQTT-3.8.3-3]).
    if (sub.noLocal && message.from === session.clientId) continue;
    matching.push(sub);
  }
  if (matching.length === 0) return [];
  if (session.version !== 5) {
    let best = matching[0]!.qos;
    for (const s of matching) if (s.qos > best) best = s.qos;
    return [deliveryOf(message, best, false, NO_IDS)];
  }
  if (matching.length > 1) matching.sort((a, b) => treeOrder(a.filter, b.filter));
  return matching.map((s) => deliveryOf(message, s.qos, s.retainAsPublished, s.subscriptionId === undefined ? NO_IDS : [s.subscriptionId]));
}

/**
 * deliveriesFor for a 3.1.1 session without shared subscription picks, the usual case: the same
 * answer (one delivery at the highest QoS of the matching subscriptions, or none) without
 * gathering the matching subscriptions in an array first (it runs for every message and receiver).
 */
function bestDelivery(session: Session, message: BrokerMessage): readonly Delivery[] {
  let best = -1;
  for (const sub of session.subscriptions.values()) {
    if (sub.shareGroup !== undefined || !topicMatches(sub.filter, message.topic)) continue;
    if (sub.noLocal && message.from === session.clientId) continue;
    if (sub.qos > best) best = sub.qos;
  }
  return best < 0 ? NO_DELIVERIES : [deliveryOf(message, best as QoS, false, NO_IDS)];
}

/** No deliveries (frozen: nothing writes into it). */
const NO_DELIVERIES: readonly Delivery[] = Object.freeze([]);

/** No subscription identifiers: one array for every such delivery (frozen: nothing writes into one). */
const NO_IDS = Object.freeze([]) as unknown as number[];

/**
 * Subscription QoS downgrade: the lesser of the message's and the subscription's QoS.
 * [MQTT-3.3.1-9] (3.1.1) / Retain As Published (5): RETAIN 0 on normal forwarding.
 */
function deliveryOf(message: BrokerMessage, qos: QoS, rap: boolean, ids: number[]): Delivery {
  return { message, qos: Math.min(message.qos, qos) as QoS, retain: rap ? message.retain : false, subscriptionIds: ids };
}

export function fanOutEvent(core: BrokerCore, message: BrokerMessage, r: DispatchResult, tally: FanOutTally): void {
  core.events.push({
    type: 'fan-out', seq: message.seq, clientId: message.from, topic: message.topic, qos: message.qos, payload: message.payload,
    deliveries: r.deliveries, sentNow: r.sentNow, queued: r.queued, dropped: r.dropped,
    packets: tally.packets, bytes: tally.bytes,
  });
}

/** Runs `handle` with a fresh tally of what the broker sends meanwhile, and returns its result and the tally. */
export function tallied<T>(core: BrokerCore, handle: () => T): { result: T; tally: FanOutTally } {
  const tally: FanOutTally = { packets: 0, bytes: 0 };
  core.tally = tally;
  try {
    return { result: handle(), tally };
  } finally {
    core.tally = undefined;
  }
}

/**
 * The client ids `message` would reach if it were routed now (each share group's next member;
 * the round robin does not move), for the drop records of a message that is not routed.
 */
export function receiversOf(core: BrokerCore, message: BrokerMessage): string[] {
  const receivers = core.index.match(message.topic);
  const shared = new Map<string, Subscription[]>();
  for (const group of core.shareGroups.values()) {
    if (group.members.length === 0 || !topicMatches(group.filter, message.topic)) continue;
    const member = group.members[group.next % group.members.length]!;
    const sub = core.sessions.get(member)?.subscriptions.get(`$share/${group.group}/${group.filter}`);
    if (sub !== undefined) shared.set(member, [...(shared.get(member) ?? []), sub]);
  }
  for (const member of shared.keys()) receivers.add(member);
  return [...receivers].filter((id) => {
    const session = core.sessions.get(id);
    return session !== undefined && deliveriesFor(session, message, shared.get(id)).length > 0;
  });
}
