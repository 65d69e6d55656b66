/**
 * The delivery-rate estimator (Linux tcp_rate.c) on hand-built send and ACK sequences. Segments
 * are 1448 bytes; "seg n" covers bytes [(n - 1) x 1448, n x 1448); times in ms from 0.
 */
import { describe, expect, it } from 'vitest';
import { ms } from '../../../../simulator/core/time.ts';
import { DeliveryRate, type TxStamp } from '../../../../simulator/protocols/tcp/cc/rate.ts';

const MSS = 1448;
const ctx = { losses: 0, minRtt: ms(50), rttUs: ms(50), priorInFlight: 0 };

/** A sender's log: sends stamp segments, ACKs deliver them. */
class Flow {
  readonly rate = new DeliveryRate();
  readonly stamps = new Map<number, TxStamp>();
  sndUna = 0;
  sndNxt = 0;

  send(seg: number, at: number): void {
    this.stamps.set(seg, this.rate.segmentSent(ms(at), this.sndNxt - this.sndUna));
    this.sndNxt = Math.max(this.sndNxt, seg * MSS);
  }

  /** An ACK at `at` ms, newly covering `segs` (cumulatively unless `sacked`). */
  ack(at: number, segs: number[], opts: { sacked?: boolean; minRtt?: number } = {}) {
    const a = this.rate.startAck();
    for (const seg of segs) this.rate.segmentDelivered(a, this.stamps.get(seg)!, MSS, seg * MSS, opts.sacked ?? false, false);
    if (!opts.sacked) this.sndUna = Math.max(this.sndUna, ...segs.map((s) => s * MSS));
    return this.rate.generate(a, ms(at), { ...ctx, minRtt: opts.minRtt === undefined ? ctx.minRtt : ms(opts.minRtt) });
  }
}

