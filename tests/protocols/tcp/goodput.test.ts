/**
 * Goodput against loss, checked against the models the course will show.
 *
 * Setup: RTT 50 ms, MSS 1448, no bandwidth limit, Bernoulli loss on data segments (seeded
 * stream), measured from 20 s to 100 s of a transfer that never runs out of data.
 *
 * Mathis et al. (1997), MSS/RTT x 1.22/sqrt(p), models congestion avoidance with fast recovery
 * only. Measured (seeds 1-2, goodput / Mathis, with the Linux RTO of rtt.ts): 1.00-1.02 at 0.1%,
 * 0.98-0.99 at 0.5%, 0.94-0.97 at 1%, 0.89-0.96 at 2%, 0.72-0.74 at 5%. At 5% the window
 * averages about 5 segments and retransmission timeouts, which Mathis ignores, take about a sixth
 * of the recoveries (seed 1: 92 segments resent after timeouts, 429 fast retransmits): the engine
 * sits at the edge of the 30% band there for a known reason, not a defect. Padhye et al. (1998)
 * add those timeouts (T0 = 250 ms: at a 50 ms RTT Linux's RTO is SRTT + its 200 ms variance
 * floor) and fit every point: 1.01-1.19 of Padhye. So Mathis is asserted up to 2% and Padhye at
 * every point.
 */
import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../simulator/core/time.ts';
import { bulkGoodput, mathis, padhye } from './goodput.ts';

const RTT_S = 0.05;
const MSS = 1448;

describe('bulk goodput vs loss at RTT 50 ms (Reno/NewReno against Mathis and Padhye)', () => {
  const losses = [0.001, 0.005, 0.01, 0.02, 0.05];
  const runs = losses.map((p) => ({ p, ...bulkGoodput(p, 1, ms(50), s(20), s(100)) }));

  it('delivers the stream intact at every loss rate', () => {
    expect(runs.map((r) => r.intact)).toEqual(losses.map(() => true));
  });

  it.each(losses.filter((p) => p <= 0.02))('tracks Mathis within 30 percent at p = %s', (p) => {
    const r = runs.find((x) => x.p === p)!;
    const ratio = r.goodput / mathis(MSS, RTT_S, p);
    expect(ratio).toBeGreaterThan(0.7);
    expect(ratio).toBeLessThan(1.3);
  });

  it.each(losses)('tracks Padhye (timeouts included, T0 = 250 ms) within 30 percent at p = %s', (p) => {
    const r = runs.find((x) => x.p === p)!;
    // SRTT 50 ms + a variance term a little over its 200 ms floor (the queue-free path is steady).
    expect(r.rto).toBeGreaterThanOrEqual(ms(250));
    expect(r.rto).toBeLessThan(ms(260));
    const ratio = r.goodput / padhye(MSS, RTT_S, p, 0.25);
    expect(ratio).toBeGreaterThan(0.7);
    expect(ratio).toBeLessThan(1.3);
  });

  it('at 5% loss falls below Mathis because timeouts take a real share of the recoveries', () => {
    const r = runs.find((x) => x.p === 0.05)!;
    expect(r.goodput / mathis(MSS, RTT_S, 0.05)).toBeLessThan(0.85);
    expect(r.timeouts / (r.timeouts + r.fastRetransmits)).toBeGreaterThan(0.1);
    expect(runs.find((x) => x.p === 0.001)!.timeouts).toBe(0);
  });

  it('falls as loss rises', () => {
    const g = runs.map((r) => r.goodput);
    for (let i = 1; i < g.length; i++) expect(g[i]!).toBeLessThan(g[i - 1]!);
  });
});
