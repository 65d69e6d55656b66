import { describe, expect, it } from 'vitest';
import { SendBuffer } from '../../../simulator/protocols/tcp/send-buffer.ts';
import { Reassembly } from '../../../simulator/protocols/tcp/reassembly.ts';
import { RttEstimator } from '../../../simulator/protocols/tcp/rtt.ts';
import { Reno } from '../../../simulator/protocols/tcp/cc/reno.ts';
import { LossRecovery } from '../../../simulator/protocols/tcp/recovery.ts';
import { ms, s } from '../../../simulator/core/time.ts';
import { pattern } from './harness.ts';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('SendBuffer', () => {
  it('returns bytes across writes and copies what it is given', () => {
    const b = new SendBuffer(100);
    const w = pattern(10);
    b.write(w);
    b.write(pattern(10, 5));
    w.fill(0);
    expect(b.end).toBe(120);
    expect(b.bytesAt(105, 10)).toEqual(new Uint8Array([...pattern(10).subarray(5), ...pattern(10, 5).subarray(0, 5)]));
  });

  it('hands out small writes gathered into one segment as one view, whose bytes later writes and releases never change', () => {
    const b = new SendBuffer(0, false);
    // 30 writes of 20 bytes into blocks of twice what is unacknowledged: 2 x 20 -> 64 bytes (the
    // smallest) at 0 takes writes 0-2; 2 x (60 + 20) = 160 at 60 takes writes 3-10; 2 x (220 + 20)
    // = 480 at 220 takes writes 11-29 and has room for 5 more.
    const writes = Array.from({ length: 30 }, (_, i) => pattern(20, i));
    for (const w of writes) b.write(w);
    const expected = (from: number, len: number) => concat(writes).subarray(from, from + len);
    const inOne = b.bytesAt(240, 200); // writes 12-21, all in the third block
    const across = b.bytesAt(50, 20); // the end of write 2 and the start of write 3: two blocks
    expect(inOne).toEqual(expected(240, 200));
    expect(across).toEqual(expected(50, 20));
    // A view of the third block (its buffer is larger than the bytes asked for); a copy across.
    expect(inOne.buffer.byteLength).toBe(480);
    expect(b.bytesAt(0, 60).buffer.byteLength).toBe(64);
    expect(across.buffer.byteLength).toBe(20);
    // 40 more writes fill the third block and start a fourth; the first two are acknowledged.
    for (let i = 0; i < 40; i++) b.write(pattern(20, 99));
    b.release(500);
    expect(inOne).toEqual(expected(240, 200));
    expect(b.bytesAt(500, 100)).toEqual(expected(500, 100));
    expect(b.bytesAt(690, 20)).toEqual(new Uint8Array([...pattern(20, 99).subarray(10), ...pattern(20, 99).subarray(0, 10)]));
  });

  it('counts TLS records by the position of their first byte (one per write, split at 16 KiB)', () => {
    const b = new SendBuffer(0);
    b.write(pattern(100)); // record at 0
    b.write(pattern(40_000)); // records at 100, 16484, 32868
    expect(b.tlsRecordsIn(0, 1)).toBe(1);
    expect(b.tlsRecordsIn(1, 100)).toBe(0);
    expect(b.tlsRecordsIn(0, 101)).toBe(2);
    expect(b.tlsRecordsIn(101, 16_484)).toBe(0);
    expect(b.tlsRecordsIn(16_484, 16_485)).toBe(1);
    expect(b.tlsRecordsIn(0, 40_100)).toBe(4);
    b.release(16_000);
    expect(b.tlsRecordsIn(16_000, 40_100)).toBe(2);
  });
});

describe('Reassembly', () => {
  it('gives back held data in order, trimmed to what is still missing', () => {
    const r = new Reassembly();
    r.hold(30, pattern(10, 3)); // 30..39
    r.hold(10, pattern(10, 1)); // 10..19
    r.hold(15, pattern(10, 2)); // 15..24 overlaps
    r.hold(10, pattern(5, 1)); // shorter duplicate: ignored
    expect(r.take(5)).toBeUndefined();
    expect(r.take(10)).toEqual(pattern(10, 1));
    expect(r.take(20)).toEqual(pattern(10, 2).subarray(5));
    expect(r.take(25)).toBeUndefined();
    expect(r.isEmpty).toBe(false);
    expect(r.take(35)).toEqual(pattern(10, 3).subarray(5));
    expect(r.isEmpty).toBe(true);
  });
});

