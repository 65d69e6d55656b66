/**
 * CUBIC (RFC 9438, Linux tcp_cubic.c) driven by hand: a fake socket, ACKs delivered one MSS at a
 * time, time moved by the test. MSS 1448 throughout; "mss" below means one MSS in bytes.
 */
import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../../simulator/core/time.ts';
import { Cubic, cubicK, cubicWindow } from '../../../../simulator/protocols/tcp/cc/cubic.ts';
import { FakeSocket, MSS, ackOneRound } from './fake-socket.ts';

/** The RFC 9438 curve written out independently: C (t - K)^3 + W_max, in segments, t in s. */
const rfcW = (tS: number, kS: number, wMaxSeg: number) => 0.4 * (tS - kS) ** 3 + wMaxSeg;

/** A CUBIC in congestion avoidance with a minimum RTT of `rtt`, W_max = 150 mss, cwnd 100 mss. */
function afterLossAt150(rtt: number) {
  const cc = new Cubic();
  const sk = new FakeSocket(150);
  cc.init(sk, 0);
  sk.ssthresh = 0; // out of slow start, so HyStart stays out of the way
  cc.pktsAcked(sk, MSS, rtt, 0); // delay_min = rtt (before any epoch, samples are taken)
  sk.ssthresh = cc.ssthresh(sk, 0);
  // W_max = 150 mss; the connection leaves recovery at 100 mss (chosen so K is a round 5 s:
  // (150 - 100) / 0.4 = 125 = 5^3).
  sk.cwnd = 100 * MSS;
  sk.ssthresh = 100 * MSS;
  return { cc, sk };
}

describe('the cubic curve (RFC 9438 4.2)', () => {
  it('K and W(t) match the equation at chosen times', () => {
    // W_max 150 mss, cwnd_epoch 100 mss: K = cbrt(50 / 0.4) = 5 s.
    const k = cubicK(150 * MSS, 100 * MSS, MSS);
    expect(k).toBe(s(5));
    expect(cubicWindow(0, k, 150 * MSS, MSS)).toBeCloseTo(100 * MSS, 6); // starts at cwnd_epoch
    expect(cubicWindow(s(3), k, 150 * MSS, MSS)).toBeCloseTo(146.8 * MSS, 6); // 150 - 0.4 x 2^3
    expect(cubicWindow(s(5), k, 150 * MSS, MSS)).toBe(150 * MSS); // plateau at W_max
    expect(cubicWindow(s(7), k, 150 * MSS, MSS)).toBeCloseTo(153.2 * MSS, 6); // 150 + 0.4 x 2^3
    expect(cubicK(100 * MSS, 120 * MSS, MSS)).toBe(0); // above W_max: no concave part
  });

  it('aims at W(t + min RTT) from the start of the epoch', () => {
    const { cc, sk } = afterLossAt150(ms(100));
    const t0 = s(10);
    // One byte acknowledged moves nothing (a full MSS needs cnt x 1448 bytes), so cwnd stays
    // 100 mss and cnt = floor(cwnd / (target - cwnd)), at least 2:
    //   t = 0:   W(0.1) = 150 - 0.4 x 4.9^3 = 102.94 mss, cnt = floor(100 / 2.94) = 34
    //   t = 1:   W(1.1) = 150 - 0.4 x 3.9^3 = 126.27 mss, cnt = floor(100 / 26.27) = 3
    //   t = 4.9: W(5) = 150 mss (the plateau), cnt = 100 / 50 = 2
    //   t = 6.9: W(7) = 153.2 mss, cnt = floor(100 / 53.2) = 1, raised to 2 (1.5x per RTT at most)
    const cnts: number[] = [];
    for (const t of [0, 1, 4.9, 6.9]) {
      cc.congAvoid(sk, 1, t0 + s(t));
      expect(sk.cwnd).toBe(100 * MSS);
      expect(cc.state.k).toBe(s(5));
      expect(cc.state.target / MSS).toBeCloseTo(rfcW(t + 0.1, 5, 150), 9);
      cnts.push(cc.state.cnt);
    }
    expect(cnts).toEqual([34, 3, 2, 2]);
  });

  it('follows the curve under a steady ACK clock (RTT 100 ms), within one segment', () => {
    const { cc, sk } = afterLossAt150(ms(100));
    let t = s(10);
    const epoch = t;
    for (let round = 0; round < 80; round++) {
      t = ackOneRound(cc, sk, t, ms(100));
      // cwnd moves in whole segments towards the target one RTT ahead, so after each round it is
      // between W(t) and W(t + RTT), give or take the one segment of rounding.
      const tS = (t - epoch) / 1e6;
      expect(sk.cwnd / MSS).toBeGreaterThanOrEqual(rfcW(tS, 5, 150) - 1);
      expect(sk.cwnd / MSS).toBeLessThanOrEqual(rfcW(tS + 0.1, 5, 150) + 1);
    }
    // 8 s after the reduction: W(8) = 150 + 0.4 x 27 = 160.8 mss.
    expect(sk.cwnd / MSS).toBe(161);
  });
});

