/**
 * What a scenario role (tcp-sender, ws-client, mqtt-broker...) gets from the runtime. Roles are the
 * IO layer around the sans-IO engines: they may use callbacks; engines may not.
 *
 * A role module exports a `RoleFactory` and is registered in ./roles/index.ts under its scenario
 * role name. The runtime creates every node's role before time 0 runs, then calls `start()`.
 */
import type { Micros } from '../core/time.ts';
import type { Rng } from '../core/rng.ts';
import type { NodeId, TraceKind, TraceRecord, ConnId } from '../core/trace.ts';
import type { TcpOptions } from '../protocols/tcp/api.ts';
import type { Scenario } from '../scenarios/schema.ts';

export interface TimerHandle {
  readonly at: Micros;
}

/** A TCP connection as a role sees it. */
export interface Connection {
  readonly id: ConnId;
  readonly localNode: NodeId;
  readonly remoteNode: NodeId;
  write(data: Uint8Array): void;
  /**
   * Orderly close (FIN after queued data). The application reads nothing afterwards: data still
   * arriving is not handed to onData and does not count as received by it (onSettled). With the
   * TCP option `fullClose` (close(2), as mosquitto) such data is also answered with a RST.
   */
  close(): void;
  /** Abortive close (RST). */
  abort(): void;
  /**
   * close(2) on the socket, as Node's socket.destroy() does (what `ws` calls for terminate(), its
   * close timeout and a failed opening): a FIN after what is queued, and a RST for data arriving
   * afterwards (Linux __tcp_close; tcp_rcv_state_process, TCPAbortOnData). An attempt still in its
   * TCP handshake is dropped without a FIN. (Linux sends a RST instead of the FIN when received
   * data is left unread; applications here read on arrival, so none ever is.)
   */
  destroy(): void;
  /** Bytes written but not yet acknowledged by the peer's TCP. */
  readonly unacknowledgedBytes: number;
  onConnect(handler: () => void): void;
  onData(handler: (data: Uint8Array) => void): void;
  /** The peer closed its side (FIN). */
  onEnd(handler: () => void): void;
  /** The connection is gone: `clean` after FIN both ways, else timeout/reset/refused. */
  onClose(handler: (reason: 'clean' | 'timeout' | 'reset' | 'refused') => void): void;
  /**
   * Once, after onClose, when nothing more written here can reach the peer's application: the
   * peer's end of the connection is gone too (or never saw any of our data), or the run ended.
   * `peerReceivedBytes`: how many of the bytes written here the peer's application received (a
   * prefix of the stream). This is the simulator's knowledge, not the sender's: a real sender only
   * knows what TCP acknowledged, which is less when ACKs were lost or data was still on the wire.
   * Roles use it to emit `app-lost` only for messages that can no longer arrive
   * (docs/ARCHITECTURE.md "Metrics").
   */
  onSettled(handler: (peerReceivedBytes: number) => void): void;
}

/**
 * What a role gets. `Spec` is its node's type as the scenario schema infers it
 * (`NodeOfRole<'mqtt-client'>`...): the zod schema is the only source of role option types, and
 * the node is already validated by it, so a role reads its options without casting or checking
 * them again.
 */
export interface RoleContext<Spec = Record<string, unknown>> {
  readonly node: NodeId;
  /** The node's scenario entry, already validated by the schema. */
  readonly spec: Spec;
  /** The whole validated scenario (to find peers: brokers, servers, subscribers). */
  readonly scenario: Scenario;
  now(): Micros;
  /** Run `fn` at absolute time `at`. */
  at(at: Micros, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
  /** A random stream private to this node and `name`. */
  rng(name: string): Rng;
  trace(record: TraceRecord): void;
  /**
   * Asked before building a record of `kind` on a hot path: false when nothing reads it (no trace
   * kept, the metrics do not need it); it is then counted as emitted, and must not be `trace`d.
   */
  wants(kind: TraceKind): boolean;
  /** Active open to `node:port`; TCP options default per role (see docs/ARCHITECTURE.md). */
  connect(node: NodeId, port: number, options?: Partial<TcpOptions>): Connection;
  /** Accept connections on `port`. */
  listen(port: number, onAccept: (conn: Connection) => void, options?: Partial<TcpOptions>): void;
  /** The end of the run (µs); roles stop scheduling new work after it. */
  readonly endTime: Micros;
  /**
   * State shared by every role of this run under `key` (the first caller's `make()` creates it):
   * a run-wide message ledger, a broker's listeners. Nothing outlives the run, so running the
   * same scenario object twice starts from nothing.
   */
  shared<T>(key: string, make: () => T): T;
}

export interface Role {
  /** Called once at time 0 after every node's role exists. */
  start(): void;
  /** Called once when the run ends; last chance to emit app-lost records for dead messages. */
  finish?(): void;
  /**
   * What the role's application holds right now, by name (sessions, queued messages, timers...):
   * read-only, for accounting views (run.ts `RunProbe`). Must not change anything.
   */
  holding?(): Readonly<Record<string, number>>;
}

/**
 * Makes a role for one node. Written as a method type so its parameter is compared bivariantly:
 * the registry (./roles/index.ts) pairs each role name with the factory of that role's node
 * type, run.ts hands each factory only nodes of its role, and tests may register extra roles.
 */
export type RoleFactory<Spec = Record<string, unknown>> = { make(ctx: RoleContext<Spec>): Role }['make'];
