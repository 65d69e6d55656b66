import { describe, expect, it } from 'vitest';
import { serializationDelay } from '../../simulator/net/link.ts';
import { IdleTimeoutMiddlebox } from '../../simulator/net/middlebox.ts';
import { drops, receives, testLink } from './helpers.ts';

describe('Link: delay', () => {
  it('serializes at the configured bandwidth: 1500 bytes at 1 Mbps take exactly 12 ms', () => {
    expect(serializationDelay(1500, 1_000_000)).toBe(12_000);
    const { sendAt, scheduler, arrived } = testLink({ bandwidthKbps: 1000, latencyMs: 10 });
    sendAt(0, 1500);
    sendAt(0, 1500);
    sendAt(0, 500);
    scheduler.run();
    // txEnd + 10 ms latency; the second waits for the first, the third for both.
    expect(arrived.map((a) => a.t)).toEqual([22_000, 34_000, 38_000]);
  });

  it('has no serialization delay without a bandwidth', () => {
    const { sendAt, scheduler, arrived } = testLink({ latencyMs: 25 });
    sendAt(0, 1500);
    sendAt(0, 1500);
    scheduler.run();
    expect(arrived.map((a) => a.t)).toEqual([25_000, 25_000]);
  });

  it('draws jitter per packet in [0, jitterMs], so packets get reordered', () => {
    const { sendAt, scheduler, arrived } = testLink({ latencyMs: 10, jitterMs: 20 }, 3);
    for (let i = 0; i < 200; i++) sendAt(i * 1000, 100, undefined, i);
    scheduler.run();
    expect(arrived).toHaveLength(200);
    for (const a of arrived) {
      const sentAt = (a.packet.payload as number) * 1000;
      expect(a.t - sentAt).toBeGreaterThanOrEqual(10_000);
      expect(a.t - sentAt).toBeLessThanOrEqual(30_000);
    }
    const order = arrived.map((a) => a.packet.payload as number);
    let inversions = 0;
    for (let i = 1; i < order.length; i++) if (order[i]! < order[i - 1]!) inversions++;
    expect(inversions).toBeGreaterThan(20);
    // Mean extra delay is about jitterMs / 2.
    const meanExtra = arrived.reduce((sum, a) => sum + a.t - (a.packet.payload as number) * 1000 - 10_000, 0) / arrived.length;
    expect(meanExtra).toBeGreaterThan(8_000);
    expect(meanExtra).toBeLessThan(12_000);
  });
});

describe('Link: queue', () => {
  it('tail-drops exactly what exceeds queuePackets waiting behind the packet in transmission', () => {
    const { sendAt, scheduler, trace, arrived } = testLink({ bandwidthKbps: 1000, queuePackets: 3 });
    for (let i = 0; i < 6; i++) sendAt(0, 1500, undefined, i);
    // At 12 ms packet 1 starts transmitting, so one place frees up.
    sendAt(12_000, 1500, undefined, 6);
    sendAt(12_000, 1500, undefined, 7);
    scheduler.run();
    expect(drops(trace.records).map((d) => [d.packet, d.reason, d.t])).toEqual([
      [4, 'queue-full', 0],
      [5, 'queue-full', 0],
      [7, 'queue-full', 12_000],
    ]);
    expect(arrived.map((a) => a.packet.payload)).toEqual([0, 1, 2, 3, 6]);
    expect(arrived.map((a) => a.t)).toEqual([12_000, 24_000, 36_000, 48_000, 60_000]);
  });

  it('tail-drops by bytes with queueBytes', () => {
    const { sendAt, scheduler, trace } = testLink({ bandwidthKbps: 1000, queueBytes: 3000 });
    sendAt(0, 1500); // transmitting
    sendAt(0, 1500); // waits (1500)
    sendAt(0, 1000); // waits (2500)
    sendAt(0, 600); // 3100 > 3000: dropped
    sendAt(0, 500); // 3000: fits
    scheduler.run();
    expect(drops(trace.records).map((d) => [d.packet, d.reason])).toEqual([[3, 'queue-full']]);
  });

  it('never queues when the transmitter is free, even with queuePackets 0', () => {
    const { sendAt, scheduler, trace, arrived } = testLink({ bandwidthKbps: 1000, queuePackets: 0 });
    sendAt(0, 1500);
    sendAt(1000, 1500);
    sendAt(12_000, 1500);
    scheduler.run();
    expect(drops(trace.records).map((d) => d.packet)).toEqual([1]);
    expect(arrived).toHaveLength(2);
  });
});

