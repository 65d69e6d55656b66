/**
 * Shared subscriptions when a member goes away with QoS 1 messages unacknowledged: the same byte
 * scripts against mosquitto (Debian's 2.0.11, when installed) and the engine's broker on real
 * sockets; what each client receives must be byte for byte the same (the pattern of
 * ./mqtt-broker-mosquitto.test.ts). Chapter 10 states these outcomes.
 *
 * MQTT 5 section 4.8.2 lets a server wait for the member to come back, or resend to another member
 * once the member's session ends; mosquitto does neither for a clean member (its session ends, and
 * the messages with it) and keeps choosing an offline member with a kept session in its turn
 * (src/subs.c subs__shared_process rotates the list whatever the member's state).
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodePacket, PacketParser, type MqttPacket } from '../../simulator/protocols/mqtt/codec.ts';
import { brokerPair } from './broker-pair.ts';
import { haveMosquitto } from './mosquitto.ts';

/** A raw MQTT 3.1.1 client that never acknowledges: collects the payloads of the PUBLISHes it gets. */
class Member {
  readonly socket: net.Socket;
  readonly #parser = new PacketParser(4);
  got: string[] = [];
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d) => {
      for (const p of this.#parser.push(d)) {
        if (p.cmd === 'publish') this.got.push(`${new TextDecoder().decode(p.payload as Uint8Array)}${p.dup ? ' dup' : ''}`);
        else this.got.push(p.cmd);
      }
    });
    this.socket.on('error', () => {});
  }
  send(...packets: MqttPacket[]): void {
    for (const p of packets) this.socket.write(encodePacket(p, 4));
  }
  take(): string {
    const r = this.got.join(',');
    this.got = [];
    return r;
  }
}

const settle = () => new Promise((r) => setTimeout(r, 150));
const connect = (clientId: string, clean = true): MqttPacket => ({ cmd: 'connect', clientId, clean, keepalive: 0, protocolVersion: 4 }) as MqttPacket;
const subscribe: MqttPacket = { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/workers/jobs', qos: 1 }] };
const job = (i: number): MqttPacket => ({ cmd: 'publish', topic: 'jobs', payload: new TextEncoder().encode(`j${i}`), qos: 1, messageId: i, dup: false, retain: false });

type Script = (port: number) => Promise<string[]>;

const scripts: Record<string, Script> = {
  'a clean member drops: its unacknowledged jobs die with it, the rest go to the others': async (port) => {
    const a = new Member(port);
    a.send(connect('a'), subscribe);
    await settle();
    const b = new Member(port);
    b.send(connect('b'), subscribe);
    const p = new Member(port);
    p.send(connect('p'));
    await settle();
    const steps = [a.take(), b.take()];
    for (let i = 1; i <= 4; i++) p.send(job(i));
    await settle();
    steps.push(a.take(), b.take());
    a.socket.destroy();
    await settle();
    for (let i = 5; i <= 6; i++) p.send(job(i));
    await settle();
    steps.push(b.take());
    for (const c of [b, p]) c.socket.destroy();
    return steps;
  },
  'a member with a kept session drops: it keeps its turn, and gets its jobs when it is back': async (port) => {
    const a = new Member(port);
    a.send(connect('a', false), subscribe);
    await settle();
    const b = new Member(port);
    b.send(connect('b'), subscribe);
    const p = new Member(port);
    p.send(connect('p'));
    await settle();
    const steps = [a.take(), b.take()];
    for (let i = 1; i <= 4; i++) p.send(job(i));
    await settle();
    steps.push(a.take(), b.take());
    a.socket.destroy();
    await settle();
    for (let i = 5; i <= 8; i++) p.send(job(i));
    await settle();
    steps.push(b.take());
    const back = new Member(port);
    back.send(connect('a', false));
    await settle();
    steps.push(back.take());
    back.send(connect('a', true));
    for (const c of [b, p, back]) c.socket.destroy();
    return steps;
  },
};

/**
 * What mosquitto 2.0.11 did (measured): round robin in the order the members subscribed (j1, j3 to
 * a; j2, j4 to b). A clean member's unacknowledged j1, j3 are not sent to b; b gets j5 and j6. A kept
 * member stays in the rotation while offline: b gets only j6, j8; j5, j7 wait in a's session and
 * come on resume after j1, j3 resent with DUP [MQTT-4.4.0-1].
 */
const OUTCOMES: Record<string, string[]> = {
  'a clean member drops: its unacknowledged jobs die with it, the rest go to the others': ['connack,suback', 'connack,suback', 'j1,j3', 'j2,j4', 'j5,j6'],
  'a member with a kept session drops: it keeps its turn, and gets its jobs when it is back': [
    'connack,suback', 'connack,suback', 'j1,j3', 'j2,j4', 'j6,j8', 'connack,j1 dup,j3 dup,j5,j7',
  ],
};

describe.skipIf(!haveMosquitto)('a shared subscription member that goes away, against mosquitto', () => {
  const brokers = brokerPair();

  for (const [name, script] of Object.entries(scripts)) {
    it(name, async () => {
      const theirs = await script(brokers.theirs);
      const mine = await script(brokers.ours);
      expect(mine).toEqual(theirs);
      expect(theirs).toEqual(OUTCOMES[name]);
    }, 15_000);
  }
});
