/**
 * Issue 9's bulk case: with nothing lost but what the queue drops, a transfer fills the link.
 * One tcp-sender to a tcp-sink whose access link is 100 Mbit/s with 25 ms one way (RTT 50 ms)
 * and Linux's 1000-packet queue; the sender's own link adds nothing. Real Linux (bbr) measured
 * 85 Mbit/s here; before SACK, HyStart and the algorithms, the simulator gave 1.2 Mbit/s.
 *
 * The bound: each 1448-byte segment is 1500 bytes on the link (IPv4 20 + TCP 20 + timestamps
 * 12), so goodput is at most 100 x 1448 / 1500 = 96.53 Mbit/s, and 30 MB take at least
 * 30e6 x 8 / 96.53e6 = 2.486 s. On top come the handshake (one RTT, 50 ms) and slow start's
 * ramp: from 10 segments to the 416-segment BDP is log2(41.6) = 5.4 round trips in which the
 * link is not yet full, at most 0.27 s more; so completion within ideal + 0.35 s.
 */
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../../../simulator/metrics/index.ts';
import type { CongestionName } from '../../../../simulator/protocols/tcp/cc/types.ts';
import { runScenario } from '../../../../simulator/runtime/run.ts';
import { parseScenario } from '../../../../simulator/scenarios/schema.ts';

const BYTES = 30_000_000;
const IDEAL_S = (BYTES * 8) / ((100e6 * 1448) / 1500);

function bulk(congestion: CongestionName) {
  const parsed = parseScenario({
    schema: 'wirelab/scenario@1',
    title: `bulk ${congestion}`,
    seed: 1,
    durationS: 20,
    nodes: [
      { id: 'sender', role: 'tcp-sender', to: 'sink', bytes: BYTES, tcp: { congestion }, link: { latencyMs: 0, bandwidthKbps: 0 } },
      { id: 'sink', role: 'tcp-sink', link: { latencyMs: 25, bandwidthKbps: 100_000, queuePackets: 1000 } },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const run = runScenario(parsed.scenario);
  const flow = computeMetrics(run.trace).flows[0]!;
  const drops = run.trace.filter((r) => r.kind === 'link-drop' && r.reason === 'queue-full').map((r) => r.t);
  return { completion: flow.completionS!, delivered: flow.delivered, drops };
}

describe('0 % loss: the transfer fills the 100 Mbit/s link (less header overhead)', () => {
  const runs = { cubic: bulk('cubic'), bbr: bulk('bbr'), reno: bulk('reno') };

  it.each(['cubic', 'bbr', 'reno'] as const)('%s', (cc) => {
    const r = runs[cc];
    expect(r.delivered).toBe(1);
    expect(r.completion).toBeGreaterThan(IDEAL_S); // 2.486 s: the link's own limit
    expect(r.completion).toBeLessThan(IDEAL_S + 0.35);
  });

  it('slow start: Reno overflows the 1000-packet queue, CUBIC (HyStart) and BBR do not', () => {
    // Doubling past BDP + queue (416 + 1000 segments) drops hundreds of segments in one round:
    // Reno does, in the first second. HyStart ends CUBIC's slow start once one round's ACK train
    // spans half the minimum RTT or the RTT rises by an eighth; its first drops come seconds
    // later, from the cubic growth probing past 1416 segments. BBR paces at the measured rate and never fills
    // the queue.
    const inFirstSecond = (t: number[]) => t.filter((x) => x < 1_000_000).length;
    expect(inFirstSecond(runs.reno.drops)).toBeGreaterThan(500);
    expect(inFirstSecond(runs.cubic.drops)).toBe(0);
    expect(runs.cubic.drops[0]).toBeGreaterThan(2_000_000);
    expect(runs.bbr.drops).toEqual([]);
  });
});
