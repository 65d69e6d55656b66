import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../simulator/core/time.ts';
import { Pair, dropList, pattern, type Side } from './harness.ts';

const D = ms(50); // one-way delay: RTT 100 ms

function dataTimes(p: Pair, side: Side): number[] {
  return p.segmentsFrom(side).filter((x) => x.seg.payload.length > 0).map((x) => x.t);
}

function pureAckTimes(p: Pair, side: Side, after = 0): number[] {
  return p.segmentsFrom(side).filter((x) => x.seg.payload.length === 0 && !x.seg.flags.syn && x.t > after).map((x) => x.t);
}

describe('fast retransmit and recovery (RFC 5681, RFC 6582)', () => {
  it('resends one lost mid-window segment on the third duplicate ACK, without waiting for the RTO', () => {
    // IW10 leaves at 100 ms; its ACKs at 200 ms release 20 segments, the 15th of which is lost.
    // Reno, the algorithm RFC 5681 describes (the engine's default is Linux's cubic: below).
    const p = new Pair({ delay: D, optionsA: { congestion: 'reno' }, drop: dropList([{ from: 'A', dataN: 15 }]) }).connect();
    const data = pattern(60_000);
    p.at(ms(100), 'A', (c, now) => c.send(data, now));
    p.run(s(3));
    const lost = p.sent.find((x) => x.dropped)!;
    expect(lost.t).toBe(ms(200));
    // Segments 16, 17, 18 reach B at 250 ms; their duplicate ACKs reach A at 300 ms.
    expect(p.eventsOf('A', 'retransmit').map((e) => [e.t, e.ev.type === 'retransmit' && e.ev.cause, e.ev.type === 'retransmit' && e.ev.seq])).toEqual([
      [ms(300), 'fast-retransmit', lost.seg.seq],
    ]);
    expect(p.bytes('B')).toEqual(data);
    // 14 segments were ACKed; segments 15..38 (24) were in flight: ssthresh is half of that.
    expect(p.a.ssthresh).toBe(12 * 1448);
  });

  it('with the default cubic, the same loss leaves ssthresh at 0.7 of the window, not half', () => {
    const p = new Pair({ delay: D, drop: dropList([{ from: 'A', dataN: 15 }]) }).connect();
    const data = pattern(60_000);
    p.at(ms(100), 'A', (c, now) => c.send(data, now));
    p.run(s(3));
    expect(p.eventsOf('A', 'retransmit').map((e) => [e.t, e.ev.type === 'retransmit' && e.ev.cause])).toEqual([[ms(300), 'fast-retransmit']]);
    expect(p.bytes('B')).toEqual(data);
    // The window was 24 segments (IW10 + one per ACKed segment in slow start, 14 ACKed); Linux's
    // bictcp_recalc_ssthresh gives max(cwnd x 717 / 1024, 2) = floor(16.8) = 16 segments.
    expect(p.a.ssthresh).toBe(16 * 1448);
  });

  it('recovers two losses in one window with NewReno partial ACKs, no timeout', () => {
    const p = new Pair({ delay: D, drop: dropList([{ from: 'A', dataN: 13 }, { from: 'A', dataN: 17 }]) }).connect();
    const data = pattern(80_000);
    p.at(ms(100), 'A', (c, now) => c.send(data, now));
    p.run(s(3));
    const causes = p.eventsOf('A', 'retransmit').map((e) => (e.ev.type === 'retransmit' ? e.ev.cause : ''));
    expect(causes).toEqual(['fast-retransmit', 'fast-retransmit']);
    expect(p.bytes('B')).toEqual(data);
  });
});

