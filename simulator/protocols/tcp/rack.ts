/**
 * RACK: time-based loss detection (RFC 8985 section 6) as Linux runs it (net/ipv4/tcp_recovery.c,
 * net.ipv4.tcp_recovery = 1, used only with SACK). A segment is lost when a segment sent after it
 * has been delivered (cumulatively or selectively acknowledged) and more than RACK.rtt plus a
 * reordering window has passed since it was sent. So one lost segment among sparse small ones is
 * marked lost as soon as the next one's SACK arrives and a little time has passed, not after three
 * duplicate ACKs that sparse traffic may never produce.
 *
 * - RACK.rtt, RACK.xmit_ts: of the most recently sent segment delivered
 *   (tcp_rack_advance); a retransmitted one counts only if its RTT is at least min_rtt (else the
 *   ACK may be for the original).
 * - Reordering window (tcp_rack_reo_wnd, RFC 8985 6.2): min_rtt / 4, at most SRTT. While no
 *   reordering has been seen it is 0 in recovery and once DupThresh (3) segments are SACKed: the
 *   classic three-duplicate rule survives that way. Reordering is seen when a never-retransmitted
 *   segment is delivered below the highest SACKed sequence (tcp_check_sack_reordering); from then
 *   on the window is always open. It widens in steps of min_rtt / 4 (reo_wnd_steps, RFC 8985
 *   6.2.4, tcp_rack_update_reo_wnd): one more step after a round trip in which a D-SACK showed a
 *   spurious retransmission (once reordering was seen, and not for a probe's D-SACK); the width
 *   holds for 16 recoveries (TCP_RACK_RECOVERY_THRESH, reo_wnd_persist: one fewer per recovery
 *   that was not undone, one more per D-SACK undo), then falls back to one step.
 * - A segment not yet due gets the reordering timer at the latest due time + TCP_TIMEOUT_MIN
 *   (2 ms); when it fires, detection runs again (tcp_rack_reo_timeout).
 */
import type { Micros } from '../../core/time.ts';
import type { RetransmitQueue, SentSegment } from './scoreboard.ts';

/**
 * Linux TCP_TIMEOUT_MIN_US (include/net/tcp.h): added to the reordering timer, and to a probe
 * timeout with several segments out.
 */
export const TCP_TIMEOUT_MIN = 2_000;

/** Linux TCP_RACK_RECOVERY_THRESH: recoveries a widened reordering window lasts. */
const RECOVERY_THRESH = 16;

/** Linux tp->reordering default (TCP_FASTRETRANS_THRESH = 3): RFC 5681's DupThresh. */
export const DUP_THRESH = 3;

export class Rack {
  /** RACK.xmit_ts: send time of the most recently sent segment delivered; undefined before any. */
  #xmitTs: Micros | undefined;
  /** Its transmission rank, for sends at the same instant (Linux breaks such ties by end_seq). */
  #order = 0;
  /** RACK.rtt (µs). */
  rtt: Micros = 0;
  /** Reordering was observed on this connection (Linux tp->reord_seen). */
  reordSeen = false;
  /** Set when RACK.xmit_ts moved; detection runs only then (tp->rack.advanced). */
  advanced = false;
  /** A D-SACK arrived since the window last changed (tp->rack.dsack_seen). */
  dsackSeen = false;
  /** Width in min_rtt / 4 units (reo_wnd_steps) and how long it holds (reo_wnd_persist). */
  steps = 1;
  #persist = 0;
  /** Transmission rank when the window last widened (tp->rack.last_delivered, in sends). */
  #widenedAt = 0;
  /** Bytes the last `detectLoss` marked lost. */
  markedBytes = 0;

  /**
   * tcp_rack_update_reo_wnd, on an ACK that delivered something: `sentOrder` is the rank of the
   * most recently sent segment it delivered, `sends` the transmissions so far. A D-SACK widens
   * the window by a step, unless it answers a segment sent before the last widening (less than
   * a round trip ago).
   */
  updateReoWnd(sentOrder: number, sends: number): void {
    if (sentOrder < this.#widenedAt) this.dsackSeen = false;
    if (this.dsackSeen) {
      this.steps = Math.min(0xff, this.steps + 1);
      this.dsackSeen = false;
      this.#widenedAt = sends;
      this.#persist = RECOVERY_THRESH;
    } else if (this.#persist === 0) {
      this.steps = 1;
    }
  }

  /** A recovery ended without undo (tcp_try_undo_recovery): the widening wears off. */
  recoveryKept(): void {
    if (this.#persist > 0) this.#persist--;
  }

  /** A D-SACK undo (tcp_try_undo_dsack): the widening holds one recovery longer. */
  undoneByDsack(): void {
    this.#persist = Math.min(RECOVERY_THRESH, this.#persist + 1);
  }

  /** A segment was delivered (acked or SACKed) at `now` (tcp_rack_advance). */
  advance(seg: SentSegment, now: Micros, minRtt: Micros | undefined): void {
    if (this.#xmitTs !== undefined && !sentAfter(seg.sentAt, this.#xmitTs, seg.sentOrder, this.#order)) return;
    const rtt = now - seg.sentAt;
    // An ACK for a retransmitted segment sooner than min_rtt acknowledges the original.
    if (seg.retransmitted && minRtt !== undefined && rtt < minRtt) return;
    this.rtt = rtt;
    this.#xmitTs = seg.sentAt;
    this.#order = seg.sentOrder;
    this.advanced = true;
  }

  /** tcp_rack_reo_wnd. */
  reoWnd(minRtt: Micros | undefined, srtt: Micros | undefined, inRecovery: boolean, sackedSegments: number): Micros {
    if (!this.reordSeen && (inRecovery || sackedSegments >= DUP_THRESH)) return 0;
    if (minRtt === undefined) return 0;
    return Math.min(Math.floor(minRtt / 4) * this.steps, srtt === undefined ? Infinity : Math.floor(srtt));
  }

  /**
   * tcp_rack_detect_loss: marks lost (`queue.markLost`) every segment not delivered, sent before
   * RACK.xmit_ts (Linux walks tsorted_sent_queue and stops at the first sent later) and older
   * than RACK.rtt + `reoWnd`; `markedBytes` says how many bytes that was. Returns how long until
   * the next one falls due, or undefined.
   */
  detectLoss(queue: RetransmitQueue, now: Micros, reoWnd: Micros): Micros | undefined {
    this.advanced = false;
    this.markedBytes = 0;
    if (this.#xmitTs === undefined) return undefined;
    let timeout: Micros | undefined;
    // Marking a segment lost changes neither which entries are stale nor the list: one walk.
    for (let j = queue.sendOrderHead(), n = queue.sendOrderLength; j < n; j++) {
      if (queue.sendOrderRank(j) >= this.#order) break;
      const seg = queue.sendOrderSegment(j);
      // Stale, or marked lost and not sent again since: nothing new to decide.
      if (seg === undefined || (seg.lost && !seg.inFlightAgain)) continue;
      const remaining = this.rtt + reoWnd - (now - seg.sentAt);
      if (remaining <= 0) {
        this.markedBytes += seg.end - seg.start;
        queue.markLost(seg);
      } else timeout = Math.max(timeout ?? 0, remaining);
    }
    return timeout;
  }
}

/** tcp_rack_sent_after: t1 later than t2, or at the same time but sent later. */
function sentAfter(t1: Micros, t2: Micros, order1: number, order2: number): boolean {
  return t1 > t2 || (t1 === t2 && order1 > order2);
}
