/**
 * codec-generate.ts is mqtt-packet's generate() without its per-packet allocations: for every
 * packet it must give exactly generate()'s bytes, and throw generate()'s error for a field
 * mqtt-packet refuses.
 */
import { Buffer } from 'buffer';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { generate } from '../../../simulator/protocols/mqtt/codec-generate.ts';

const cases: Array<[string, Record<string, unknown>, 4 | 5]> = [
  ['PUBLISH QoS 1, 3.1.1', { cmd: 'publish', topic: 'sensors/12', payload: Buffer.alloc(20, 7), qos: 1, messageId: 300, dup: false, retain: false }, 4],
  ['PUBLISH QoS 0, UTF-8 topic', { cmd: 'publish', topic: 'température/ç', payload: Buffer.from('hi'), qos: 0, dup: false, retain: true }, 4],
  ['PUBLISH MQTT 5 with properties', { cmd: 'publish', topic: 'a', payload: Buffer.alloc(3), qos: 2, messageId: 9, dup: true, retain: false, properties: { messageExpiryInterval: 60, userProperties: { k: 'v' } } }, 5],
  ['PUBACK', { cmd: 'puback', messageId: 65535, reasonCode: 0 }, 4],
  ['CONNECT with will and password', { cmd: 'connect', protocolVersion: 4, clientId: 'dev-1', clean: true, keepalive: 60, username: 'u', password: Buffer.from('p'), will: { topic: 'w', payload: Buffer.from('gone'), qos: 1, retain: false } }, 4],
  ['SUBSCRIBE MQTT 5', { cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'x/#', qos: 1, nl: true, rap: false, rh: 0 }], properties: { subscriptionIdentifier: 4 } }, 5],
  ['PINGREQ', { cmd: 'pingreq' }, 4],
];

describe('generate: mqtt-packet generate() bytes, allocated once', () => {
  for (const [name, packet, level] of cases) {
    it(name, () => {
      const theirs = mqttPacket.generate(packet as unknown as mqttPacket.Packet, { protocolVersion: level });
      const ours = generate(packet, level);
      expect(Buffer.isBuffer(ours)).toBe(false);
      expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(theirs).toString('hex'));
      expect(ours.length).toBeGreaterThan(0);
    });
  }

  it('throws the error mqtt-packet reports, and is clean for the next packet', () => {
    const bad = { cmd: 'publish', topic: 'a', payload: Buffer.alloc(1), qos: 1, messageId: 1, dup: false, retain: false, properties: { topicAlias: 'x' } };
    let theirs = '';
    try {
      mqttPacket.generate(bad as unknown as mqttPacket.Packet, { protocolVersion: 5 });
    } catch (e) {
      theirs = (e as Error).message;
    }
    expect(theirs).not.toBe('');
    expect(() => generate(bad, 5)).toThrow(theirs);
    const [, puback] = cases[3]!;
    expect(Buffer.from(generate(puback, 4)).toString('hex')).toBe('4002ffff');
  });
});
