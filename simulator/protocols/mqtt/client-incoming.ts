/**
 * What the client does with a PUBLISH from the server (section 4.3, receiver side):
 * - QoS 0: deliver. QoS 1: deliver, then PUBACK ([MQTT-4.3.2-2]); a repeated copy is delivered
 *   again (at least once).
 * - QoS 2 (method A of MQTT 5 section 4.3.3, as mqtt.js does): store the message on PUBLISH and
 *   answer PUBREC; deliver it when PUBREL arrives, then PUBCOMP. A repeated PUBLISH with an id
 *   still stored gets PUBREC again and is not delivered twice ([MQTT-4.3.3-2] in 3.1.1). A PUBREL
 *   for an id no longer stored (our PUBCOMP was lost) gets PUBCOMP again.
 * - MQTT 5: more stored QoS 2 messages than the Receive Maximum we announced is error 0x93
 *   ([MQTT-3.3.4-9]).
 * The stored messages are session state: discarded with the session.
 */
import type { ClientEvent } from './client-types.ts';
import type { MqttVersion, PublishPacket } from './packets.ts';
import { remoteError } from './errors.ts';

/** MQTT 5 reason code 0x93 Receive Maximum exceeded. */
const RECEIVE_MAXIMUM_EXCEEDED = 0x93;

export type MessageEvent = Extract<ClientEvent, { type: 'message' }>;

/** The application event of a received PUBLISH whose topic (alias resolved) is `topic`. */
export function messageEvent(p: PublishPacket, topic: string): MessageEvent {
  const message: MessageEvent = { type: 'message', topic, payload: p.payload, qos: p.qos, retain: p.retain, dup: p.dup };
  if (p.messageId !== undefined) message.messageId = p.messageId;
  if (p.properties !== undefined) message.properties = p.properties;
  return message;
}

export class IncomingQos2 {
  /** messageId -> the message to deliver when PUBREL comes; made at the first QoS 2 message (an empty Map is about 180 bytes). */
  #stored: Map<number, MessageEvent> | undefined;

  /** A QoS 2 PUBLISH arrived: keeps it unless that id is already stored. */
  store(id: number, message: MessageEvent, receiveMaximum: number, version: MqttVersion): void {
    const stored = (this.#stored ??= new Map());
    if (stored.has(id)) return;
    if (stored.size >= receiveMaximum && version === 5) {
      throw remoteError('mqtt-receive-maximum-exceeded', `more than Receive Maximum ${receiveMaximum} QoS 2 messages pending`, RECEIVE_MAXIMUM_EXCEEDED);
    }
    stored.set(id, message);
  }

  /** PUBREL arrived: the message to deliver now, or undefined when it was already released. */
  release(id: number): MessageEvent | undefined {
    const m = this.#stored?.get(id);
    this.#stored?.delete(id);
    return m;
  }

  clear(): void {
    this.#stored?.clear();
  }
}
