/**
 * BBR v1 (Linux tcp_bbr.c) driven by synthetic rate samples. MSS 1448; "pkts" are MSS-sized
 * packets. The path in most tests: min RTT 100 ms and a bottleneck of 625 pkts per 100 ms
 * (905,000 B / 100,000 µs = 9.05 MB/s), so the BDP is 625 pkts.
 *
 * Numbers derived below use Linux's arithmetic: bandwidth is truncated to bytes/µs x 2^24 (so
 * 9.05 B/µs is stored a hair low and ceil() of a BDP of exactly 625 gives 625, not 626); the
 * TSO burst goal is floor(pacing_rate / 1024 / 1448) pkts, at least 2.
 */
import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../../simulator/core/time.ts';
import { BBR_DRAIN_GAIN, BBR_HIGH_GAIN, Bbr } from '../../../../simulator/protocols/tcp/cc/bbr.ts';
import { WindowedMax } from '../../../../simulator/protocols/tcp/cc/minmax.ts';
import type { RateSample } from '../../../../simulator/protocols/tcp/cc/types.ts';
import { FakeSocket, MSS } from './fake-socket.ts';

const BW = 9.05e6; // bytes per second
const PACING = (bw: number, gain: number) => bw * gain * 0.99;

class Driver {
  readonly sk = new FakeSocket(10);
  readonly bbr: Bbr;
  now = 0;

  constructor(random: () => number = () => 0) {
    this.sk.srtt = ms(100);
    this.sk.minRtt = ms(100);
    this.sk.inFlight = 2000 * MSS;
    this.bbr = new Bbr(random);
    this.bbr.init(this.sk, 0);
  }

  /**
   * One ACK, `step` after the last, that completes a round: `pkts` delivered in the last 100 ms
   * (a rate of pkts x 1448 / 100 ms), all acknowledged by this ACK.
   */
  round(pkts: number, o: { inFlight?: number; rtt?: number; losses?: number; step?: number; appLimited?: boolean } = {}): RateSample {
    this.now += o.step ?? ms(100);
    const prior = this.sk.delivered;
    this.sk.delivered += pkts * MSS;
    this.sk.lost += (o.losses ?? 0) * MSS;
    if (o.inFlight !== undefined) this.sk.inFlight = o.inFlight * MSS;
    const rs: RateSample = {
      delivered: pkts * MSS,
      intervalUs: ms(100),
      rttUs: o.rtt ?? ms(100),
      isAppLimited: o.appLimited ?? false,
      losses: (o.losses ?? 0) * MSS,
      ackedSacked: pkts * MSS,
      priorInFlight: this.sk.inFlight,
      priorDelivered: prior,
    };
    this.bbr.congControl(this.sk, rs, this.now);
    return rs;
  }

  /** STARTUP at 100, 200, 400 pkts per round, then 625 for four rounds: the pipe is full. */
  startup(): void {
    for (const pkts of [100, 200, 400, 625, 625, 625, 625]) this.round(pkts);
  }

  /** On to PROBE_BW: inflight down to the drain target (632 pkts, see below). */
  toProbeBw(): void {
    this.startup();
    this.round(625, { inFlight: 632 });
  }
}

describe('BBR constants (tcp_bbr.c)', () => {
  it('uses the kernel gains: 2/ln2 in 1/256 units, its inverse to drain', () => {
    expect(BBR_HIGH_GAIN).toBe(739 / 256); // BBR_UNIT x 2885 / 1000 + 1
    expect(BBR_DRAIN_GAIN).toBe(88 / 256); // BBR_UNIT x 1000 / 2885
  });

  it('starts pacing at high_gain x initial window / SRTT, 1 % under', () => {
    const d = new Driver();
    // 10 x 1448 B / 100 ms = 144,800 B/s x 739/256 x 0.99; Linux truncates the bandwidth to
    // 2^-24 B/µs first, under 0.2 B/s here.
    expect(d.sk.pacingRate).toBeCloseTo(PACING(144_800, 739 / 256), 0);
    expect(d.sk.ssthresh).toBe(Number.MAX_SAFE_INTEGER);
    expect(d.bbr.state.mode).toBe('startup');
  });
});