describe('multiplicative decrease and fast convergence (RFC 9438 4.6, 4.7)', () => {
  it('cuts to 0.7 (717/1024, in whole segments) and remembers W_max', () => {
    const cc = new Cubic();
    const sk = new FakeSocket(100);
    cc.init(sk, 0);
    // floor(100 x 717 / 1024) = floor(70.02) = 70 segments.
    expect(cc.ssthresh(sk, 0)).toBe(70 * MSS);
    expect(cc.state.lastMaxCwnd).toBe(100 * MSS);
    expect(cc.state.epochStart).toBeUndefined();
    // Two segments at least.
    sk.cwnd = 2 * MSS;
    expect(cc.ssthresh(sk, 0)).toBe(2 * MSS);
  });

  it('a loss below the last W_max releases bandwidth: W_max = cwnd x (1 + 0.7) / 2', () => {
    const cc = new Cubic();
    const sk = new FakeSocket(100);
    cc.init(sk, 0);
    cc.ssthresh(sk, 0);
    sk.cwnd = 90 * MSS; // the next loss comes before the window regained 100 mss
    // floor(90 x 717 / 1024) = floor(63.02) = 63 segments.
    expect(cc.ssthresh(sk, 0)).toBe(63 * MSS);
    // floor(130320 x 1741 / 2048) = floor(110784.73) bytes, 0.85 x 90 mss.
    expect(cc.state.lastMaxCwnd).toBe(110_784);
    // A loss above the last W_max simply records it.
    sk.cwnd = 120 * MSS;
    cc.ssthresh(sk, 0);
    expect(cc.state.lastMaxCwnd).toBe(120 * MSS);
  });

  it('undo restores the window from before the reduction', () => {
    const cc = new Cubic();
    const sk = new FakeSocket(100);
    cc.init(sk, 0);
    sk.cwnd = cc.ssthresh(sk, 0);
    expect(cc.undoCwnd(sk)).toBe(100 * MSS);
  });

  it('an RTO (state loss) forgets W_max and the minimum RTT', () => {
    const { cc, sk } = afterLossAt150(ms(100));
    expect(cc.state.lastMaxCwnd).toBe(150 * MSS);
    cc.setState(sk, 'loss', s(1));
    expect(cc.state).toMatchObject({ lastMaxCwnd: 0, delayMin: 0, epochStart: undefined, hystartFound: undefined });
  });
});

describe('the Reno-friendly region (RFC 9438 4.3)', () => {
  it('takes over on a 1 ms path, where the curve is far too slow', () => {
    const { cc, sk } = afterLossAt150(ms(1));
    let t = s(10);
    for (let round = 0; round < 500; round++) t = ackOneRound(cc, sk, t, ms(1));
    // W_est gains one segment per 15/8 windows acknowledged, 8/15 of a segment per round trip:
    // 100 + floor(500 x 8 / 15) = 100 + 266 = 366 segments, and cwnd follows it.
    expect(cc.state.tcpCwnd).toBe(366 * MSS);
    expect(sk.cwnd).toBe(366 * MSS);
    // The curve alone would be at 113.6 segments: the epoch opened at the first ACK (10 µs into
    // the first round) and the last ACK came at 500 ms, so t + delay_min = 0.49999 + 0.001 s.
    expect(cc.state.target / MSS).toBeCloseTo(rfcW(0.50099, 5, 150), 9);
    expect(cc.state.target).toBeLessThan(114 * MSS);
  });
});

