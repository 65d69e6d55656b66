/**
 * MQTT 3.1.1 / 5 control packets as plain objects told apart by `cmd`, with mqtt-packet's field
 * names (`messageId`, `returnCode` in 3.1.1, `reasonCode` in 5, `granted`, `properties`...).
 * Byte fields are plain `Uint8Array`s, never `Buffer`s, so callers and tests do not depend on
 * Node. Types and the version names only; the codec is ./codec.ts (which re-exports all of this).
 */
import { MAX_VARINT } from './varint.ts';
import { localError } from './errors.ts';

/** Protocol level as it travels in CONNECT: 3 = MQTT 3.1, 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
export type MqttVersion = 3 | 4 | 5;
/** The names the scenario files and the CLI use. */
export type MqttVersionName = '3.1.1' | '5';
export type QoS = 0 | 1 | 2;
export type UserProperties = Record<string, string | string[]>;

/** MQTT 5 reason codes the codec itself produces (MQTT 5 section 2.4). */
export const REASON_MALFORMED_PACKET = 0x81;
export const REASON_PROTOCOL_ERROR = 0x82;

/** The largest Remaining Length four bytes can encode (section 2.2.3). */
export const MAX_REMAINING_LENGTH = MAX_VARINT;

/** Accepts either spelling; returns the protocol level. */
export function protocolLevel(version: MqttVersion | MqttVersionName): MqttVersion {
  if (version === '3.1.1') return 4;
  if (version === '5') return 5;
  if (version === 3 || version === 4 || version === 5) return version;
  throw localError('mqtt-bad-version', `unknown MQTT version ${JSON.stringify(version)}; use "3.1.1" or "5"`);
}

export function versionName(level: MqttVersion): string {
  return level === 5 ? '5' : level === 4 ? '3.1.1' : '3.1';
}

// ------------------------------------------------------------------ packet objects

interface Base {
  /** Remaining Length, filled in by the parser (ignored by the encoder). */
  length?: number;
}

export interface WillMessage {
  topic: string;
  payload: Uint8Array;
  qos?: QoS;
  retain?: boolean;
  properties?: {
    willDelayInterval?: number;
    payloadFormatIndicator?: boolean;
    messageExpiryInterval?: number;
    contentType?: string;
    responseTopic?: string;
    correlationData?: Uint8Array;
    userProperties?: UserProperties;
  };
}

export interface ConnectPacket extends Base {
  cmd: 'connect';
  clientId: string;
  protocolVersion?: MqttVersion;
  protocolId?: 'MQTT' | 'MQIsdp';
  clean?: boolean;
  keepalive?: number;
  username?: string;
  password?: Uint8Array;
  will?: WillMessage;
  properties?: {
    sessionExpiryInterval?: number;
    receiveMaximum?: number;
    maximumPacketSize?: number;
    topicAliasMaximum?: number;
    requestResponseInformation?: boolean;
    requestProblemInformation?: boolean;
    userProperties?: UserProperties;
    authenticationMethod?: string;
    authenticationData?: Uint8Array;
  };
}

export interface ConnackPacket extends Base {
  cmd: 'connack';
  /** MQTT 3.1.1 return code (section 3.2.2.3). */
  returnCode?: number;
  /** MQTT 5 reason code (section 3.2.2.2). */
  reasonCode?: number;
  sessionPresent: boolean;
  properties?: {
    sessionExpiryInterval?: number;
    receiveMaximum?: number;
    maximumQoS?: number;
    retainAvailable?: boolean;
    maximumPacketSize?: number;
    assignedClientIdentifier?: string;
    topicAliasMaximum?: number;
    reasonString?: string;
    userProperties?: UserProperties;
    wildcardSubscriptionAvailable?: boolean;
    subscriptionIdentifiersAvailable?: boolean;
    sharedSubscriptionAvailable?: boolean;
    serverKeepAlive?: number;
    responseInformation?: string;
    serverReference?: string;
    authenticationMethod?: string;
    authenticationData?: Uint8Array;
  };
}