describe('STARTUP, DRAIN and full-bandwidth detection', () => {
  it('leaves STARTUP after three rounds that grow the bandwidth by less than 25 %', () => {
    const d = new Driver();
    const seen: [string, number, number][] = [];
    for (const pkts of [100, 200, 400, 625, 625, 625, 625]) {
      d.round(pkts);
      seen.push([d.bbr.state.mode, d.bbr.state.fullBwCnt, Math.round(d.bbr.state.maxBw)]);
    }
    // Each doubling resets the count; 625 after 400 is +56 % (resets); then three flat rounds.
    expect(seen.map((x) => x.slice(0, 2))).toEqual([
      ['startup', 0], ['startup', 0], ['startup', 0], ['startup', 0],
      ['startup', 1], ['startup', 2], ['drain', 3],
    ]);
    expect(seen.map((x) => x[2])).toEqual([1_448_000, 2_896_000, 5_792_000, 9_050_000, 9_050_000, 9_050_000, 9_050_000]);
    expect(d.bbr.state.fullBwReached).toBe(true);
    // DRAIN sets ssthresh to inflight(bw, 1): BDP 625 + 3 x TSO goal, where the goal comes from
    // the STARTUP pacing rate 9.05 MB/s x 739/256 x 0.99 = 25.86 MB/s: 25,257 B per ms = 17 pkts.
    // 625 + 51 = 676 (already even).
    expect(d.sk.ssthresh).toBe(676 * MSS);
    // DRAIN paces at 88/256 of the estimate.
    expect(d.bbr.state.pacingGain).toBe(88 / 256);
    expect(d.sk.pacingRate).toBeCloseTo(PACING(BW, 88 / 256), -1);
  });

  it('an app-limited round does not count towards a full pipe', () => {
    const d = new Driver();
    for (const pkts of [100, 200, 400, 625]) d.round(pkts);
    d.round(625, { appLimited: true });
    d.round(625, { appLimited: true });
    expect(d.bbr.state.fullBwCnt).toBe(0);
  });

  it('leaves DRAIN once inflight is down to the BDP plus the quantum', () => {
    const d = new Driver();
    d.startup();
    // At the DRAIN pacing rate (3.08 MB/s: 3,007 B per ms, 2 pkts TSO goal) inflight(bw, 1) is
    // 625 + 6 = 631, rounded up to even: 632.
    d.round(625, { inFlight: 633 });
    expect(d.bbr.state.mode).toBe('drain');
    d.round(625, { inFlight: 632 });
    expect(d.bbr.state.mode).toBe('probe-bw');
  });
});

