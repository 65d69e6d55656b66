/** fidelity/real-metrics.ts: the real side's metrics from peer event logs, exact values. */
import { describe, expect, it } from 'vitest';
import { bulkMetrics, connectMetrics, dashboardMetrics, echoMetrics, mqttMetrics, outageMetrics, type Ev } from '../../fidelity/real-metrics.ts';

const wire = { inBytes: 1234, retransmits: 2 };

describe('echoMetrics', () => {
  it('takes each echo minus its send, in ms', () => {
    const ev: Ev[] = [
      { ev: 'send', t: 1_000_000, seq: 0 },
      { ev: 'send', t: 1_050_000, seq: 1 },
      { ev: 'recv', t: 1_051_000, seq: 0 }, // 51 ms
      { ev: 'send', t: 1_100_000, seq: 2 },
      { ev: 'recv', t: 1_170_000, seq: 1 }, // 120 ms
      { ev: 'recv', t: 1_160_000, seq: 2 }, // 60 ms
    ];
    // Sorted 51, 60, 120: p50 rank 2 = 60, p95 rank 3 = 120.
    expect(echoMetrics(ev, wire)).toEqual({ 'echo p50 ms': 60, 'echo p95 ms': 120, 'wire bytes': 1234, retransmits: 2 });
  });
});

describe('mqttMetrics', () => {
  it('matches publishes to first receipts; a message never received is lost, a second receipt is not counted twice', () => {
    const pub: Ev[] = [0, 1, 2, 3].map((seq) => ({ ev: 'pub', t: 1_000_000 + seq * 50_000, client: 0, seq }));
    const sub: Ev[] = [
      { ev: 'msg', t: 1_080_000, seq: 0 }, // 80 ms
      { ev: 'msg', t: 1_140_000, seq: 1 }, // 90 ms
      { ev: 'msg', t: 1_900_000, seq: 1, dup: true },
      { ev: 'msg', t: 1_400_000, seq: 3 }, // 250 ms
    ];
    expect(mqttMetrics(pub, sub, wire)).toEqual({ 'latency p50 ms': 90, 'latency p95 ms': 250, lost: 1, 'wire bytes': 1234, retransmits: 2 });
  });
});

describe('outageMetrics', () => {
  it('splits latency before and after the outage and times when each side noticed it', () => {
    const at = 10_000_000;
    const pub: Ev[] = [
      { ev: 'pub', t: 9_000_000, client: 0, seq: 0 },
      { ev: 'pub', t: 12_000_000, client: 0, seq: 1 },
      { ev: 'offline', t: 25_000_000, client: 0 },
      { ev: 'publish-sent', t: 9_000_000, client: 0, mid: 1, dup: false },
      { ev: 'publish-sent', t: 12_000_000, client: 0, mid: 2, dup: false },
      // After the reconnect: 1 and 2 again (1 without DUP, as mqtt.js 5.16 does), then a new one.
      { ev: 'publish-sent', t: 25_500_000, client: 0, mid: 1, dup: false },
      { ev: 'publish-sent', t: 25_600_000, client: 0, mid: 2, dup: true },
      { ev: 'publish-sent', t: 26_000_000, client: 0, mid: 3, dup: false },
      { ev: 'pub', t: 26_000_000, client: 0, seq: 2 },
    ];
    const sub: Ev[] = [
      { ev: 'msg', t: 9_060_000, seq: 0 },
      { ev: 'offline', t: 24_500_000 },
      { ev: 'msg', t: 26_500_000, seq: 1, dup: true },
      { ev: 'msg', t: 26_500_500, seq: 1 },
      { ev: 'msg', t: 26_050_000, seq: 2 },
    ];
    // After = sent at or after 10 + 10 + 5 = 25 s: only seq 2 (50 ms). Max: seq 1, 14.5 s.
    expect(outageMetrics(pub, sub, at, 10)).toEqual({
      lost: 0,
      duplicates: 1,
      'dup flags seen': 1,
      resent: 2,
      'resent with DUP': 1,
      'resend span ms': 100,
      'latency p50 before ms': 60,
      'latency max ms': 14_500,
      'latency p50 after ms': 50,
      'publisher noticed s': 15,
      'subscriber noticed s': 14.5,
    });
  });
});

describe('dashboardMetrics', () => {
  it('counts deliveries per second from 2 s after the first publish to the last one, keyed by topic', () => {
    const pub: Ev[] = [
      { ev: 'pub', t: 0, client: 0, seq: 0 },
      { ev: 'pub', t: 0, client: 1, seq: 0 },
      { ev: 'pub', t: 6_000_000, client: 1, seq: 1 },
    ];
    const sub: Ev[] = [
      { ev: 'msg', t: 1_000_000, seq: 0, topic: 'sensors/1' }, // before the window
      { ev: 'msg', t: 2_500_000, seq: 0, topic: 'sensors/0' },
      { ev: 'msg', t: 5_000_000, seq: 1, topic: 'sensors/1' }, // before its publish: not a latency
    ];
    // Window [2 s, 6 s): 2 deliveries in 4 s = 0.5/s; latencies 1000 and 2500 ms -> p50 rank 1 = 1000.
    expect(dashboardMetrics(pub, sub)).toEqual({ 'delivered per s': 0.5, 'latency p50 ms': 1000 });
  });
});

describe('bulkMetrics and connectMetrics', () => {
  it('time the transfer and the first message', () => {
    expect(bulkMetrics([{ ev: 'connect', t: 2_000_000 }], [{ ev: 'received-all', t: 3_250_000 }], wire)).toEqual({ 'completion s': 1.25, retransmits: 2 });
    expect(bulkMetrics([], [], wire)).toEqual({ 'completion s': null, retransmits: 2 });
    // SYN at 100 µs, message at 200.1 ms: 200 ms, 4 round trips of a 25 ms link.
    expect(connectMetrics(100, [{ ev: 'msg', t: 200_100 }], 'msg', 25)).toEqual({ 'first message ms': 200, 'first message RTTs': 4 });
    expect(connectMetrics(undefined, [{ ev: 'msg', t: 200_100 }], 'msg', 25)).toEqual({ 'first message ms': null, 'first message RTTs': null });
  });
});
