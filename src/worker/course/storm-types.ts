/**
 * What chapter 11's widget ("Scaling out: many servers, one failing") sends to the worker and gets
 * back. Only types: the page and the worker both import this file. Every figure in a result is
 * read from one run of the engines (./storm-run.ts).
 */
import type { RunSnapshot } from '../api.ts';

export interface StormInput {
  /** WebSocket clients behind the balancer. */
  clients: number;
  /** ws-servers behind the balancer (s1 fails). */
  servers: number;
  /** Reconnect jitter: each delay is multiplied by (1 - jitter x U), U uniform in [0, 1). 0: none. */
  jitter: number;
  /** First reconnect delay, seconds (it doubles after each failed attempt, up to 30 s). */
  initialDelayS: number;
  /** The clients keep each message until the server acknowledges it and send it again after a reconnect. */
  resume: boolean;
  /** How s1 fails: its process crashes (the kernel closes its sockets) or its machine loses power (silence). */
  failure: 'crash' | 'power';
  /** How `balance source` maps clients to the servers UP. */
  hashType: 'map-based' | 'consistent';
  /** HAProxy "option redispatch": the last connection retry goes to another server. */
  redispatch: boolean;
  /** Packets that may wait in front of the balancer (Linux's txqueuelen 1000; smaller stands in for a short SYN backlog). */
  queuePackets: number;
  seed: number;
}

/** One 100 ms slice of the run after the failure. */
export interface StormBin {
  /** Start of the slice, ms since the start of the run. */
  tMs: number;
  /** Connections clients opened to the balancer (their first SYNs). */
  attempts: number;
  /** Handshake packets sent again: a client's SYN, or the balancer's SYN-ACK to a client, unanswered for an RTO (1 s at first). */
  handshakeRetransmits: number;
  /** Packets dropped in front of the balancer (its queue was full). */
  drops: number;
  /** Clients whose WebSocket opened again in this slice. */
  reopened: number;
}

export interface ServerLoad {
  server: string;
  /** Open WebSockets on it just before the failure. */
  before: number;
  /** Open WebSockets on it at the end of the run. */
  after: number;
}

export interface StormResult {
  input: StormInput;
  durationMs: number;
  failAtMs: number;
  /** When the balancer marked s1 DOWN, ms; null if it did not within the run. */
  downAtMs: number | null;
  /** Clients whose WebSocket was on s1 when it failed. */
  displaced: number;
  /** Clients that had a WebSocket open again by the end, of those that lost theirs. */
  back: number;
  /** Lost one and never got one back within the run. */
  stillOut: number;
  /** When the last of them was back, ms after the failure; null if not all were. */
  allBackAfterMs: number | null;
  /** Median time back, ms after the failure (over those back). */
  medianBackAfterMs: number | null;
  /** The most client SYNs in one 100 ms slice after the failure, and when. */
  peakAttempts: number;
  peakAtMs: number;
  /** Connections clients opened after the failure, and handshake packets sent again. */
  attempts: number;
  handshakeRetransmits: number;
  /** Packets dropped in front of the balancer. */
  drops: number;
  /** Connections the balancer refused to keep: it could not reach a server for them. */
  balancerGaveUp: number;
  /** Client messages: sent, delivered at least once, never delivered, extra copies delivered. */
  sent: number;
  delivered: number;
  notDelivered: number;
  duplicates: number;
  servers: ServerLoad[];
  bins: StormBin[];
  /** The run as the Lab would show it (for the exports). */
  snapshot: RunSnapshot;
}