describe('PROBE_BW gain cycling', () => {
  it('starts at a random phase from the injected number, never the 0.75 one', () => {
    // get_random_u32_below(7) = floor(r x 7 / 2^32); cycle_idx = 7 - that, then one advance.
    const phase = (r: number) => {
      const d = new Driver(() => r);
      d.toProbeBw();
      return d.bbr.state.cycleIdx;
    };
    expect(phase(0)).toBe(0); // 7 -> 0
    expect(phase(0xffff_ffff)).toBe(2); // 6 -> idx 1 -> 2
    expect(phase(0x8000_0000)).toBe(5); // 3 -> idx 4 -> 5
  });

  it('probes at 1.25 until inflight reaches 1.25 BDP, drains at 0.75 until it is back at the BDP, then cruises', () => {
    const d = new Driver(() => 0); // phase 0 (1.25) first
    d.toProbeBw();
    const gains: number[] = [];
    const step = (inFlight: number) => {
      d.round(625, { inFlight, step: ms(60) });
      gains.push(d.bbr.state.pacingGain);
    };
    // 1.25: the pacing rate 11.20 MB/s gives a 7-pkt TSO goal; inflight(bw, 1.25) is
    // ceil(781.25) = 782 + 21 = 803 -> 804, +2 in phase 0 = 806, and the in-network count adds the
    // next 7-pkt burst, so 799 in flight is enough. 625 in flight never ends the phase.
    step(625); // 60 ms into the phase
    step(625); // 120 ms: a full min_rtt, but inflight is short
    step(799); // long enough and full enough: on to 0.75
    // 0.75: inflight(bw, 1) at 8.40 MB/s pacing (5-pkt goal) is 625 + 15 -> 640; 700 in flight
    // keeps draining, 640 ends the phase at once (not waiting for a min_rtt).
    step(700);
    step(640);
    // 1.0 phases last one min_rtt each: 60 ms is short, 120 ms long enough.
    step(625);
    step(625);
    expect(gains).toEqual([1.25, 1.25, 0.75, 0.75, 1, 1, 1]);
    expect(d.bbr.state.cycleIdx).toBe(3);
  });

  it('paces at gain x bandwidth, 1 % under (bbr_pacing_margin_percent)', () => {
    const d = new Driver(() => 0xffff_ffff); // a 1.0 phase
    d.toProbeBw();
    d.round(625);
    expect(d.bbr.state.pacingGain).toBe(1);
    expect(d.sk.pacingRate).toBeCloseTo(PACING(BW, 1), -1); // 8,959,500 B/s, less a truncation under 1 B/s
  });

  it('sets cwnd to 2 x BDP + ACK aggregation + 3 TSO bursts, once the pipe is full', () => {
    const d = new Driver(() => 0xffff_ffff);
    d.toProbeBw();
    for (let i = 0; i < 3; i++) d.round(625);
    // bdp(bw, 2) = ceil(1249.99...) = 1250 pkts. Each ACK here acknowledges a whole round at
    // once, which BBR reads as ACK aggregation: extra_acked is capped at bw x 100 ms =
    // 904,999 B (truncated) = 624 pkts. TSO goal at 8.96 MB/s: 8,749 B per ms = 6 pkts, x 3 = 18.
    // 1250 + 624 + 18 = 1892, even.
    expect(d.sk.cwnd).toBe(1892 * MSS);
  });
});

describe('the bandwidth filter (lib/win_minmax.c over 10 rounds)', () => {
  it('keeps a max for 10 rounds, then falls to the best newer sample', () => {
    const f = new WindowedMax();
    f.update(10, 1, 100);
    const seen: number[] = [];
    for (let t = 2; t <= 12; t++) seen.push(f.update(10, t, 50));
    // 100 from round 1 holds while t - 1 <= 10, i.e. through round 11.
    expect(seen).toEqual([100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 50]);
    expect(f.update(10, 13, 80)).toBe(80); // a new max replaces everything at once
  });

  it('in BBR: a bandwidth drop shows only after the old max ages out', () => {
    const d = new Driver(() => 0xffff_ffff);
    d.toProbeBw(); // 625-pkt rounds up to round 8
    expect(d.bbr.state.roundCount).toBe(8);
    const bw: number[] = [];
    for (let i = 0; i < 11; i++) {
      d.round(300);
      bw.push(Math.round(d.bbr.state.maxBw));
    }
    // Rounds 9-18 still see round 8's 9.05 MB/s; round 19 is 11 rounds on: 300 pkts = 4.344 MB/s.
    expect(bw).toEqual([...Array<number>(10).fill(9_050_000), 4_344_000]);
  });
});

