/** The glue between the sender and an algorithm (cc/driver.ts): pacing clock (Linux tcp_output.c), events, samples. */
import { describe, expect, it } from 'vitest';
import { ms } from '../../../../simulator/core/time.ts';
import { Bbr } from '../../../../simulator/protocols/tcp/cc/bbr.ts';
import { Cubic } from '../../../../simulator/protocols/tcp/cc/cubic.ts';
import { CcDriver } from '../../../../simulator/protocols/tcp/cc/driver.ts';
import { FakeSocket, MSS } from './fake-socket.ts';

describe('CcDriver', () => {
  it('paces only an algorithm with its own control, from the tenth data segment, by payload, forgiving half after idle', () => {
    const sk = new FakeSocket(10);
    const bbr = new CcDriver(new Bbr(() => 0), sk);
    sk.pacingRate = 1_448_000; // 1448 bytes per ms
    expect(bbr.pacedUntil(0)).toBeUndefined();
    // tcp_update_skb_after_send paces from tp->data_segs_out >= 10: nine segments go unpaced.
    for (let i = 0; i < 9; i++) {
      bbr.onTransmit(0, 1448, i * 1448, i === 0);
      expect(bbr.pacedUntil(0)).toBeUndefined();
    }
    // The tenth: the stamp was at the clock (no credit), + 1448 bytes at the rate = 1 ms.
    bbr.onTransmit(0, 1448, 9 * 1448, false);
    expect(bbr.pacedUntil(0)).toBe(ms(1));
    bbr.onTransmit(ms(1), 1448, 10 * 1448, false);
    expect(bbr.pacedUntil(ms(1))).toBe(ms(2));
    expect(bbr.pacedUntil(ms(2))).toBeUndefined();
    // After 8 ms idle the stamp jumps 8 ms to the clock: that credit forgives half the interval.
    bbr.onTransmit(ms(10), 1448, 0, true);
    expect(bbr.pacedUntil(ms(10))).toBe(ms(10) + 500);
    // A pure ACK only brings the stamp up to the clock: no credit is left for what follows.
    bbr.pureAckSent(ms(20));
    bbr.onTransmit(ms(20), 1448, 0, true);
    expect(bbr.pacedUntil(ms(20))).toBe(ms(21));
    // CUBIC is not paced, whatever the socket's rate says (Linux: no SK_PACING_NEEDED).
    const cubic = new CcDriver(new Cubic(), sk);
    for (let i = 0; i < 12; i++) cubic.onTransmit(0, 1448, 0, true);
    expect(cubic.pacedUntil(0)).toBeUndefined();
  });

  it('moves the host clock by a send() call per write at one instant (SEND_CALL_GAP_NS)', () => {
    const sk = new FakeSocket(10);
    const bbr = new CcDriver(new Bbr(() => 0), sk);
    sk.pacingRate = 1_448_000;
    for (let i = 0; i < 10; i++) bbr.onTransmit(0, 1448, 0, false);
    // The tenth left at 0: departure 1 ms. 7 bytes need floor(7e9 / 1.448e6) = 4,834 ns.
    expect(bbr.pacedUntil(0)).toBe(ms(1));
    // At 1 ms, one call sends 7 bytes: departure 1 ms + 4,834 ns, held until the timer at 1,005 µs.
    bbr.sendCall(ms(1));
    bbr.onTransmit(ms(1), 7, 0, false);
    expect(bbr.pacedUntil(ms(1))).toBe(ms(1) + 5);
    // The next call at the same instant comes 15,000 ns later on the host: past the departure.
    bbr.sendCall(ms(1));
    expect(bbr.pacedUntil(ms(1))).toBeUndefined();
    // The clock never goes back: at 1,002 µs it still reads 1,015,000 ns, past the departure
    // (a clock at 1,002,000 ns would hold the segment until 1,005 µs).
    expect(bbr.pacedUntil(ms(1) + 2)).toBeUndefined();
    // Sent at 1,015,000 ns: credit 10,166 ns forgives half of 4,834: departure 1,017,417 ns.
    bbr.onTransmit(ms(1), 7, 0, false);
    expect(bbr.pacedUntil(ms(1) + 2)).toBe(ms(1) + 18);
  });

  it('raises tx-start before lsndtime moves, so CUBIC shifts its epoch by the idle time', () => {
    const sk = new FakeSocket(100);
    const cubic = new Cubic();
    const d = new CcDriver(cubic, sk);
    cubic.init(sk, 0);
    sk.ssthresh = 50 * MSS;
    cubic.congAvoid(sk, MSS, ms(100)); // opens an epoch at 100 ms
    d.onTransmit(ms(200), 1500, 0, false);
    expect(sk.lastSendTime).toBe(ms(200));
    d.onTransmit(ms(1200), 1500, 0, true); // 1 s idle
    expect(cubic.state.epochStart).toBe(ms(1100));
  });

  it('feeds pkts_acked the RTT of the newest segment sent once (50 ms here), and gives BBR a rate sample and the window', () => {
    const sk = new FakeSocket(10);
    sk.minRtt = ms(50);
    const cubic = new CcDriver(new Cubic(), sk);
    cubic.ca.init(sk, 0);
    const a = cubic.startAck();
    const stamp = cubic.onTransmit(0, 1500, 0, true);
    cubic.delivered(a, { start: 0, end: MSS, sentAt: 0, retransmitted: false, rate: stamp }, false, ms(50));
    expect(cubic.finishAck(a, ms(50), { rttUs: undefined, priorInFlight: MSS, inFlight: 0, losses: 0 })).toBe(false);
    expect((cubic.ca as Cubic).state.delayMin).toBe(ms(50));
    expect(sk.delivered).toBe(MSS);

    const sk2 = new FakeSocket(10);
    sk2.minRtt = ms(50);
    const bbr = new CcDriver(new Bbr(() => 0), sk2);
    bbr.ca.init(sk2, 0);
    const b = bbr.startAck();
    const s2 = bbr.onTransmit(0, 1500, 0, true);
    bbr.delivered(b, { start: 0, end: MSS, sentAt: 0, retransmitted: false, rate: s2 }, false, ms(50));
    expect(bbr.finishAck(b, ms(50), { rttUs: undefined, priorInFlight: MSS, inFlight: 0, losses: 0 })).toBe(true);
    // One segment in 50 ms: 28,960 B/s is the first bandwidth sample.
    expect((bbr.ca as Bbr).state.maxBw).toBeCloseTo(28_960, 0);
  });
});
