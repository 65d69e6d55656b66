/**
 * Reordering, as a jittered link makes it: D-SACK (RFC 2883), undo of a reduction that proved
 * spurious (Linux tcp_try_undo_recovery / _dsack, Eifel detection by timestamps, RFC 3522) and
 * RACK's reordering window widening after a D-SACK (RFC 8985 6.2, tcp_rack_update_reo_wnd).
 * One-way delay 50 ms, RTT 100 ms; the harness's jitter delays one named segment.
 */
import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../simulator/core/time.ts';
import type { TcpOptions } from '../../../simulator/protocols/tcp/api.ts';
import { Pair, pattern } from './harness.ts';

const D = ms(50);
const MSS = 1448;

/** IW10 at 100 ms; A's third data segment takes 30 ms longer, so the fourth to tenth overtake it. */
function reordered(options: Partial<TcpOptions> = {}): Pair {
  const p = new Pair({
    delay: D,
    optionsA: options,
    optionsB: options,
    jitter: (i) => (i.from === 'A' && i.dataN === 3 ? ms(30) : 0),
  }).connect();
  p.at(ms(100), 'A', (c, now) => c.send(pattern(10 * MSS), now));
  return p.run(s(3));
}

const retransmitTimes = (p: Pair): number[] => p.eventsOf('A', 'retransmit').map((e) => e.t);
const undos = (p: Pair): [number, number][] => p.eventsOf('A', 'undo').map((e) => [e.t, e.ev.type === 'undo' ? e.ev.cwnd : 0]);

describe('a segment overtaken by seven others (the jitter slider)', () => {
  // B gets segments 4-10 at 150 ms and 3 at 180 ms. A: at 200 ms the ACKs of 1 and 2 (slow start,
  // cwnd 10 -> 12 segments), then SACKs of 4, 5, 6...: with three SACKed and no reordering seen
  // yet, RACK's window is 0, so 3 is marked lost and resent at 200 ms (recovery: cubic ssthresh
  // 12 x 717/1024 = 8 segments). B's ACK for the late original reaches A at 230 ms and covers
  // everything; the retransmission reaches B at 250 ms, a duplicate.

  it('B reports the duplicate in a D-SACK block, ahead of nothing else (12 option bytes more)', () => {
    const p = reordered();
    const dup = p.segmentsFrom('B').find((x) => x.t === ms(250))!;
    expect(dup.seg.sack!.map(([l, r]) => [(l - 1001) / MSS, (r - 1001) / MSS])).toEqual([[2, 3]]);
    expect((dup.seg.ack - 1001) / MSS).toBe(10); // below the cumulative ACK: a D-SACK (RFC 2883 4)
    expect(dup.seg.wireBytes).toBe(52 + 12); // 4 + 8 bytes for one block (Linux tcp_options_write)
    // Reported once: B's later segments carry no block.
    expect(p.segmentsFrom('B').filter((x) => x.t > ms(250) && x.seg.sack !== undefined)).toEqual([]);
  });

  it('with timestamps, A undoes the reduction at 230 ms: the ACK echoes the original (Eifel)', () => {
    // The ACK at 230 ms echoes the TSval of the original (sent at 100 ms, TSval 101), older than
    // the retransmission's (200 ms, 201): the retransmission was not needed (tcp_packet_delayed),
    // so cwnd goes back to the 12 segments it had (tcp_reno_undo_cwnd) and ssthresh to what it
    // was (still infinite: slow start goes on).
    const p = reordered();
    expect(retransmitTimes(p)).toEqual([ms(200)]);
    expect(undos(p)).toEqual([[ms(230), 12 * MSS]]);
    expect(p.a.ssthresh).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('without timestamps, the D-SACK undoes it at 300 ms; recovery had ended at 8 segments', () => {
    const p = reordered({ timestamps: false });
    expect(retransmitTimes(p)).toEqual([ms(200)]);
    expect(undos(p)).toEqual([[ms(300), 12 * MSS]]);
    expect(p.a.ssthresh).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('with neither (no D-SACK, no timestamps) the reduction stays: cwnd ends at ssthresh, 8 segments', () => {
    const p = reordered({ timestamps: false, dsack: false });
    expect(retransmitTimes(p)).toEqual([ms(200)]);
    expect(undos(p)).toEqual([]);
    expect([p.a.ssthresh, p.a.cwnd]).toEqual([8 * MSS, 8 * MSS]);
  });
});

describe('RACK widens its reordering window after a D-SACK (RFC 8985 6.2.4)', () => {
  // 200 ms: a warm-up write gives the minimum RTT, 100 ms (so min_rtt / 4 = 25 ms). 500 and
  // 505 ms: two 1000-byte writes, the first 8 ms late: the second's SACK reaches A at 605 ms,
  // the first is then only 105 ms old (RACK.rtt 100 + 25 ms window: due at 627 ms) and its ACK
  // comes at 608 ms: a hole filled by a segment sent once, so reordering is seen and the window
  // stays open from now on. Then IW10 at 1000 ms and again at 2000 ms, the third segment 30 ms
  // late each time: its ACK comes at 130 ms after the send, RACK's timer at 100 + window + 2.
  function bursts(dsack: boolean): Pair {
    const p = new Pair({
      delay: D,
      optionsA: { nagle: false },
      optionsB: { dsack },
      jitter: (i) => (i.from !== 'A' ? 0 : i.dataN === 2 ? ms(8) : i.dataN === 6 || i.dataN === 16 ? ms(30) : 0),
    }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(100), now));
    p.at(ms(500), 'A', (c, now) => c.send(pattern(1000, 1), now));
    p.at(ms(505), 'A', (c, now) => c.send(pattern(1000, 2), now));
    p.at(ms(1000), 'A', (c, now) => c.send(pattern(10 * MSS, 3), now));
    p.at(ms(2000), 'A', (c, now) => c.send(pattern(10 * MSS, 4), now));
    return p.run(s(4));
  }

  it('first burst: one spurious retransmission at 1127 ms; second burst: none', () => {
    // 1000 ms burst: window 25 ms, so the late segment is resent at 1100 + 25 + 2 = 1127 ms, 3 ms
    // before its ACK. The duplicate's D-SACK reaches A at 1227 ms; the next ACK that delivers
    // something sent since (2100 ms) widens the window to two steps, 50 ms: the timer would fire
    // at 2152 ms, and the ACK at 2130 ms comes first.
    const p = bursts(true);
    expect(retransmitTimes(p)).toEqual([ms(1127)]);
    expect(p.receivedBytes('B')).toBe(100 + 2000 + 20 * MSS);
  });

  it('without D-SACK the window never widens: the second burst costs the same retransmission', () => {
    expect(retransmitTimes(bursts(false))).toEqual([ms(1127), ms(2127)]);
  });
});
