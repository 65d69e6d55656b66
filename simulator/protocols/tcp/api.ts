/**
 * The contract between the virtual TCP engine and the runtime that carries its segments.
 *
 * TcpConnection is sans-IO (see ../shared/STYLE.md): no clock, no timers, no randomness of its
 * own. Every entry point takes `now`; the runtime drains `nextSegment()` and `nextEvent()` after
 * each call, puts the segments on the link, and wakes the engine at `nextTimer()` with
 * `handleTimer(now)`.
 */
import type { CongestionName } from './cc/types.ts';
import type { Micros } from '../../core/time.ts';
import type { TcpState } from '../../core/trace.ts';

export interface TcpFlags {
  syn?: boolean;
  ack?: boolean;
  fin?: boolean;
  rst?: boolean;
  psh?: boolean;
}

/** One TCP segment as it crosses a link. Sequence numbers are 32-bit unsigned, wrapping. */
export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: TcpFlags;
  window: number;
  /** Application bytes carried (possibly empty). */
  payload: Uint8Array;
  /** Whole IP packet size as counted on the link: IPv4 + TCP header + options + TLS + payload. */
  wireBytes: number;
  /** True when the engine sent these bytes before (for traces and per-link counts). */
  retransmission: boolean;
  /**
   * Timestamps option (RFC 7323 section 3): TSval and TSecr, on every segment once both SYNs
   * carried it. In milliseconds, Linux's timestamp clock (TCP_TS_HZ = 1000). Its 12 bytes are
   * part of `tcpOptionBytes`.
   */
  ts?: { val: number; ecr: number };
  /** SACK-permitted option on a SYN or SYN-ACK (RFC 2018 section 2). */
  sackOk?: boolean;
  /**
   * SACK blocks (RFC 2018 section 3): [left, right) in wire sequence numbers, most recent first.
   * They add 4 + 8 per block bytes to `wireBytes` (Linux TCPOLEN_SACK_BASE_ALIGNED + PERBLOCK).
   */
  sack?: [number, number][];
}

export interface TcpOptions {
  /** Maximum segment size in payload bytes (default 1448: 1500 MTU - 20 IP - 20 TCP - 12 timestamps). */
  mss: number;
  /** Nagle's algorithm (RFC 896); true unless the application sets TCP_NODELAY. */
  nagle: boolean;
  /** Delayed ACKs as Linux does them (40 ms min, quick-ACK at start, every 2nd full segment). */
  delayedAck: boolean;
  /** Bytes of TCP options on each data segment (12 = Linux timestamps). */
  tcpOptionBytes: number;
  /** Bytes of TCP options on SYN and SYN-ACK (20 on Linux: MSS, SACK-permitted, timestamps, window scale). */
  synOptionBytes: number;
  /** Extra bytes per TLS 1.3 record (5 header + 16 tag + 1 content type = 22), or 0 without TLS. */
  tlsRecordOverhead: number;
  /** Retransmissions of one segment before the connection is aborted (Linux tcp_retries2 = 15). */
  maxRetries: number;
  /** SYN retransmissions before a connect fails (Linux tcp_syn_retries = 6). */
  maxSynRetries: number;
  /**
   * RTO bounds as Linux uses them: `rtoMin` (200 ms) floors the variance term, so RTO >= SRTT +
   * 200 ms (see ./rtt.ts); initial 1 s; max 120 s.
   */
  rtoMin: Micros;
  rtoInitial: Micros;
  rtoMax: Micros;
  /** Initial congestion window in segments (RFC 6928: 10). */
  initialCwnd: number;
  /** Receive window advertised, in bytes. */
  receiveWindow: number;
  // Optional knobs (added after the first contract; `defaultTcpOptions()` fills every one).
  /** SYN-ACK retransmissions before a half-open connection is dropped (Linux tcp_synack_retries = 5). */
  maxSynAckRetries?: number;
  /** RTO once established when the handshake gave no RTT sample (RFC 6298 5.7, Linux 3 s). */
  rtoFallback?: Micros;
  /** Longest time an ACK is delayed (Linux TCP_DELACK_MIN = 40 ms). */
  delayedAckTimeout?: Micros;
  /** Data segments ACKed at once at the start of a connection (Linux quick-ACK mode, 16). */
  quickAckSegments?: number;
  /** How long TIME_WAIT lasts (Linux 60 s; default here 2 s, see defaults.ts). */
  timeWait?: Micros;
  /** Tail loss probe (RFC 8985 section 7, on by default in Linux). */
  tailLossProbe?: boolean;
  /** Offer the timestamps option in the SYN (RFC 7323; Linux net.ipv4.tcp_timestamps = 1). */
  timestamps?: boolean;
  /** Offer SACK in the SYN (RFC 2018; Linux net.ipv4.tcp_sack = 1). */
  sack?: boolean;
  /** With SACK, report data received twice in a D-SACK block (RFC 2883; Linux net.ipv4.tcp_dsack = 1). */
  dsack?: boolean;
  /** Congestion control (Linux net.ipv4.tcp_congestion_control): 'cubic', 'reno' or 'bbr' (./cc/). */
  congestion?: CongestionName;
  /**
   * What `close()` is. false (default): shutdown(SHUT_WR), as Node's socket.end(): we keep
   * receiving. true: close(2) as a C program (mosquitto) calls it: new data arriving afterwards
   * is answered with a RST and the connection dropped (Linux tcp_rcv_state_process,
   * LINUX_MIB_TCPABORTONDATA), so the peer learns at once that nobody reads it.
   */
  fullClose?: boolean;
}

