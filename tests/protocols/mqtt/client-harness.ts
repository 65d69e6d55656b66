/** What the client engine tests share: feeding it server packets and draining what it wrote, as hex. */
import { encodePacket, type MqttPacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { MqttClient, type ClientEvent, type MqttClientOptions } from '../../../simulator/protocols/mqtt/client.ts';

export const S = 1_000_000;
export const te = new TextEncoder();

export function toHex(b: Uint8Array | undefined): string {
  return b === undefined ? '' : Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
export function h(s: string): string {
  return s.replace(/[|\s]/g, '');
}

/** Drains the client: the bytes it wrote (hex) and its events other than 'packet'. */
export function drain(c: MqttClient): { out: string; events: ClientEvent[] } {
  const out = toHex(c.dataToSend());
  const events: ClientEvent[] = [];
  for (let e = c.nextEvent(); e !== undefined; e = c.nextEvent()) if (e.type !== 'packet') events.push(e);
  return { out, events };
}

export function feed(c: MqttClient, p: MqttPacket, now: number): void {
  c.receiveData(encodePacket(p, c.version), now);
}

export function connected(options: Partial<MqttClientOptions> = {}, connack: Partial<MqttPacket> = {}): MqttClient {
  const c = new MqttClient({ clientId: 'c', keepaliveS: 0, ...options });
  c.connect(0);
  feed(c, { cmd: 'connack', sessionPresent: false, returnCode: 0, reasonCode: 0, ...connack } as MqttPacket, 0);
  drain(c);
  return c;
}
