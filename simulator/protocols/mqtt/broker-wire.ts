/**
 * Small wire-level helpers of the broker engine (./broker.ts): MQTT 5 reason codes it uses,
 * packet shapes, and what it reads from raw bytes. Pure functions.
 */
import type { BrokerPacketEvent } from './broker-api.ts';
import type { MessageProperties } from './broker-types.ts';
import { utf8Encode } from './utf8.ts';
import { readVarint } from './varint.ts';
import type { MqttPacket } from './codec.ts';

/** MQTT 5 reason codes (section 2.4) the broker sends. */
export const REASON = {
  success: 0x00,
  noMatchingSubscribers: 0x10,
  noSubscriptionExisted: 0x11,
  disconnectWithWill: 0x04,
  unspecified: 0x80,
  malformed: 0x81,
  protocolError: 0x82,
  notAuthorized: 0x87,
  badUserOrPassword: 0x86,
  clientIdNotValid: 0x85,
  unsupportedVersion: 0x84,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  topicFilterInvalid: 0x8f,
  topicNameInvalid: 0x90,
  packetIdNotFound: 0x92,
  topicAliasInvalid: 0x94,
  quotaExceeded: 0x97,
} as const;

/** How many first bytes of a connection are kept until CONNECT is read. */
export const HEAD_BYTES = 64;

export { shortestForm } from './ack-forms.ts';

/** The Protocol Level byte of a CONNECT at the start of `head`, when it is there (section 3.1.2.2). */
export function connectProtocolLevel(head: Uint8Array): number | undefined {
  if (head.length < 2 || head[0]! >> 4 !== 1) return undefined;
  const length = readVarint(head, 1);
  if (length.kind !== 'value') return undefined;
  const pos = 1 + length.bytes; // past the Remaining Length
  if (pos + 2 > head.length) return undefined;
  const nameLength = (head[pos]! << 8) | head[pos + 1]!;
  const at = pos + 2 + nameLength;
  return at < head.length ? head[at] : undefined;
}



export function withReason(packet: { cmd: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'; messageId: number }, reasonCode: number | undefined): MqttPacket {
  return (reasonCode === undefined ? packet : { ...packet, reasonCode }) as MqttPacket;
}

export function toBytes(payload: string | Uint8Array | undefined): Uint8Array {
  if (payload === undefined) return new Uint8Array(0);
  if (typeof payload === 'string') return utf8Encode(payload);
  return payload;
}

/** The PUBLISH / will properties a broker passes on unchanged (MQTT 5 section 3.3.2.3). */
export function carriedProperties(p: Record<string, unknown>): MessageProperties {
  const out: MessageProperties = {};
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator as boolean;
  if (p.messageExpiryInterval !== undefined) out.messageExpiryInterval = p.messageExpiryInterval as number;
  if (p.contentType !== undefined) out.contentType = p.contentType as string;
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic as string;
  if (p.correlationData !== undefined) out.correlationData = p.correlationData as Uint8Array;
  if (p.userProperties !== undefined) out.userProperties = p.userProperties as Record<string, string | string[]>;
  return out;
}

export function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}


export function packetEvent(connId: string, clientId: string, packet: MqttPacket, dir: 'send' | 'receive', bytes: number, seq: number | undefined): BrokerPacketEvent {
  const ev: BrokerPacketEvent = { type: 'packet', connId, dir, packetType: packet.cmd, bytes };
  if (clientId !== '') ev.clientId = clientId;
  const p = packet as unknown as Record<string, unknown>;
  if (packet.cmd === 'publish') {
    ev.qos = p.qos as number;
    ev.dup = p.dup as boolean;
    ev.retain = p.retain as boolean;
    ev.topic = p.topic as string;
  }
  if (typeof p.messageId === 'number' && p.messageId !== 0) ev.packetId = p.messageId;
  if (typeof p.reasonCode === 'number') ev.reasonCode = p.reasonCode;
  else if (typeof p.returnCode === 'number') ev.reasonCode = p.returnCode;
  if (seq !== undefined) ev.seq = seq;
  return ev;
}
