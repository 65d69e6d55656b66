/**
 * mqtt.js clients against the engine's broker on real sockets (127.0.0.1, port 0), MQTT 3.1.1
 * and 5: wildcards, QoS 0/1/2 both ways, retained, will on socket destroy, session resume.
 */
import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRealMqttBroker, type RealMqttBroker } from '../../simulator/adapters/mqtt-broker.ts';

interface Got { topic: string; payload: string; qos: number; retain: boolean }

let server: RealMqttBroker;
const clients: MqttClient[] = [];

beforeEach(async () => {
  server = await startRealMqttBroker();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true);
  await server.close();
});

function collect(client: MqttClient): Got[] {
  const got: Got[] = [];
  client.on('message', (topic, payload, packet: IPublishPacket) => got.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain }));
  return got;
}

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const protocolVersion of [4, 5] as const) {
  describe(`mqtt.js (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}) against the engine's broker`, () => {
    async function client(opts: IClientOptions): Promise<MqttClient> {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.port}`, { protocolVersion, reconnectPeriod: 0, ...opts });
      clients.push(c);
      return c;
    }

    it('subscribes with wildcards and exchanges QoS 0, 1 and 2 both ways', async () => {
      const a = await client({ clientId: 'a' });
      const b = await client({ clientId: 'b' });
      const gotA = collect(a);
      const gotB = collect(b);
      const grantedB = await b.subscribeAsync({ 'sensors/+/temp': { qos: 2 } });
      expect(grantedB.map((g) => g.qos)).toEqual([2]);
      await a.subscribeAsync({ 'cmd/#': { qos: 1 } });
      for (const qos of [0, 1, 2] as const) {
        await a.publishAsync(`sensors/k${qos}/temp`, `t${qos}`, { qos });
        await b.publishAsync(`cmd/x/${qos}`, `c${qos}`, { qos });
      }
      await until(() => gotA.length === 3 && gotB.length === 3, 'six messages');
      expect(gotB).toEqual([0, 1, 2].map((q) => ({ topic: `sensors/k${q}/temp`, payload: `t${q}`, qos: q, retain: false })));
      // a subscribed at QoS 1: the QoS 2 message is downgraded.
      expect(gotA).toEqual([0, 1, 2].map((q) => ({ topic: `cmd/x/${q}`, payload: `c${q}`, qos: Math.min(q, 1), retain: false })));
    });

    it('delivers a retained message to a later subscriber with the retain flag, and clears it', async () => {
      const p = await client({ clientId: 'p' });
      await p.publishAsync('home/temp', '21.5', { qos: 1, retain: true });
      const s = await client({ clientId: 's' });
      const got = collect(s);
      await s.subscribeAsync({ 'home/#': { qos: 1 } });
      await until(() => got.length === 1, 'the retained message');
      expect(got).toEqual([{ topic: 'home/temp', payload: '21.5', qos: 1, retain: true }]);
      await p.publishAsync('home/temp', '', { qos: 1, retain: true });
      expect(server.broker.retained.size).toBe(0);
    });

    it('publishes the will when the socket is destroyed, not after a clean end', async () => {
      const watcher = await client({ clientId: 'watcher' });
      const got = collect(watcher);
      await watcher.subscribeAsync({ 'status/#': { qos: 1 } });
      const will = { topic: 'status/dev', payload: Buffer.from('gone'), qos: 1 as const, retain: false };
      const polite = await client({ clientId: 'polite', will: { ...will, topic: 'status/polite' } });
      await polite.endAsync();
      const dev = await client({ clientId: 'dev', will });
      dev.stream.destroy();
      await until(() => got.length === 1, 'the will');
      expect(got).toEqual([{ topic: 'status/dev', payload: 'gone', qos: 1, retain: false }]);
      expect(server.broker.counters.willsPublished).toBe(1);
    });

    it('resumes a kept session and delivers the messages queued while offline', async () => {
      const keep: IClientOptions = protocolVersion === 5
        ? { clientId: 'sleeper', clean: false, properties: { sessionExpiryInterval: 300 } }
        : { clientId: 'sleeper', clean: false };
      const first = await client(keep);
      await first.subscribeAsync({ 'q/#': { qos: 1 } });
      await first.endAsync();
      const p = await client({ clientId: 'pub' });
      for (let i = 1; i <= 3; i++) await p.publishAsync('q/a', `m${i}`, { qos: 1 });
      expect(server.broker.session('sleeper')!.queue).toHaveLength(3);
      let sessionPresent: boolean | undefined;
      const again = mqtt.connect(`mqtt://127.0.0.1:${server.port}`, { protocolVersion, reconnectPeriod: 0, ...keep });
      clients.push(again);
      again.on('connect', (connack) => (sessionPresent = connack.sessionPresent));
      const got = collect(again);
      await until(() => got.length === 3, 'three queued messages');
      expect(sessionPresent).toBe(true);
      expect(got.map((g) => g.payload)).toEqual(['m1', 'm2', 'm3']);
    });
  });
}

