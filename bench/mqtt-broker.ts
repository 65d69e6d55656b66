/**
 * MQTT broker engine benchmark (`npx tsx bench/mqtt-broker.ts [--quick] [--only=codec|broker]`):
 * figures printed, never asserted.
 *
 * codec: the packet codec alone. PacketParser.push of 3.1.1 PUBACKs and of QoS 1 PUBLISHes
 * (topic `sensors/k/temp`, 20-byte payload) one packet per push, of the same PUBLISHes arriving
 * as one connection's byte stream in 1,448-byte chunks (a TCP segment's payload), and
 * encodePacket of both.
 *
 * broker: the sans-IO engine alone, no network: N subscribers on `sensors/+/temp`, one
 * publisher sending QoS 0 and QoS 1 messages; subscribers acknowledge every QoS 1 delivery.
 */
import { performance } from 'node:perf_hooks';
import { MqttBroker } from '../simulator/protocols/mqtt/broker.ts';
import { encodePacket, PacketParser, type MqttPacket } from '../simulator/protocols/mqtt/codec.ts';
import { fmt } from './util.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

function rate(what: string, count: number, fn: () => void): void {
  fn(); // warm up: the first call compiles
  const start = performance.now();
  fn();
  const seconds = (performance.now() - start) / 1000;
  console.log(`codec: ${what}: ${fmt(count)} in ${fmt(seconds, 2)} s = ${fmt(count / seconds)} packets/s`);
}

function benchCodec(): void {
  const n = quick ? 20_000 : 500_000;
  const puback: MqttPacket = { cmd: 'puback', messageId: 7 };
  const publish: MqttPacket = { cmd: 'publish', topic: 'sensors/k/temp', payload: new Uint8Array(20), qos: 1, messageId: 7, dup: false, retain: false };
  for (const [name, packet] of [['3.1.1 PUBACK', puback], ['3.1.1 QoS 1 PUBLISH', publish]] as const) {
    const bytes = encodePacket(packet, 4);
    rate(`parse ${name}, one per push`, n, () => {
      const parser = new PacketParser(4);
      for (let i = 0; i < n; i++) parser.push(bytes);
    });
    rate(`encode ${name}`, n, () => {
      for (let i = 0; i < n; i++) encodePacket(packet, 4);
    });
  }
  const one = encodePacket(publish, 4);
  const stream = new Uint8Array(one.length * n);
  for (let i = 0; i < n; i++) stream.set(one, i * one.length);
  rate('parse 3.1.1 QoS 1 PUBLISH, a stream in 1,448-byte chunks', n, () => {
    const parser = new PacketParser(4);
    for (let at = 0; at < stream.length; at += 1448) parser.push(stream.subarray(at, at + 1448));
  });
}

function run(subscribers: number, publishes: number, qos: 0 | 1): void {
  const broker = new MqttBroker({ maxQueuedMessages: 1_000_000 });
  const enc = (p: MqttPacket) => encodePacket(p, 4);
  const drain = () => {
    const acks: Array<[string, number]> = [];
    for (let o = broker.nextOutput(); o !== undefined; o = broker.nextOutput()) {
      // Subscriber deliveries are QoS 1 PUBLISH (0x32): acknowledge by packet id.
      if ('bytes' in o && o.connId !== 'pub' && (o.bytes[0]! & 0xf0) === 0x30 && qos === 1) {
        const b = o.bytes;
        const topicLength = (b[2]! << 8) | b[3]!;
        acks.push([o.connId, (b[4 + topicLength]! << 8) | b[5 + topicLength]!]);
      }
    }
    while (broker.nextEvent() !== undefined);
    return acks;
  };
  for (let i = 0; i < subscribers; i++) {
    const id = `s${i}`;
    broker.openConnection(id, 0);
    broker.receiveData(id, enc({ cmd: 'connect', clientId: id, clean: true, keepalive: 60, protocolVersion: 4 }), 0);
    broker.receiveData(id, enc({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'sensors/+/temp', qos: 1 }] }), 0);
  }
  broker.openConnection('pub', 0);
  broker.receiveData('pub', enc({ cmd: 'connect', clientId: 'pub', clean: true, keepalive: 60, protocolVersion: 4 }), 0);
  drain();
  const payload = new Uint8Array(20);
  const start = performance.now();
  for (let m = 1; m <= publishes; m++) {
    const packet: MqttPacket = qos === 1
      ? { cmd: 'publish', topic: 'sensors/k/temp', payload, qos: 1, messageId: (m % 65535) + 1, dup: false, retain: false }
      : { cmd: 'publish', topic: 'sensors/k/temp', payload, qos: 0, dup: false, retain: false };
    broker.receiveData('pub', enc(packet), m);
    for (const [conn, id] of drain()) broker.receiveData(conn, enc({ cmd: 'puback', messageId: id }), m);
    drain();
  }
  const seconds = (performance.now() - start) / 1000;
  const deliveries = subscribers * publishes;
  const c = broker.counters;
  console.log(
    `broker QoS ${qos}: ${fmt(subscribers)} subscribers x ${fmt(publishes)} publishes = ${fmt(deliveries)} deliveries in ${fmt(seconds, 2)} s ` +
      `= ${fmt(deliveries / seconds)} deliveries/s; sent ${fmt(c.packetsSent)} packets, ${fmt(c.bytesSent)} bytes`,
  );
}

if (only === undefined || only === 'codec') benchCodec();
if (only === undefined || only === 'broker') {
  run(quick ? 100 : 1000, quick ? 100 : 1000, 0);
  run(quick ? 100 : 1000, quick ? 100 : 1000, 1);
  run(quick ? 1000 : 10_000, quick ? 10 : 100, 1);
}
