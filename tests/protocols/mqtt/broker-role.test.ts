/**
 * The `mqtt-broker` role in the simulator: scripted clients (a test-only role writing hand-built
 * packets through the codec) talk to it over virtual TCP on lossless 10 ms links.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { MqttEventRecord, MqttPacketRecord, TraceRecord } from '../../../simulator/core/trace.ts';
import { randomBytesFrom } from '../../../simulator/core/rng.ts';
import { encodePacket, PacketParser, type MqttPacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { WsConnection } from '../../../simulator/protocols/websocket/connection.ts';
import type { RoleContext, RoleFactory } from '../../../simulator/runtime/api.ts';
import { roleRegistry } from '../../../simulator/runtime/roles/index.ts';
import { brokerObservers, type BrokerDrop } from '../../../simulator/runtime/roles/mqtt-broker.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import type { Scenario } from '../../../simulator/scenarios/schema.ts';

interface Step { atS: number; packet?: MqttPacket; connect?: true }
const received = new Map<string, Array<{ t: number; packet: MqttPacket }>>();

/** Connects at the first step, then writes each step's packet at its time; acks QoS 1 PUBLISH. */
const scripted: RoleFactory = (ctx: RoleContext) => {
  const steps = (ctx.spec as { steps: Step[] }).steps;
  const got: Array<{ t: number; packet: MqttPacket }> = [];
  received.set(ctx.node, got);
  return {
    start() {
      const conn = ctx.connect('broker', 1883);
      const parser = new PacketParser(4);
      conn.onData((data) => {
        for (const packet of parser.push(data)) {
          got.push({ t: ctx.now(), packet });
          if (packet.cmd === 'publish' && packet.qos === 1) conn.write(encodePacket({ cmd: 'puback', messageId: packet.messageId! }, 4));
        }
      });
      for (const step of steps) {
        ctx.at(Math.round(step.atS * 1_000_000), () => conn.write(encodePacket(step.packet!, 4)));
      }
    },
  };
};
/** The same over WebSocket (port 8080, subprotocol mqtt): each step's packet in one binary frame. */
const scriptedWs: RoleFactory = (ctx: RoleContext) => {
  const steps = (ctx.spec as { steps: Step[] }).steps;
  const got: Array<{ t: number; packet: MqttPacket }> = [];
  received.set(ctx.node, got);
  return {
    start() {
      const conn = ctx.connect('broker', 8080, { nagle: false });
      const ws = new WsConnection({ role: 'client', random: randomBytesFrom(ctx.rng('ws')), protocols: ['mqtt'], host: 'broker' });
      const parser = new PacketParser(4);
      const flush = () => {
        for (let b = ws.dataToSend(); b !== undefined; b = ws.dataToSend()) conn.write(b);
        for (let ev = ws.nextEvent(); ev !== undefined; ev = ws.nextEvent()) {
          if (ev.type === 'message') for (const packet of parser.push(ev.message.data)) got.push({ t: ctx.now(), packet });
        }
      };
      conn.onConnect(() => {
        ws.start(ctx.now());
        flush();
      });
      conn.onData((data) => {
        ws.receiveData(data, ctx.now());
        flush();
      });
      for (const step of steps) {
        ctx.at(Math.round(step.atS * 1_000_000), () => {
          ws.sendBinary(encodePacket(step.packet!, 4), ctx.now());
          flush();
        });
      }
    },
  };
};
/** Listens to the run's broker drops (as the mqtt-client roles do) and keeps them in `heard`. */
let heard: BrokerDrop[] = [];
const dropListener: RoleFactory = (ctx: RoleContext) => {
  brokerObservers(ctx).add({ dropped: (d) => heard.push(d), routed() {}, subscribed() {} });
  return { start() {} };
};
(roleRegistry as Record<string, RoleFactory>)['test-mqtt-script'] = scripted;
(roleRegistry as Record<string, RoleFactory>)['test-mqtt-ws-script'] = scriptedWs;
(roleRegistry as Record<string, RoleFactory>)['test-drop-listener'] = dropListener;
afterAll(() => {
  delete (roleRegistry as Record<string, RoleFactory>)['test-mqtt-script'];
  delete (roleRegistry as Record<string, RoleFactory>)['test-mqtt-ws-script'];
  delete (roleRegistry as Record<string, RoleFactory>)['test-drop-listener'];
});

