/**
 * The packets that open and close a client's connection, and what CONNACK tells it.
 *
 * The CONNECT packet a client sends (3.1.1 section 3.1, MQTT 5 section 3.1), built from its
 * options. Pure. MQTT 5 properties are written only when they differ from the default, as mqtt.js
 * does, so a default CONNECT has an empty property list.
 */
import type { MqttClientOptions } from './client-types.ts';
import type { ConnackPacket, ConnectPacket, MqttVersion, PacketOf, QoS } from './packets.ts';

export function connectPacket(o: MqttClientOptions, version: MqttVersion, clientId: string): ConnectPacket {
  const connect: ConnectPacket = {
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: version, clientId,
    clean: o.clean, keepalive: o.keepaliveS,
  };
  if (o.username !== undefined) connect.username = o.username;
  if (o.password !== undefined) connect.password = o.password;
  if (o.will !== undefined) {
    const w = o.will;
    connect.will = { topic: w.topic, payload: w.payload, qos: w.qos ?? 0, retain: w.retain ?? false };
    if (version === 5) {
      const props = { ...(w.properties ?? {}) } as NonNullable<ConnectPacket['will']>['properties'] & object;
      if (w.delayS !== undefined && w.delayS > 0) props.willDelayInterval = w.delayS;
      if (Object.keys(props).length > 0) connect.will.properties = props;
    }
  }
  if (version === 5) {
    const props: NonNullable<ConnectPacket['properties']> = {};
    if (o.sessionExpiryS > 0) props.sessionExpiryInterval = o.sessionExpiryS;
    if (o.receiveMaximum < 65535) props.receiveMaximum = o.receiveMaximum;
    if (o.topicAliasMaximum > 0) props.topicAliasMaximum = o.topicAliasMaximum;
    if (Object.keys(props).length > 0) connect.properties = props;
  }
  return connect;
}

/** What the server's CONNACK limits (MQTT 5 section 3.2.2.3); 3.1.1 servers limit nothing. */
export interface ServerLimits {
  /** Receive Maximum: QoS 1/2 PUBLISHes it takes unacknowledged ([MQTT-3.3.4-7]). */
  receiveMaximum: number;
  /** Topic Alias Maximum, or 0 when the client does not use aliases. */
  topicAliasMaximum: number;
  /** Maximum QoS ([MQTT-3.2.2-11]). */
  maximumQos: QoS;
}

export const NO_SERVER_LIMITS: ServerLimits = { receiveMaximum: 65535, topicAliasMaximum: 0, maximumQos: 2 };

export function serverLimits(props: NonNullable<ConnackPacket['properties']>, topicAliases: boolean): ServerLimits {
  return {
    receiveMaximum: props.receiveMaximum ?? 65535,
    topicAliasMaximum: topicAliases ? (props.topicAliasMaximum ?? 0) : 0,
    maximumQos: (props.maximumQoS ?? 2) as QoS,
  };
}

/** A graceful DISCONNECT (section 3.14); MQTT 5 may carry a reason code and a new session expiry. */
export function disconnectPacket(version: MqttVersion, options: { reasonCode?: number; sessionExpiryS?: number }): PacketOf<'disconnect'> {
  const packet: PacketOf<'disconnect'> = { cmd: 'disconnect' };
  if (version === 5) {
    if (options.reasonCode !== undefined) packet.reasonCode = options.reasonCode;
    if (options.sessionExpiryS !== undefined) packet.properties = { sessionExpiryInterval: options.sessionExpiryS };
  }
  return packet;
}