describe('limited transmit (RFC 3042)', () => {
  it('sends a new segment on each of the first two duplicate ACKs, so a small window still fast-retransmits', () => {
    // A window of 3 segments, the first lost: 2 duplicate ACKs come back at 300 ms, each lets a
    // new segment out; their duplicate ACKs at 400 ms make the third: fast retransmit, no RTO.
    // Without SACK (NewReno, as before RFC 2018).
    const p = new Pair({ delay: D, optionsA: { initialCwnd: 3, tailLossProbe: false, sack: false }, drop: dropList([{ from: 'A', dataN: 1 }]) }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(8 * 1448), now));
    p.run(s(3));
    expect(dataTimes(p, 'A').slice(0, 6)).toEqual([ms(200), ms(200), ms(200), ms(300), ms(300), ms(400)]);
    expect(p.eventsOf('A', 'retransmit').map((e) => [e.t, e.ev.type === 'retransmit' && e.ev.cause])).toEqual([[ms(400), 'fast-retransmit']]);
    expect(p.bytes('B')).toEqual(pattern(8 * 1448));
  });

  it('with SACK the same two SACKs let two new segments out (pipe), and RACK resends the hole at 327 ms', () => {
    // Each SACK at 300 ms takes a segment out of the pipe (RFC 6675), so a new one may leave:
    // the limited transmit of RFC 3042 falls out of the accounting. RACK (RFC 8985): the SACKed
    // segment was sent at 200 ms, RACK.rtt = 100 ms; the hole, sent at 200 ms too, is due at
    // 200 + 100 + min_rtt/4 (25) = 325 ms (two SACKs are below DupThresh, so the reordering
    // window stays open); the timer adds TCP_TIMEOUT_MIN (2 ms): resent at 327 ms, not 400 ms.
    const p = new Pair({ delay: D, optionsA: { initialCwnd: 3, tailLossProbe: false }, drop: dropList([{ from: 'A', dataN: 1 }]) }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(8 * 1448), now));
    p.run(s(3));
    expect(dataTimes(p, 'A').slice(0, 6)).toEqual([ms(200), ms(200), ms(200), ms(300), ms(300), ms(327)]);
    expect(p.eventsOf('A', 'retransmit').map((e) => [e.t, e.ev.type === 'retransmit' && e.ev.cause])).toEqual([[ms(327), 'fast-retransmit']]);
    expect(p.bytes('B')).toEqual(pattern(8 * 1448));
  });
});

describe('Nagle (RFC 896, Linux variant) and TCP_NODELAY', () => {
  function smallWrites(nagle: boolean): Pair {
    const p = new Pair({ delay: D, optionsA: { nagle } }).connect();
    for (let i = 0; i < 10; i++) p.at(ms(200 + 10 * i), 'A', (c, now) => c.send(pattern(100, i), now));
    return p.run(s(2));
  }

  it('holds small writes while a small segment is unacknowledged, then sends them together', () => {
    const p = smallWrites(true);
    expect(dataTimes(p, 'A')).toEqual([ms(200), ms(300)]);
    expect(p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0).map((x) => x.seg.payload.length)).toEqual([100, 900]);
    expect(p.receivedBytes('B')).toBe(1000);
  });

  it('with nagle off (TCP_NODELAY) sends each write at once', () => {
    const p = smallWrites(false);
    expect(dataTimes(p, 'A')).toEqual(Array.from({ length: 10 }, (_, i) => ms(200 + 10 * i)));
  });

  it('shows the Nagle + delayed-ACK trap: in an interactive exchange a second small write waits for the 40 ms delayed ACK', () => {
    const run = (nagle: boolean) => {
      const p = new Pair({ delay: D, optionsA: { nagle }, optionsB: { quickAckSegments: 0 } }).connect();
      // A first request answered at once makes B interactive (Linux pingpong: B sent data
      // within the delayed-ACK time of receiving some).
      p.at(ms(200), 'A', (c, now) => c.send(pattern(10), now));
      p.at(ms(251), 'B', (c, now) => c.send(pattern(10, 7), now));
      // Then a request in two small writes (write-write-read).
      p.at(ms(400), 'A', (c, now) => c.send(pattern(100), now));
      p.at(ms(401), 'A', (c, now) => c.send(pattern(100, 1), now));
      return dataTimes(p.run(s(2)), 'A').filter((t) => t >= ms(400));
    };
    // B gets the first at 450 ms; interactive, it holds the ACK for an answer (the read-time
    // rule needs a non-interactive connection): the delayed ACK leaves at 490 ms and reaches A
    // at 540 ms, which Nagle waited for.
    expect(run(true)).toEqual([ms(400), ms(540)]);
    expect(run(false)).toEqual([ms(400), ms(401)]);
  });

  it('on a one-way stream the reader ACKs each small write at once (Linux tcp_cleanup_rbuf), so Nagle waits one RTT, not 40 ms more', () => {
    // B (quick-ACK mode used up) gets the first write at 250 ms: a small pushed segment on a
    // connection that is not interactive, read at once: ACKed at 250 ms (ICSK_ACK_PUSHED). A's
    // second write leaves with that ACK's arrival at 300 ms (it was 340 ms with a 40 ms delay).
    const p = new Pair({ delay: D, optionsB: { quickAckSegments: 0 } }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(100), now));
    p.at(ms(201), 'A', (c, now) => c.send(pattern(100, 1), now));
    p.run(s(2));
    expect(dataTimes(p, 'A')).toEqual([ms(200), ms(300)]);
    expect(pureAckTimes(p, 'B', ms(150))).toEqual([ms(250), ms(350)]);
  });
});

