/**
 * PUBLISH from a client and its QoS 1/2 exchange on the publisher's side (section 4.3, receiver).
 * QoS 2: method A of section 4.3.3 by default (`qos2Forwarding: 'on-pubrel'`, what mosquitto
 * 2.0.11 does): the message is stored with its packet id, PUBREC answers it (again for a repeated
 * PUBLISH with that id, which is ignored) and it is routed when PUBREL arrives. `'on-publish'` is
 * method B: routed at once, only the id kept until PUBREL. A refused PUBLISH (access control) is
 * acknowledged as usual and dropped in 3.1.1 ([MQTT-3.3.5-2]); MQTT 5 answers 0x87.
 */
import type { Micros } from '../../core/time.ts';
import type { BrokerCore, Connection, FanOutTally } from './broker-core.ts';
import { dispatch, fanOutEvent, receiversOf, tallied, type DispatchResult } from './broker-routing.ts';
import type { BrokerMessage, QoS } from './broker-types.ts';
import { carriedProperties, REASON, toBytes, withReason } from './broker-wire.ts';
import type { MqttPacket } from './codec.ts';
import { remoteError } from './errors.ts';
import { topicNameError } from './topics.ts';

export function onPublish(core: BrokerCore, conn: Connection, packet: Extract<MqttPacket, { cmd: 'publish' }>, now: Micros): void {
  const v5 = conn.version === 5;
  let topic = packet.topic;
  const alias = v5 ? packet.properties?.topicAlias : undefined;
  // MQTT 5 section 3.3.2.3.4: an alias lies within the Topic Alias Maximum we announced (./topic-aliases.ts).
  if (alias !== undefined) topic = conn.aliases.resolve(topic, alias, core.options.topicAliasMaximum);
  const err = topicNameError(topic);
  if (err !== undefined) throw remoteError('mqtt-bad-topic-name', `PUBLISH ${err}`, REASON.topicNameInvalid);
  const qos = packet.qos as QoS;
  const packetId = packet.messageId ?? 0;
  core.counters.publishesReceived++;
  const properties = v5 ? carriedProperties({ ...packet.properties }) : {};
  const message: BrokerMessage = {
    seq: ++core.seq, topic, payload: toBytes(packet.payload), qos, retain: packet.retain, properties,
    receivedAt: now, from: conn.clientId,
    expiresAt: properties.messageExpiryInterval !== undefined ? now + properties.messageExpiryInterval * 1_000_000 : undefined,
  };
  const allowed = core.access.canPublish({ clientId: conn.clientId, username: conn.username }, topic);
  if (!allowed) core.note('publish-denied', conn, `not allowed to publish to "${topic}"`, message);
  const session = conn.session!;

  if (qos === 2 && session.incomingQos2.has(packetId)) {
    // Already stored (A) or already forwarded (B): a repeat (DUP) gets PUBREC only.
    core.counters.qos2DuplicatesIgnored++;
    core.note('qos2-duplicate', conn, `PUBLISH packet id ${packetId} repeated before PUBREL: not forwarded again`, message);
    core.send(conn, { cmd: 'pubrec', messageId: packetId });
    return;
  }
  if (qos === 2 && conn.receiveQuota === 0) {
    refuseOverQuota(core, conn, message, packetId);
    return;
  }
  if (qos === 2) conn.receiveQuota--;
  if (qos === 1) conn.receiveQuota = Math.max(0, conn.receiveQuota - 1); // given back with the PUBACK below
  const forwardNow = allowed && (qos < 2 || core.options.qos2Forwarding === 'on-publish');
  // ./broker-routing.ts tallied() written out (no closure and result object per message): what
  // the broker sends meanwhile is counted for the fan-out event.
  const tally: FanOutTally = { packets: 0, bytes: 0 };
  core.tally = tally;
  let routed: DispatchResult;
  try {
    routed = forwardNow ? dispatch(core, message, now) : NOT_ROUTED;
    const denied = v5 && !allowed ? REASON.notAuthorized : undefined;
    if (qos === 1) {
      // MQTT 5: 0x10 No matching subscribers, as mosquitto answers (PUBACK only: under method A
      // a QoS 2 message has not been routed yet when PUBREC goes).
      const noSubscribers = v5 && allowed && routed.deliveries === 0 ? REASON.noMatchingSubscribers : undefined;
      core.send(conn, withReason({ cmd: 'puback', messageId: packetId }, denied ?? noSubscribers), message.seq);
      giveQuotaBack(core, conn);
    } else if (qos === 2) {
      // v5 with a failure reason code ends the exchange: no PUBREL will come for it.
      if (denied === undefined) session.setIncomingQos2(packetId, allowed && !forwardNow ? message : null);
      else giveQuotaBack(core, conn); // MQTT 5 PUBREC >= 0x80 (send__pubrec)
      core.send(conn, withReason({ cmd: 'pubrec', messageId: packetId }, denied), message.seq);
    }
  } finally {
    core.tally = undefined;
  }
  if (forwardNow) fanOutEvent(core, message, routed, tally);
}