describe('RttEstimator (Linux tcp_rtt_estimator)', () => {
  it('starts at RTO = R + max(2R, 200 ms), damps a falling RTT, backs off to the maximum', () => {
    const e = new RttEstimator(ms(200), s(120), s(1));
    expect(e.rto).toBe(s(1));
    expect(e.srtt).toBeUndefined();
    e.sample(ms(500), 1, 1); // SRTT 500, mdev 2 x 500 = 1000: RTO 1500
    expect(e.rto).toBe(ms(1500));
    // Same window (SND.UNA not past the window start): error -400 ms; SRTT 450; on a falling RTT
    // mdev moves by (400 - 1000/4) / 8 = 18.75 ms only (gain 1/32), to 1018.75 ms.
    e.sample(ms(100), 1, 1);
    expect(e.srtt).toBe(ms(450));
    expect(e.rttvar).toBe(1_018_750);
    expect(e.rto).toBe(1_468_750);
    for (let i = 0; i < 20; i++) e.backoff();
    expect(e.rto).toBe(s(120));
  });

  it('on a steady 300 ms path settles at SRTT + 200 ms, where RFC 6298 with a 200 ms floor gives 300 ms', () => {
    // One sample per window: mdev 600, 450, 337.5, 253.1 ms..., the variance term decays a quarter
    // of the way to each window's largest mdev (floored at 200 ms): 600, 600, 534.375, 464.063 ms...
    const e = new RttEstimator(ms(200), s(120), s(1));
    const rtos: number[] = [];
    for (let i = 1; i <= 45; i++) {
      e.sample(ms(300), 2 * i, 2 * i + 1); // each ACK passes the SND.NXT of the one before: a new window
      rtos.push(e.rto);
    }
    expect(rtos.slice(0, 5)).toEqual([900_000, 900_000, 834_375, 764_063, 698_048]);
    expect(e.srtt).toBe(ms(300));
    expect(e.rttvar).toBe(200_003); // integer steps of a quarter stop 3 µs above the floor
    expect(e.rto).toBe(500_003);
  });
});

describe('Reno with NewReno fast recovery', () => {
  it('halves on the third duplicate ACK and inflates by one MSS per further duplicate', () => {
    const r = new LossRecovery(new Reno(), 1000, 20_000, 0);
    expect(r.limitedTransmit).toBe(0);
    expect(r.onDuplicateAck(1, 20_001)).toBe(false);
    expect(r.limitedTransmit).toBe(1000); // RFC 3042: one new segment per early duplicate
    expect(r.onDuplicateAck(1, 22_001)).toBe(false);
    expect(r.limitedTransmit).toBe(2000);
    // Third duplicate: FlightSize counts up to cwnd (20 000), not the 2 limited-transmit segments.
    expect(r.onDuplicateAck(1, 22_001)).toBe(true);
    expect(r.ssthresh).toBe(10_000);
    expect(r.cwnd).toBe(13_000);
    expect(r.limitedTransmit).toBe(0);
    r.onDuplicateAck(1, 20_001);
    expect(r.cwnd).toBe(14_000);
    // A full ACK ends recovery with cwnd = min(ssthresh, max(flight, MSS) + MSS) (RFC 6582 3.2).
    expect(r.onAck(22_001, 22_000, 22_000, 0)).toBeUndefined();
    expect(r.inRecovery).toBe(false);
    expect(r.cwnd).toBe(2000);
  });

  it('grows one MSS per window of acknowledged bytes in congestion avoidance', () => {
    const r = new LossRecovery(new Reno(), 1000, 10_000, 0);
    r.sk.ssthresh = 10_000;
    for (let i = 0; i < 10; i++) r.onAck(1 + 1000 * (i + 1), 1000, 10_000, 9000);
    expect(r.cwnd).toBe(11_000);
  });
});
