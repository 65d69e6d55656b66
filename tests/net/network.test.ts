import { describe, expect, it } from 'vitest';
import { Rng } from '../../simulator/core/rng.ts';
import { Scheduler } from '../../simulator/core/scheduler.ts';
import { TraceBuffer } from '../../simulator/core/trace.ts';
import { mergeLinkConfig } from '../../simulator/net/config.ts';
import type { Packet } from '../../simulator/net/link.ts';
import { StarNetwork } from '../../simulator/net/network.ts';
import { drops } from './helpers.ts';

function star() {
  const scheduler = new Scheduler();
  const trace = new TraceBuffer();
  const net = new StarNetwork({ scheduler, trace, rng: Rng.stream(1, '') });
  return { scheduler, trace, net };
}

describe('StarNetwork', () => {
  it('carries a packet over the sender uplink, then the receiver downlink', () => {
    const { scheduler, trace, net } = star();
    net.attach('a', mergeLinkConfig({ latencyMs: 10 }), mergeLinkConfig({ latencyMs: 1 }));
    const b = net.attach('b', mergeLinkConfig({ latencyMs: 5 }), mergeLinkConfig({ latencyMs: 20, bandwidthKbps: 1000 }));
    const got: { t: number; packet: Packet }[] = [];
    b.receive = (packet) => got.push({ t: scheduler.now, packet });
    scheduler.at(0, () => net.send({ src: 'a', dst: 'b', bytes: 1500, conn: 'a:1-b:2', payload: 'hi' }));
    scheduler.run();
    // 10 ms on a's uplink, 12 ms serialization + 20 ms on b's downlink.
    expect(got.map((g) => [g.t, g.packet.payload])).toEqual([[42_000, 'hi']]);
    expect(trace.records.map((r) => `${r.kind} ${(r as { link: string }).link} ${r.t}`)).toEqual([
      'link-send a->core 0',
      'link-receive a->core 10000',
      'link-send core->b 10000',
      'link-receive core->b 42000',
    ]);
  });

  it('drops a packet for a node that does not exist with reason no-route, at the end of the uplink', () => {
    const { scheduler, trace, net } = star();
    net.attach('a', mergeLinkConfig({ latencyMs: 10 }), mergeLinkConfig({}));
    scheduler.at(0, () => net.send({ src: 'a', dst: 'ghost', bytes: 60, payload: null }));
    scheduler.run();
    expect(drops(trace.records).map((d) => [d.link, d.reason, d.t])).toEqual([['a->core', 'no-route', 10_000]]);
    expect(trace.records.filter((r) => r.kind === 'link-receive')).toEqual([]);
  });

  it('shares one idle-timeout middlebox between both directions of a node', () => {
    const { scheduler, trace, net } = star();
    net.attach('a', mergeLinkConfig({ idleTimeoutS: 30 }), mergeLinkConfig({ idleTimeoutS: 30 }));
    net.attach('b', mergeLinkConfig({}), mergeLinkConfig({}));
    const send = (at: number, src: string, dst: string) =>
      scheduler.at(at, () => net.send({ src, dst, bytes: 60, conn: 'a:1-b:2', payload: null }));
    send(0, 'a', 'b');
    send(25_000_000, 'b', 'a'); // the reply refreshes the entry
    send(50_000_000, 'a', 'b'); // 25 s after the reply: passes
    send(90_000_000, 'b', 'a'); // 40 s idle: forgotten, dropped on a's downlink
    send(90_000_001, 'a', 'b'); // and a's own packets are dropped too
    scheduler.run();
    expect(drops(trace.records).map((d) => [d.link, d.reason])).toEqual([
      ['core->a', 'idle-timeout'],
      ['a->core', 'idle-timeout'],
    ]);
  });

  it('numbers the links in attachment order (uplink 2k, downlink 2k + 1) and routes interleaved packets each to its own node', () => {
    const { scheduler, trace, net } = star();
    const a = net.attach('a', mergeLinkConfig({ latencyMs: 10 }), mergeLinkConfig({}));
    const b = net.attach('b', mergeLinkConfig({}), mergeLinkConfig({}));
    const c = net.attach('c', mergeLinkConfig({}), mergeLinkConfig({}));
    expect([a, b, c].map((n) => [n.up.index, n.down.index])).toEqual([[0, 1], [2, 3], [4, 5]]);
    const got: string[] = [];
    b.receive = (packet) => got.push(`b ${String(packet.payload)}`);
    c.receive = (packet) => got.push(`c ${String(packet.payload)}`);
    // Three packets reach the end of a's uplink at the same instant (10 ms): to b, to nobody, to c.
    // Each is routed by its own destination (the one found when the uplink asked), in that order.
    scheduler.at(0, () => {
      net.send({ src: 'a', dst: 'b', bytes: 60, payload: 1 });
      net.send({ src: 'a', dst: 'ghost', bytes: 60, payload: 2 });
      net.send({ src: 'a', dst: 'c', bytes: 60, payload: 3 });
    });
    scheduler.run();
    expect(got).toEqual(['b 1', 'c 3']);
    expect(drops(trace.records).map((d) => [d.link, d.packet, d.reason])).toEqual([['a->core', 1, 'no-route']]);
  });

  it('refuses the reserved core id and duplicate nodes', () => {
    const { net } = star();
    expect(() => net.attach('core', mergeLinkConfig({}), mergeLinkConfig({}))).toThrow(/reserved/);
    net.attach('a', mergeLinkConfig({}), mergeLinkConfig({}));
    expect(() => net.attach('a', mergeLinkConfig({}), mergeLinkConfig({}))).toThrow(/twice/);
  });
});

describe('mergeLinkConfig', () => {
  it('layers defaults, then each layer field by field, ignoring undefined', () => {
    const merged = mergeLinkConfig({ latencyMs: 25, lossPct: 1 }, { lossPct: 5, jitterMs: undefined }, { outages: [{ atS: 1, forS: 2 }] });
    expect(merged).toEqual({
      latencyMs: 25,
      jitterMs: 0,
      lossPct: 5,
      queuePackets: 1000,
      mtuBytes: 1500,
      outages: [{ atS: 1, forS: 2 }],
    });
  });
});
