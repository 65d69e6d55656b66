/**
 * How a client's connection ends and what outlives it: DISCONNECT, protocol errors, keepalive
 * expiry ([MQTT-3.1.2-24], at mosquitto's sweeps: ./broker-keepalive.ts); the session kept or ended by
 * its expiry interval; the will published at once, after its delay (MQTT 5 section 3.1.3.2.2), or
 * not at all after a normal DISCONNECT ([MQTT-3.14.4-3]).
 */
import type { Micros } from '../../core/time.ts';
import type { RemoteProtocolError } from '../../core/errors.ts';
import type { BrokerCore, Connection, Will } from './broker-core.ts';
import { keepaliveDeadline } from './broker-keepalive.ts';
import { dispatch, fanOutEvent, tallied } from './broker-routing.ts';
import { removeSubscriber } from './broker-share.ts';
import type { BrokerMessage } from './broker-types.ts';
import { REASON } from './broker-wire.ts';
import type { MqttPacket } from './codec.ts';
import { remoteError } from './errors.ts';
import { type Session, SESSION_NEVER_EXPIRES } from './session.ts';

export function onDisconnect(core: BrokerCore, conn: Connection, packet: Extract<MqttPacket, { cmd: 'disconnect' }>, now: Micros): void {
  const reasonCode = conn.version === 5 ? packet.reasonCode ?? 0 : 0;
  const expiry = conn.version === 5 ? packet.properties?.sessionExpiryInterval : undefined;
  if (expiry !== undefined) {
    // [MQTT-3.14.2-2]: a session expiry of 0 at CONNECT may not be raised at DISCONNECT.
    if (conn.connectExpiry === 0 && expiry !== 0) throw remoteError('mqtt-session-expiry-raised', 'DISCONNECT raised the session expiry interval from 0', REASON.protocolError);
    conn.session!.expiryInterval = expiry;
  }
  core.note('client-disconnected', conn, reasonCode === REASON.disconnectWithWill ? 'DISCONNECT with will (0x04)' : 'DISCONNECT');
  // A DISCONNECT discards the will ([MQTT-3.14.4-3]) unless MQTT 5 reason 0x04 asks for it.
  detach(core, conn, now, { graceful: reasonCode !== REASON.disconnectWithWill, sendClose: true });
}

export function protocolError(core: BrokerCore, conn: Connection, err: RemoteProtocolError, reasonCode: number, now: Micros): void {
  core.counters.protocolErrors++;
  core.note('protocol-error', conn, `${err.code}: ${err.message}`);
  if (conn.state === 'awaiting-connect') {
    core.close(conn);
    return;
  }
  // The will is published when the server closes for a protocol error (3.1.1 section 3.1.2.5).
  detach(core, conn, now, { graceful: false, sendClose: true, reasonCode });
}

/**
 * Ends a connected client's connection: optional MQTT 5 DISCONNECT, close, session kept or
 * ended, will published (now or after its delay) unless graceful.
 */
export function detach(core: BrokerCore, conn: Connection, now: Micros, how: { graceful: boolean; sendClose: boolean; reasonCode?: number }): void {
  if (conn.state === 'awaiting-connect') {
    core.connections.delete(conn.id);
    if (how.sendClose) core.outputs.push({ connId: conn.id, close: true });
    return;
  }
  if (how.sendClose && how.reasonCode !== undefined && conn.version === 5) {
    core.send(conn, { cmd: 'disconnect', reasonCode: how.reasonCode } as MqttPacket);
  }
  if (how.sendClose) core.close(conn);
  else core.connections.delete(conn.id);
  const session = conn.session!;
  session.connId = undefined;
  if (session.expiryInterval === 0) {
    endSession(core, session, undefined);
    core.sessions.delete(session.clientId);
  } else if (session.expiryInterval !== SESSION_NEVER_EXPIRES) {
    session.expiresAt = now + session.expiryInterval * 1_000_000;
    core.lowerTimer(session.expiresAt);
  }
  if (!how.graceful && conn.will !== undefined) {
    // MQTT 5 section 3.1.3.2.2: the will waits for its delay or the end of the session.
    let delay = conn.will.delaySeconds;
    if (session.expiryInterval !== SESSION_NEVER_EXPIRES) delay = Math.min(delay, session.expiryInterval);
    if (delay === 0) publishWill(core, conn.clientId, conn.will, now);
    else {
      const at = now + delay * 1_000_000;
      core.pendingWills.set(conn.clientId, { at, will: conn.will });
      core.note('will-delayed', conn, `will on "${conn.will.message.topic}" in ${delay} s`);
      core.lowerTimer(at);
    }
  }
}

export function endSession(core: BrokerCore, session: Session, event: 'session-expired' | 'session-discarded' | undefined): void {
  for (const sub of session.subscriptions.values()) removeSubscriber(core, session.clientId, sub);
  const lost = session.inflight.size + session.queue.length;
  core.counters.discardedWithSession += lost;
  // One record per message that dies with the session: for the flows, these are lost.
  for (const d of [...session.inflight.values(), ...session.queue]) {
    core.note('discarded-with-session', undefined, `packet id ${d.packetId ?? 0} for "${session.clientId}"`, d.message, session.clientId);
  }
  if (event !== undefined) {
    core.events.push({ type: 'broker', event, clientId: session.clientId, detail: `${lost} messages discarded` });
  }
}

export function publishWill(core: BrokerCore, clientId: string, w: Will, now: Micros): void {
  const will = w.message;
  const message: BrokerMessage = {
    ...will, seq: ++core.seq, receivedAt: now,
    expiresAt: will.properties.messageExpiryInterval !== undefined ? now + will.properties.messageExpiryInterval * 1_000_000 : undefined,
  };
  if (!core.access.canPublish({ clientId, username: w.username }, will.topic)) {
    core.note('publish-denied', undefined, `will of "${clientId}" on "${will.topic}" not allowed`, message, clientId);
    return;
  }
  core.counters.willsPublished++;
  core.events.push({ type: 'broker', event: 'will-published', clientId, topic: will.topic, seq: message.seq, detail: `on "${will.topic}" QoS ${will.qos}` });
  const { result, tally } = tallied(core, () => dispatch(core, message, now));
  fanOutEvent(core, message, result, tally);
}

/** Keepalive expiry, delayed wills and session expiry whose time has come. */
export function expireDue(core: BrokerCore, now: Micros): void {
  for (const conn of [...core.connections.values()]) {
    if (conn.state !== 'connected' || conn.keepalive === 0) continue;
    // The deadline falls on one of the broker's sweeps (./broker-keepalive.ts).
    if (now >= keepaliveDeadline(conn, core.options.keepaliveSweepS)) {
      core.note('keepalive-timeout', conn, `nothing received for ${(now - conn.lastReceived) / 1000} ms (keepalive ${conn.keepalive} s)`);
      detach(core, conn, now, { graceful: false, sendClose: true, reasonCode: REASON.keepAliveTimeout });
    }
  }
  for (const [clientId, will] of [...core.pendingWills]) {
    if (now >= will.at) {
      core.pendingWills.delete(clientId);
      publishWill(core, clientId, will.will, now);
    }
  }
  for (const [clientId, session] of [...core.sessions]) {
    if (session.connId === undefined && session.expiresAt !== undefined && now >= session.expiresAt) {
      endSession(core, session, 'session-expired');
      core.sessions.delete(clientId);
    }
  }
  core.recomputeTimer();
}
