import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../simulator/core/time.ts';
import { Pair, dropList, pattern } from './harness.ts';

const D = ms(50); // one-way delay: RTT 100 ms
const NO_TLP = { tailLossProbe: false };

describe('data transfer', () => {
  it('delivers a bulk transfer in order and byte-identical, segmented at the MSS', () => {
    const data = pattern(200_000);
    const p = new Pair({ delay: D }).connect();
    p.at(ms(100), 'A', (c, now) => c.send(data, now));
    p.run(s(10));
    expect(p.bytes('B')).toEqual(data);
    const sizes = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0).map((x) => x.seg.payload.length);
    expect(sizes.length).toBe(Math.ceil(200_000 / 1448));
    expect(sizes.slice(0, -1).every((n) => n === 1448)).toBe(true);
    expect(p.a.unacknowledgedBytes).toBe(0);
    expect(p.eventsOf('A', 'retransmit')).toEqual([]);
  });

  it('sends IW10 = 10 segments in the first flight (RFC 6928)', () => {
    const p = new Pair({ delay: D }).connect();
    p.at(ms(100), 'A', (c, now) => c.send(pattern(100_000), now));
    p.run(ms(199));
    expect(p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0).length).toBe(10);
  });
});

describe('retransmission timeout (RFC 6298)', () => {
  it('retransmits a lost segment after the RTO computed from the handshake sample (300 ms)', () => {
    const p = new Pair({ delay: D, optionsA: NO_TLP, drop: dropList([{ from: 'A', dataN: 1 }]) }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(1000), now));
    p.run(s(3));
    const data = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0);
    expect(data.map((x) => [x.t, x.dropped, x.seg.retransmission])).toEqual([
      [ms(200), true, false],
      [ms(500), false, true],
    ]);
    expect(p.eventsOf('A', 'retransmit').map((e) => e.ev)).toEqual([
      { type: 'retransmit', seq: 1001, payloadBytes: 1000, cause: 'rto', rto: ms(600) },
    ]);
    expect(p.bytes('B')).toEqual(pattern(1000));
  });

  it('updates SRTT as RFC 6298 2.3, keeps the variance term at 200 ms (Linux), and times the next retransmission with the new RTO', () => {
    // B's ACK of the first write is held 40 ms on the way (jitter), so the second sample is 140 ms.
    // Handshake sample R1 = 100 ms: SRTT = 100, mdev = 200, variance term max(200, 200) = 200.
    // R2 = 140 ms: SRTT = 7/8 * 100 + 1/8 * 140 = 105; mdev = 200 + (40 - 200/4) = 190, below the
    // 200 ms floor: RTO = 105 + 200 = 305 ms (RFC 6298 alone would give 105 + 4 * 47.5 = 295).
    const p = new Pair({
      delay: D,
      optionsA: NO_TLP,
      jitter: (i) => (i.from === 'B' && i.t === ms(250) ? ms(40) : 0),
      drop: dropList([{ from: 'A', dataN: 2 }]),
    }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(500), now));
    p.at(ms(1000), 'A', (c, now) => c.send(pattern(500, 1), now));
    p.run(s(3));
    // The timeout doubled the RTO to 610 ms; the ACK of the retransmission (sent at 1305 ms)
    // echoes its timestamp: R3 = 100 ms, SRTT = 105 + (100 - 105) / 8 = 104.375 ms, the variance
    // term stays at its 200 ms floor: RTO = 304.375 ms, backoff over.
    expect(p.a.rto).toBe(304_375);
    const data = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0);
    expect(data.map((x) => x.t)).toEqual([ms(200), ms(1000), ms(1305)]);
    const ackFromB = p.segmentsFrom('B').filter((x) => x.seg.payload.length === 0 && x.t > ms(200));
    expect(ackFromB[0]!.t).toBe(ms(250)); // read at once, ACKed at once; held 40 ms on the way
  });

  it('uses the 3 s fallback RTO for data when the handshake gave no sample (lost SYN, no timestamps, RFC 6298 5.7)', () => {
    const p = new Pair({
      delay: D,
      optionsA: { ...NO_TLP, timestamps: false },
      drop: dropList([{ from: 'A', n: 1 }, { from: 'A', dataN: 1 }]),
    }).connect();
    p.at(ms(1200), 'A', (c, now) => c.send(pattern(100), now));
    p.run(s(6));
    const data = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0).map((x) => x.t);
    expect(data).toEqual([ms(1200), ms(4200)]);
  });

  it('with timestamps the lost SYN still gives a sample: the lost data is resent after 300 ms, not 3 s', () => {
    // SYN-ACK echo: R = 100 ms at 1100 ms, RTO = 100 + 200 ms.
    const p = new Pair({ delay: D, optionsA: NO_TLP, drop: dropList([{ from: 'A', n: 1 }, { from: 'A', dataN: 1 }]) }).connect();
    p.at(ms(1200), 'A', (c, now) => c.send(pattern(100), now));
    p.run(s(6));
    const data = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0).map((x) => x.t);
    expect(data).toEqual([ms(1200), ms(1500)]);
  });

  it('doubles the RTO on each repeated loss of the same segment; without timestamps the backoff stays (Karn)', () => {
    const p = new Pair({
      delay: D,
      optionsA: { ...NO_TLP, timestamps: false },
      drop: dropList([{ from: 'A', dataN: 1 }, { from: 'A', dataN: 2 }, { from: 'A', dataN: 3 }]),
    }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(1000), now));
    p.run(s(5));
    const data = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0);
    // RTO 300 ms, then 600, 1200, 2400.
    expect(data.map((x) => [x.t, x.dropped])).toEqual([
      [ms(200), true],
      [ms(500), true],
      [ms(1100), true],
      [ms(2300), false],
    ]);
    expect(p.eventsOf('A', 'retransmit').map((e) => (e.ev.type === 'retransmit' ? e.ev.rto : 0))).toEqual([ms(600), ms(1200), ms(2400)]);
    expect(p.receivedBytes('B')).toBe(1000);
    // Karn: the ACK of a retransmitted segment gives no sample, so the backed-off RTO stays.
    expect(p.a.rto).toBe(ms(2400));
    expect(p.a.srtt).toBe(ms(100));
  });

  it('resets the RTO backoff on the next ACK of new data (timestamps, Linux tcp_ack_update_rtt)', () => {
    // Segments 1, 2, 3 (the same 1000 bytes) lost: sent at 200, 500, 1100 ms with RTO 300, 600,
    // 1200 ms; the fourth copy at 2300 ms arrives. Its ACK at 2400 ms echoes its TSval: a 100 ms
    // sample, SRTT 100 ms, RTO back to 100 + 200 = 300 ms instead of staying at 2400 ms.
    const p = new Pair({
      delay: D,
      optionsA: NO_TLP,
      drop: dropList([{ from: 'A', dataN: 1 }, { from: 'A', dataN: 2 }, { from: 'A', dataN: 3 }]),
    }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(1000), now));
    p.at(ms(3000), 'A', (c, now) => c.send(pattern(500, 1), now));
    p.run(s(5));
    const data = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0);
    expect(data.map((x) => [x.t, x.dropped])).toEqual([
      [ms(200), true],
      [ms(500), true],
      [ms(1100), true],
      [ms(2300), false],
      [ms(3000), false],
    ]);
    const ack = p.segmentsFrom('B').find((x) => x.t === ms(2350))!;
    expect(ack.seg.ts).toEqual({ val: 2351, ecr: 2301 }); // the ms clock + 1 (seq.ts tsClock)
    expect(p.a.srtt).toBe(ms(100));
    expect(p.a.rto).toBe(ms(300));
  });

  it('caps the RTO at rtoMax', () => {
    const p = new Pair({ delay: D, optionsA: { ...NO_TLP, rtoMax: ms(700) }, drop: (i) => i.from === 'A' && i.dataN !== undefined }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(10), now));
    p.run(s(4));
    const times = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0).map((x) => x.t);
    expect(times.slice(0, 5)).toEqual([ms(200), ms(500), ms(1100), ms(1800), ms(2500)]);
  });

  it('aborts with failed/timeout after maxRetries retransmissions of the same segment', () => {
    const p = new Pair({ delay: D, optionsA: { ...NO_TLP, maxRetries: 3 }, drop: (i) => i.from === 'A' && i.dataN !== undefined }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(1000), now));
    p.run(s(60));
    const data = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0).map((x) => x.t);
    expect(data).toEqual([ms(200), ms(500), ms(1100), ms(2300)]);
    expect(p.eventsOf('A', 'failed').map((e) => [e.t, e.ev])).toEqual([[ms(4700), { type: 'failed', reason: 'timeout' }]]);
    expect(p.a.state).toBe('CLOSED');
    expect(p.a.nextTimer()).toBeUndefined();
  });
});