describe('access control seen by mqtt.js', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`refuses a bad password with the right code (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'})`, async () => {
      const secured = await startRealMqttBroker({ broker: { access: { users: { alice: 'secret' } } } });
      try {
        const err = await mqtt
          .connectAsync(`mqtt://127.0.0.1:${secured.port}`, { protocolVersion, reconnectPeriod: 0, username: 'alice', password: 'wrong' })
          .then(() => undefined, (e: { code?: number }) => e);
        expect(err?.code).toBe(protocolVersion === 5 ? 0x86 : 4);
        const ok = await mqtt.connectAsync(`mqtt://127.0.0.1:${secured.port}`, { protocolVersion, reconnectPeriod: 0, username: 'alice', password: 'secret' });
        await ok.endAsync();
      } finally {
        await secured.close();
      }
    });
  }
});

describe('MQTT over WebSocket (subprotocol mqtt, binary frames)', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`mqtt.js over ws:// and over TCP share one broker (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'})`, async () => {
      const both = await startRealMqttBroker({ websocket: true });
      const opened: MqttClient[] = [];
      try {
        const browser = await mqtt.connectAsync(`ws://127.0.0.1:${both.wsPort}/mqtt`, { protocolVersion, reconnectPeriod: 0, clientId: 'browser' });
        opened.push(browser);
        const sensor = await mqtt.connectAsync(`mqtt://127.0.0.1:${both.port}`, { protocolVersion, reconnectPeriod: 0, clientId: 'sensor' });
        opened.push(sensor);
        const gotBrowser = collect(browser);
        const gotSensor = collect(sensor);
        await browser.subscribeAsync({ 'sensors/#': { qos: 2 } });
        await sensor.subscribeAsync({ 'cmd/+': { qos: 1 } });
        for (const qos of [0, 1, 2] as const) {
          await sensor.publishAsync('sensors/t', `s${qos}`, { qos });
          await browser.publishAsync('cmd/led', `b${qos}`, { qos });
        }
        await until(() => gotBrowser.length === 3 && gotSensor.length === 3, 'six messages');
        expect(gotBrowser.map((g) => [g.payload, g.qos])).toEqual([['s0', 0], ['s1', 1], ['s2', 2]]);
        expect(gotSensor.map((g) => [g.payload, g.qos])).toEqual([['b0', 0], ['b1', 1], ['b2', 1]]);
        const open = both.events.find((e) => e.type === 'ws' && e.event.type === 'open');
        expect(open).toMatchObject({ event: { protocol: 'mqtt' } });
        // Every MQTT packet to the browser went out in a binary frame.
        const sentFrames = both.events.flatMap((e) => (e.type === 'ws' && e.event.type === 'frame' && e.event.frame.dir === 'send' ? [e.event.frame.opcode] : []));
        expect(new Set(sentFrames)).toEqual(new Set(['binary']));
      } finally {
        for (const c of opened) c.end(true);
        await both.close();
      }
    });
  }
});

describe('keepalive on real sockets', () => {
  it('closes a silent client after 1.5 x keepalive (in whole seconds) and publishes its will to an mqtt.js subscriber', async () => {
    const server2 = await startRealMqttBroker();
    const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${server2.port}`, { reconnectPeriod: 0, clientId: 'watcher' });
    try {
      const got = collect(watcher);
      await watcher.subscribeAsync({ 'status/#': { qos: 1 } });
      const net = await import('node:net');
      const { encodePacket } = await import('../../simulator/protocols/mqtt/codec.ts');
      const silent = net.connect(server2.port, '127.0.0.1');
      let closedAt = 0;
      silent.on('close', () => (closedAt = Date.now()));
      silent.resume(); // read (and drop) the CONNACK, so the FIN that follows is seen
      await new Promise((r) => silent.on('connect', r));
      const start = Date.now();
      silent.write(encodePacket({ cmd: 'connect', clientId: 'silent', clean: true, keepalive: 1, protocolVersion: 4,
        will: { topic: 'status/silent', payload: new TextEncoder().encode('lost'), qos: 1 } }, 4));
      await until(() => got.length === 1 && closedAt > 0, 'the will after the keepalive timeout', 4000);
      // In whole seconds as mosquitto 2.0.21: CONNECT came in second L, due in second L + 1 x 3 / 2
      // = L + 1, cut off when that is over: 1 to 2 s later, give or take timer and loopback slack.
      expect(closedAt - start).toBeGreaterThanOrEqual(1000);
      expect(closedAt - start).toBeLessThan(2500);
      expect(got).toEqual([{ topic: 'status/silent', payload: 'lost', qos: 1, retain: false }]);
    } finally {
      watcher.end(true);
      await server2.close();
    }
  });
});

describe('MQTT 3.1 (MQIsdp, level 3) clients', () => {
  it('connect, subscribe and get their own QoS 1 message back', async () => {
    const server3 = await startRealMqttBroker();
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${server3.port}`, { protocolId: 'MQIsdp', protocolVersion: 3, reconnectPeriod: 0, clientId: 'old' });
    try {
      const got = collect(c);
      await c.subscribeAsync({ 'legacy/+': { qos: 1 } });
      await c.publishAsync('legacy/x', 'hello', { qos: 1 });
      await until(() => got.length === 1, 'the message');
      expect(got).toEqual([{ topic: 'legacy/x', payload: 'hello', qos: 1, retain: false }]);
    } finally {
      c.end(true);
      await server3.close();
    }
  });
});