describe('delayed ACK (Linux)', () => {
  it('ACKs the first data segments at once (quick-ACK mode), then holds a lone full segment 40 ms, then longer', () => {
    // Full-sized segments: not "pushed" (Linux tcp_measure_rcv_mss), so the read does not ACK.
    // The 17th waits the initial ato, 40 ms. Each timer that fires outside pingpong mode doubles
    // the ato (tcp_delack_timer_handler, up to B's RTO of 300 ms): 80 ms for the 18th; then 160,
    // but above 40 ms the timeout is bounded by B's SRTT, 100 ms (__tcp_send_delayed_ack).
    const p = new Pair({ delay: D, optionsA: { nagle: false } }).connect();
    for (let i = 0; i < 20; i++) p.at(ms(200 + 200 * i), 'A', (c, now) => c.send(pattern(1448, i), now));
    p.run(s(6));
    const acks = pureAckTimes(p, 'B', ms(150));
    const arrivals = Array.from({ length: 20 }, (_, i) => ms(250 + 200 * i));
    expect(acks).toEqual(arrivals.map((t, i) => t + [0, ms(40), ms(80), ms(100), ms(100)][Math.max(0, i - 15)]!));
  });

  it('ACKs lone small segments at once even after quick-ACK mode: the reader takes them (tcp_cleanup_rbuf)', () => {
    const p = new Pair({ delay: D, optionsA: { nagle: false } }).connect();
    for (let i = 0; i < 20; i++) p.at(ms(200 + 200 * i), 'A', (c, now) => c.send(pattern(10, i), now));
    p.run(s(6));
    expect(pureAckTimes(p, 'B', ms(150))).toEqual(Array.from({ length: 20 }, (_, i) => ms(250 + 200 * i)));
  });

  it('goes back to quick-ACK mode after a silence longer than the RTO (Linux tcp_event_data_recv)', () => {
    // 20 small segments 100 ms apart use up the 16 quick ACKs; B's RTO is 300 ms (handshake
    // sample), so a segment after a 1 s pause is ACKed at once again, and the next one too.
    // Full-sized segments, so the read-time rule does not ACK them.
    const p = new Pair({ delay: D, optionsA: { nagle: false } }).connect();
    for (let i = 0; i < 20; i++) p.at(ms(200 + 100 * i), 'A', (c, now) => c.send(pattern(1448, i), now));
    p.at(ms(3000), 'A', (c, now) => c.send(pattern(1448, 99), now));
    p.at(ms(3100), 'A', (c, now) => c.send(pattern(1448, 98), now));
    p.run(s(5));
    const acks = pureAckTimes(p, 'B', ms(150));
    expect(acks.slice(15, 17)).toEqual([ms(250 + 1500), ms(250 + 1600 + 40)]);
    expect(acks.slice(-2)).toEqual([ms(3050), ms(3150)]);
  });

  it('after a silence longer than the RTO, an interactive receiver still delays its ACK once (tcp_incr_quickack keeps pingpong)', () => {
    // B answers A's first request within the ato (pingpong). 1.75 s later A writes again: Linux's
    // "too long gap" only raises the quick-ACK count (tcp_incr_quickack), and quick ACKs do not
    // apply in pingpong mode, nor does the read-time ACK of one small segment; so B's ACK waits
    // the ato (40 ms: 2,050 + 40). That timer ends pingpong, and the next write is ACKed at once.
    // (The testbed's broker does this to the first PUBLISH after CONNACK.) The engine used to
    // leave pingpong on the gap and ACK at 2,050 ms.
    const p = new Pair({ delay: D, optionsA: { nagle: false }, optionsB: { nagle: false } }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(50), now));
    p.at(ms(260), 'B', (c, now) => c.send(pattern(500), now));
    p.at(ms(2000), 'A', (c, now) => c.send(pattern(50, 1), now));
    p.at(ms(2200), 'A', (c, now) => c.send(pattern(50, 2), now));
    p.run(s(3));
    expect(pureAckTimes(p, 'B', ms(150))).toEqual([ms(250), ms(2090), ms(2250)]);
  });

  it('in an interactive exchange the ACK waits to ride on the answer (Linux pingpong mode)', () => {
    // A asks, B answers 10 ms after each request. After the first answer B is interactive: its
    // ACKs no longer go out alone, the answers carry them.
    const p = new Pair({ delay: D, optionsA: { nagle: false }, optionsB: { nagle: false } }).connect();
    for (let i = 0; i < 5; i++) {
      p.at(ms(200 + 200 * i), 'A', (c, now) => c.send(pattern(50, i), now));
      p.at(ms(260 + 200 * i), 'B', (c, now) => c.send(pattern(500, i), now));
    }
    p.run(s(3));
    // One pure ACK for the first request (quick-ACK mode), none after.
    expect(pureAckTimes(p, 'B', ms(150))).toEqual([ms(250)]);
    expect(dataTimes(p, 'B')).toEqual([260, 460, 660, 860, 1060].map(ms));
  });

  it('ACKs every second full-sized segment at once', () => {
    const p = new Pair({ delay: D, optionsB: { quickAckSegments: 0 } }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(4 * 1448), now));
    p.run(s(2));
    // Four full segments arrive together at 250 ms: ACKs after the 2nd and the 4th.
    const acks = p.segmentsFrom('B').filter((x) => x.seg.payload.length === 0 && x.t > ms(150));
    expect(acks.map((x) => [x.t, x.seg.ack - 1001])).toEqual([
      [ms(250), 2 * 1448],
      [ms(250), 4 * 1448],
    ]);
  });

  it('ACKs out-of-order data at once with a duplicate ACK', () => {
    const p = new Pair({ delay: D, optionsA: { nagle: false }, optionsB: { quickAckSegments: 0 }, drop: dropList([{ from: 'A', dataN: 1 }]) }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(100), now));
    p.at(ms(210), 'A', (c, now) => c.send(pattern(100, 1), now));
    p.run(ms(300));
    const acks = p.segmentsFrom('B').filter((x) => x.seg.payload.length === 0 && x.t > ms(150));
    expect(acks.map((x) => [x.t, x.seg.ack])).toEqual([[ms(260), 1001]]);
  });

  it('is off with delayedAck: false: every segment is ACKed at once', () => {
    const p = new Pair({ delay: D, optionsB: { delayedAck: false, quickAckSegments: 0 } }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(100), now));
    p.run(s(1));
    expect(pureAckTimes(p, 'B', ms(150))).toEqual([ms(250)]);
  });
});