describe('Link: deterministic losses', () => {
  it('drops everything put on the wire inside an outage window [atS, atS + forS), and nothing else', () => {
    const { sendAt, scheduler, trace } = testLink({ outages: [{ atS: 1, forS: 0.5 }, { atS: 3, forS: 0.1 }] });
    for (let i = 0; i <= 40; i++) sendAt(i * 100_000);
    scheduler.run();
    const dropped = drops(trace.records);
    expect(dropped.every((d) => d.reason === 'outage')).toBe(true);
    expect(dropped.map((d) => d.t)).toEqual([1_000_000, 1_100_000, 1_200_000, 1_300_000, 1_400_000, 3_000_000]);
    expect(receives(trace.records)).toHaveLength(41 - 6);
  });

  it('drops packets larger than the MTU with reason mtu', () => {
    const { sendAt, scheduler, trace, arrived } = testLink({});
    sendAt(0, 1500);
    sendAt(0, 1501);
    scheduler.run();
    expect(drops(trace.records).map((d) => [d.packet, d.reason, d.bytes])).toEqual([[1, 'mtu', 1501]]);
    expect(arrived).toHaveLength(1);

    const small = testLink({ mtuBytes: 576 });
    small.sendAt(0, 577);
    small.sendAt(0, 576);
    small.scheduler.run();
    expect(drops(small.trace.records).map((d) => d.packet)).toEqual([0]);
  });

  it('drops exactly the packets a drop list names, by the index of the link-send record', () => {
    const { sendAt, scheduler, trace, arrived } = testLink({ dropList: [0, 3, 7] });
    for (let i = 0; i < 10; i++) sendAt(i * 10, 100, undefined, i);
    scheduler.run();
    expect(drops(trace.records).map((d) => [d.packet, d.reason])).toEqual([
      [0, 'list-loss'],
      [3, 'list-loss'],
      [7, 'list-loss'],
    ]);
    expect(arrived.map((a) => a.packet.payload)).toEqual([1, 2, 4, 5, 6, 8, 9]);
  });

  it('ends every packet in exactly one receive or drop, with the same index as its send', () => {
    const { sendAt, scheduler, trace } = testLink({ lossPct: 10, jitterMs: 5, bandwidthKbps: 500, queuePackets: 5, latencyMs: 3 }, 9);
    for (let i = 0; i < 500; i++) sendAt(i * 2000, 200 + (i % 7) * 150);
    scheduler.run();
    const sends = trace.records.filter((r) => r.kind === 'link-send').map((r) => (r as { packet: number }).packet);
    const ends = [...drops(trace.records), ...receives(trace.records)].map((r) => r.packet).sort((a, b) => a - b);
    expect(sends).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(ends).toEqual(sends);
    expect(new Set(drops(trace.records).map((d) => d.reason))).toEqual(new Set(['loss', 'queue-full']));
  });
});

describe('Link: idle-timeout middlebox', () => {
  it('forgets a connection idle longer than the timeout and silently drops its packets from then on', () => {
    const box = new IdleTimeoutMiddlebox(30_000_000);
    const { sendAt, scheduler, trace } = testLink({}, 1, box);
    sendAt(0, 100, 'c1');
    sendAt(10_000_000, 100, 'c1');
    sendAt(40_000_000, 100, 'c1'); // idle exactly 30 s: still remembered
    sendAt(70_000_001, 100, 'c1'); // idle 30 s + 1 µs: forgotten
    sendAt(70_000_002, 100, 'c1');
    sendAt(70_000_003, 100, 'c2'); // a new connection gets a new entry
    scheduler.run();
    expect(drops(trace.records).map((d) => [d.packet, d.reason, d.conn])).toEqual([
      [3, 'idle-timeout', 'c1'],
      [4, 'idle-timeout', 'c1'],
    ]);
    expect(box.forgot('c1')).toBe(true);
    expect(box.forgot('c2')).toBe(false);
  });
});

describe('Link: determinism', () => {
  const run = (seed: number) => {
    const { sendAt, scheduler, trace } = testLink(
      { lossPct: 5, jitterMs: 10, latencyMs: 20, bandwidthKbps: 2000, burstLoss: { p: 0.01, r: 0.3 } },
      seed,
    );
    for (let i = 0; i < 300; i++) sendAt(i * 1500, 100 + (i % 13) * 100);
    scheduler.run();
    return JSON.stringify(trace.records);
  };

  it('gives a byte-identical trace for the same seed, and a different one for another seed', () => {
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
  });

  it('keeps loss decisions when jitter is turned on (each model has its own stream)', () => {
    const lost = (jitterMs: number) => {
      const { sendAt, scheduler, trace } = testLink({ lossPct: 20, jitterMs }, 5);
      for (let i = 0; i < 200; i++) sendAt(i * 1000);
      scheduler.run();
      return drops(trace.records).map((d) => d.packet);
    };
    expect(lost(15)).toEqual(lost(0));
  });
});
