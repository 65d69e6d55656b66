/**
 * Steady-state goodput of a bulk transfer through the test harness, for comparison with the
 * Mathis and Padhye models (tests/protocols/tcp/goodput.test.ts).
 */
import { Rng } from '../../../simulator/core/rng.ts';
import { ms, s, type Micros } from '../../../simulator/core/time.ts';
import type { TcpConnection } from '../../../simulator/protocols/tcp/connection.ts';
import { Pair } from './harness.ts';

export interface GoodputRun {
  /** Application bytes per second delivered to B between `warmup` and `duration`. */
  goodput: number;
  fastRetransmits: number;
  timeouts: number;
  probes: number;
  /** B's bytes were exactly what A sent, in order (checked on a pattern stream). */
  intact: boolean;
  /** A's RTO at the end (µs). */
  rto: Micros;
}

/**
 * A sends without end (the send buffer is kept 4 MiB ahead of the ACKs) over a link with a
 * one-way delay of rtt/2, no bandwidth limit, and Bernoulli loss `p` on A's data segments
 * (ACKs are not lost). Goodput is measured after `warmup`, once slow start is long over.
 */
export function bulkGoodput(p: number, seed: number, rtt: Micros, warmup: Micros, duration: Micros): GoodputRun {
  const rng = Rng.stream(seed, 'tcp-goodput/loss');
  const pair = new Pair({
    delay: rtt / 2,
    // The models are of Reno without SACK: Reno with NewReno recovery (SACK off on the sender).
    optionsA: { sack: false, congestion: 'reno' },
    drop: (i) => i.from === 'A' && i.dataN !== undefined && rng.bernoulli(p),
    eventBudget: 50_000_000,
  }).connect();
  const block = new Uint8Array(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (i * 13 + (i >>> 10)) & 0xff;
  const feed = (c: TcpConnection, now: Micros) => {
    while (c.unacknowledgedBytes < 4 << 20) c.send(block, now);
  };
  for (let t = rtt; t < duration; t += ms(100)) pair.at(t, 'A', feed);
  let atWarmup = 0;
  pair.sched.at(warmup, () => {
    atWarmup = pair.receivedBytes('B');
  });
  pair.run(duration);
  // Check the stream: every byte B got is the block's byte at that offset.
  let offset = 0;
  let intact = true;
  for (const part of pair.received.B) {
    for (let i = 0; i < part.length && intact; i += 997) if (part[i] !== block[(offset + i) % block.length]) intact = false;
    offset += part.length;
  }
  const count = (cause: string) => pair.eventsOf('A', 'retransmit').filter((e) => e.ev.type === 'retransmit' && e.ev.cause === cause).length;
  return {
    goodput: (pair.receivedBytes('B') - atWarmup) / ((duration - warmup) / s(1)),
    fastRetransmits: count('fast-retransmit'),
    timeouts: count('rto'),
    probes: count('tail-loss-probe'),
    intact,
    rto: pair.a.rto,
  };
}

/** Mathis et al. 1997: MSS / RTT x C / sqrt(p), C = sqrt(3/2) ≈ 1.22 (bytes per second). */
export function mathis(mss: number, rttS: number, p: number): number {
  return (mss / rttS) * (Math.sqrt(1.5) / Math.sqrt(p));
}

/**
 * Padhye et al. 1998 (eq. 32, without the receive-window cap): adds retransmission timeouts,
 * which dominate at high loss. b = segments per window increase per ACK (1 here: congestion
 * avoidance counts bytes, RFC 3465), t0 = the RTO in seconds. Bytes per second.
 */
export function padhye(mss: number, rttS: number, p: number, t0S: number, b = 1): number {
  const denom =
    rttS * Math.sqrt((2 * b * p) / 3) + t0S * Math.min(1, 3 * Math.sqrt((3 * b * p) / 8)) * p * (1 + 32 * p * p);
  return mss / denom;
}