describe('delivery-rate samples (tcp_rate.c)', () => {
  it('measures delivered bytes over the longer of the send and ACK phases', () => {
    const f = new Flow();
    // segs 1-3 at 0, 1, 2 ms; nothing was outstanding before seg 1, so the clocks start at 0.
    f.send(1, 0);
    f.send(2, 1);
    f.send(3, 2);
    // ACK at 50 ms for seg 1: 1448 bytes since its stamp (delivered 0 at 0 ms); send phase 0,
    // ACK phase 50 ms.
    expect(f.ack(50, [1])).toMatchObject({ delivered: MSS, intervalUs: ms(50), priorDelivered: 0, ackedSacked: MSS, isAppLimited: false });
    // seg 4 leaves at 50 ms: stamp delivered 1448, delivered time 50 ms, first send 0 ms (seg 1's).
    f.send(4, 50);
    // A stretch ACK at 52 ms for segs 2 and 3 takes seg 3's stamp (the later send): 3 x 1448
    // since delivered 0 at 0 ms; send phase 2 ms, ACK phase 52 ms.
    expect(f.ack(52, [2, 3])).toMatchObject({ delivered: 3 * MSS, intervalUs: ms(52), ackedSacked: 2 * MSS });
    // ACK at 100 ms for seg 4: 4 x 1448 - 1448 delivered since its stamp; ACK phase 100 - 50 =
    // 50 ms, send phase 50 - 0 = 50 ms.
    expect(f.ack(100, [4])).toMatchObject({ delivered: 3 * MSS, intervalUs: ms(50), priorDelivered: MSS });
    expect(f.rate.delivered).toBe(4 * MSS);
    expect(f.rate.deliveredTime).toBe(ms(100));
  });

  it('uses the send phase when ACKs arrive compressed', () => {
    const f = new Flow();
    // Ten segments paced 10 ms apart; their ACKs come back in one burst.
    for (let i = 1; i <= 10; i++) f.send(i, (i - 1) * 10);
    expect(f.ack(100, [1])).toMatchObject({ delivered: MSS, intervalUs: ms(100) });
    // seg 11 at 101 ms: stamp delivered 1448 at 100 ms, first send 0 ms (seg 1).
    f.send(11, 101);
    // ACKs for 2-11 compressed into one at 151 ms: send phase 101 - 0 = 101 ms is the longer
    // (ACK phase 151 - 100 = 51 ms would claim twice the rate).
    expect(f.ack(151, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11])).toMatchObject({ delivered: 10 * MSS, intervalUs: ms(101) });
  });

  it('gives no sample for an interval shorter than the minimum RTT, or when nothing was delivered', () => {
    const f = new Flow();
    f.send(1, 0);
    expect(f.ack(40, [1])).toMatchObject({ delivered: MSS, intervalUs: -1 });
    f.send(2, 40);
    expect(f.ack(90, [])).toMatchObject({ delivered: -1, intervalUs: -1, ackedSacked: 0 });
    // Before any RTT sample there is no minimum RTT and no rate sample (Linux's min_rtt is ~0U).
    expect(new Flow().ack(0, [], { minRtt: undefined }).intervalUs).toBe(-1);
  });

  it('counts a SACKed segment once, when it is SACKed', () => {
    const f = new Flow();
    f.send(1, 0);
    f.send(2, 1);
    // seg 1 is lost; seg 2 is SACKed at 51 ms.
    expect(f.ack(51, [2], { sacked: true })).toMatchObject({ delivered: MSS, intervalUs: ms(51), ackedSacked: MSS });
    // seg 1 is resent at 60 ms (stamp: delivered 1448 at 51 ms) and its ACK at 110 ms covers both:
    // only seg 1 counts and its stamp is the one taken.
    f.send(1, 60);
    expect(f.ack(110, [1, 2])).toMatchObject({ delivered: MSS, intervalUs: ms(59), ackedSacked: MSS, priorDelivered: MSS });
    expect(f.rate.delivered).toBe(2 * MSS);
  });

  it('marks samples app-limited until what was in flight at the gap is delivered', () => {
    const f = new Flow();
    f.send(1, 0);
    f.send(2, 1);
    // The application wrote with less than a segment left to send and cwnd not full:
    // app_limited = delivered 0 + in flight 2 x 1448.
    f.rate.checkAppLimited({ unsent: 100, mss: MSS, inFlight: 2 * MSS, cwnd: 10 * MSS, lostNotRetransmitted: 0 });
    expect(f.rate.appLimited).toBe(2 * MSS);
    f.send(3, 2);
    expect(f.ack(50, [1]).isAppLimited).toBe(false); // seg 1 was sent before the mark
    expect(f.ack(51, [2]).isAppLimited).toBe(false);
    // delivered reached 2 x 1448, not past it: the mark stays until seg 3 is delivered.
    expect(f.rate.appLimited).toBe(2 * MSS);
    expect(f.ack(52, [3]).isAppLimited).toBe(true);
    expect(f.rate.appLimited).toBe(0);
    // A full cwnd or data still unsent is not app-limited.
    f.rate.checkAppLimited({ unsent: 100, mss: MSS, inFlight: 10 * MSS, cwnd: 10 * MSS, lostNotRetransmitted: 0 });
    f.rate.checkAppLimited({ unsent: MSS, mss: MSS, inFlight: 0, cwnd: 10 * MSS, lostNotRetransmitted: 0 });
    expect(f.rate.appLimited).toBe(0);
    // With nothing delivered and nothing in flight the mark is 1, not 0 (which means "not limited").
    const g = new Flow();
    g.rate.checkAppLimited({ unsent: 0, mss: MSS, inFlight: 0, cwnd: 10 * MSS, lostNotRetransmitted: 0 });
    expect(g.rate.appLimited).toBe(1);
  });

  it('keeps the last sample that was not app-limited for tcp_info, unless an app-limited one is faster', () => {
    const f = new Flow();
    f.send(1, 0);
    f.ack(50, [1]);
    expect([f.rate.rateDelivered, f.rate.rateInterval, f.rate.rateAppLimited]).toEqual([MSS, ms(50), false]);
    f.rate.checkAppLimited({ unsent: 0, mss: MSS, inFlight: 0, cwnd: 10 * MSS, lostNotRetransmitted: 0 });
    f.sndUna = f.sndNxt; // nothing outstanding: seg 2 restarts the clocks at 200 ms
    f.send(2, 200);
    // 1448 bytes in 100 ms is slower than 1448 in 50 ms: not recorded.
    f.ack(300, [2]);
    expect(f.rate.rateInterval).toBe(ms(50));
  });
});
