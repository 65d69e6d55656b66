import { describe, expect, it } from 'vitest';
import { Rng } from '../../simulator/core/rng.ts';
import { GilbertElliottLoss } from '../../simulator/net/loss.ts';
import { drops, testLink } from './helpers.ts';

/** Sends `n` packets 1 µs apart through a link and returns, per packet, whether it was lost and why. */
function lossPattern(config: Parameters<typeof testLink>[0], n: number, seed: number) {
  const { sendAt, scheduler, trace } = testLink(config, seed);
  for (let i = 0; i < n; i++) sendAt(i);
  scheduler.run();
  const lost = new Array<boolean>(n).fill(false);
  const reasons = new Set<string>();
  for (const d of drops(trace.records)) {
    lost[d.packet] = true;
    reasons.add(d.reason);
  }
  return { lost, reasons };
}

function bursts(lost: boolean[]): number[] {
  const out: number[] = [];
  let run = 0;
  for (const l of lost) {
    if (l) run++;
    else if (run > 0) {
      out.push(run);
      run = 0;
    }
  }
  if (run > 0) out.push(run);
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Bernoulli loss', () => {
  it('loses 2% of 100,000 packets within 0.25 percentage points (about 5 standard errors)', () => {
    const { lost, reasons } = lossPattern({ lossPct: 2 }, 100_000, 11);
    const rate = lost.filter(Boolean).length / lost.length;
    expect(Math.abs(rate - 0.02)).toBeLessThan(0.0025);
    expect([...reasons]).toEqual(['loss']);
    // Independent losses: mean run of consecutive losses is 1/(1-p) ≈ 1.02.
    expect(mean(bursts(lost))).toBeLessThan(1.1);
  });

  it('loses nothing at 0% and everything at 100%', () => {
    expect(lossPattern({ lossPct: 0 }, 1000, 1).lost.some(Boolean)).toBe(false);
    expect(lossPattern({ lossPct: 100 }, 1000, 1).lost.every(Boolean)).toBe(true);
  });
});

describe('Gilbert-Elliott loss', () => {
  it('derives p and r from mean loss and mean burst length', () => {
    const { p, r, h, k } = GilbertElliottLoss.fromMeans(0.05, 4);
    expect(r).toBe(0.25);
    expect(p / (p + r)).toBeCloseTo(0.05, 12);
    expect([h, k]).toEqual([0, 1]);
    expect(() => GilbertElliottLoss.fromMeans(0.9, 1)).toThrow(/impossible/);
    expect(() => GilbertElliottLoss.fromMeans(0.1, 0.5)).toThrow(/meanBurstPackets/);
  });

  it('over 200,000 packets, meets a 5% mean loss and a 4-packet mean burst (lossPct + meanBurstPackets)', () => {
    const { lost, reasons } = lossPattern({ lossPct: 5, burstLoss: { meanBurstPackets: 4 } }, 200_000, 21);
    const rate = lost.filter(Boolean).length / lost.length;
    // Bursts make losses correlated: the standard error is about sqrt(2B-1) times Bernoulli's (≈ 0.0013 here).
    expect(Math.abs(rate - 0.05)).toBeLessThan(0.006);
    const b = bursts(lost);
    // About 2,500 bursts, geometric with mean 4 (sd 3.5): standard error of the mean ≈ 0.07.
    expect(Math.abs(mean(b) - 4)).toBeLessThan(0.35);
    // lossPct is the bursty process's mean here, not extra Bernoulli loss on top.
    expect([...reasons]).toEqual(['burst-loss']);
  });

  it('meets the stationary loss of the classic p, r, h, k parameters', () => {
    const p = 0.02;
    const r = 0.2;
    const h = 0.5;
    const k = 0.99;
    const { lost } = lossPattern({ burstLoss: { p, r, h, k } }, 200_000, 4);
    const rate = lost.filter(Boolean).length / lost.length;
    const expected = (p / (p + r)) * (1 - h) + (r / (p + r)) * (1 - k);
    expect(expected).toBeCloseTo(0.05454, 4);
    expect(Math.abs(rate - expected)).toBeLessThan(0.005);
  });

  it('spends on average 1/r packets in the Bad state', () => {
    const ge = new GilbertElliottLoss({ p: 0.05, r: 0.1, h: 0, k: 1 }, Rng.stream(8, 'ge'));
    const sojourns: number[] = [];
    let run = 0;
    for (let i = 0; i < 200_000; i++) {
      ge.lose();
      if (ge.bad) run++;
      else if (run > 0) {
        sojourns.push(run);
        run = 0;
      }
    }
    expect(Math.abs(mean(sojourns) - 10)).toBeLessThan(0.6);
  });
});
