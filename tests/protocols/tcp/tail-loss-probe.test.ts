import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../simulator/core/time.ts';
import { Pair, dropList, pattern } from './harness.ts';

const D = ms(50); // one-way delay: RTT 100 ms

function lostTail(tailLossProbe: boolean): Pair {
  // Three segments at 200 ms; the third (the tail) is lost. The ACKs of the first two reach A at
  // 300 ms. RTT samples 100, 100, 100 ms: the variance term stays at its 200 ms floor (Linux), so
  // RTO = 100 + 200 = 300 ms, due at 600 ms; the probe timeout with one segment in flight is
  // 2 SRTT + 200 ms = 400 ms, later than the RTO, so the probe goes out at the RTO's time instead.
  const p = new Pair({ delay: D, optionsA: { tailLossProbe }, drop: dropList([{ from: 'A', dataN: 3 }]) }).connect();
  p.at(ms(200), 'A', (c, now) => c.send(pattern(3000), now));
  return p.run(s(3));
}

describe('tail loss probe (RFC 8985 section 7, as Linux)', () => {
  it('resends a lost last segment as a probe, without collapsing the window or backing off', () => {
    const p = lostTail(true);
    expect(p.eventsOf('A', 'retransmit').map((e) => [e.t, e.ev.type === 'retransmit' && e.ev.cause])).toEqual([[ms(600), 'tail-loss-probe']]);
    expect(p.bytes('B')).toEqual(pattern(3000));
    // IW10 is kept (three segments never filled it, so it did not grow either: Linux
    // tcp_is_cwnd_limited).
    expect(p.a.cwnd).toBe(10 * 1448);
    expect(p.a.rto).toBe(ms(300));
  });

  it('without TLP the same loss costs an RTO: window down to one segment, RTO doubled until the ACK', () => {
    const p = lostTail(false);
    const rtx = p.eventsOf('A', 'retransmit').map((e) => [e.t, e.ev.type === 'retransmit' && e.ev.cause, e.ev.type === 'retransmit' && e.ev.rto]);
    expect(rtx).toEqual([[ms(600), 'rto', ms(600)]]);
    expect(p.bytes('B')).toEqual(pattern(3000));
    // Loss window of one segment; the 104-byte segment did not fill it, so no growth after.
    expect(p.a.cwnd).toBe(1448);
    // Its ACK at 700 ms echoes the retransmission's timestamp: a 100 ms sample ends the backoff
    // (Linux tcp_ack_update_rtt: icsk_backoff = 0), RTO = 100 + 200 ms again.
    expect(p.a.rto).toBe(ms(300));
  });

  it('probes after 2 SRTT when several segments are in flight and the RTO is later', () => {
    // Right after the handshake (RTO 300 ms) A sends 5 segments at 200 ms; all are lost.
    // PTO = 2 x 100 ms + 2 ms (Linux TCP_TIMEOUT_MIN_US) with 5 in flight: the probe (the last
    // segment again) leaves at 402 ms.
    const p = new Pair({ delay: D, drop: (i) => i.from === 'A' && i.dataN !== undefined && i.dataN <= 5 }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(5 * 1448), now));
    p.run(s(5));
    const rtx = p.eventsOf('A', 'retransmit').map((e) => [e.t, e.ev.type === 'retransmit' && e.ev.cause, e.ev.type === 'retransmit' && e.ev.seq - 1001]);
    expect(rtx[0]).toEqual([ms(402), 'tail-loss-probe', 4 * 1448]);
    // The probe's ACK at 502 ms SACKs it (RFC 8985 7.3): RACK.rtt = 100 ms, and the four
    // segments sent at 200 ms are overdue: marked lost, recovery starts, and PRR's first ACK lets
    // one segment out (pipe 0, ssthresh 5 segments): the head, at 502 ms instead of the RTO's 702.
    expect(rtx[1]).toEqual([ms(502), 'fast-retransmit', 0]);
    expect(p.bytes('B')).toEqual(pattern(5 * 1448));
  });
});

describe('Nagle and close', () => {
  it('a pending FIN pushes out a held small segment, FIN riding on it', () => {
    const p = new Pair({ delay: D }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(100), now));
    p.at(ms(201), 'A', (c, now) => {
      c.send(pattern(100, 1), now);
      c.close(now);
    });
    p.run(s(1));
    const data = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0 || x.seg.flags.fin);
    expect(data.map((x) => [x.t, x.seg.payload.length, x.seg.flags.fin === true])).toEqual([
      [ms(200), 100, false],
      [ms(201), 100, true],
    ]);
  });
});
