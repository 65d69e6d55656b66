import { describe, expect, it } from 'vitest';
import { SendBuffer } from '../../../simulator/protocols/tcp/send-buffer.ts';
import { Reassembly } from '../../../simulator/protocols/tcp/reassembly.ts';
import { RttEstimator } from '../../../simulator/protocols/tcp/rtt.ts';
import { Reno } from '../../../simulator/protocols/tcp/congestion.ts';
import { ms, s } from '../../../simulator/core/time.ts';
import { pattern } from './harness.ts';

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

describe('RttEstimator (RFC 6298)', () => {
  it('computes SRTT, RTTVAR and a clamped RTO; backs off to the maximum', () => {
    const e = new RttEstimator(ms(200), s(120), s(1));
    expect(e.rto).toBe(s(1));
    e.sample(ms(500)); // SRTT 500, RTTVAR 250, RTO 1500
    expect(e.rto).toBe(ms(1500));
    e.sample(ms(100)); // RTTVAR 0.75*250 + 0.25*400 = 287.5; SRTT 0.875*500 + 0.125*100 = 450
    expect(e.srtt).toBe(ms(450));
    expect(e.rto).toBe(ms(450 + 4 * 287.5));
    for (let i = 0; i < 50; i++) e.sample(ms(10));
    expect(e.rto).toBe(ms(200)); // clamped to the minimum
    for (let i = 0; i < 20; i++) e.backoff();
    expect(e.rto).toBe(s(120));
  });
});

describe('Reno', () => {
  it('halves on the third duplicate ACK and inflates by one MSS per further duplicate', () => {
    const r = new Reno(1000, 20_000, 0);
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
    const r = new Reno(1000, 10_000, 0);
    r.ssthresh = 10_000;
    for (let i = 0; i < 10; i++) r.onAck(1 + 1000 * (i + 1), 1000, 10_000, 9000);
    expect(r.cwnd).toBe(11_000);
  });
});