const text = (s: string) => new TextEncoder().encode(s);

function scenario(publisherRole = 'test-mqtt-script'): Scenario {
  const sub: Step[] = [
    { atS: 0.1, packet: { cmd: 'connect', clientId: 'dash', clean: true, keepalive: 0, protocolVersion: 4 } },
    { atS: 0.2, packet: { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'sensors/#', qos: 1 }] } },
  ];
  const pub: Step[] = [
    { atS: 0.1, packet: { cmd: 'connect', clientId: 'sensor', clean: true, keepalive: 2, protocolVersion: 4, will: { topic: 'sensors/status', payload: text('dead'), qos: 1 } } },
    ...[1, 2, 3].map((i) => ({ atS: i, packet: { cmd: 'publish', topic: 'sensors/t', payload: text(`m${i}`), qos: 1, messageId: i, dup: false, retain: false } as MqttPacket })),
    // ...then silence: no PINGREQ, so the broker gives up 1.5 x 2 s after the last packet.
  ];
  return {
    schema: 'wirelab/scenario@1', seed: 1, durationS: 10,
    defaults: { link: { latencyMs: 10, jitterMs: 0, lossPct: 0, bandwidthKbps: 10_000 } },
    nodes: [
      { id: 'broker', role: 'mqtt-broker' },
      { id: 'dash', role: 'test-mqtt-script', steps: sub },
      { id: 'sensor', role: publisherRole, steps: pub },
    ],
  } as unknown as Scenario;
}

describe('mqtt-broker role', () => {
  const result = runScenario(scenario());
  const mine = (r: TraceRecord) => 'node' in r && r.node === 'broker';
  const packets = result.trace.filter((r): r is MqttPacketRecord => r.kind === 'mqtt-packet' && mine(r));
  const events = result.trace.filter((r): r is MqttEventRecord => r.kind === 'mqtt-event' && mine(r));

  it('routes the publishes and then the will after 1.5 x keepalive of silence', () => {
    const got = received.get('dash')!.map(({ packet }) => (packet.cmd === 'publish' ? `${packet.topic}=${new TextDecoder().decode(packet.payload)}` : packet.cmd));
    expect(got).toEqual(['connack', 'suback', 'sensors/t=m1', 'sensors/t=m2', 'sensors/t=m3', 'sensors/status=dead']);
    const timeout = events.find((e) => e.event === 'keepalive-timeout')!;
    // The sensor's last packet (m3, sent at 3 s) reached the broker in second 3; due in second
    // 3 + 2 x 3 / 2 = 6, cut off when that second is over, at 7 s as mosquitto 2.0.21 does
    // (simulator/protocols/mqtt/broker-keepalive.ts).
    const lastFromSensor = packets.filter((p) => p.dir === 'receive' && p.type === 'publish').at(-1)!;
    expect(Math.floor(lastFromSensor.t / 1_000_000)).toBe(3);
    expect(timeout.t).toBe(7_000_000);
    expect(events.filter((e) => e.event === 'will-published')).toHaveLength(1);
  });

  it('traces every packet with its size and the fan-out of each publish', () => {
    const sent = packets.filter((p) => p.dir === 'send').map((p) => p.type);
    expect(sent).toEqual(['connack', 'connack', 'suback', 'publish', 'puback', 'publish', 'puback', 'publish', 'puback', 'publish']);
    expect(packets.find((p) => p.dir === 'send' && p.type === 'connack')!.bytes).toBe(4);
    const fanOut = events.filter((e) => e.event === 'fan-out').map((e) => e.detail);
    // PUBLISH to dash: 2 + 2 + 9 ("sensors/t") + 2 + 2 = 17 bytes, plus the 4-byte PUBACK.
    expect(fanOut[0]).toBe('seq=1 topic=sensors/t qos=1 deliveries=1 sentNow=1 queued=0 dropped=0 packets=2 bytes=21');
    expect(fanOut).toHaveLength(4);
    const counters = JSON.parse(events.find((e) => e.event === 'broker-counters')!.detail!);
    expect(counters).toMatchObject({ publishesReceived: 3, publishesSent: 4, willsPublished: 1, connectionsAccepted: 2 });
  });

  it('is deterministic', () => {
    expect(JSON.stringify(runScenario(scenario()).trace)).toBe(JSON.stringify(result.trace));
  });
});

