/**
 * The virtual TCP over the real link model against the Mathis et al. (1997) model of Reno's
 * steady-state throughput: MSS / RTT * C / sqrt(p), C = sqrt(3/2) ≈ 1.22 (one ACK per segment's
 * worth of window growth; the engine counts bytes, RFC 3465, so delayed ACKs do not change C).
 *
 * Set-up: RTT 50 ms (12.5 ms on each of the four access-link crossings), 1 Gbit/s so the window,
 * not the link, limits the rate; Bernoulli loss p on the sender's uplink only (data segments),
 * so p is exactly the model's loss rate. Each transfer is long enough for about 120 loss events.
 *
 * Mathis ignores retransmission timeouts. At 5% loss the window averages about 5 segments, too
 * few for three duplicate ACKs after many losses, so RTOs (200 ms minimum, 4 RTTs) take a large
 * share of the time and goodput falls about a third below Mathis. That point is checked against
 * the model that counts timeouts, Padhye et al. (1998, "PFTK", eq. 30), instead.
 *
 * Both models describe Reno without SACK, so the sender runs exactly that (`congestion: 'reno'`,
 * `sack: false`; the engine's defaults are Linux's cubic with SACK and RACK, which do better at
 * 5% loss: see tests/protocols/tcp/cc/ for CUBIC against RFC 9438's response function).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/runtime/run.ts';
import { bulk } from './helpers.ts';

const MSS = 1448;
const RTT_S = 0.05;
/** The engine's minimum RTO (Linux TCP_RTO_MIN): with a steady 50 ms RTT the RTO sits there. */
const T0_S = 0.2;

const mathisBps = (p: number) => ((MSS * 8) / RTT_S) * (Math.sqrt(1.5) / Math.sqrt(p));

/** PFTK approximate model, eq. (30), b = 1: rate in bits/s. */
const pftkBps = (p: number) => {
  const b = 1;
  const denom = RTT_S * Math.sqrt((2 * b * p) / 3) + T0_S * Math.min(1, 3 * Math.sqrt((3 * b * p) / 8)) * p * (1 + 32 * p * p);
  return (MSS * 8) / denom;
};

function goodputBps(lossPct: number, seed: number): number {
  const p = lossPct / 100;
  const bytes = Math.max(5_000_000, Math.round(120 / p) * MSS);
  const { trace } = runScenario(
    bulk({ seed, bytes, durationS: 1200, defaults: { latencyMs: 12.5, bandwidthKbps: 1_000_000 }, senderUp: { lossPct }, tcp: { congestion: 'reno', sack: false } }),
    { traceLimit: 10 },
  );
  const send = trace.find((r) => r.kind === 'app-send');
  const deliver = trace.find((r) => r.kind === 'app-deliver');
  if (send === undefined || deliver === undefined) throw new Error(`transfer at ${lossPct}% did not complete`);
  return (bytes * 8) / ((deliver.t - send.t) / 1e6);
}

describe('goodput vs loss at RTT 50 ms (Mathis)', () => {
  it.each([0.1, 0.5, 1, 2])('tracks MSS/RTT x 1.22/sqrt(p) within 30 percent at %s percent loss', (lossPct) => {
    const ratio = goodputBps(lossPct, 1) / mathisBps(lossPct / 100);
    expect(ratio).toBeGreaterThan(0.7);
    expect(ratio).toBeLessThan(1.3);
  });

  it('falls below Mathis at 5% loss by the share of time spent in timeouts (PFTK within 15%)', () => {
    const g = goodputBps(5, 1);
    expect(g / mathisBps(0.05)).toBeLessThan(0.8);
    expect(g / pftkBps(0.05)).toBeGreaterThan(0.85);
    expect(g / pftkBps(0.05)).toBeLessThan(1.15);
  });
});
