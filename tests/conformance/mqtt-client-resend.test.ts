/**
 * What real mqtt.js (5.16) writes after a reconnect with a kept session, and the engine client
 * beside it (issue 14): the stored QoS 1 PUBLISHes go again one at a time, each after the
 * previous one's PUBACK, with DUP=0. A bare TCP server plays the broker.
 */
import net from 'node:net';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { MqttClient } from '../../simulator/protocols/mqtt/client.ts';
import { encodePacket, PacketParser, type MqttPacket } from '../../simulator/protocols/mqtt/codec.ts';

const te = new TextEncoder();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** mqtt.js picks its first packet id at random: hide it in a 3.1.1 QoS 1 PUBLISH on topic "t" (bytes 5-6). */
const anyId = (h: string) => `${h.slice(0, 10)}xxxx${h.slice(14)}`;

interface Resent {
  /** Each PUBLISH of the second connection, in hex. */
  bytes: string;
  /** PUBACKs the server had sent on that connection when it arrived. */
  acksBefore: number;
}

/**
 * First connection: CONNACK, then three QoS 1 PUBLISHes that get no PUBACK; the server then
 * destroys the socket. Second connection: CONNACK with session present; each PUBLISH is
 * acknowledged 50 ms after it arrives. A client that sent them all at once would show
 * acksBefore 0, 0, 0.
 */
async function mqttjsResends(): Promise<Resent[]> {
  const resent: Resent[] = [];
  let connection = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const server = net.createServer((socket) => {
    const n = ++connection;
    const parser = new PacketParser(4);
    let acks = 0;
    let firstPublishes = 0;
    socket.on('error', () => undefined); // a reset when the client goes at the end
    socket.on('data', (data) => {
      for (const p of parser.push(data)) {
        if (p.cmd === 'connect') socket.write(encodePacket({ cmd: 'connack', sessionPresent: n > 1, returnCode: 0 } as MqttPacket, 4));
        if (p.cmd !== 'publish') continue;
        if (n === 1 && ++firstPublishes === 3) socket.destroy();
        if (n === 1) continue;
        resent.push({ bytes: hex(encodePacket(p, 4)), acksBefore: acks });
        setTimeout(() => {
          socket.write(encodePacket({ cmd: 'puback', messageId: p.messageId! }, 4));
          if (++acks === 3) done();
        }, 50);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const client = mqtt.connect({ host: '127.0.0.1', port, clientId: 'js', clean: false, reconnectPeriod: 100, keepalive: 0 });
  client.once('connect', () => {
    for (const x of ['a', 'b', 'c']) client.publish('t', x, { qos: 1 });
  });
  await finished;
  client.end(true);
  server.close();
  return resent;
}

/** The same with the engine client (mqtt.js's defaults: resendPacing and resendDup 'mqtt.js'). */
function engineResends(): Resent[] {
  const c = new MqttClient({ clientId: 'js', clean: false, keepaliveS: 0 });
  const connack = (sessionPresent: boolean, t: number) => c.receiveData(encodePacket({ cmd: 'connack', sessionPresent, returnCode: 0 } as MqttPacket, 4), t);
  c.connect(0);
  connack(false, 1);
  for (const x of ['a', 'b', 'c']) c.publish('t', te.encode(x), { qos: 1 }, 2);
  c.dataToSend();
  c.connectionLost(3);
  c.connect(4);
  c.dataToSend();
  connack(true, 5);
  const out: Resent[] = [];
  for (let acks = 0; acks < 3; acks++) {
    for (const b of c.packetsToSend()) out.push({ bytes: hex(b), acksBefore: acks });
    c.receiveData(encodePacket({ cmd: 'puback', messageId: acks + 1 }, 4), 6 + acks);
  }
  return out;
}

describe('mqtt.js re-sending after a reconnect, and the engine client (issue 14)', () => {
  it('sends the stored PUBLISHes one per PUBACK, with DUP=0, and the engine writes the same bytes', async () => {
    const real = await mqttjsResends();
    // 32 = PUBLISH, QoS 1, DUP 0 | 06 remaining length | 0001 74 topic "t" | id | payload "a" (61)...
    expect(real.map((r) => ({ ...r, bytes: anyId(r.bytes) }))).toEqual([
      { bytes: '3206000174xxxx61', acksBefore: 0 },
      { bytes: '3206000174xxxx62', acksBefore: 1 },
      { bytes: '3206000174xxxx63', acksBefore: 2 },
    ]);
    const engine = engineResends();
    expect(engine.map((r) => ({ ...r, bytes: anyId(r.bytes) }))).toEqual(real.map((r) => ({ ...r, bytes: anyId(r.bytes) })));
  }, 20_000);
});
