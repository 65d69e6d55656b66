/**
 * A hand-driven CcSocket for the congestion control tests: the connection's CcWindow, its fields
 * set by the test, and an ACK clock that delivers one window per round trip.
 */
import type { Micros } from '../../../../simulator/core/time.ts';
import type { CongestionControl } from '../../../../simulator/protocols/tcp/cc/types.ts';
import { CcWindow } from '../../../../simulator/protocols/tcp/recovery.ts';

export const MSS = 1448;

/** The connection's own CcWindow, window-limited from the start (a bulk sender). */
export class FakeSocket extends CcWindow {
  constructor(cwndSegments: number) {
    super(MSS, cwndSegments * MSS);
    this.cwndLimited = true;
  }
}

/**
 * One round trip of a window-limited bulk sender: the window at the start of the round is
 * acknowledged one MSS at a time, evenly spread over `rtt`, each ACK carrying an RTT sample of
 * `rtt` (the path has no queue). Returns the time at the end of the round.
 */
export function ackOneRound(cc: CongestionControl, sk: FakeSocket, start: Micros, rtt: Micros): Micros {
  const n = Math.floor(sk.cwnd / MSS);
  for (let i = 1; i <= n; i++) {
    const t = start + Math.floor((i * rtt) / n);
    sk.delivered += MSS;
    sk.inFlight = sk.cwnd - MSS;
    cc.pktsAcked?.(sk, MSS, rtt, t);
    cc.congAvoid?.(sk, MSS, t);
  }
  return start + rtt;
}