describe('mqtt-broker role over WebSocket', () => {
  const result = runScenario(scenario('test-mqtt-ws-script'));

  it('serves a WebSocket publisher on port 8080 like a TCP one, with frames traced', () => {
    const got = received.get('dash')!.map(({ packet }) => (packet.cmd === 'publish' ? `${packet.topic}=${new TextDecoder().decode(packet.payload)}` : packet.cmd));
    expect(got).toEqual(['connack', 'suback', 'sensors/t=m1', 'sensors/t=m2', 'sensors/t=m3', 'sensors/status=dead']);
    const frames = result.trace.filter((r) => r.kind === 'ws-frame' && r.node === 'broker');
    // Received: CONNECT + 3 PUBLISH, masked; sent: CONNACK + 3 PUBACK, unmasked. The keepalive
    // timeout closes the MQTT connection, so the broker closes the WebSocket (1000) and the
    // client's engine answers with its own close frame.
    expect(frames.map((f) => f.kind === 'ws-frame' && `${f.dir}:${f.opcode}:${f.masked}`)).toEqual([
      'receive:binary:true', 'send:binary:false',
      'receive:binary:true', 'send:binary:false', 'receive:binary:true', 'send:binary:false', 'receive:binary:true', 'send:binary:false',
      'send:close:false', 'receive:close:true',
    ]);
    expect(result.trace.find((r) => r.kind === 'ws-event' && r.event === 'open')).toMatchObject({ node: 'broker', detail: 'protocol=mqtt' });
  });
});

describe('mqtt-broker role: drops reported to the run (brokerObservers)', () => {
  it('tells listeners which messages a full queue dropped, with their payloads', () => {
    const sub: Step[] = [
      { atS: 0.1, packet: { cmd: 'connect', clientId: 'dash', clean: false, keepalive: 0, protocolVersion: 4 } },
      { atS: 0.2, packet: { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q', qos: 1 }] } },
      { atS: 0.5, packet: { cmd: 'disconnect' } },
    ];
    const pub: Step[] = [
      { atS: 0.1, packet: { cmd: 'connect', clientId: 'sensor', clean: true, keepalive: 0, protocolVersion: 4 } },
      ...[1, 2, 3].map((i) => ({ atS: i, packet: { cmd: 'publish', topic: 'q', payload: text(`m${i}`), qos: 1, messageId: i, dup: false, retain: false } as MqttPacket })),
    ];
    const run = {
      schema: 'wirelab/scenario@1', seed: 1, durationS: 5,
      defaults: { link: { latencyMs: 10, jitterMs: 0, lossPct: 0, bandwidthKbps: 10_000 } },
      nodes: [
        { id: 'broker', role: 'mqtt-broker', broker: { maxQueuedMessages: 1 } },
        { id: 'dash', role: 'test-mqtt-script', steps: sub },
        { id: 'sensor', role: 'test-mqtt-script', steps: pub },
        { id: 'ear', role: 'test-drop-listener' },
      ],
    } as unknown as Scenario;
    heard = [];
    runScenario(run);
    const drops = heard;
    heard = [];
    // A second run of the same scenario object starts with no listener left from the first.
    runScenario(run);
    expect(heard).toHaveLength(2);
    expect(drops.map((d) => [d.reason, d.subscriberClientId, d.publisherClientId, d.topic, new TextDecoder().decode(d.payload)])).toEqual([
      ['queue-full', 'dash', 'sensor', 'q', 'm2'],
      ['queue-full', 'dash', 'sensor', 'q', 'm3'],
    ]);
  });
});
