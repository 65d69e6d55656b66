/**
 * MQTT over WebSocket with both engines on the client side, as the simulator's
 * `mqtt.transport: "websocket"` composes them (simulator/runtime/roles/mqtt-transport.ts): the
 * RFC 6455 client engine (subprotocol mqtt, path /mqtt) carrying the MQTT client engine's bytes
 * in binary frames, on real sockets, against real brokers' WebSocket listeners: aedes behind the
 * `ws` server, mosquitto's `protocol websockets` listener (when installed), and the engine broker.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { startRealMqttBroker } from '../../simulator/adapters/mqtt-broker.ts';
import { connectWsClient, type WsSocketAdapter } from '../../simulator/adapters/ws-socket.ts';
import { MqttClient, type ClientEvent } from '../../simulator/protocols/mqtt/client.ts';
import type { WsEvent } from '../../simulator/protocols/websocket/index.ts';
import { freePort, haveMosquitto, startMosquitto } from './mosquitto.ts';

interface Peer {
  wsPort: number;
  stop(): Promise<void>;
}

async function aedesOverWs(): Promise<Peer> {
  const broker = await Aedes.createBroker();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (socket) => broker.handle(createWebSocketStream(socket) as unknown as net.Socket));
  return {
    wsPort: (wss.address() as net.AddressInfo).port,
    async stop() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    },
  };
}

async function mosquittoOverWs(): Promise<Peer> {
  const wsPort = await freePort();
  const m = await startMosquitto(`listener ${wsPort} 127.0.0.1\nprotocol websockets\n`);
  // The WebSocket listener opens with the first one; give it the same 5 s to accept.
  for (let i = 0; i < 100 && !(await accepts(wsPort)); i++) await new Promise((r) => setTimeout(r, 50));
  return { wsPort, stop: () => m.stop() };
}

async function engineBrokerOverWs(): Promise<Peer> {
  const b = await startRealMqttBroker({ websocket: true });
  return { wsPort: b.wsPort!, stop: () => b.close() };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** The MQTT client engine over the WebSocket client engine, on one real socket. */
class MqttOverWs {
  readonly mqtt: MqttClient;
  readonly events: ClientEvent[] = [];
  #waiters: Array<{ pred: (e: ClientEvent) => boolean; resolve: (e: ClientEvent) => void }> = [];

  private constructor(readonly ws: WsSocketAdapter, clientId: string) {
    this.mqtt = new MqttClient({ clientId, keepaliveS: 0 });
    ws.onEvent((e: WsEvent) => {
      if (e.type === 'message') this.step((now) => this.mqtt.receiveData(e.message.data, now));
    });
  }

  static async open(port: number, clientId: string): Promise<MqttOverWs> {
    const ws = await connectWsClient(port, { protocols: ['mqtt'], path: '/mqtt' });
    await ws.waitFor((e) => e.type === 'open');
    const c = new MqttOverWs(ws, clientId);
    c.step((now) => c.mqtt.connect(now));
    await c.waitFor((e) => e.type === 'connected');
    return c;
  }

  /** Runs an engine call; what it wrote goes out as one binary frame. */
  step(fn: (now: number) => void): void {
    fn(this.ws.now());
    const bytes = this.mqtt.dataToSend();
    if (bytes !== undefined) this.ws.act((engine, now) => engine.sendBinary(bytes, now));
    for (let e = this.mqtt.nextEvent(); e !== undefined; e = this.mqtt.nextEvent()) {
      this.events.push(e);
      for (const w of [...this.#waiters]) if (w.pred(e)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  }

  waitFor(pred: (e: ClientEvent) => boolean, timeoutMs = 5000): Promise<ClientEvent> {
    const seen = this.events.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for an MQTT client event')), timeoutMs);
      this.#waiters.push({ pred, resolve: (e) => { clearTimeout(t); resolve(e); } });
    });
  }
}

const peers = [
  { name: 'aedes (behind ws)', start: aedesOverWs, skip: false },
  { name: 'mosquitto (protocol websockets)', start: mosquittoOverWs, skip: !haveMosquitto },
  { name: 'the engine broker', start: engineBrokerOverWs, skip: false },
];

for (const peer of peers) {
  describe.skipIf(peer.skip)(`MQTT over WebSocket against ${peer.name}`, () => {
    let p: Peer;
    beforeAll(async () => {
      p = await peer.start();
    });
    afterAll(async () => {
      await p.stop();
    });

    it('agrees on subprotocol mqtt, then carries QoS 1 both ways in masked binary frames', async () => {
      const sub = await MqttOverWs.open(p.wsPort, 'ws-sub');
      const pub = await MqttOverWs.open(p.wsPort, 'ws-pub');
      expect(sub.ws.events.find((e) => e.type === 'open')).toMatchObject({ type: 'open', protocol: 'mqtt' });

      let subId = 0;
      sub.step((now) => (subId = sub.mqtt.subscribe([{ topic: 'ws/#', qos: 1 }], now)));
      await expect(sub.waitFor((e) => e.type === 'subscribed' && e.messageId === subId)).resolves.toMatchObject({ granted: [1] });

      let token = 0;
      pub.step((now) => (token = pub.mqtt.publish('ws/a', new TextEncoder().encode('over a websocket'), { qos: 1 }, now)));
      await expect(pub.waitFor((e) => e.type === 'published' && e.token === token)).resolves.toMatchObject({ qos: 1 });
      const got = await sub.waitFor((e) => e.type === 'message');
      expect(got).toMatchObject({ topic: 'ws/a', qos: 1, dup: false });
      expect(new TextDecoder().decode((got as Extract<ClientEvent, { type: 'message' }>).payload)).toBe('over a websocket');

      // Every frame our client sent is a masked binary frame (RFC 6455 5.3, [MQTT-6.0.0-1]).
      const sent = pub.ws.events.filter((e): e is Extract<WsEvent, { type: 'frame' }> => e.type === 'frame' && e.frame.dir === 'send');
      // CONNECT (2 + 10 + 2 + "ws-pub" = 20 bytes), PUBLISH (2 + 2 + "ws/a" + 2 + 16 = 26 bytes).
      expect(sent.map((e) => e.frame.payloadBytes)).toEqual([20, 26]);
      expect(sent.every((e) => e.frame.opcode === 'binary' && e.frame.masked)).toBe(true);
      // And every frame the broker sent is binary and unmasked.
      const received = sub.ws.events.filter((e): e is Extract<WsEvent, { type: 'frame' }> => e.type === 'frame' && e.frame.dir === 'receive');
      expect(received.every((e) => e.frame.opcode === 'binary' && !e.frame.masked)).toBe(true);

      sub.ws.destroy();
      pub.ws.destroy();
    });
  });
}
