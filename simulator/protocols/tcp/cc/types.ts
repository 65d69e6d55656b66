/**
 * The contract between the TCP connection and a congestion control algorithm, shaped after
 * Linux's `struct tcp_congestion_ops` (include/net/tcp.h) so each algorithm reads like its
 * kernel file (tcp_cong.c for Reno, tcp_cubic.c, tcp_bbr.c).
 *
 * Division of labour, as in Linux:
 * - The connection owns loss detection and recovery (SACK scoreboard, RFC 6675, RACK-TLP, RTO)
 *   and, for loss-based algorithms, the window during recovery (PRR, RFC 6937, as
 *   tcp_cwnd_reduction). It asks the algorithm only for the new ssthresh when recovery or an RTO
 *   begins, and calls `congAvoid` on ACKs outside recovery.
 * - An algorithm with `congControl` (BBR) sets cwnd and the pacing rate itself on every ACK from
 *   a delivery-rate sample (tcp_rate.c); the connection then skips PRR and `congAvoid`.
 *
 * Units: bytes and integer microseconds, as everywhere in the virtual TCP. No clock, no
 * randomness: `now` is passed in; BBR's random cycle phase comes from an injected number.
 *
 * When the connection calls an algorithm on an ACK (pktsAcked, congAvoid, congControl), the
 * CcSocket already reflects that ACK (delivered, lost, inFlight), as tcp_sock does in Linux by
 * the time tcp_ack() calls the congestion ops.
 */
import type { Micros } from '../../../core/time.ts';

/** Linux's congestion states (enum tcp_ca_state). */
export type CaState = 'open' | 'disorder' | 'cwr' | 'recovery' | 'loss';

/** Linux's congestion events (enum tcp_ca_event) that the algorithms here listen to. */
export type CaEvent =
  /** First transmission after the connection was idle (nothing in flight): CA_EVENT_TX_START. */
  | 'tx-start'
  /** The window was restarted after idle (tcp_cwnd_restart): CA_EVENT_CWND_RESTART. */
  | 'cwnd-restart'
  /** An RTO fired: CA_EVENT_LOSS. */
  | 'loss';

/** What an algorithm reads and writes of the connection (fields of Linux's tcp_sock). */
export interface CcSocket {
  readonly mss: number;
  /** Congestion window in bytes (snd_cwnd x mss). Written by the algorithm. */
  cwnd: number;
  /** Slow-start threshold in bytes; Number.MAX_SAFE_INTEGER until the first loss. */
  ssthresh: number;
  /** Bytes in flight now (tcp_packets_in_flight: sent - SACKed - lost + retransmitted). */
  readonly inFlight: number;
  /** Whether the last window was limited by cwnd rather than by the application (tcp_is_cwnd_limited). */
  readonly cwndLimited: boolean;
  /** Smoothed RTT in µs, undefined before the first sample. */
  readonly srtt: Micros | undefined;
  /** Windowed minimum RTT in µs (tcp_min_rtt, 5 min window), undefined before the first sample. */
  readonly minRtt: Micros | undefined;
  /** Total bytes delivered (acknowledged or SACKed) on this connection (tp->delivered x mss). */
  readonly delivered: number;
  /** Total bytes marked lost on this connection (tp->lost x mss); BBR's policer detection reads it. */
  readonly lost: number;
  /**
   * When data was last sent (tp->lsndtime), µs. At a 'tx-start' event it is still the time of
   * the send before the idle period (tcp_event_data_sent raises the event before updating it);
   * CUBIC shifts its epoch by the idle time.
   */
  readonly lastSendTime: Micros;
  /**
   * The application-limited mark of the delivery-rate estimator (tp->app_limited, tcp_rate.c):
   * 0, or the `delivered` total at which the app-limited stretch ends. BBR writes it in PROBE_RTT
   * so its low-rate samples are ignored.
   */
  appLimited: number;
  /** Pacing rate in bytes per second; undefined means no pacing. Written by the algorithm. */
  pacingRate: number | undefined;
}

/** A delivery-rate sample taken on one ACK (struct rate_sample, net/ipv4/tcp_rate.c). */
export interface RateSample {
  /** Bytes delivered over the sample's interval. */
  delivered: number;
  /** The interval in µs (the longer of the send and ACK phases); 0 or less means no sample. */
  intervalUs: Micros;
  /** RTT of the most recently sent segment this ACK covers, in µs; undefined if none. */
  rttUs: Micros | undefined;
  /** The sample was taken while the application, not the network, limited sending. */
  isAppLimited: boolean;
  /** Bytes newly marked lost on this ACK. */
  losses: number;
  /** Bytes newly acknowledged or SACKed on this ACK. */
  ackedSacked: number;
  /** Bytes in flight before this ACK was processed. */
  priorInFlight: number;
  /** The connection's delivered total (CcSocket.delivered) when the sampled segment was sent. */
  priorDelivered: number;
  /**
   * The ACK may have been delayed by the receiver (Linux FLAG_ACK_MAYBE_DELAYED: it covers one
   * small segment); BBR then does not let its RTT refresh an expired min_rtt.
   */
  isAckDelayed?: boolean;
}

export type CongestionName = 'reno' | 'cubic' | 'bbr';

/** One congestion control algorithm for one connection (tcp_congestion_ops). */
export interface CongestionControl {
  readonly name: CongestionName;
  /** Called once when the connection is established. */
  init(sk: CcSocket, now: Micros): void;
  /** The new ssthresh when loss recovery or an RTO begins (.ssthresh). */
  ssthresh(sk: CcSocket, now: Micros): number;
  /** Grow the window on an ACK outside recovery (.cong_avoid); `acked` is bytes newly acknowledged. */
  congAvoid?(sk: CcSocket, acked: number, now: Micros): void;
  /** Full control on every ACK from a rate sample (.cong_control); replaces PRR and congAvoid. */
  congControl?(sk: CcSocket, rs: RateSample, now: Micros): void;
  /** The congestion state changed (.set_state). */
  setState?(sk: CcSocket, state: CaState, now: Micros): void;
  /** A congestion event happened (.cwnd_event). */
  cwndEvent?(sk: CcSocket, event: CaEvent, now: Micros): void;
  /** An ACK acknowledged `acked` bytes with an RTT sample (.pkts_acked); `rttUs` undefined if none. */
  pktsAcked?(sk: CcSocket, acked: number, rttUs: Micros | undefined, now: Micros): void;
  /** The window to restore when a reduction proves spurious (.undo_cwnd). */
  undoCwnd?(sk: CcSocket): number;
}
