/**
 * The connect cases' simulated side (fidelity/sim.ts): chapter 2's engine-run handshake over the
 * testbed's span, from the client's SYN to the first message back on the client's side. Counted
 * in round trips of the 25 ms link (50 ms), rounded: the serialization at 10 Mbit/s and the
 * delayed ACK inside "connect mqtts" are what the rounding hides.
 */
import { describe, expect, it } from 'vitest';
import { fidelityGrid } from '../../fidelity/cases.ts';
import { runSim } from '../../fidelity/sim.ts';

const connects = fidelityGrid('full').filter((c) => c.kind === 'connect');

describe('simulated connect cases', () => {
  it('gives every connect case a figure, the same for every seed', () => {
    for (const c of connects) {
      const a = runSim(c, 1, 'bbr');
      expect(a['first message ms'], c.id).toBeGreaterThan(0);
      expect(runSim(c, 2, 'bbr'), c.id).toEqual(a);
    }
  });

  it('needs the round trips each connect takes', () => {
    const rtts = Object.fromEntries(connects.map((c) => [c.id, Math.round(runSim(c, 1, 'bbr')['first message RTTs']!)]));
    expect(rtts).toEqual({
      // SYN/SYN-ACK, CONNECT/CONNACK (or upgrade/101), then the message there and back (subscriber or echo).
      'connect mqtt': 3,
      'connect ws': 3,
      // TLS 1.3 adds one round trip (ClientHello/server flight; the Finished travels with CONNECT or GET).
      'connect wss': 4,
      'connect mqtts nodelay': 4,
      // With Nagle on, mosquitto's CONNACK waits behind the second session ticket until the client's
      // delayed ACK of the first comes back: one more round trip plus up to 40 ms (5.88 here).
      'connect mqtts': 6,
    });
  });
});
