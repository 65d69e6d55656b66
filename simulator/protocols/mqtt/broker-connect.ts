/**
 * CONNECT on the broker: refusals (CONNACK return code / reason code, then close), the will, the
 * keepalive, session takeover ([MQTT-3.1.4-3]), a kept or a new session, CONNACK with mosquitto
 * 2.0's MQTT 5 properties, and on resuming a session the resends of ./qos-flow.ts.
 */
import type { Micros } from '../../core/time.ts';
import { NO_HEAD, type BrokerCore, type Connection } from './broker-core.ts';
import { drainQueue, resendInflight } from './broker-outbound.ts';
import { keepaliveDeadline } from './broker-keepalive.ts';
import { detach, endSession } from './broker-sessions.ts';
import type { QoS } from './broker-types.ts';
import { carriedProperties, hex, REASON, toBytes } from './broker-wire.ts';
import type { MqttPacket, MqttVersion } from './codec.ts';
import { remoteError } from './errors.ts';
import { Session, SESSION_NEVER_EXPIRES } from './session.ts';
import { topicNameError } from './topics.ts';

export function onConnect(core: BrokerCore, conn: Connection, packet: Extract<MqttPacket, { cmd: 'connect' }>, now: Micros): void {
  const version = (packet.protocolVersion ?? 4) as MqttVersion;
  conn.version = version;
  conn.parser.setVersion(version);
  const v5 = version === 5;
  const props = packet.properties ?? {};
  const clean = packet.clean ?? true;
  let clientId = packet.clientId ?? '';
  let assigned: string | undefined;
  if (clientId === '') {
    // 3.1.1 section 3.1.3.1: an empty id needs clean session, else return code 2 [MQTT-3.1.3-8].
    if (!v5 && !clean) return refuse(core, conn, 2, REASON.clientIdNotValid, 'empty client id with clean session 0');
    assigned = `auto-${++core.assigned}`;
    clientId = assigned;
  }
  conn.clientId = clientId;
  conn.username = packet.username;
  const verdict = core.access.checkConnect(packet.username, packet.password);
  if (verdict === 'bad-username-or-password') return refuse(core, conn, 4, REASON.badUserOrPassword, 'bad user name or password');
  if (verdict === 'not-authorized') return refuse(core, conn, 5, REASON.notAuthorized, 'not authorized');
  if (packet.will !== undefined) {
    const err = topicNameError(packet.will.topic);
    if (err !== undefined) throw remoteError('mqtt-bad-will-topic', `will ${err}`, REASON.topicNameInvalid);
    const wp = packet.will.properties ?? {};
    conn.will = {
      delaySeconds: v5 ? wp.willDelayInterval ?? 0 : 0,
      username: packet.username,
      message: {
        topic: packet.will.topic,
        payload: toBytes(packet.will.payload),
        qos: (packet.will.qos ?? 0) as QoS,
        retain: packet.will.retain ?? false,
        properties: v5 ? carriedProperties(wp) : {},
        from: clientId,
      },
    };
  }
  conn.keepalive = packet.keepalive ?? 0;
  let serverKeepAlive: number | undefined;
  if (v5 && (conn.keepalive === 0 || conn.keepalive > core.options.maxKeepalive)) {
    serverKeepAlive = core.options.maxKeepalive;
    conn.keepalive = serverKeepAlive;
  }
  conn.connectExpiry = v5 ? props.sessionExpiryInterval ?? 0 : clean ? 0 : SESSION_NEVER_EXPIRES;
  if (v5) {
    conn.window = Math.min(core.options.maxInflightMessages, props.receiveMaximum ?? 65535);
    conn.maxPacketSize = props.maximumPacketSize;
  }

  // Session takeover: the same client id is connected elsewhere ([MQTT-3.1.4-3]).
  let session = core.sessions.get(clientId);
  if (session?.connId !== undefined) {
    const old = core.connections.get(session.connId);
    if (old !== undefined) {
      core.counters.sessionTakeovers++;
      core.note('session-takeover', old, `client id "${clientId}" connected again on ${conn.id}`);
      detach(core, old, now, { graceful: false, sendClose: true, reasonCode: REASON.sessionTakenOver });
      session = core.sessions.get(clientId);
    }
  }
  // [MQTT-3.1.3-9]: a new connection before the will delay has passed cancels the will.
  if (core.pendingWills.delete(clientId)) core.note('will-cancelled', conn, 'the client reconnected within the will delay');

  let sessionPresent = false;
  if (session !== undefined && clean) {
    endSession(core, session, 'session-discarded');
    core.sessions.delete(clientId);
    session = undefined;
  }
  if (session === undefined) {
    session = new Session(clientId, conn.connectExpiry);
    core.sessions.set(clientId, session);
    core.note('session-created', conn);
  } else {
    sessionPresent = true;
    core.note('session-resumed', conn, `${session.subscriptions.size} subscriptions, ${session.inflight.size} in flight, ${session.queue.length} queued`);
  }
  session.expiryInterval = conn.connectExpiry;
  session.expiresAt = undefined;
  session.connId = conn.id;
  session.version = version;
  conn.session = session;
  conn.state = 'connected';
  conn.head = NO_HEAD; // only read while awaiting CONNECT
  // mosquitto's db__message_reconnect_reset_incoming: one quota per QoS 2 message still awaiting PUBREL.
  conn.receiveQuota = Math.max(0, core.options.maxInflightMessages - session.incomingQos2.size);
  core.counters.connectionsAccepted++;

  if (v5) {
    // The properties and their order are mosquitto 2.0's (section 3.2.2.3); Receive Maximum
    // is our in-flight limit for QoS 1/2 messages from the client.
    const properties: Record<string, unknown> = {};
    if (core.options.topicAliasMaximum > 0) properties.topicAliasMaximum = core.options.topicAliasMaximum;
    if (serverKeepAlive !== undefined) properties.serverKeepAlive = serverKeepAlive;
    if (assigned !== undefined) properties.assignedClientIdentifier = assigned;
    if (core.options.maxInflightMessages < 65535) properties.receiveMaximum = core.options.maxInflightMessages;
    core.send(conn, { cmd: 'connack', reasonCode: 0, sessionPresent, properties } as MqttPacket);
  } else {
    core.send(conn, { cmd: 'connack', returnCode: 0, sessionPresent });
  }
  core.note('client-connected', conn, `MQTT ${version === 5 ? '5' : '3.1.1'}, keepalive ${conn.keepalive} s, clean ${clean}`);
  core.lowerTimer(conn.keepalive > 0 ? keepaliveDeadline(conn, core.options.keepaliveSweepS) : undefined);

  // [MQTT-4.4.0-1]: on resuming a session, resend unacknowledged PUBLISH (DUP=1) and PUBREL,
  // in their original order ([MQTT-4.6.0-1]).
  resendInflight(core, conn, session, now);
  drainQueue(core, session, now);
}

/** Refuses a CONNECT: CONNACK with the 3.1.1 return code or MQTT 5 reason code, then close. */
export function refuse(core: BrokerCore, conn: Connection, returnCode: number, reasonCode: number, why: string): void {
  core.counters.connectionsRefused++;
  if (conn.version === 5) core.send(conn, { cmd: 'connack', reasonCode, sessionPresent: false } as MqttPacket);
  else core.send(conn, { cmd: 'connack', returnCode, sessionPresent: false });
  core.note('connect-refused', conn, `${why} (${conn.version === 5 ? `reason code 0x${hex(reasonCode)}` : `return code ${returnCode}`})`);
  core.close(conn);
}
