/**
 * SACK (RFC 2018), RACK-TLP (RFC 8985) and PRR (RFC 6937) as Linux runs them (tcp_sack = 1,
 * tcp_recovery = 1), against NewReno without SACK on the same losses. Losses are named by the
 * data segment dropped (ns-3's list error model); one-way delay 50 ms, RTT 100 ms.
 */
import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../simulator/core/time.ts';
import { Pair, dropList, pattern, type Side } from './harness.ts';

const D = ms(50);

function retransmits(p: Pair, side: Side = 'A'): [number, string, number][] {
  return p.eventsOf(side, 'retransmit').map((e) => (e.ev.type === 'retransmit' ? [e.t, e.ev.cause, e.ev.payloadBytes] : [0, '', 0]));
}

/** When B's cumulative ACK first covered `bytes` of A's data. */
function allAckedAt(p: Pair, bytes: number): number | undefined {
  return p.segmentsFrom('B').find((x) => x.seg.ack - 1001 >= bytes && !x.seg.flags.syn)?.t;
}

describe('RACK: one loss among sparse small segments (RFC 8985 section 6)', () => {
  // TCP_NODELAY, a 100-byte write every 50 ms from 200 ms; the third (sent at 300 ms) is lost.
  function sparse(sack: boolean): Pair {
    const p = new Pair({ delay: D, optionsA: { nagle: false, sack }, drop: dropList([{ from: 'A', dataN: 3 }]) }).connect();
    for (let i = 0; i < 10; i++) p.at(ms(200 + 50 * i), 'A', (c, now) => c.send(pattern(100, i), now));
    return p.run(s(3));
  }

  it('with SACK resends it when the next segment is SACKed, 150 ms after it was sent', () => {
    // The next write (sent at 350 ms) is SACKed at 450 ms: RACK.rtt = 100 ms. The lost one, sent
    // at 300 ms, is then 150 ms old, past RACK.rtt + min_rtt / 4 = 125 ms: lost, resent at once,
    // 50 ms after its own ACK was due (400 ms) and one RTT after the first sign of the hole.
    const p = sparse(true);
    expect(retransmits(p)).toEqual([[ms(450), 'fast-retransmit', 100]]);
    const sackAck = p.segmentsFrom('B').find((x) => x.seg.sack !== undefined)!;
    expect([sackAck.t, sackAck.seg.sack!.map(([l, r]) => [l - 1001, r - 1001]), sackAck.seg.wireBytes]).toEqual([ms(400), [[300, 400]], 52 + 12]);
    expect(p.bytes('B').length).toBe(1000);
  });

  it('without SACK waits for the third duplicate ACK: 100 ms later', () => {
    // Duplicates from the writes sent at 350, 400 and 450 ms; the third reaches A at 550 ms. The
    // tail loss probe never fires: each new write pushes it 2 SRTT + 2 ms further.
    expect(retransmits(sparse(false))).toEqual([[ms(550), 'fast-retransmit', 100]]);
  });
});

describe('SACK: two holes in one window (RFC 6675 scoreboard, PRR)', () => {
  // IW10 at 100 ms, segments 3 and 6 lost.
  function twoHoles(sack: boolean): Pair {
    const p = new Pair({ delay: D, optionsA: { sack }, drop: dropList([{ from: 'A', dataN: 3 }, { from: 'A', dataN: 6 }]) }).connect();
    p.at(ms(100), 'A', (c, now) => c.send(pattern(10 * 1448), now));
    return p.run(s(3));
  }

  it('repairs both in one round trip', () => {
    // B's ACKs reach A at 200 ms, the SACKs of 4, 5, 7 first. With three segments SACKed and no
    // reordering seen, RACK's window is 0 (the DupThresh rule): everything sent before segment 7
    // that is not SACKed (3 and 6) is lost. PRR lets one out per SACKed segment: both leave at
    // 200 ms, and B's cumulative ACK covers all ten segments at 250 ms.
    const p = twoHoles(true);
    expect(retransmits(p)).toEqual([
      [ms(200), 'fast-retransmit', 1448],
      [ms(200), 'fast-retransmit', 1448],
    ]);
    expect(allAckedAt(p, 10 * 1448)).toBe(ms(250));
    expect(p.bytes('B')).toEqual(pattern(10 * 1448));
  });

  it('puts the blocks on the wire as Linux: most recent first, 4 + 8 bytes per block', () => {
    const p = twoHoles(true);
    const blocks = p
      .segmentsFrom('B')
      .filter((x) => x.seg.sack !== undefined && x.t === ms(150))
      .map((x) => [x.seg.sack!.map(([l, r]) => [(l - 1001) / 1448, (r - 1001) / 1448]), x.seg.wireBytes]);
    expect(blocks).toEqual([
      [[[3, 4]], 64],
      [[[3, 5]], 64],
      [[[6, 7], [3, 5]], 72],
      [[[6, 8], [3, 5]], 72],
      [[[6, 9], [3, 5]], 72],
      [[[6, 10], [3, 5]], 72],
    ]);
  });

  it('without SACK, NewReno repairs the second hole one round trip later (partial ACK)', () => {
    const p = twoHoles(false);
    expect(retransmits(p)).toEqual([
      [ms(200), 'fast-retransmit', 1448],
      [ms(300), 'fast-retransmit', 1448],
    ]);
    expect(allAckedAt(p, 10 * 1448)).toBe(ms(350));
  });
});

