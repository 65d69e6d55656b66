/**
 * CUBIC's goodput against RFC 9438 section 5.1's response function, over 0.1-5 % loss.
 *
 * Setup (./models.ts): the harness path, no bandwidth limit, Bernoulli loss on data segments
 * (seeded), goodput measured from 60 s to 400 s of a transfer that never runs out of data.
 * RTT 500 ms puts every loss rate here in the cubic region (its average window exceeds the
 * Reno-friendly one below p = RTT^3 / 1.8 = 6.9 %), so the curve itself is under test; at RTT
 * 50 ms every rate is in the Reno-friendly region, where CUBIC must behave like Reno.
 *
 * The model assumes one loss every 1/p segments; Bernoulli loss spreads the loss epochs, and
 * with 100-300 loss events per run the sampling error alone is about 1/sqrt(n) = 6-10 %, so
 * the band is 30 % as in the Reno test next door (tests/protocols/tcp/goodput.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../../simulator/core/time.ts';
import { mathis } from '../goodput.ts';
import { ccGoodput, cubicAvgWindow, cubicModel } from './models.ts';

const MSS = 1448;

describe('the RFC 9438 response function', () => {
  it('has the RFC constants: 1.054 (RTT/p)^0.75 in the cubic region, 1.22/sqrt(p) when Reno-friendly', () => {
    // (0.4 x 3.7 / (4 x 0.3))^(1/4) = 1.2333^(1/4) = 1.0538
    expect(cubicAvgWindow(1, 1).cubic).toBeCloseTo(1.0538, 4);
    expect(cubicAvgWindow(1, 1).friendly).toBeCloseTo(Math.sqrt(1.5), 12);
  });
});

describe('CUBIC goodput vs RFC 9438 at RTT 500 ms (cubic region)', () => {
  const losses = [0.001, 0.005, 0.01, 0.02, 0.05];
  const runs = losses.map((p) => ({ p, ...ccGoodput('cubic', p, 1, ms(500), s(60), s(400)) }));

  it.each(losses)('is within 30 %% of the model at p = %s', (p) => {
    const r = runs.find((x) => x.p === p)!;
    expect(cubicAvgWindow(0.5, p).cubic).toBeGreaterThan(cubicAvgWindow(0.5, p).friendly);
    const ratio = r.goodput / cubicModel(MSS, 0.5, p);
    expect(ratio).toBeGreaterThan(0.7);
    expect(ratio).toBeLessThan(1.3);
  });

  it('beats Reno\'s Mathis rate where the curve matters most (low loss, long RTT)', () => {
    // RFC 9438 section 5.1: at 0.1 % and 500 ms the cubic average is 1.054 x 500^0.75 = 111
    // segments against Reno's 38.7: CUBIC must be well above Mathis.
    const r = runs.find((x) => x.p === 0.001)!;
    expect(r.goodput / mathis(MSS, 0.5, 0.001)).toBeGreaterThan(2);
  });
});

describe('CUBIC goodput at RTT 50 ms (Reno-friendly region)', () => {
  const losses = [0.001, 0.005, 0.01, 0.02];
  const runs = losses.map((p) => ({ p, ...ccGoodput('cubic', p, 1, ms(50), s(20), s(100)) }));

  it.each(losses)('is within 30 %% of the model (here Mathis\'s 1.22/sqrt(p)) at p = %s', (p) => {
    const r = runs.find((x) => x.p === p)!;
    expect(cubicAvgWindow(0.05, p).friendly).toBeGreaterThan(cubicAvgWindow(0.05, p).cubic);
    const ratio = r.goodput / cubicModel(MSS, 0.05, p);
    expect(ratio).toBeGreaterThan(0.7);
    expect(ratio).toBeLessThan(1.3);
  });
});
