/**
 * Goodput of a congestion control algorithm on a loss-only path, and the models it is held to.
 * The path is the harness's (tests/protocols/tcp/harness.ts): a fixed one-way delay, no
 * bandwidth limit, Bernoulli loss on A's data segments from a seeded stream, ACKs never lost.
 */
import { Rng } from '../../../../simulator/core/rng.ts';
import { s, type Micros } from '../../../../simulator/core/time.ts';
import type { CongestionName } from '../../../../simulator/protocols/tcp/cc/types.ts';
import type { TcpConnection } from '../../../../simulator/protocols/tcp/connection.ts';
import { Pair } from '../harness.ts';

export interface CcGoodput {
  /** Application bytes per second B received between `warmup` and `duration`. */
  goodput: number;
  timeouts: number;
  fastRetransmits: number;
}

/** A sender that never runs out of data (4 MiB kept ahead of the ACKs), as tests/protocols/tcp/goodput.ts. */
export function ccGoodput(congestion: CongestionName, p: number, seed: number, rtt: Micros, warmup: Micros, duration: Micros): CcGoodput {
  const rng = Rng.stream(seed, 'tcp-goodput/loss');
  const pair = new Pair({
    delay: rtt / 2,
    optionsA: { congestion },
    drop: (i) => i.from === 'A' && i.dataN !== undefined && rng.bernoulli(p),
    eventBudget: 50_000_000,
  }).connect();
  const block = new Uint8Array(1 << 20);
  const feed = (c: TcpConnection, now: Micros) => {
    while (c.unacknowledgedBytes < 4 << 20) c.send(block, now);
  };
  for (let t = rtt; t < duration; t += rtt) pair.at(t, 'A', feed);
  let atWarmup = 0;
  pair.sched.at(warmup, () => {
    atWarmup = pair.receivedBytes('B');
  });
  pair.run(duration);
  const count = (cause: string) => pair.eventsOf('A', 'retransmit').filter((e) => e.ev.type === 'retransmit' && e.ev.cause === cause).length;
  return {
    goodput: (pair.receivedBytes('B') - atWarmup) / ((duration - warmup) / s(1)),
    timeouts: count('rto'),
    fastRetransmits: count('fast-retransmit'),
  };
}

/**
 * RFC 9438 section 5.1: CUBIC's average window under deterministic loss p, in segments, RTT in
 * seconds, is the larger of the cubic region's
 *   AVG_W_cubic = (C (3 + beta) / (4 (1 - beta)))^(1/4) x (RTT / p)^(3/4)
 * (integrate W(t) = C (t - K)^3 + W_max from beta W_max to W_max; 1/p segments per period) and
 * the Reno-friendly region's AIMD(alpha, beta) average, sqrt(alpha (1 + beta) / (2 (1 - beta) p)),
 * which with alpha = 3 (1 - beta) / (1 + beta) is Reno's sqrt(3 / (2p)).
 */
export function cubicAvgWindow(rttS: number, p: number, c = 0.4, beta = 0.7): { cubic: number; friendly: number } {
  return {
    cubic: ((c * (3 + beta)) / (4 * (1 - beta))) ** 0.25 * (rttS / p) ** 0.75,
    friendly: Math.sqrt(3 / (2 * p)),
  };
}

/** The RFC 9438 response function as goodput in bytes per second. */
export function cubicModel(mss: number, rttS: number, p: number): number {
  const w = cubicAvgWindow(rttS, p);
  return (Math.max(w.cubic, w.friendly) * mss) / rttS;
}