export interface PublishProperties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  topicAlias?: number;
  responseTopic?: string;
  correlationData?: Uint8Array;
  userProperties?: UserProperties;
  subscriptionIdentifier?: number | number[];
  contentType?: string;
}

export interface PublishPacket extends Base {
  cmd: 'publish';
  qos: QoS;
  dup: boolean;
  retain: boolean;
  topic: string;
  payload: Uint8Array;
  /** Packet Identifier; present only when qos > 0 ([MQTT-2.3.1-5]). */
  messageId?: number;
  properties?: PublishProperties;
}

export interface ReasonOnlyProperties {
  reasonString?: string;
  userProperties?: UserProperties;
}

export interface PubackPacket extends Base { cmd: 'puback'; messageId: number; reasonCode?: number; properties?: ReasonOnlyProperties }
export interface PubrecPacket extends Base { cmd: 'pubrec'; messageId: number; reasonCode?: number; properties?: ReasonOnlyProperties }
export interface PubrelPacket extends Base { cmd: 'pubrel'; messageId: number; reasonCode?: number; properties?: ReasonOnlyProperties }
export interface PubcompPacket extends Base { cmd: 'pubcomp'; messageId: number; reasonCode?: number; properties?: ReasonOnlyProperties }

export interface Subscription {
  topic: string;
  qos: QoS;
  /** MQTT 5 No Local, Retain As Published, Retain Handling (section 3.8.3.1). */
  nl?: boolean;
  rap?: boolean;
  rh?: number;
}

export interface SubscribePacket extends Base {
  cmd: 'subscribe';
  messageId: number;
  subscriptions: Subscription[];
  properties?: { reasonString?: string; subscriptionIdentifier?: number; userProperties?: UserProperties };
}

export interface SubackPacket extends Base {
  cmd: 'suback';
  messageId: number;
  /** Granted QoS or a failure code (3.1.1: 0x80; MQTT 5: reason codes >= 0x80), one per filter. */
  granted: number[];
  properties?: ReasonOnlyProperties;
}

export interface UnsubscribePacket extends Base {
  cmd: 'unsubscribe';
  messageId: number;
  unsubscriptions: string[];
  properties?: ReasonOnlyProperties;
}

export interface UnsubackPacket extends Base {
  cmd: 'unsuback';
  messageId: number;
  /** MQTT 5 only: one reason code per filter (section 3.11.3). */
  granted?: number[];
  properties?: ReasonOnlyProperties;
}

export interface PingreqPacket extends Base { cmd: 'pingreq' }
export interface PingrespPacket extends Base { cmd: 'pingresp' }

export interface DisconnectPacket extends Base {
  cmd: 'disconnect';
  /** MQTT 5 only. */
  reasonCode?: number;
  properties?: { sessionExpiryInterval?: number; reasonString?: string; userProperties?: UserProperties; serverReference?: string };
}

export interface AuthPacket extends Base {
  cmd: 'auth';
  reasonCode: number;
  properties?: { authenticationMethod?: string; authenticationData?: Uint8Array; reasonString?: string; userProperties?: UserProperties };
}

export type MqttPacket =
  | ConnectPacket | ConnackPacket | PublishPacket
  | PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket
  | SubscribePacket | SubackPacket | UnsubscribePacket | UnsubackPacket
  | PingreqPacket | PingrespPacket | DisconnectPacket | AuthPacket;

export type PacketCmd = MqttPacket['cmd'];
export type PacketOf<C extends PacketCmd> = Extract<MqttPacket, { cmd: C }>;

/** Control packet type numbers (section 2.2.1). */
export const PACKET_TYPE: Readonly<Record<PacketCmd, number>> = {
  connect: 1, connack: 2, publish: 3, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7,
  subscribe: 8, suback: 9, unsubscribe: 10, unsuback: 11, pingreq: 12, pingresp: 13, disconnect: 14, auth: 15,
};