describe('closing (RFC 9293 3.6)', () => {
  it('closes orderly both ways: FIN_WAIT_1/2 and TIME_WAIT on the closer, CLOSE_WAIT/LAST_ACK on the peer', () => {
    const p = new Pair({ delay: D }).connect();
    p.at(ms(200), 'A', (c, now) => {
      c.send(pattern(100), now);
      c.close(now);
    });
    p.at(ms(400), 'B', (c, now) => c.close(now));
    p.run(s(5));
    const states = (side: Side) => p.eventsOf(side, 'state').map((e) => [e.t, e.ev.type === 'state' && e.ev.to]);
    expect(states('A')).toEqual([
      [0, 'SYN_SENT'], [ms(100), 'ESTABLISHED'], [ms(200), 'FIN_WAIT_1'], [ms(300), 'FIN_WAIT_2'],
      [ms(450), 'TIME_WAIT'], [ms(2450), 'CLOSED'],
    ]);
    expect(states('B')).toEqual([
      [ms(50), 'SYN_RECEIVED'], [ms(150), 'ESTABLISHED'], [ms(250), 'CLOSE_WAIT'], [ms(400), 'LAST_ACK'], [ms(500), 'CLOSED'],
    ]);
    // The data left at send(), before close(): the FIN follows in a segment of its own (52 bytes).
    const fromA = p.segmentsFrom('A').filter((x) => x.t === ms(200));
    expect(fromA.map((x) => [x.seg.payload.length, x.seg.flags.fin === true, x.seg.wireBytes])).toEqual([[100, false, 152], [0, true, 52]]);
    expect(p.eventsOf('B', 'eof').map((e) => e.t)).toEqual([ms(250)]);
    expect(p.eventsOf('A', 'closed').map((e) => e.t)).toEqual([ms(450)]);
    expect(p.eventsOf('B', 'closed').map((e) => e.t)).toEqual([ms(500)]);
    expect(p.bytes('B')).toEqual(pattern(100));
    expect(p.a.unacknowledgedBytes).toBe(0);
    expect(p.a.nextTimer()).toBeUndefined();
    expect(p.b.nextTimer()).toBeUndefined();
  });

  it('keeps receiving after a half-close', () => {
    const p = new Pair({ delay: D }).connect();
    p.at(ms(200), 'A', (c, now) => c.close(now));
    p.at(ms(400), 'B', (c, now) => c.send(pattern(5000), now));
    p.at(ms(600), 'B', (c, now) => c.close(now));
    p.run(s(5));
    expect(p.bytes('A')).toEqual(pattern(5000));
    expect(p.a.state).toBe('CLOSED');
    expect(p.b.state).toBe('CLOSED');
  });

  it('with fullClose (close(2), as a C server) answers data after close with a RST and drops the connection', () => {
    const p = new Pair({ delay: D, optionsA: { fullClose: true } }).connect();
    p.at(ms(200), 'A', (c, now) => c.close(now));
    p.at(ms(400), 'B', (c, now) => c.send(pattern(100), now));
    p.run(s(5));
    // B's data reaches A at 450 ms: A takes none of it, resets, and B learns at 500 ms.
    expect(p.bytes('A')).toEqual(new Uint8Array(0));
    const rst = p.segmentsFrom('A').filter((x) => x.seg.flags.rst === true);
    expect(rst.map((x) => x.t)).toEqual([ms(450)]);
    expect(p.eventsOf('A', 'failed').map((e) => [e.t, e.ev.type === 'failed' && e.ev.reason])).toEqual([[ms(450), 'reset']]);
    expect(p.eventsOf('B', 'failed').map((e) => [e.t, e.ev.type === 'failed' && e.ev.reason])).toEqual([[ms(500), 'reset']]);
    expect(p.a.state).toBe('CLOSED');
    expect(p.b.state).toBe('CLOSED');
  });

  it('goes through CLOSING on a simultaneous close', () => {
    const p = new Pair({ delay: D }).connect();
    p.at(ms(200), 'A', (c, now) => c.close(now));
    p.at(ms(200), 'B', (c, now) => c.close(now));
    p.run(s(5));
    for (const side of ['A', 'B'] as const) {
      expect(p.eventsOf(side, 'state').map((e) => (e.ev.type === 'state' ? e.ev.to : '')).slice(-4)).toEqual([
        'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT', 'CLOSED',
      ]);
    }
  });

  it('retransmits a lost FIN', () => {
    const p = new Pair({ delay: D, optionsA: { tailLossProbe: false }, drop: (i) => i.from === 'A' && i.seg.flags.fin === true && !i.seg.retransmission }).connect();
    p.at(ms(200), 'A', (c, now) => c.close(now));
    p.at(ms(1000), 'B', (c, now) => c.close(now));
    p.run(s(5));
    const fins = p.segmentsFrom('A').filter((x) => x.seg.flags.fin).map((x) => x.t);
    expect(fins).toEqual([ms(200), ms(500)]);
    expect(p.a.state).toBe('CLOSED');
    expect(p.b.state).toBe('CLOSED');
  });

  it('resets: abort() sends a RST, the peer fails with reset and answers later segments with RSTs', () => {
    const p = new Pair({ delay: D }).connect();
    p.at(ms(200), 'A', (c, now) => c.abort(now));
    p.run(s(1));
    const rst = p.segmentsFrom('A').at(-1)!;
    expect(rst.seg.flags.rst).toBe(true);
    expect(rst.seg.wireBytes).toBe(52);
    expect(p.eventsOf('A', 'closed').map((e) => e.t)).toEqual([ms(200)]);
    expect(p.eventsOf('B', 'failed').map((e) => [e.t, e.ev])).toEqual([[ms(250), { type: 'failed', reason: 'reset' }]]);
    expect(p.b.state).toBe('CLOSED');
    expect(() => p.b.send(pattern(1), ms(300))).toThrow(/cannot send in state CLOSED/);
  });

  it('a closed engine answers a data segment with a RST', () => {
    const p = new Pair({ delay: D }).connect();
    p.at(ms(200), 'B', (c, now) => c.abort(now));
    // A sends before the RST reaches it (the RST arrives at 250 ms).
    p.at(ms(220), 'A', (c, now) => c.send(pattern(10), now));
    p.run(s(1));
    const fromB = p.segmentsFrom('B').filter((x) => x.seg.flags.rst);
    expect(fromB.map((x) => x.t)).toEqual([ms(200), ms(270)]);
    expect(p.eventsOf('A', 'failed').map((e) => e.t)).toEqual([ms(250)]);
  });
});

