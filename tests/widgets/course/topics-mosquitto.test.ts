/**
 * The topic explorer's answers against Debian's mosquitto (when installed): the same filters, one
 * raw client each, and the same topics published in the same order; who received which message
 * must be the same as the simulator's broker says (src/worker/course/topics-run.ts). This is where
 * "the page and a real broker agree" is measured, shared subscriptions' turn-taking included.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePacket, PacketParser, type MqttPacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { courseTopics, linesOf } from '../../../src/worker/course/topics-run.ts';
import { TOPICS_DEFAULTS, type TopicsInput } from '../../../src/worker/course/topics-types.ts';
import { haveMosquitto, startMosquitto, type RunningMosquitto } from '../../conformance/mosquitto.ts';

const settle = () => new Promise((r) => setTimeout(r, 150));

/** One client on a real socket: writes packets, collects the topics of the PUBLISH packets it gets. */
class Client {
  readonly socket: net.Socket;
  readonly topics: string[] = [];
  readonly #parser: PacketParser;
  constructor(port: number, readonly version: 4 | 5) {
    this.#parser = new PacketParser(version);
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d) => {
      for (const p of this.#parser.push(new Uint8Array(d))) if (p.cmd === 'publish') this.topics.push(p.topic);
    });
    this.socket.on('error', () => {});
  }
  send(packet: MqttPacket): void {
    this.socket.write(encodePacket(packet, this.version));
  }
}

/** Who received each publish (filter line indexes), from mosquitto. */
async function throughMosquitto(port: number, input: TopicsInput): Promise<number[][]> {
  const version = input.version === '5' ? 5 : 4;
  const filters = linesOf(input.filters);
  const subs = filters.map((filter, i) => {
    const c = new Client(port, version);
    c.send({ cmd: 'connect', protocolVersion: version, protocolId: 'MQTT', clean: true, keepalive: 0, clientId: `sub-${i + 1}` } as MqttPacket);
    c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos: 0 }] } as MqttPacket);
    return c;
  });
  const pub = new Client(port, version);
  pub.send({ cmd: 'connect', protocolVersion: version, protocolId: 'MQTT', clean: true, keepalive: 0, clientId: 'pub' } as MqttPacket);
  await settle();
  const out: number[][] = [];
  for (let round = 0; round < input.rounds; round++) {
    for (const topic of linesOf(input.topics)) {
      const before = subs.map((s) => s.topics.length);
      pub.send({ cmd: 'publish', topic, payload: new Uint8Array(0), qos: 0, retain: false, dup: false } as MqttPacket);
      await settle();
      out.push(subs.flatMap((s, k) => (s.topics.length > before[k]! ? [k] : [])));
    }
  }
  for (const c of [...subs, pub]) c.socket.destroy();
  return out;
}

const simulated = (input: TopicsInput) => courseTopics(input).published.map((p) => p.receivers);

describe.skipIf(!haveMosquitto)('topic matching: the simulator\'s broker and mosquitto agree', () => {
  let broker: RunningMosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('on the specification\'s examples, in MQTT 3.1.1 and 5', async () => {
    const input: TopicsInput = {
      topics: ['sport/tennis/player1', 'sport/tennis/player1/ranking', 'sport/tennis/player2', 'sport', 'sport/', '/finance', 'finance', 'a//b'].join('\n'),
      filters: ['sport/tennis/player1/#', 'sport/tennis/+', 'sport/#', 'sport/+', '+/+', '/+', '+', '#', 'a/+/b', '+/tennis/#'].join('\n'),
      version: '3.1.1',
      rounds: 1,
    };
    for (const version of ['3.1.1', '5'] as const) {
      const v = { ...input, version };
      expect(await throughMosquitto(broker.port, v)).toEqual(simulated(v));
    }
  }, 30_000);

  it('on the chapter\'s starting tree except its $SYS topic, share group included, over two rounds', async () => {
    // The page has the broker publish the `$SYS` line itself (a client may not: mosquitto refuses
    // it, and so does the simulator's broker, tests/conformance/sys-mosquitto.test.ts); mosquitto
    // cannot be made to publish that topic, so it is left out here and its rule checked below.
    const topics = linesOf(TOPICS_DEFAULTS.topics).filter((t) => !t.startsWith('$')).join('\n');
    const input = { ...TOPICS_DEFAULTS, topics, rounds: 2 };
    expect(await throughMosquitto(broker.port, input)).toEqual(simulated(input));
  }, 30_000);

  it('sends the broker\'s own $SYS messages to "$SYS/#" and not to "#", as the page has it; a client\'s goes to nobody', async () => {
    // mosquitto's own `$SYS` tree is retained: a new `$SYS/#` subscriber gets it at once.
    const sys = new Client(broker.port, 5);
    const all = new Client(broker.port, 5);
    for (const [c, filter] of [[sys, '$SYS/#'], [all, '#']] as const) {
      c.send({ cmd: 'connect', protocolVersion: 5, protocolId: 'MQTT', clean: true, keepalive: 0, clientId: `own-${filter}` } as MqttPacket);
      c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos: 0 }] } as MqttPacket);
    }
    await settle();
    expect(sys.topics).toContain('$SYS/broker/version');
    expect(sys.topics.every((t) => t.startsWith('$SYS/'))).toBe(true);
    expect(all.topics).toEqual([]);
    for (const c of [sys, all]) c.socket.destroy();
    // The page: the same two filters, the broker publishing `$SYS/monitor/Clients` itself.
    expect(simulated({ topics: '$SYS/monitor/Clients', filters: '$SYS/#\n#', version: '5', rounds: 1 })).toEqual([[0]]);
    // A client publishing it through mosquitto reaches neither.
    const input: TopicsInput = { topics: '$SYS/monitor/Clients', filters: '$SYS/monitor/#\n#', version: '5', rounds: 1 };
    expect(await throughMosquitto(broker.port, input)).toEqual([[]]);
  }, 30_000);
});
