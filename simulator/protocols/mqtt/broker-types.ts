/**
 * The application message as the broker keeps it between receiving a PUBLISH and delivering it
 * (to online subscribers, offline sessions' queues and the retained store). Plain data.
 */
import type { Micros } from '../../core/time.ts';

export type QoS = 0 | 1 | 2;

/** MQTT 5 PUBLISH properties the broker carries through unchanged (section 3.3.2.3). */
export interface MessageProperties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Uint8Array;
  userProperties?: Record<string, string | string[]>;
}

export interface BrokerMessage {
  /** Sequence number of the inbound PUBLISH that carried it (fan-out accounting, traces). */
  seq: number;
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  /** The RETAIN flag as the publisher set it. */
  retain: boolean;
  properties: MessageProperties;
  /** When the broker received it. */
  receivedAt: Micros;
  /** MQTT 5 message expiry: the broker drops it after this time (section 3.3.2.3.3). */
  expiresAt?: Micros;
  /** Client id of the publisher (MQTT 5 No Local), or undefined for the broker itself. */
  from?: string;
}

export function isExpired(message: BrokerMessage, now: Micros): boolean {
  return message.expiresAt !== undefined && now >= message.expiresAt;
}
