/**
 * Differential tests: the same hand-written MQTT 3.1.1 / 5 byte scripts against mosquitto (when
 * installed) and against the engine's broker on real sockets; what each client receives must be
 * byte for byte the same. This is where the broker's "as mosquitto does" choices are measured.
 */
import { describe, expect, it } from 'vitest';
import { PacketParser } from '../../simulator/protocols/mqtt/codec.ts';
import { clients, connect, RawClient, settle, text } from './raw-mqtt-client.ts';
import { brokerPair } from './broker-pair.ts';
import { have2021, haveMosquitto, MOSQUITTO_2021 } from './mosquitto.ts';

/** Each script returns what its clients received, step by step. */
type Script = (port: number) => Promise<string[]>;

const scripts: Record<string, Script> = {
  'QoS 2 is forwarded after PUBREL (method A)': async (port) => {
    const sub = new RawClient(port);
    const pub = new RawClient(port);
    sub.send(connect('sub'), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 2 }] });
    pub.send(connect('pub'));
    await settle();
    const steps = [sub.take(), pub.take()];
    pub.send({ cmd: 'publish', topic: 't', payload: text('x'), qos: 2, messageId: 1, dup: false, retain: false });
    await settle();
    steps.push(sub.take(), pub.take());
    pub.send({ cmd: 'publish', topic: 't', payload: text('x'), qos: 2, messageId: 1, dup: true, retain: false });
    await settle();
    steps.push(sub.take(), pub.take());
    pub.send({ cmd: 'pubrel', messageId: 1 });
    await settle();
    steps.push(sub.take(), pub.take());
    sub.socket.destroy();
    pub.socket.destroy();
    return steps;
  },
  'overlapping subscriptions give one delivery at the highest QoS': async (port) => {
    const sub = new RawClient(port);
    sub.send(connect('sub'), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#', qos: 0 }, { topic: 'a/+', qos: 1 }, { topic: 'a/b', qos: 2 }] });
    await settle();
    const steps = [sub.take()];
    const pub = new RawClient(port);
    pub.send(connect('pub'), { cmd: 'publish', topic: 'a/b', payload: text('o'), qos: 1, messageId: 7, dup: false, retain: false });
    await settle();
    steps.push(sub.take(), pub.take());
    sub.socket.destroy();
    pub.socket.destroy();
    return steps;
  },
  'retained: RETAIN 1 on subscribe, 0 live, cleared by an empty payload': async (port) => {
    const pub = new RawClient(port);
    pub.send(connect('pub'), { cmd: 'publish', topic: 'r/t', payload: text('21'), qos: 1, messageId: 1, dup: false, retain: true });
    await settle();
    const sub = new RawClient(port);
    sub.send(connect('sub'), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'r/#', qos: 1 }] });
    await settle();
    const steps = [pub.take(), sub.take()];
    pub.send({ cmd: 'publish', topic: 'r/t', payload: text('22'), qos: 0, dup: false, retain: true });
    await settle();
    steps.push(sub.take());
    pub.send({ cmd: 'publish', topic: 'r/t', payload: new Uint8Array(0), qos: 0, dup: false, retain: true });
    await settle();
    steps.push(sub.take());
    const late = new RawClient(port);
    late.send(connect('late'), { cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'r/#', qos: 1 }] });
    await settle();
    steps.push(late.take());
    for (const c of [pub, sub, late]) c.socket.destroy();
    return steps;
  },
  'will on a dropped socket, none after DISCONNECT; wildcards skip $ topics': async (port) => {
    const watch = new RawClient(port);
    watch.send(connect('watch'), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 1 }] });
    await settle();
    const steps = [watch.take()];
    const will = { topic: 'w/dev', payload: text('gone'), qos: 1 as const, retain: false };
    const polite = new RawClient(port);
    polite.send(connect('polite', { will }), { cmd: 'disconnect' });
    await settle();
    const rude = new RawClient(port);
    rude.send(connect('rude', { will }));
    await settle();
    rude.socket.destroy();
    await settle();
    steps.push(watch.take());
    const dollar = new RawClient(port);
    dollar.send(connect('dollar'), { cmd: 'publish', topic: '$x/y', payload: text('z'), qos: 0, dup: false, retain: false });
    await settle();
    steps.push(watch.take());
    for (const c of [watch, polite, dollar]) c.socket.destroy();
    return steps;
  },
  'MQTT 5: CONNACK properties, Server Keep Alive, SUBACK, PUBACK 0x10, UNSUBACK, QoS 2': async (port) => {
    const a = new RawClient(port, 5);
    a.send(connect('a', { protocolVersion: 5, keepalive: 30 }));
    const b = new RawClient(port, 5);
    b.send(connect('b', { protocolVersion: 5, keepalive: 0 }));
    await settle();
    const steps = [a.take(), b.take()];
    a.send({ cmd: 'publish', topic: 'nobody/here', payload: text('1'), qos: 1, messageId: 1, dup: false, retain: false });
    await settle();
    steps.push(a.take());
    a.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'x/#', qos: 2 }] });
    await settle();
    steps.push(a.take());
    b.send({ cmd: 'publish', topic: 'x/1', payload: text('2'), qos: 1, messageId: 3, dup: false, retain: false });
    b.send({ cmd: 'publish', topic: 'x/2', payload: text('3'), qos: 2, messageId: 4, dup: false, retain: false });
    await settle();
    steps.push(a.take(), b.take());
    b.send({ cmd: 'pubrel', messageId: 4 });
    await settle();
    steps.push(a.take(), b.take());
    a.send({ cmd: 'unsubscribe', messageId: 5, unsubscriptions: ['x/#', 'y'] });
    await settle();
    steps.push(a.take());
    a.socket.destroy();
    b.socket.destroy();
    return steps;
  },
  'a malformed topic filter closes the connection (MQTT 5: DISCONNECT 0x81)': async (port) => {
    const old = new RawClient(port, 4);
    old.send(connect('old'));
    const v5 = new RawClient(port, 5);
    v5.send(connect('v5', { protocolVersion: 5, keepalive: 10 }));
    await settle();
    const steps = [old.take(), v5.take()];
    old.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'bad#', qos: 0 }] });
    v5.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#/b', qos: 0 }] });
    await settle();
    steps.push(old.take(), v5.take());
    return steps;
  },
  'session takeover: the old connection is closed and its will published': async (port) => {
    const watch = new RawClient(port);
    watch.send(connect('watch'), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'w/#', qos: 0 }] });
    const will = { topic: 'w/dev', payload: text('gone'), qos: 0 as const, retain: false };
    const first = new RawClient(port);
    first.send(connect('dev', { will }));
    await settle();
    const steps = [watch.take(), first.take()];
    const second = new RawClient(port);
    second.send(connect('dev', { will }));
    await settle();
    steps.push(first.take(), second.take(), watch.take());
    for (const c of [watch, second]) c.socket.destroy();
    await settle();
    return steps;
  },
  'MQTT 5: a 21st QoS 2 message awaiting PUBREL exceeds Receive Maximum 20': async (port) => {
    const c = new RawClient(port, 5);
    c.send(connect('greedy', { protocolVersion: 5, keepalive: 10 }));
    for (let i = 1; i <= 21; i++) c.send({ cmd: 'publish', topic: 'g', payload: text('x'), qos: 2, messageId: i, dup: false, retain: false });
    await settle();
    return [c.take()];
  },
  // mosquitto's receive quota (20): 25 QoS 2 publishes, none released yet, then PUBREL for all.
  // 3.1.1: all 25 get a plain PUBREC and a PUBCOMP, but 21-25 reach no subscriber (lost silently).
  // 5: 21, 23 and 25 get PUBREC 0x97 (each refusal gives a quota back); the subscriber gets 22 and 24.
  ...Object.fromEntries((['3.1.1', '5'] as const).map((version) => [`MQTT ${version}: QoS 2 publishes beyond the receive quota of 20`, async (port: number) => {
    const level = version === '5' ? 5 : 4;
    const sub = new RawClient(port, level);
    sub.send(connect(`qsub${level}`, { protocolVersion: level }), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q', qos: 0 }] });
    await settle();
    const steps = [sub.take()];
    const pub = new RawClient(port, level);
    pub.send(connect(`qpub${level}`, { protocolVersion: level }));
    for (let i = 1; i <= 25; i++) pub.send({ cmd: 'publish', topic: 'q', payload: text(String(i)), qos: 2, messageId: i, dup: false, retain: false });
    await settle();
    steps.push(pub.take());
    for (let i = 1; i <= 25; i++) pub.send({ cmd: 'pubrel', messageId: i });
    await settle();
    steps.push(pub.take(), sub.take());
    return steps;
  }])),
  'MQTT 5 overlapping subscriptions with subscription identifiers': async (port) => {
    const c = new RawClient(port, 5);
    c.send(connect('ids', { protocolVersion: 5, keepalive: 10 }));
    c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#', qos: 1 }], properties: { subscriptionIdentifier: 11 } });
    c.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'a/+', qos: 0 }], properties: { subscriptionIdentifier: 22 } });
    c.send({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/b', qos: 0 }, { topic: '+/b', qos: 1 }] });
    await settle();
    const steps = [c.take()];
    const p = new RawClient(port, 5);
    p.send(connect('idpub', { protocolVersion: 5, keepalive: 10 }), { cmd: 'publish', topic: 'a/b', payload: text('o'), qos: 1, messageId: 1, dup: false, retain: false });
    await settle();
    steps.push(c.take());
    return steps;
  },
  'protocol corners: unknown PUBREL, UNSUBACK, PINGRESP, wildcard in a topic name, second CONNECT': async (port) => {
    const c3 = new RawClient(port);
    c3.send(connect('c3'), { cmd: 'pubrel', messageId: 9 }, { cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['nothing'] }, { cmd: 'pingreq' });
    const c5 = new RawClient(port, 5);
    c5.send(connect('c5', { protocolVersion: 5, keepalive: 10 }), { cmd: 'pubrel', messageId: 9 }, { cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['nothing'] });
    await settle();
    const steps = [c3.take(), c5.take()];
    const wild = new RawClient(port);
    wild.send(connect('wild'));
    // The codec refuses to encode a wildcard Topic Name [MQTT-3.3.2-2], so the bad PUBLISH is written by hand.
    wild.socket.write(Uint8Array.from([0x30, 0x06, 0x00, 0x03, 0x61, 0x2f, 0x2b, 0x78])); // PUBLISH QoS 0 | "a/+" | "x"
    const again = new RawClient(port);
    again.send(connect('again'), connect('again'));
    await settle();
    steps.push(wild.take(), again.take());
    for (const c of [c3, c5]) c.socket.destroy();
    return steps;
  },
  'MQTT 5 shared subscriptions: $share/group/filter': async (port) => {
    const m1 = new RawClient(port, 5);
    m1.send(connect('m1', { protocolVersion: 5, keepalive: 10 }), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/g/s/+', qos: 1 }] });
    const m2 = new RawClient(port, 5);
    m2.send(connect('m2', { protocolVersion: 5, keepalive: 10 }), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/g/s/+', qos: 0 }, { topic: 's/#', qos: 0 }] });
    const p = new RawClient(port);
    p.send(connect('sp', { will: undefined }));
    await settle();
    const steps = [m1.take(), m2.take()];
    p.send({ cmd: 'publish', topic: 's/r', payload: text('x'), qos: 1, messageId: 9, dup: false, retain: true });
    await settle();
    for (let i = 1; i <= 4; i++) {
      p.send({ cmd: 'publish', topic: 's/1', payload: text(`${i}`), qos: 1, messageId: i, dup: false, retain: false });
      await settle();
    }
    steps.push(m1.take(), m2.take());
    const m3 = new RawClient(port, 5);
    m3.send(connect('m3', { protocolVersion: 5, keepalive: 10 }), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/g/s/+', qos: 1 }] });
    await settle();
    steps.push(m3.take());
    p.send({ cmd: 'publish', topic: 's/r', payload: new Uint8Array(0), qos: 0, dup: false, retain: true });
    for (const c of [m1, m2, m3, p]) c.socket.destroy();
    return steps;
  },
  'MQTT 3.1.1 clients in a shared subscription': async (port) => {
    const m1 = new RawClient(port);
    m1.send(connect('o1'), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/h/t', qos: 1 }] });
    const m2 = new RawClient(port);
    m2.send(connect('o2'), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/h/t', qos: 1 }] });
    const p = new RawClient(port);
    p.send(connect('op'));
    await settle();
    const steps = [m1.take(), m2.take()];
    for (let i = 1; i <= 3; i++) {
      p.send({ cmd: 'publish', topic: 't', payload: text(`${i}`), qos: 0, dup: false, retain: false });
      await settle();
    }
    steps.push(m1.take(), m2.take());
    for (const c of [m1, m2, p]) c.socket.destroy();
    return steps;
  },
  'a kept session gets its queued messages on resume, session present 1': async (port) => {
    const s1 = new RawClient(port);
    s1.send(connect('keep', { clean: false }), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q', qos: 1 }] }, { cmd: 'disconnect' });
    await settle();
    const steps = [s1.take()];
    const pub = new RawClient(port);
    pub.send(connect('pub'));
    for (let i = 1; i <= 3; i++) pub.send({ cmd: 'publish', topic: 'q', payload: text(`m${i}`), qos: 1, messageId: i, dup: false, retain: false });
    await settle();
    const s2 = new RawClient(port);
    s2.send(connect('keep', { clean: false }));
    await settle();
    steps.push(s2.take());
    // Unacknowledged: on the next resume they come again with DUP=1 [MQTT-4.4.0-1].
    s2.socket.destroy();
    await settle();
    const s3 = new RawClient(port);
    s3.send(connect('keep', { clean: false }));
    await settle();
    steps.push(s3.take());
    s3.send(connect('keep', { clean: true }));
    for (const c of [pub, s3]) c.socket.destroy();
    return steps;
  },
};

describe.skipIf(!haveMosquitto)('the engine broker and mosquitto answer the same bytes', () => {
  const brokers = brokerPair();

  for (const [name, script] of Object.entries(scripts)) {
    it(name, async () => {
      clients.clear();
      const theirs = await script(brokers.theirs);
      clients.clear();
      const mine = await script(brokers.ours);
      expect(mine).toEqual(theirs);
      // Something happened: every script makes at least one client receive bytes.
      expect(theirs.join('').length).toBeGreaterThan(0);
    }, 15_000);
  }
});

// The queue bound is mosquitto 2.0.21's (Debian's 2.0.11 differs: tests/conformance/offline-mosquitto.test.ts).
describe.skipIf(!have2021)('with max_inflight_messages 2 and max_queued_messages 2, as mosquitto 2.0.21', () => {
  const brokers = brokerPair('max_inflight_messages 2\nmax_queued_messages 2\n', { broker: { maxInflightMessages: 2, maxQueuedMessages: 2 } }, MOSQUITTO_2021);

  /** 5 messages for an offline session, resume, 5 more unacknowledged, then ack round by round. */
  const limits: Script = async (port) => {
    const s1 = new RawClient(port);
    s1.send(connect('keep', { clean: false }), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q', qos: 1 }] }, { cmd: 'disconnect' });
    await settle();
    const pub = new RawClient(port);
    pub.send(connect('pub'));
    for (let i = 1; i <= 5; i++) pub.send({ cmd: 'publish', topic: 'q', payload: text(`m${i}`), qos: 1, messageId: i, dup: false, retain: false });
    await settle();
    const s2 = new RawClient(port);
    s2.send(connect('keep', { clean: false }));
    await settle();
    for (let i = 6; i <= 10; i++) pub.send({ cmd: 'publish', topic: 'q', payload: text(`m${i}`), qos: 1, messageId: i, dup: false, retain: false });
    await settle();
    const steps: string[] = [];
    const parser = new PacketParser(4);
    for (let round = 0; round < 4; round++) {
      const hex = s2.take();
      steps.push(hex);
      for (const p of parser.push(Buffer.from(hex, 'hex'))) if (p.cmd === 'publish') s2.send({ cmd: 'puback', messageId: p.messageId! });
      await settle();
    }
    s2.send(connect('keep', { clean: true }));
    for (const c of [s1, pub, s2]) c.socket.destroy();
    return steps;
  };

  it('keeps, sends and drops the same messages', async () => {
    clients.clear();
    const theirs = await limits(brokers.theirs);
    clients.clear();
    expect(await limits(brokers.ours)).toEqual(theirs);
    // m1, m2 on resume (with CONNACK; offline the queue held 2, m3-m5 did not fit), then m6, m7 and
    // m8, m9 (connected, the queue holds 2 + the window of 2 behind m1, m2); m10 did not fit.
    expect(theirs.map((h) => h.length)).toEqual([8 + 2 * 18, 2 * 18, 2 * 18, 0]);
  }, 20_000);
});
