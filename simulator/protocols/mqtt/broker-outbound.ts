/**
 * The broker's outgoing side for one subscriber's session: a delivery is sent at once when the
 * client is online and its in-flight window has room, else queued (mosquitto's max_queued_messages,
 * default 1000, plus the in-flight window while the client is connected, as mosquitto 2.0.21;
 * when full the new one is dropped), and QoS 0 for an offline client is dropped
 * (queue_qos0_messages false). In flight, each QoS 1/2 message follows ./qos-flow.ts; an
 * acknowledgement that ends a flow lets the queue move. In-flight window: min(max_inflight_messages
 * = 20, the client's MQTT 5 Receive Maximum).
 */
import { LocalProtocolError } from '../../core/errors.ts';
import type { Micros } from '../../core/time.ts';
import type { BrokerCore, Connection } from './broker-core.ts';
import { isExpired } from './broker-types.ts';
import { REASON, withReason } from './broker-wire.ts';
import { encodePacket, type MqttPacket, type MqttVersion } from './codec.ts';
import { ackEvent, DONE, nextOutboundState, RESEND } from './qos-flow.ts';
import type { Delivery, InflightDelivery, Session } from './session.ts';
import { fixedHeaderSize } from './varint.ts';

export function deliver(core: BrokerCore, session: Session, d: Delivery, now: Micros): 'sentNow' | 'queued' | 'dropped' {
  const conn = session.connId === undefined ? undefined : core.connections.get(session.connId);
  const online = conn !== undefined && conn.state === 'connected';
  if (d.qos === 0) {
    if (online) return sendPublish(core, conn, d, false, now) ? 'sentNow' : 'dropped';
    if (!core.options.queueQos0Offline) {
      core.counters.qos0DroppedOffline++;
      core.note('qos0-dropped-offline', undefined, `QoS 0 message for offline client "${session.clientId}" not queued`, d.message, session.clientId);
      return 'dropped';
    }
  }
  if (d.qos > 0) {
    // The packet id is taken when the broker takes the delivery on, even if the queue then
    // drops it: mosquitto numbers this way (tests/conformance/mqtt-broker-mosquitto.test.ts).
    const packetId = session.allocatePacketId();
    if (packetId === undefined) return 'dropped';
    d = { ...d, packetId };
  }
  if (online && session.queue.length === 0 && session.inflight.size < conn.window) {
    return startFlight(core, conn, session, d, now) ? 'sentNow' : 'dropped';
  }
  if (session.queue.length >= queueBound(core, online ? conn : undefined)) {
    core.counters.queueDropped++;
    core.note('queue-full', undefined, `queue of "${session.clientId}" holds ${session.queue.length} messages${online ? '' : ' (client offline)'}: message dropped`, d.message, session.clientId);
    return 'dropped';
  }
  session.enqueue(d);
  return 'queued';
}

/**
 * How many deliveries the queue may hold before the next is dropped: mosquitto 2.0.21's
 * db__ready_for_queue counts only queued QoS 1/2 messages (`queued_count12`) and, while the client
 * is connected, subtracts its in-flight maximum: `queued - inflight_maximum < max_queued_messages`.
 * So a connected client's queue holds max_queued_messages + its window, an offline client's
 * max_queued_messages; messages left in flight at a disconnection do not count. (Debian's 2.0.11
 * counted every QoS 1/2 message, in flight or queued, and subtracted the window only when
 * connected: an offline client with 2 in flight and max_queued_messages 3 got 1 more queued, not 3.
 * tests/conformance/offline-mosquitto.test.ts measures both.)
 */
export function queueBound(core: BrokerCore, online: Connection | undefined): number {
  return core.options.maxQueuedMessages + (online === undefined ? 0 : online.window);
}

/** Sends a delivery, giving QoS 1/2 a packet id and an in-flight slot. False if it was dropped. */
export function startFlight(core: BrokerCore, conn: Connection, session: Session, d: Delivery, now: Micros): boolean {
  if (d.qos === 0) return sendPublish(core, conn, d, false, now);
  const packetId = d.packetId ?? session.allocatePacketId();
  if (packetId === undefined) return false;
  const flight: InflightDelivery = { ...d, packetId, state: 'publish-sent' };
  session.setInflight(flight);
  if (!sendPublish(core, conn, flight, false, now)) {
    session.deleteInflight(packetId);
    return false;
  }
  return true;
}

/** Moves queued deliveries into the in-flight window while it has room. */
export function drainQueue(core: BrokerCore, session: Session, now: Micros): void {
  const conn = session.connId === undefined ? undefined : core.connections.get(session.connId);
  if (conn === undefined || conn.state !== 'connected') return;
  while (session.queue.length > 0 && (session.queue[0]!.qos === 0 || session.inflight.size < conn.window)) {
    const d = session.dequeue()!;
    if (isExpired(d.message, now)) {
      core.counters.expiredDropped++;
      core.note('message-expired', conn, `message on "${d.message.topic}" expired while queued`, d.message);
      continue;
    }
    startFlight(core, conn, session, d, now);
  }
}

/**
 * Encodes and sends one PUBLISH; false (and traced) when the client's maximum packet size forbids
 * it. `d` is a QoS 0 delivery as it is (no copy per message: it has no packet id, and none is
 * read), or a QoS 1/2 one in flight with its packet id.
 */
