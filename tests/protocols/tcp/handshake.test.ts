import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../simulator/core/time.ts';
import { Pair, dropList, pattern } from './harness.ts';
import { defaultTcpOptions } from '../../../simulator/protocols/tcp/defaults.ts';
import { segmentWireBytes, writeWireBytes } from '../../../simulator/protocols/tcp/wire.ts';

const D = ms(50); // one-way delay: RTT 100 ms

describe('three-way handshake', () => {
  it('sends SYN, SYN-ACK, ACK with Linux sizes (60, 60, 52 bytes) at one-way-delay steps', () => {
    const p = new Pair({ delay: D }).connect().run(s(1));
    const segs = p.sent.map((x) => ({ t: x.t, from: x.from, flags: x.seg.flags, seq: x.seg.seq, ack: x.seg.ack, wire: x.seg.wireBytes }));
    expect(segs).toEqual([
      { t: 0, from: 'A', flags: { syn: true }, seq: 1000, ack: 0, wire: 60 },
      { t: ms(50), from: 'B', flags: { syn: true, ack: true }, seq: 5000, ack: 1001, wire: 60 },
      { t: ms(100), from: 'A', flags: { ack: true }, seq: 1001, ack: 5001, wire: 52 },
    ]);
    expect(p.a.state).toBe('ESTABLISHED');
    expect(p.b.state).toBe('ESTABLISHED');
    expect(p.eventsOf('A', 'connected').map((e) => e.t)).toEqual([ms(100)]);
    expect(p.eventsOf('B', 'connected').map((e) => e.t)).toEqual([ms(150)]);
    expect(p.eventsOf('A', 'state').map((e) => e.ev)).toEqual([
      { type: 'state', from: 'CLOSED', to: 'SYN_SENT' },
      { type: 'state', from: 'SYN_SENT', to: 'ESTABLISHED' },
    ]);
    expect(p.eventsOf('B', 'state').map((e) => e.ev)).toEqual([
      { type: 'state', from: 'LISTEN', to: 'SYN_RECEIVED' },
      { type: 'state', from: 'SYN_RECEIVED', to: 'ESTABLISHED' },
    ]);
  });

  it('takes an RTT sample from the handshake: SRTT 100 ms, RTTVAR 50 ms, RTO 300 ms (RFC 6298 2.2)', () => {
    const p = new Pair({ delay: D }).connect().run(s(1));
    expect(p.a.srtt).toBe(ms(100));
    expect(p.a.rto).toBe(ms(300));
    expect(p.b.srtt).toBe(ms(100));
    expect(p.b.rto).toBe(ms(300));
  });

  it('wraps sequence numbers at 2^32', () => {
    const p = new Pair({ delay: D, issA: 2 ** 32 - 1, issB: 2 ** 32 - 2 }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(5000), now));
    p.at(ms(200), 'B', (c, now) => c.send(pattern(3000, 9), now));
    p.run(s(3));
    expect(p.sent[1]!.seg.ack).toBe(0);
    expect(p.bytes('B')).toEqual(pattern(5000));
    expect(p.bytes('A')).toEqual(pattern(3000, 9));
  });

  it('retransmits a lost SYN after the initial RTO of exactly 1 s; without timestamps then uses the 3 s fallback RTO', () => {
    const p = new Pair({ delay: D, optionsA: { timestamps: false }, drop: dropList([{ from: 'A', n: 1 }]) }).connect().run(s(5));
    const syns = p.segmentsFrom('A').filter((x) => x.seg.flags.syn);
    expect(syns.map((x) => [x.t, x.seg.retransmission, x.dropped])).toEqual([
      [0, false, true],
      [s(1), true, false],
    ]);
    expect(p.eventsOf('A', 'retransmit').map((e) => [e.t, e.ev])).toEqual([
      [s(1), { type: 'retransmit', seq: 1000, payloadBytes: 0, cause: 'syn-rto', rto: s(2) }],
    ]);
    expect(p.eventsOf('A', 'connected').map((e) => e.t)).toEqual([s(1) + ms(100)]);
    // Karn: no sample from the retransmitted SYN; RFC 6298 5.7 sets the RTO to 3 s.
    expect(p.a.srtt).toBeUndefined();
    expect(p.a.rto).toBe(s(3));
    // One SYN retransmission keeps IW10: Linux (tcp_init_transfer) cuts the window to one
    // segment only after more than one, given the 1 s initial RTO.
    expect(p.a.cwnd).toBe(10 * 1448);
  });

  it('after two SYN retransmissions the initial window is one segment (RFC 5681 3.1, Linux tcp_init_transfer)', () => {
    const p = new Pair({ delay: D, drop: dropList([{ from: 'A', n: 1 }, { from: 'A', n: 2 }]) }).connect().run(s(5));
    expect(p.eventsOf('A', 'connected').map((e) => e.t)).toEqual([s(3) + ms(100)]);
    expect(p.a.cwnd).toBe(1448);
  });

  it('with timestamps (Linux default) the retransmitted SYN is timed by its echo: no 3 s fallback', () => {
    // The SYN-ACK echoes the second SYN's TSval (1000 ms + 1 on the ms clock) and arrives at 1100 ms:
    // R = 100 ms, SRTT 100, variance term max(200, 200) = 200: RTO 300 ms (Linux
    // tcp_ack_update_rtt takes the echo when Karn forbids the sequence sample).
    const p = new Pair({ delay: D, drop: dropList([{ from: 'A', n: 1 }]) }).connect().run(s(5));
    expect(p.segmentsFrom('B')[0]!.seg.ts).toEqual({ val: 1051, ecr: 1001 });
    expect(p.a.srtt).toBe(ms(100));
    expect(p.a.rto).toBe(ms(300));
    expect(p.a.cwnd).toBe(10 * 1448); // one SYN retransmission keeps IW10 (Linux)
  });

  it('fails a connect with timeout after 6 SYN retransmissions (1+2+4+8+16+32+64 = 127 s)', () => {
    const p = new Pair({ delay: D, drop: (i) => i.from === 'A' }).connect().run(s(200));
    const syns = p.segmentsFrom('A').map((x) => x.t);
    expect(syns).toEqual([0, s(1), s(3), s(7), s(15), s(31), s(63)]);
    expect(p.eventsOf('A', 'failed').map((e) => [e.t, e.ev])).toEqual([[s(127), { type: 'failed', reason: 'timeout' }]]);
    expect(p.a.state).toBe('CLOSED');
    expect(p.a.nextTimer()).toBeUndefined();
  });

  it('reports refused when the peer answers the SYN with a RST', () => {
    const p = new Pair({ delay: D });
    // B is aborted before the SYN arrives: a CLOSED engine answers anything with a RST.
    p.b.abort(0);
    p.a.connect(0);
    p.pump('A');
    // Deliver the SYN to B as receiveSegment (not accept) so B answers like a closed port.
    const syn = p.sent[0]!.seg;
    p.b.receiveSegment(syn, ms(50));
    const rst = p.b.nextSegment()!;
    expect(rst.flags).toEqual({ rst: true, ack: true });
    expect(rst.ack).toBe(1001);
    expect(rst.wireBytes).toBe(40);
    p.a.receiveSegment(rst, ms(100));
    const events = [];
    for (let e = p.a.nextEvent(); e; e = p.a.nextEvent()) events.push(e);
    expect(events.at(-1)).toEqual({ type: 'failed', reason: 'refused' });
    expect(p.a.state).toBe('CLOSED');
  });
});