describe('window growth rules shared with Linux', () => {
  it('grows only while the window is used (tcp_is_cwnd_limited)', () => {
    const { cc, sk } = afterLossAt150(ms(100));
    sk.cwndLimited = false;
    ackOneRound(cc, sk, s(10), ms(100));
    expect(sk.cwnd).toBe(100 * MSS);
    expect(cc.state.epochStart).toBeUndefined();
  });

  it('slow start stops at ssthresh and the rest of the ACK counts in congestion avoidance', () => {
    const cc = new Cubic();
    const sk = new FakeSocket(10);
    cc.init(sk, 0);
    sk.ssthresh = 12 * MSS;
    cc.congAvoid(sk, 3 * MSS, ms(50));
    expect(sk.cwnd).toBe(12 * MSS);
    expect(cc.state.epochStart).toBe(ms(50)); // the leftover MSS opened the epoch
  });

  it('idle time does not count as time on the curve (CA_EVENT_TX_START)', () => {
    const { cc, sk } = afterLossAt150(ms(100));
    cc.congAvoid(sk, MSS, s(10));
    sk.lastSendTime = s(11);
    cc.cwndEvent(sk, 'tx-start', s(14)); // 3 s idle
    expect(cc.state.epochStart).toBe(s(13));
    // The shift never moves the epoch past now.
    sk.lastSendTime = 0;
    cc.cwndEvent(sk, 'tx-start', s(20));
    expect(cc.state.epochStart).toBe(s(20));
  });
});

describe('HyStart (tcp_cubic.c hystart_update)', () => {
  /** A slow-starting CUBIC that has seen a 100 ms minimum RTT, with `cwnd` segments. */
  function slowStarting(cwndSegments: number) {
    const cc = new Cubic();
    const sk = new FakeSocket(cwndSegments);
    cc.init(sk, 0);
    sk.srtt = ms(100);
    sk.cwndLimited = false; // keep cwnd fixed: only the exit test is under study
    sk.inFlight = (cwndSegments - 1) * MSS;
    return { cc, sk };
  }
  /** `n` ACKs of one MSS, `gap` apart from `start`, each with RTT sample `rtt`. */
  function acks(cc: Cubic, sk: FakeSocket, start: number, n: number, gap: number, rtt: number): number | undefined {
    for (let i = 0; i < n; i++) {
      sk.delivered += MSS;
      cc.pktsAcked(sk, MSS, rtt, start + i * gap);
      if (cc.state.hystartFound !== undefined) return i;
    }
    return undefined;
  }

  it('leaves slow start on the 9th ACK of a round whose RTTs rose past delay_min + delay_min/8', () => {
    const { cc, sk } = slowStarting(20);
    // Round 1 (20 ACKs, 5 ms apart so no ACK train): RTT 100 ms, the minimum.
    expect(acks(cc, sk, ms(100), 20, ms(5), ms(100))).toBeUndefined();
    // Round 2: 112 ms is below the threshold 100 + clamp(100/8, 4, 16) = 112.5 ms.
    expect(acks(cc, sk, ms(300), 20, ms(5), ms(112))).toBeUndefined();
    expect(sk.ssthresh).toBe(Number.MAX_SAFE_INTEGER);
    // Round 3: 113 ms. Eight samples make the round's minimum; the ninth ACK decides.
    expect(acks(cc, sk, ms(500), 20, ms(5), ms(113))).toBe(8);
    expect(cc.state.hystartFound).toBe('delay');
    expect(sk.ssthresh).toBe(20 * MSS);
  });

  it('does not act below 16 segments (hystart_low_window)', () => {
    const { cc, sk } = slowStarting(15);
    acks(cc, sk, ms(100), 15, ms(5), ms(100));
    expect(acks(cc, sk, ms(300), 15, ms(5), ms(200))).toBeUndefined();
    expect(sk.ssthresh).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('leaves slow start when one round of closely spaced ACKs spans half the minimum RTT', () => {
    const { cc, sk } = slowStarting(100);
    // Round 1: 100 ACKs 1 ms apart, RTT 100 ms. The round starts at its first ACK (t = 100 ms);
    // the threshold is (delay_min 100 ms + the 1 ms TSO cushion) / 2 = 50.5 ms, so the ACK at
    // +51 ms (index 51) is the first past it.
    expect(acks(cc, sk, ms(100), 100, ms(1), ms(100))).toBe(51);
    expect(cc.state.hystartFound).toBe('ack-train');
    expect(sk.ssthresh).toBe(100 * MSS);
  });

  it('a gap over 2 ms breaks the train', () => {
    const { cc, sk } = slowStarting(100);
    expect(acks(cc, sk, ms(100), 100, ms(3), ms(100))).toBeUndefined();
  });
});
