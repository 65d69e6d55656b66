/** The glue between the sender and an algorithm (cc/driver.ts): pacing clock, events, samples. */
import { describe, expect, it } from 'vitest';
import { ms } from '../../../../simulator/core/time.ts';
import { Bbr } from '../../../../simulator/protocols/tcp/cc/bbr.ts';
import { Cubic } from '../../../../simulator/protocols/tcp/cc/cubic.ts';
import { CcDriver } from '../../../../simulator/protocols/tcp/cc/driver.ts';
import { FakeSocket, MSS } from './fake-socket.ts';

describe('CcDriver', () => {
  it('paces only an algorithm with its own control: 1500 bytes at 1.5 MB/s leave 1 ms apart', () => {
    const sk = new FakeSocket(10);
    const bbr = new CcDriver(new Bbr(() => 0), sk);
    sk.pacingRate = 1_500_000;
    expect(bbr.pacedUntil(0)).toBeUndefined();
    bbr.onTransmit(0, 1500, 0, true);
    expect(bbr.pacedUntil(0)).toBe(ms(1));
    bbr.onTransmit(ms(1), 1500, 1448, false);
    expect(bbr.pacedUntil(ms(1))).toBe(ms(2));
    expect(bbr.pacedUntil(ms(2))).toBeUndefined();
    // CUBIC is not paced, whatever the socket's rate says (Linux: no SK_PACING_NEEDED).
    const cubic = new CcDriver(new Cubic(), sk);
    cubic.onTransmit(0, 1500, 0, true);
    expect(cubic.pacedUntil(0)).toBeUndefined();
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