/** The result of a message not routed (read only). */
const NOT_ROUTED: Readonly<DispatchResult> = Object.freeze({ deliveries: 0, sentNow: 0, queued: 0, dropped: 0 });

export function onPubrel(core: BrokerCore, conn: Connection, packetId: number, now: Micros): void {
  const session = conn.session!;
  if (!session.incomingQos2.has(packetId)) {
    // A PUBREL repeated after reconnect: answer PUBCOMP anyway. MQTT 5 has 0x92 (Packet
    // Identifier not found) for this; mosquitto answers Success, and so do we (measured).
    core.send(conn, { cmd: 'pubcomp', messageId: packetId });
    giveQuotaBack(core, conn);
    return;
  }
  const stored = session.incomingQos2.get(packetId) ?? null;
  session.deleteIncomingQos2(packetId);
  if (stored === null) {
    core.send(conn, { cmd: 'pubcomp', messageId: packetId });
    giveQuotaBack(core, conn);
    return;
  }
  const { result, tally } = tallied(core, () => {
    const routed = dispatch(core, stored, now);
    core.send(conn, { cmd: 'pubcomp', messageId: packetId }, stored.seq);
    giveQuotaBack(core, conn);
    return routed;
  });
  fanOutEvent(core, stored, result, tally);
}

/**
 * mosquitto 2.0.11's receive quota (src/handle_publish.c, lib/send_mosq.c, lib/util_mosq.c), per
 * connection, starting at max_inflight_messages (20): a QoS 2 PUBLISH it takes costs one; every
 * PUBACK and PUBCOMP it sends gives one back (never above the maximum), and so does a PUBREC
 * with a reason code >= 0x80 in MQTT 5. A QoS 2 PUBLISH that finds the quota at 0 "fails early"
 * with Quota exceeded (0x97): mosquitto logs "Sending PUBREC to <client> (m<id>, rc151)" and
 * - in MQTT 5 the PUBREC carries 0x97, which ends the exchange; since that PUBREC gives a quota
 *   back, the next QoS 2 PUBLISH is taken, the one after refused again (measured: of 25 unreleased
 *   QoS 2 publishes, 21, 23 and 25 refused);
 * - in MQTT 3.1.1 a PUBREC has no reason code, so the client sees a plain PUBREC, sends PUBREL,
 *   gets PUBCOMP (for an id mosquitto never stored) and counts the message delivered. It is lost
 *   silently (measured: of 25 unreleased QoS 2 publishes, 21-25 reached no subscriber).
 * (tests/conformance/mqtt-broker-mosquitto.test.ts measures both against mosquitto.)
 */
function refuseOverQuota(core: BrokerCore, conn: Connection, message: BrokerMessage, packetId: number): void {
  const v5 = conn.version === 5;
  core.note('publish-denied', conn, `QoS 2 packet id ${packetId}: no receive quota left (max_inflight_messages ${core.options.maxInflightMessages}); mosquitto logs "Sending PUBREC to ${conn.clientId} (m${packetId}, rc151)"`, message);
  // Each subscriber it would have reached loses it (./broker-routing.ts receiversOf).
  for (const clientId of receiversOf(core, message)) {
    core.note('receive-quota-exceeded', undefined, `QoS 2 message from "${message.from ?? ''}" dropped at the broker: the publisher had no receive quota left`, message, clientId);
  }
  core.send(conn, withReason({ cmd: 'pubrec', messageId: packetId }, v5 ? REASON.quotaExceeded : undefined), message.seq);
  if (v5) giveQuotaBack(core, conn);
}

function giveQuotaBack(core: BrokerCore, conn: Connection): void {
  if (conn.receiveQuota < core.options.maxInflightMessages) conn.receiveQuota++;
}
