/**
 * `$SYS` and `$share` are not for clients to write (mosquitto 2.0 src/security.c,
 * mosquitto_acl_check -> acl__check_dollar, before any ACL file or plugin): the same byte script
 * against mosquitto 2.0.11 and against the engine's broker on a real socket, in MQTT 3.1.1 and 5,
 * must give every client the same bytes. What mosquitto answers (src/handle_publish.c, "Denied
 * PUBLISH" -> process_bad_message): nothing at QoS 0, PUBACK at QoS 1, PUBREC at QoS 2 (then PUBCOMP
 * for the PUBREL in 3.1.1), with reason code 0x87 (Not authorized) in MQTT 5; no subscriber gets the
 * message, `$SYS/#` included, and the connection stays open. A will on a `$SYS` topic is not sent. `$SYS/broker/connection/+/state` (a
 * bridge's status) is the one `$SYS` topic a client may write.
 */
import { describe, expect, it } from 'vitest';
import type { MqttPacket } from '../../simulator/protocols/mqtt/codec.ts';
import { brokerPair } from './broker-pair.ts';
import { haveMosquitto } from './mosquitto.ts';
import { clients, connect, RawClient, settle, text } from './raw-mqtt-client.ts';

const publish = (topic: string, qos: 0 | 1 | 2, messageId?: number): MqttPacket =>
  ({ cmd: 'publish', topic, payload: text('x'), qos, ...(messageId === undefined ? {} : { messageId }), dup: false, retain: false }) as MqttPacket;

/** The packets of `hex` (as RawClient records them) other than PUBLISH (type 3), as hex. */
function withoutPublishes(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  let kept = '';
  for (let at = 0; at < bytes.length; ) {
    let length = 0;
    let i = at + 1;
    for (let shift = 0; ; shift += 7, i++) {
      length += (bytes[i]! & 0x7f) << shift;
      if ((bytes[i]! & 0x80) === 0) break;
    }
    const end = i + 1 + length;
    if (bytes[at]! >> 4 !== 3) kept += bytes.subarray(at, end).toString('hex');
    at = end;
  }
  return kept;
}

/** What the watcher (`$SYS/#` and `#`) and the publisher received after each step, as hex. */
async function script(port: number, version: 4 | 5): Promise<string[]> {
  const v = { protocolVersion: version } as const;
  const watch = new RawClient(port, version);
  // QoS 0: mosquitto sends `$SYS/#` subscribers its own retained `$SYS` tree at once (QoS 2 at most),
  // which our broker does not have; unanswered at QoS 2 it would fill the in-flight window.
  watch.send(connect('watch', v), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$SYS/#', qos: 0 }, { topic: '#', qos: 0 }] });
  const pub = new RawClient(port, version);
  pub.send(connect('pub', v));
  await settle();
  // The watcher's CONNACK and SUBACK, without mosquitto's retained `$SYS` tree.
  const steps = [withoutPublishes(watch.take()), pub.take()];
  const step = async (...packets: MqttPacket[]) => {
    pub.send(...packets);
    await settle();
    steps.push(watch.take(), pub.take());
  };
  await step(publish('$SYS/test', 0));
  await step(publish('$SYS/test', 1, 1));
  await step(publish('$SYS/test', 2, 2));
  await step({ cmd: 'pubrel', messageId: 2 } as MqttPacket);
  await step(publish('$share/g/t', 1, 3));
  await step(publish('$SYS/broker/connection/br/state', 1, 4));
  await step(publish('plain', 0)); // still connected: an ordinary message goes through
  // A will on a $SYS topic is not sent either (src/context.c, context__send_will checks the same).
  const rude = new RawClient(port, version);
  rude.send(connect('rude', { ...v, will: { topic: '$SYS/will', payload: text('gone'), qos: 0, retain: false } }));
  await settle();
  rude.take();
  rude.socket.destroy();
  await settle();
  steps.push(watch.take());
  watch.socket.destroy();
  pub.socket.destroy();
  return steps;
}

describe.skipIf(!haveMosquitto)('clients may not publish to $SYS or $share: the engine broker and mosquitto 2.0.11 agree', () => {
  const brokers = brokerPair();

  for (const version of [4, 5] as const) {
    it(`MQTT ${version === 4 ? '3.1.1' : '5'}`, async () => {
      clients.clear();
      const theirs = await script(brokers.theirs, version);
      clients.clear();
      const mine = await script(brokers.ours, version);
      expect(mine).toEqual(theirs);
      // What mosquitto answered (pairs: watcher, publisher), read from its bytes.
      const v5 = version === 5;
      expect(theirs).toEqual([
        // CONNACK + SUBACK (granted 0, 0); the publisher's CONNACK (MQTT 5: with mosquitto's properties)
        v5 ? '200c00000922000a13ffff210014' + '90050001000000' : '20020000' + '900400010000',
        v5 ? '200c00000922000a13ffff210014' : '20020000',
        '', '', // QoS 0 to $SYS/test: nothing for anyone
        '', v5 ? '4003000187' : '40020001', // QoS 1: PUBACK (MQTT 5: 0x87 Not authorized); no delivery
        '', v5 ? '5003000287' : '50020002', // QoS 2: PUBREC (MQTT 5: 0x87, which ends the exchange)
        '', '70020002', // PUBREL: PUBCOMP (mosquitto answers it even for an id it never stored)
        '', v5 ? '4003000387' : '40020003', // $share/g/t: refused the same way
        // $SYS/broker/connection/br/state, a bridge's status topic: allowed, delivered at QoS 0; PUBACK
        `30${v5 ? '23' : '22'}001f${Buffer.from('$SYS/broker/connection/br/state').toString('hex')}${v5 ? '00' : ''}78`, '40020004',
        `30${v5 ? '09' : '08'}0005${Buffer.from('plain').toString('hex')}${v5 ? '00' : ''}78`, '', // still connected
        '', // the will on $SYS/will: not sent
      ]);
    }, 30_000);
  }
});