export function sendPublish(core: BrokerCore, conn: Connection, d: Delivery, dup: boolean, now: Micros): boolean {
  const m = d.message;
  const packet: Record<string, unknown> = { cmd: 'publish', topic: m.topic, payload: m.payload, qos: d.qos, retain: d.retain, dup };
  if (d.qos > 0) packet.messageId = d.packetId!;
  if (conn.version === 5) {
    const properties: Record<string, unknown> = { ...m.properties };
    if (m.expiresAt !== undefined) {
      // MQTT 5 section 3.3.2.3.3: forward the interval minus the time the message waited.
      properties.messageExpiryInterval = Math.max(0, Math.ceil((m.expiresAt - now) / 1_000_000));
    }
    if (d.subscriptionIds.length === 1) properties.subscriptionIdentifier = d.subscriptionIds[0];
    else if (d.subscriptionIds.length > 1) properties.subscriptionIdentifier = d.subscriptionIds;
    if (Object.keys(properties).length > 0) packet.properties = properties;
  }
  const bytes = encodePublish(core, packet, conn.version, d, m.seq);
  if (bytes === undefined) {
    // The message came in with something mqtt-packet reads but will not write back.
    core.note('forward-failed', conn, `PUBLISH on "${m.topic}" could not be encoded for this client`, m);
    return false;
  }
  if (conn.maxPacketSize !== undefined && bytes.length > conn.maxPacketSize) {
    // [MQTT-3.1.2-25]: never send a packet larger than the client's Maximum Packet Size.
    core.note('packet-too-large', conn, `PUBLISH of ${bytes.length} bytes exceeds the client's maximum packet size ${conn.maxPacketSize}`, m);
    return false;
  }
  core.counters.publishesSent++;
  core.emit(conn, packet as unknown as MqttPacket, bytes, m.seq);
  return true;
}

/**
 * A fan-out sends the same PUBLISH to many clients, differing at most in the packet id: each
 * distinct form is encoded once per message and copied with its packet id written in (the
 * two bytes after the topic name, section 3.3.2.2).
 */
function encodePublish(core: BrokerCore, packet: Record<string, unknown>, version: MqttVersion, d: Delivery, seq: number): Uint8Array | undefined {
  const cache = core.publishCache;
  if (cache.seq !== seq) {
    cache.seq = seq;
    cache.key = cache.form = cache.forms = undefined;
  }
  // What tells the forms apart; a number (no string made) when there are no properties.
  const flags = version * 1000 + d.qos * 100 + (d.retain ? 10 : 0) + (packet.dup ? 1 : 0);
  const key = packet.properties === undefined ? flags : `${flags}|${JSON.stringify(packet.properties)}`;
  let form = cache.key === key ? cache.form : cache.forms?.get(key);
  if (form === undefined) {
    try {
      form = encodePacket({ ...packet, ...(d.qos > 0 ? { messageId: 1 } : {}) } as unknown as MqttPacket, version);
    } catch (err) {
      if (err instanceof LocalProtocolError) return undefined;
      throw err;
    }
    if (form.length === 0) return undefined; // mqtt-packet signals some refusals by writing nothing
    if (cache.key === undefined) {
      cache.key = key;
      cache.form = form;
    } else {
      (cache.forms ??= new Map()).set(key, form);
    }
  }
  if (d.qos === 0) return form;
  let at = fixedHeaderSize(form); // past the Remaining Length
  at += 2 + ((form[at]! << 8) | form[at + 1]!); // past the topic name
  const out = form.slice();
  out[at] = d.packetId! >> 8;
  out[at + 1] = d.packetId! & 0xff;
  return out;
}

/**
 * PUBACK, PUBREC or PUBCOMP from a subscriber: one step of ./qos-flow.ts for the message in flight
 * with that packet id. An acknowledgement that is no step of its flow is ignored (sections 4.3.2,
 * 4.3.3), except that a PUBREC for no QoS 2 message in flight is answered with PUBREL (MQTT 5:
 * 0x92 Packet Identifier not found) so the peer can let the id go.
 */
export function onAck(core: BrokerCore, conn: Connection, cmd: 'puback' | 'pubrec' | 'pubcomp', packetId: number, reasonCode: number | undefined, now: Micros): void {
  const session = conn.session!;
  const flight = session.inflight.get(packetId);
  const next = flight === undefined || flight.qos === 0 ? undefined : nextOutboundState(flight.qos, flight.state, ackEvent(cmd, reasonCode));
  if (flight === undefined || next === undefined) {
    if (cmd === 'pubrec' && flight?.qos !== 2) {
      core.send(conn, withReason({ cmd: 'pubrel', messageId: packetId }, conn.version === 5 ? REASON.packetIdNotFound : undefined));
    }
    return;
  }
  if (next === DONE) {
    session.deleteInflight(packetId);
    drainQueue(core, session, now);
    return;
  }
  flight.state = next as InflightDelivery['state']; // pubrel-sent: answer PUBREL
  core.send(conn, { cmd: 'pubrel', messageId: packetId }, flight.message.seq);
}

/** Repeats what a resumed session has in flight, in order ([MQTT-4.4.0-1], [MQTT-4.6.0-1]; ./qos-flow.ts RESEND). */
export function resendInflight(core: BrokerCore, conn: Connection, session: Session, now: Micros): void {
  for (const flight of session.inflight.values()) {
    const packet = RESEND[flight.state];
    core.note('resend', conn, `${packet === 'publish' ? 'PUBLISH' : 'PUBREL'} packet id ${flight.packetId}`);
    if (packet === 'publish') sendPublish(core, conn, flight, true, now);
    else core.send(conn, { cmd: 'pubrel', messageId: flight.packetId }, flight.message.seq);
  }
}