describe('PROBE_RTT (10 s without a lower RTT; 4 packets for 200 ms and a round)', () => {
  it('dips to 4 packets, marks its samples app-limited, and restores the window', () => {
    const d = new Driver(() => 0xffff_ffff);
    d.toProbeBw();
    // RTT samples equal to the minimum never refresh it: the stamp stays at 0 (init).
    while (d.now < s(10)) d.round(625, { inFlight: 1000 });
    expect(d.bbr.state.mode).toBe('probe-bw');
    // The cycle is in its 1.25 phase now: cwnd is that phase's target, 1250 + 624 + 3 x 7 (TSO
    // goal at 11.2 MB/s) = 1895 -> 1896, + 2 in phase 0 = 1898.
    expect(d.bbr.state.pacingGain).toBe(1.25);
    const cwndBefore = d.sk.cwnd;
    expect(cwndBefore).toBe(1898 * MSS);
    d.round(625, { inFlight: 1000 }); // 10.1 s: the filter expired (10.0 s is not past it)
    expect(d.now).toBe(s(10.1));
    expect(d.bbr.state.mode).toBe('probe-rtt');
    expect(d.sk.cwnd).toBe(4 * MSS);
    expect(d.sk.appLimited).toBe(d.sk.delivered + 1000 * MSS);
    expect(d.bbr.state.priorCwnd).toBe(cwndBefore);
    // 10.2 s: inflight is at 4 pkts; the 200 ms start now (done after 10.4 s) and a round must pass.
    d.round(4, { inFlight: 4 });
    d.round(4, { inFlight: 4 }); // 10.3 s: the round is done, the time is not
    d.round(4, { inFlight: 4 }); // 10.4 s: not yet past
    expect(d.bbr.state.mode).toBe('probe-rtt');
    d.round(4, { inFlight: 4 }); // 10.5 s
    expect(d.bbr.state.mode).toBe('probe-bw');
    // The saved 1898 comes back, and on the same ACK snaps down to the new phase's target
    // (phase 2, gain 1: 1250 + 624 + 18 = 1892).
    expect(d.bbr.state.cycleIdx).toBe(2);
    expect(d.sk.cwnd).toBe(1892 * MSS);
  });

  it('a lower RTT refreshes the filter and avoids PROBE_RTT', () => {
    const d = new Driver(() => 0xffff_ffff);
    d.toProbeBw();
    while (d.now < s(9)) d.round(625);
    d.round(625, { rtt: ms(99) });
    while (d.now < s(12)) d.round(625);
    expect(d.bbr.state.mode).toBe('probe-bw');
    expect(d.bbr.state.minRtt).toBe(ms(99));
  });
});

describe('loss recovery (bbr_set_cwnd_to_recover_or_restore)', () => {
  it('conserves packets in the first round of recovery and restores the window after', () => {
    const d = new Driver(() => 0xffff_ffff);
    d.toProbeBw();
    for (let i = 0; i < 3; i++) d.round(625);
    expect(d.sk.cwnd).toBe(1892 * MSS);
    expect(d.bbr.ssthresh(d.sk, d.now)).toBe(d.sk.ssthresh); // BBR does not cut ssthresh
    d.bbr.setState(d.sk, 'recovery', d.now);
    // An ACK for 10 pkts with 3 lost, 1000 in flight after it: cwnd = in flight + acked = 1010.
    d.round(10, { inFlight: 1000, losses: 3 });
    expect(d.sk.cwnd).toBe(1010 * MSS);
    d.bbr.setState(d.sk, 'open', d.now);
    // Recovery over: back to the saved 1892 (and the target caps it there).
    d.round(625, { inFlight: 1000 });
    expect(d.sk.cwnd).toBe(1892 * MSS);
  });
});

describe('long-term sampling (token-bucket policer detection)', () => {
  it('after two lossy 4-round intervals at the same rate, paces at that rate with gain 1', () => {
    const d = new Driver(() => 0xffff_ffff);
    d.toProbeBw();
    // A policer passes 400 pkts per round and drops 100 (25 % > 50/256 of delivered).
    for (let i = 0; i < 7; i++) d.round(400, { losses: 100 });
    expect(d.bbr.state.ltUseBw).toBe(false);
    d.round(400, { losses: 100 });
    // Sampling began at the first loss; intervals end on the 4th round: 1200 pkts in 300 ms
    // each time, 5.792 MB/s, the same twice: policed.
    expect(d.bbr.state.ltUseBw).toBe(true);
    expect(d.bbr.state.ltBw).toBeCloseTo(5_792_000, -1);
    expect(d.bbr.state.bw).toBe(d.bbr.state.ltBw);
    d.round(400, { losses: 100 });
    expect(d.bbr.state.pacingGain).toBe(1);
    expect(d.sk.pacingRate).toBeCloseTo(PACING(5_792_000, 1), -1);
    // 48 rounds later BBR probes again from its own estimate.
    for (let i = 0; i < 47; i++) d.round(400);
    expect(d.bbr.state.ltUseBw).toBe(false);
  });
});