describe('reset during loss recovery', () => {
  it('a RST sent while resending a hole still lands in the peer window', () => {
    // A's data segments 2-10 are lost once. The ACK of segment 1 at 200 ms lets segments 11 and 12
    // out; their SACKs at 300 ms make RACK mark 2-10 lost (sent 200 ms before, RACK.rtt 100 ms),
    // and PRR lets one retransmission out per SACK: 2 and 3 at 300 ms, then 4-7 at 400 ms on their
    // ACKs. A aborts at 420 ms: its RST carries the highest sequence number sent (Linux snd_nxt:
    // 12 segments in), which B's window [RCV.NXT, RCV.NXT + window) accepts.
    const p = new Pair({
      delay: D,
      optionsA: { tailLossProbe: false },
      drop: (i) => i.from === 'A' && i.dataN !== undefined && i.dataN >= 2 && i.dataN <= 10 && !i.seg.retransmission,
    }).connect();
    p.at(ms(100), 'A', (c, now) => c.send(pattern(20 * 1448), now));
    p.at(ms(420), 'A', (c, now) => c.abort(now));
    p.run(s(3));
    expect(p.eventsOf('A', 'retransmit').map((e) => [e.t, e.ev.type === 'retransmit' && e.ev.cause, e.ev.type === 'retransmit' && (e.ev.seq - 1001) / 1448])).toEqual([
      [ms(300), 'fast-retransmit', 1],
      [ms(300), 'fast-retransmit', 2],
      [ms(400), 'fast-retransmit', 3],
      [ms(400), 'fast-retransmit', 4],
      [ms(400), 'fast-retransmit', 5],
      [ms(400), 'fast-retransmit', 6],
    ]);
    const rst = p.segmentsFrom('A').filter((x) => x.seg.flags.rst);
    expect(rst.map((x) => [x.t, x.seg.seq - 1001])[0]).toEqual([ms(420), 12 * 1448]);
    expect(p.eventsOf('B', 'failed').map((e) => [e.t, e.ev])).toEqual([[ms(470), { type: 'failed', reason: 'reset' }]]);
  });
});