describe('header accounting', () => {
  it('counts payload + 52 bytes for data segments and 60 for SYNs (Linux defaults)', () => {
    const o = defaultTcpOptions();
    expect(segmentWireBytes(0, o.synOptionBytes)).toBe(60);
    expect(segmentWireBytes(0, o.tcpOptionBytes)).toBe(52);
    expect(segmentWireBytes(1448, o.tcpOptionBytes)).toBe(1500);
    expect(writeWireBytes(3000, 1448, 12)).toBe(3000 + 3 * 52);
    expect(writeWireBytes(100, 1448, 12, 22)).toBe(100 + 22 + 52);
  });

  it('gives each data segment payload + 52 bytes, and adds 22 bytes per TLS record', () => {
    const p = new Pair({ delay: D, optionsA: { nagle: false } }).connect();
    p.at(ms(200), 'A', (c, now) => c.send(pattern(3000), now));
    p.run(s(2));
    const data = p.segmentsFrom('A').filter((x) => x.seg.payload.length > 0);
    expect(data.map((x) => [x.seg.payload.length, x.seg.wireBytes])).toEqual([
      [1448, 1500],
      [1448, 1500],
      [104, 156],
    ]);
    const t = new Pair({ delay: D, optionsA: { nagle: false, tlsRecordOverhead: 22 } }).connect();
    t.at(ms(200), 'A', (c, now) => {
      c.send(pattern(100), now);
      c.send(pattern(3000), now);
    });
    t.run(s(2));
    const tls = t.segmentsFrom('A').filter((x) => x.seg.payload.length > 0);
    // Record 1 (100 bytes) and record 2 start in the first segment, which stays within 1448 + 52.
    expect(tls.map((x) => [x.seg.payload.length, x.seg.wireBytes])).toEqual([
      [100, 100 + 22 + 52],
      [1448 - 22, 1500],
      [1448, 1500],
      [3000 - 1426 - 1448, 3000 - 1426 - 1448 + 52],
    ]);
    expect(t.bytes('B')).toEqual(new Uint8Array([...pattern(100), ...pattern(3000)]));
  });
});

describe('timestamps in a repeated handshake', () => {
  it('a SYN-ACK sent again for a repeated SYN echoes that SYN (Linux tcp_check_req)', () => {
    // B's first SYN-ACK (50 ms) is lost. At 1050 ms B's own SYN-ACK timer (1 s) fires, echoing
    // the first SYN (TSval 1), and A's repeated SYN (sent at 1 s, TSval 1001) arrives: its
    // SYN-ACK echoes 1001. A takes the first to arrive (1100 ms): the echo says it answers the
    // SYN of time 0, so R = 1.1 s and RTO = 1.1 + max(2 x 1.1, 0.2) = 3.3 s, as Linux measures.
    const p = new Pair({ delay: ms(50), drop: dropList([{ from: 'B', n: 1 }]) }).connect().run(s(3));
    expect(p.segmentsFrom('B').map((x) => [x.t, x.seg.ts])).toEqual([
      [ms(50), { val: 51, ecr: 1 }],
      [ms(1050), { val: 1051, ecr: 1 }],
      [ms(1050), { val: 1051, ecr: 1001 }],
    ]);
    expect(p.a.srtt).toBe(ms(1100));
    expect(p.a.rto).toBe(ms(3300));
  });
});