describe('congestion window use (Linux)', () => {
  it('shrinks the window back to IW10 after an idle period (tcp_slow_start_after_idle)', () => {
    const p = new Pair({ delay: D }).connect();
    p.at(ms(100), 'A', (c, now) => c.send(pattern(300_000), now));
    p.at(s(10), 'A', (c, now) => c.send(pattern(100_000, 3), now));
    let before = 0;
    p.at(s(10) - 1, 'A', (c) => {
      before = c.cwnd;
    });
    p.run(s(12));
    expect(before).toBeGreaterThan(40 * 1448);
    const burst = p.segmentsFrom('A').filter((x) => x.t === s(10) && x.seg.payload.length > 0);
    expect(burst.length).toBe(10);
    expect(p.bytes('B').length).toBe(400_000);
  });

  it('leaves BBR\'s window alone after idle: it restarts from idle itself (tcp_slow_start_after_idle_check skips cong_control)', () => {
    // The same 10 s pause as above. Cubic's window is cut to IW10 on the first write after it;
    // BBR's is the one it had (bbr_cwnd_event paces at its bandwidth estimate instead).
    const window = (congestion: 'cubic' | 'bbr'): [number, number] => {
      const p = new Pair({ delay: D, optionsA: { congestion } }).connect();
      p.at(ms(100), 'A', (c, now) => c.send(pattern(300_000), now));
      let before = 0;
      let after = 0;
      p.at(s(10), 'A', (c, now) => {
        before = c.cwnd;
        c.send(pattern(100_000, 3), now);
        after = c.cwnd;
      });
      p.run(s(12));
      return [before, after];
    };
    const [cubicBefore, cubicAfter] = window('cubic');
    expect(cubicBefore).toBeGreaterThan(10 * 1448);
    expect(cubicAfter).toBe(10 * 1448);
    const [bbrBefore, bbrAfter] = window('bbr');
    expect(bbrBefore).toBeGreaterThan(10 * 1448);
    expect(bbrAfter).toBe(bbrBefore);
  });

  it('does not grow the window while the application leaves it unused', () => {
    const p = new Pair({ delay: D, optionsA: { nagle: false } }).connect();
    for (let i = 0; i < 50; i++) p.at(ms(200 + 100 * i), 'A', (c, now) => c.send(pattern(100, i), now));
    p.run(s(7));
    expect(p.a.cwnd).toBe(10 * 1448);
    expect(p.receivedBytes('B')).toBe(5000);
  });
});

describe('peer window and TLS on resends', () => {
  it('never has more in flight than the window the peer advertises', () => {
    const p = new Pair({ delay: D, optionsB: { receiveWindow: 4000 } }).connect();
    p.at(ms(100), 'A', (c, now) => c.send(pattern(40_000), now));
    p.run(s(5));
    const first = p.segmentsFrom('A').filter((x) => x.t === ms(100) && x.seg.payload.length > 0);
    expect(first.map((x) => x.seg.payload.length)).toEqual([1448, 1448]); // a third would pass 4000
    expect(p.bytes('B')).toEqual(pattern(40_000));
  });

  it('a resent segment carries the same TLS record overhead as the original', () => {
    const p = new Pair({ delay: D, optionsA: { tlsRecordOverhead: 22, nagle: false, tailLossProbe: false }, drop: dropList([{ from: 'A', dataN: 1 }]) }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(300), now));
    p.run(s(2));
    const data = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0);
    expect(data.map((x) => [x.seg.retransmission, x.seg.wireBytes])).toEqual([
      [false, 300 + 22 + 52],
      [true, 300 + 22 + 52],
    ]);
  });
});
