/**
 * MQTT broker engine benchmark (`npx tsx bench/mqtt-broker.ts [--quick]`): figures printed, never
 * asserted. The sans-IO engine alone, no network: N subscribers on `sensors/+/temp`, one
 * publisher sending QoS 0 and QoS 1 messages; subscribers acknowledge every QoS 1 delivery.
 */
import { performance } from 'node:perf_hooks';
import { MqttBroker } from '../simulator/protocols/mqtt/broker.ts';
import { encodePacket, type MqttPacket } from '../simulator/protocols/mqtt/codec.ts';

const quick = process.argv.includes('--quick');
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

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

run(quick ? 100 : 1000, quick ? 100 : 1000, 0);
run(quick ? 100 : 1000, quick ? 100 : 1000, 1);
run(quick ? 1000 : 10_000, quick ? 10 : 100, 1);