export type TcpEvent =
  | { type: 'state'; from: TcpState; to: TcpState }
  | { type: 'connected' }
  /** In-order application bytes from the peer. */
  | { type: 'data'; data: Uint8Array }
  /** The peer sent FIN: no more data will come. */
  | { type: 'eof' }
  /** Both directions are done (TIME_WAIT or CLOSED), or our own abort() ended it; not after 'failed'. */
  | { type: 'closed' }
  /** The connection died: retransmissions exhausted, RST received, or connect refused. */
  | { type: 'failed'; reason: 'timeout' | 'reset' | 'refused' }
  /**
   * A segment sent again. `cause`: 'rto' (the retransmission timer, and the segments resent
   * after it, go-back-N), 'fast-retransmit' (3 duplicate ACKs, or a NewReno partial ACK),
   * 'tail-loss-probe', 'syn-rto' (SYN or SYN-ACK). `rto`: the RTO in force after this
   * retransmission (already doubled after a timeout).
   */
  | { type: 'retransmit'; seq: number; payloadBytes: number; cause: 'rto' | 'fast-retransmit' | 'tail-loss-probe' | 'syn-rto'; rto: Micros }
  /**
   * A window reduction proved spurious and was taken back (Linux tcp_undo_cwnd_reduction: every
   * retransmission reported by D-SACK, or a timestamp echo older than the first one); `cwnd` in
   * bytes after it.
   */
  | { type: 'undo'; cwnd: number };

/** What the runtime needs from a TCP engine; `TcpConnection` in ./connection.ts implements it. */
export interface TcpEngine {
  readonly state: TcpState;
  /** Active open: emits a SYN. */
  connect(now: Micros): void;
  /** Passive side: handles the first SYN that arrived for a listening port. */
  accept(syn: TcpSegment, now: Micros): void;
  /** Queue application bytes; they leave as segments when windows, Nagle and MSS allow. */
  send(data: Uint8Array, now: Micros): void;
  /** Orderly close after queued data (FIN). */
  close(now: Micros): void;
  /** Abortive close (RST). */
  abort(now: Micros): void;
  receiveSegment(segment: TcpSegment, now: Micros): void;
  nextSegment(): TcpSegment | undefined;
  nextEvent(): TcpEvent | undefined;
  /** When the engine next needs `handleTimer`, or undefined. */
  nextTimer(): Micros | undefined;
  handleTimer(now: Micros): void;
  /** Bytes the application queued that the peer has not acknowledged yet. */
  readonly unacknowledgedBytes: number;
  /** What the connection holds right now (read-only, for accounting views; see TcpHolding). */
  readonly holding: TcpHolding;
}

/**
 * What one connection holds at an instant, as a server's kernel would count it: bytes in the send
 * queue (written, not yet acknowledged: Linux sk_wmem_queued without its overhead), segments on the
 * retransmission scoreboard, out-of-order bytes waiting for a hole, and which timers are armed.
 * Linux keeps one retransmit timer per socket for the RTO, the tail loss probe and RACK's reordering
 * timeout (icsk_retransmit_timer with ICSK_TIME_RETRANS / _LOSS_PROBE / _REO_TIMEOUT), one delayed-ACK
 * timer (icsk_delack_timer), and a pacing hrtimer; TIME_WAIT is a timer of its own.
 */
export interface TcpHolding {
  state: TcpState;
  sendQueueBytes: number;
  scoreboardSegments: number;
  outOfOrderBytes: number;
  retransmitTimer: boolean;
  delayedAckTimer: boolean;
  pacingTimer: boolean;
  timeWaitTimer: boolean;
}
