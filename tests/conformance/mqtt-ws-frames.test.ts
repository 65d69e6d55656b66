/**
 * How real mqtt.js (5.16, in Node, over the `ws` library) cuts MQTT over WebSocket into frames,
 * and the engine's model of it (simulator/protocols/mqtt/codec.ts mqttjsWrites, used by the
 * mqtt-client role's `websocketClient: "node"`): one frame per piece mqtt-packet writes. A `ws`
 * server plays the broker (it answers the CONNECT with a CONNACK) and records every frame.
 */
import net from 'node:net';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { MqttClient } from '../../simulator/protocols/mqtt/client.ts';
import { encodePacket, mqttjsWrites, PacketParser, type MqttPacket } from '../../simulator/protocols/mqtt/codec.ts';

/** The frames' payload sizes of each packet real mqtt.js wrote: CONNECT, PUBLISH QoS 0, SUBSCRIBE. */
async function realFrames(version: 4 | 5): Promise<{ sizes: number[][]; packets: Uint8Array[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'mqtt' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const sizes: number[][] = [];
  const packets: Uint8Array[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  wss.on('connection', (socket) => {
    const parser = new PacketParser(version);
    let frames: number[] = [];
    let bytes: number[] = [];
    socket.on('error', () => undefined); // a reset when the client goes at the end
    socket.on('message', (data: Buffer) => {
      frames.push(data.length);
      bytes.push(...data);
      // Each packet's frames end where a whole packet does.
      for (const p of parser.push(new Uint8Array(data))) {
        sizes.push(frames);
        packets.push(Uint8Array.from(bytes));
        frames = [];
        bytes = [];
        if (p.cmd === 'connect') socket.send(encodePacket({ cmd: 'connack', sessionPresent: false, returnCode: 0, reasonCode: 0 } as MqttPacket, version));
        if (p.cmd === 'subscribe') done();
      }
    });
  });
  const port = (wss.address() as net.AddressInfo).port;
  const client = mqtt.connect(`ws://127.0.0.1:${port}/mqtt`, { protocolVersion: version, clientId: 'x', keepalive: 60, reconnectPeriod: 0 });
  client.on('connect', () => {
    client.publish('t', Buffer.alloc(100, 1), { qos: 0 });
    client.subscribe('a/b', { qos: 1 });
  });
  await finished;
  client.end(true);
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
  return { sizes, packets };
}

/** The engine client's CONNECT, PUBLISH and SUBSCRIBE for the same calls. */
function enginePackets(version: 4 | 5): Uint8Array[] {
  const c = new MqttClient({ clientId: 'x', keepaliveS: 60, version: version === 5 ? '5' : '3.1.1' });
  c.connect(0);
  const out = c.packetsToSend();
  c.receiveData(encodePacket({ cmd: 'connack', sessionPresent: false, returnCode: 0, reasonCode: 0 } as MqttPacket, version), 1);
  c.publish('t', new Uint8Array(100).fill(1), { qos: 0 }, 2);
  c.subscribe([{ topic: 'a/b', qos: 1 }], 3);
  return [...out, ...c.packetsToSend()];
}

describe('mqtt.js in Node writes one WebSocket frame per field of a packet (issue 14)', () => {
  for (const version of [4, 5] as const) {
    it(`MQTT ${version === 5 ? '5' : '3.1.1'}: the frames real mqtt.js sent, and mqttjsWrites of the engine's packets`, async () => {
      const real = await realFrames(version);
      // PUBLISH: header byte, Remaining Length, topic length, topic "t", (MQTT 5: property
      // length), payload. SUBSCRIBE: header, length, packet id, (5: properties), topic length,
      // "a/b", options byte.
      expect(real.sizes).toEqual(
        version === 4
          ? [[1, 1, 2, 4, 1, 1, 2, 2, 1], [1, 1, 2, 1, 100], [1, 1, 2, 2, 3, 1]]
          : [[1, 1, 2, 4, 1, 1, 2, 1, 2, 1], [1, 1, 2, 1, 1, 100], [1, 1, 2, 1, 2, 3, 1]],
      );
      const engine = enginePackets(version);
      // The same packets (SUBSCRIBE's packet id aside: mqtt.js picks its first at random) ...
      expect(engine.slice(0, 2).map((b) => Buffer.from(b).toString('hex'))).toEqual(real.packets.slice(0, 2).map((b) => Buffer.from(b).toString('hex')));
      // ... cut the same way.
      expect(engine.map((b) => mqttjsWrites(b, version).map((p) => p.length))).toEqual(real.sizes);
    }, 20_000);
  }
});

describe('mqttjsWrites', () => {
  it("cuts mqtt.js's 6-byte MQTT 5 PUBREC as mqtt.js writes it: header, length, id, reason code, property length", () => {
    expect(mqttjsWrites(Uint8Array.of(0x50, 4, 0, 7, 0, 0), 5).map((p) => p.length)).toEqual([1, 1, 2, 1, 1]);
    // The 4-byte form mosquitto and mqtt.js's PUBACK use: header, length, id.
    expect(mqttjsWrites(Uint8Array.of(0x40, 2, 0, 7), 5).map((p) => p.length)).toEqual([1, 1, 2]);
  });

  it('returns a packet it cannot read whole', () => {
    const bad = Uint8Array.of(0xf0, 0);
    expect(mqttjsWrites(bad, 4)).toEqual([bad]);
  });
});
