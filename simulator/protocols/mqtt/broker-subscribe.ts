/**
 * SUBSCRIBE and UNSUBSCRIBE on the broker (sections 3.8 to 3.11): filters checked (a malformed
 * one closes the connection, as mosquitto does), access control, a new subscription replacing an
 * identical filter ([MQTT-3.8.4-3]), SUBACK, then the retained messages ([MQTT-3.3.1-8]) as
 * MQTT 5 Retain Handling allows.
 */
import type { Micros } from '../../core/time.ts';
import type { BrokerCore, Connection } from './broker-core.ts';
import { deliver } from './broker-outbound.ts';
import { addSubscriber, parseShared, removeSubscriber } from './broker-share.ts';
import type { QoS } from './broker-types.ts';
import { REASON } from './broker-wire.ts';
import type { MqttPacket } from './codec.ts';
import { remoteError } from './errors.ts';
import type { Subscription } from './session.ts';
import { topicFilterError } from './topics.ts';

export function onSubscribe(core: BrokerCore, conn: Connection, packet: Extract<MqttPacket, { cmd: 'subscribe' }>, now: Micros): void {
  const v5 = conn.version === 5;
  const session = conn.session!;
  const subscriptionId = v5 ? packet.properties?.subscriptionIdentifier : undefined;
  const granted: number[] = [];
  const retainedToSend: Array<{ sub: Subscription; isNew: boolean }> = [];
  for (const s of packet.subscriptions) {
    const filterErr = topicFilterError(s.topic);
    // A malformed filter closes the connection (MQTT 5: DISCONNECT 0x81), as mosquitto does.
    if (filterErr !== undefined) throw remoteError('mqtt-bad-topic-filter', `SUBSCRIBE ${filterErr}`, REASON.malformed);
    const shared = parseShared(s.topic);
    if (shared === 'invalid') throw remoteError('mqtt-bad-share-name', `SUBSCRIBE "${s.topic}": a shared subscription is $share/{ShareName}/{filter} with a ShareName without / + # (MQTT 5 section 4.8.2)`, REASON.malformed);
    if (!core.access.canSubscribe({ clientId: conn.clientId, username: conn.username }, shared?.filter ?? s.topic)) {
      granted.push(v5 ? REASON.notAuthorized : REASON.unspecified);
      core.note('subscribe-denied', conn, `not allowed to subscribe to "${s.topic}"`);
      continue;
    }
    const sub: Subscription = {
      filter: shared?.filter ?? s.topic, qos: s.qos as QoS, noLocal: v5 && (s.nl ?? false), retainAsPublished: v5 && (s.rap ?? false),
      retainHandling: v5 ? ((s.rh ?? 0) as 0 | 1 | 2) : 0, subscriptionId,
    };
    if (shared !== undefined) sub.shareGroup = shared.group;
    const isNew = !session.subscriptions.has(s.topic);
    session.setSubscription(s.topic, sub); // [MQTT-3.8.4-3]: replaces an identical filter
    if (isNew) addSubscriber(core, session.clientId, sub);
    granted.push(sub.qos);
    core.note('subscribed', conn, `"${s.topic}" QoS ${sub.qos}${subscriptionId !== undefined ? ` id ${subscriptionId}` : ''}`);
    retainedToSend.push({ sub, isNew });
  }
  core.send(conn, { cmd: 'suback', messageId: packet.messageId ?? 0, granted } as MqttPacket);
  // Retained messages go after the SUBACK, with RETAIN 1 ([MQTT-3.3.1-8]), unless MQTT 5
  // Retain Handling says otherwise (1: only for a new subscription, 2: never).
  for (const { sub, isNew } of retainedToSend) {
    if (sub.retainHandling === 2 || (sub.retainHandling === 1 && !isNew)) continue;
    for (const message of core.retained.matching(sub.filter, now)) {
      if (sub.noLocal && message.from === session.clientId) continue;
      deliver(core, session, {
        message, qos: Math.min(message.qos, sub.qos) as QoS, retain: true,
        subscriptionIds: sub.subscriptionId === undefined ? [] : [sub.subscriptionId],
      }, now);
    }
  }
}

export function onUnsubscribe(core: BrokerCore, conn: Connection, packet: Extract<MqttPacket, { cmd: 'unsubscribe' }>): void {
  const session = conn.session!;
  const codes: number[] = [];
  for (const filter of packet.unsubscriptions) {
    const sub = session.subscriptions.get(filter);
    const existed = session.deleteSubscription(filter);
    if (sub !== undefined) removeSubscriber(core, session.clientId, sub);
    codes.push(existed ? REASON.success : REASON.noSubscriptionExisted);
    if (existed) core.note('unsubscribed', conn, `"${filter}"`);
  }
  const unsuback: Record<string, unknown> = { cmd: 'unsuback', messageId: packet.messageId ?? 0 };
  if (conn.version === 5) unsuback.granted = codes;
  core.send(conn, unsuback as unknown as MqttPacket);
}