describe('after a timeout (tcp_enter_loss, tcp_retrans_try_collapse)', () => {
  it('merges small lost segments into one retransmission up to the MSS', () => {
    // Five 100-byte writes at 200..204 ms (TCP_NODELAY), all lost; no probe. The RTO (300 ms
    // from the handshake) fires at 500 ms with a one-segment window: the five go back as one
    // 500-byte segment (552 bytes on the wire), not five.
    const p = new Pair({
      delay: D,
      optionsA: { nagle: false, tailLossProbe: false },
      drop: dropList([1, 2, 3, 4, 5].map((n) => ({ from: 'A' as const, dataN: n }))),
    }).connect();
    for (let i = 0; i < 5; i++) p.at(ms(200 + i), 'A', (c, now) => c.send(pattern(100, i), now));
    p.run(s(3));
    const resent = p.segmentsFrom('A').filter((x) => x.seg.retransmission);
    expect(resent.map((x) => [x.t, x.seg.payload.length, x.seg.wireBytes])).toEqual([[ms(500), 500, 552]]);
    expect(retransmits(p)).toEqual([[ms(500), 'rto', 500]]);
    const expected = new Uint8Array(500);
    for (let i = 0; i < 5; i++) expected.set(pattern(100, i), 100 * i);
    expect(p.bytes('B')).toEqual(expected);
  });

  it('with SACK resends only the holes', () => {
    // Ten segments at 100 ms; 2, 3 and 9 are lost, and so are all of B's ACKs at 150 ms, so only
    // the RTO can repair (no probe). At 400 ms (RTO 300 ms) nothing is SACKed: all ten are marked
    // lost and the first goes back in a one-segment window. B had it already: it answers at 450 ms
    // with ACK 1, a D-SACK block for segment 1 (RFC 2883: the duplicate, first) and SACK blocks
    // 4-8 and 10. That D-SACK covers the one retransmission of the timeout, so the timeout is
    // undone when the ACK arrives at 500 ms (Linux tcp_try_undo_loss); RACK then marks 2, 3 and 9 lost, sent 350 ms before the
    // delivered retransmission, and exactly the three holes leave at 500 ms, never the SACKed
    // segments.
    const p = new Pair({
      delay: D,
      optionsA: { tailLossProbe: false },
      drop: (i) => (i.from === 'A' && [2, 3, 9].includes(i.dataN ?? 0) && !i.seg.retransmission) || (i.from === 'B' && i.t === ms(150)),
    }).connect();
    p.at(ms(100), 'A', (c, now) => c.send(pattern(10 * 1448), now));
    p.run(s(3));
    const resent = p.segmentsFrom('A').filter((x) => x.seg.retransmission).map((x) => [x.t, (x.seg.seq - 1001) / 1448]);
    expect(resent).toEqual([
      [ms(400), 0],
      [ms(500), 1],
      [ms(500), 2],
      [ms(500), 8],
    ]);
    const ack = p.segmentsFrom('B').find((x) => x.t === ms(450))!;
    expect(ack.seg.sack!.map(([l, r]) => [(l - 1001) / 1448, (r - 1001) / 1448])).toEqual([[0, 1], [9, 10], [3, 8]]);
    expect(p.eventsOf('A', 'undo').map((e) => e.t)).toEqual([ms(500)]); // when that ACK arrives
    expect(p.bytes('B')).toEqual(pattern(10 * 1448));
  });
});
