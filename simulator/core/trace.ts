/**
 * Trace records: one typed record for every send, receive, drop, retransmission and state change
 * (ns-3's trace sources). Metrics are pure reducers over these records, so everything a chart or
 * an export shows can be traced back to the packets that caused it.
 *
 * Rules: every record has `t` (µs) and `kind`; records are plain JSON-safe objects (no bytes,
 * no class instances); ids are strings; a record, once emitted, is never changed.
 */
import type { Micros } from './time.ts';

export type NodeId = string;
/** `${from}->${to}`: one direction of a node's access link. */
export type LinkId = string;
/** `${clientNode}:${clientPort}-${serverNode}:${serverPort}`. */
export type ConnId = string;
/** Stable id of one application flow (see FlowDeclared). */
export type FlowId = string;

export type DropReason =
  | 'loss' // random (Bernoulli) loss
  | 'burst-loss' // Gilbert-Elliott bad state
  | 'list-loss' // a list error model named this packet
  | 'outage' // inside a scheduled outage window
  | 'queue-full' // tail drop at the link's queue
  | 'mtu' // larger than the link's MTU
  | 'idle-timeout' // a NAT/proxy forgot an idle connection
  | 'no-route'; // nobody listens at that address/port

// ---- network layer ----
export interface LinkSend { t: Micros; kind: 'link-send'; link: LinkId; packet: number; bytes: number; conn?: ConnId }
export interface LinkReceive { t: Micros; kind: 'link-receive'; link: LinkId; packet: number; bytes: number; conn?: ConnId }
export interface LinkDrop { t: Micros; kind: 'link-drop'; link: LinkId; packet: number; bytes: number; reason: DropReason; conn?: ConnId }

// ---- TCP ----
export type TcpState =
  | 'CLOSED' | 'LISTEN' | 'SYN_SENT' | 'SYN_RECEIVED' | 'ESTABLISHED'
  | 'FIN_WAIT_1' | 'FIN_WAIT_2' | 'CLOSING' | 'TIME_WAIT' | 'CLOSE_WAIT' | 'LAST_ACK';
export interface TcpStateChange { t: Micros; kind: 'tcp-state'; node: NodeId; conn: ConnId; from: TcpState; to: TcpState }
export interface TcpSegmentSent {
  t: Micros; kind: 'tcp-send'; node: NodeId; conn: ConnId;
  seq: number; ack: number; flags: string; payloadBytes: number; wireBytes: number; retransmission: boolean;
}
export interface TcpRetransmit {
  t: Micros; kind: 'tcp-retransmit'; node: NodeId; conn: ConnId;
  seq: number; payloadBytes: number; cause: 'rto' | 'fast-retransmit' | 'tail-loss-probe' | 'syn-rto';
  rtoUs?: number;
}
export interface TcpFailure { t: Micros; kind: 'tcp-failure'; node: NodeId; conn: ConnId; reason: 'timeout' | 'reset' | 'refused' }

// ---- application protocols (filled in by the WebSocket and MQTT engines) ----
export interface WsFrameRecord {
  t: Micros; kind: 'ws-frame'; node: NodeId; conn: ConnId; dir: 'send' | 'receive';
  opcode: string; fin: boolean; masked: boolean; payloadBytes: number; frameBytes: number;
  closeCode?: number;
}
export interface WsEventRecord { t: Micros; kind: 'ws-event'; node: NodeId; conn: ConnId; event: string; detail?: string; code?: number }
export interface MqttPacketRecord {
  t: Micros; kind: 'mqtt-packet'; node: NodeId; conn: ConnId; dir: 'send' | 'receive';
  type: string; bytes: number; qos?: number; packetId?: number; dup?: boolean; retain?: boolean; topic?: string;
  reasonCode?: number;
}
export interface MqttEventRecord { t: Micros; kind: 'mqtt-event'; node: NodeId; event: string; detail?: string; clientId?: string }

// ---- application messages: what metrics count ----
/** Declares a flow once, before its first message. */
export interface FlowDeclared {
  t: Micros; kind: 'flow'; flow: FlowId; protocol: 'tcp' | 'websocket' | 'mqtt';
  from: NodeId; to: NodeId; topic?: string; qos?: number;
}
/** The sending application handed message `msg` to its protocol (latency starts here). */
export interface AppSend { t: Micros; kind: 'app-send'; flow: FlowId; msg: number; bytes: number }
/** The receiving application got message `msg` (again, if it is a duplicate). */
export interface AppDeliver { t: Micros; kind: 'app-deliver'; flow: FlowId; msg: number; bytes: number; duplicate?: boolean }
/** Message `msg` can no longer arrive: its connection died and nothing keeps it, or a queue dropped it. */
export interface AppLost { t: Micros; kind: 'app-lost'; flow: FlowId; msg: number; reason: string }

/** Free-form note from a role (reconnects, session takeovers...), for the trace view. */
export interface NoteRecord { t: Micros; kind: 'note'; node: NodeId; text: string }

export type TraceRecord =
  | LinkSend | LinkReceive | LinkDrop
  | TcpStateChange | TcpSegmentSent | TcpRetransmit | TcpFailure
  | WsFrameRecord | WsEventRecord | MqttPacketRecord | MqttEventRecord
  | FlowDeclared | AppSend | AppDeliver | AppLost | NoteRecord;

export type TraceKind = TraceRecord['kind'];

export interface TraceSink {
  emit(record: TraceRecord): void;
  /**
   * Whether this sink reads records of `kind` (now: the answer may change as records come); a
   * sink without `reads` reads every kind. A run builds no record that nothing reads (its
   * `wants`), unless it keeps the trace.
   */
  reads?(kind: TraceKind): boolean;
  /**
   * Asked before building a record of `kind`: false when nothing reads it, and then the record
   * is counted as emitted, so the caller neither builds nor emits it. Absent: build every record.
   */
  wants?(kind: TraceKind): boolean;
  /**
   * A `link-send` or `link-receive` record given by its fields, without the object: the same as
   * `emit({ t, kind, link, packet, bytes, conn })` (no `conn` key when it is undefined). The hot
   * path of every run (two of each per packet and hop); a sink without it gets `emit`.
   * `linkIndex` is the link's number in its network (net/link.ts Link.index), so a sink can keep
   * per-link state in an array instead of a map by `link`: a hint, not part of the record (two
   * links may share a number, so a sink must check the state it finds is `link`'s).
   */
  linkPacket?(t: Micros, kind: 'link-send' | 'link-receive', link: LinkId, linkIndex: number, packet: number, bytes: number, conn: ConnId | undefined): void;
}

/** `record` as `TraceSink.linkPacket` describes it. */
export function linkPacketRecord(t: Micros, kind: 'link-send' | 'link-receive', link: LinkId, packet: number, bytes: number, conn: ConnId | undefined): LinkSend | LinkReceive {
  return conn === undefined ? { t, kind, link, packet, bytes } : { t, kind, link, packet, bytes, conn };
}

/** Emits a link-send or link-receive record to `sink`, by its fields when the sink takes them so. */
export function emitLinkPacket(sink: TraceSink, t: Micros, kind: 'link-send' | 'link-receive', link: LinkId, linkIndex: number, packet: number, bytes: number, conn: ConnId | undefined): void {
  if (sink.linkPacket !== undefined) sink.linkPacket(t, kind, link, linkIndex, packet, bytes, conn);
  else sink.emit(linkPacketRecord(t, kind, link, packet, bytes, conn));
}

/** Packet-level records a run keeps by default (the newest; about 160 MB). Message records are always all kept. */
export const DEFAULT_TRACE_PACKET_LIMIT = 1_000_000;

/**
 * Keeps records in memory, in emission order. With `limit`, keeps only the newest `limit`
 * packet-level records (bounded memory for big runs) but always keeps flow and app-message
 * records, which the metrics need; `dropped` counts what was let go. Let-go records are removed
 * in batches (when a quarter more than `limit` is held), so emitting stays O(1) on average.
 */
export class TraceBuffer implements TraceSink {
  #records: TraceRecord[] = [];
  #packets = 0;
  dropped = 0;

  constructor(readonly limit?: number) {}

  emit(record: TraceRecord): void {
    this.#records.push(record);
    if (this.limit === undefined || isMessageRecord(record)) return;
    this.#packets++;
    if (this.#packets > this.limit + Math.max(1024, this.limit >> 2)) this.#trim();
  }

  /** Every kept record in emission order (the array itself while nothing was let go). */
  get records(): TraceRecord[] {
    this.#trim();
    return this.#records;
  }

  /** Records held now (message records and packet records, some perhaps about to go): what the memory budget counts. */
  get held(): number {
    return this.#records.length;
  }

  /** Every kept record in emission order. */
  all(): TraceRecord[] {
    return this.records;
  }

  #trim(): void {
    if (this.limit === undefined || this.#packets <= this.limit) return;
    let excess = this.#packets - this.limit;
    this.dropped += excess;
    this.#packets = this.limit;
    this.#records = this.#records.filter((r) => {
      if (excess === 0 || isMessageRecord(r)) return true;
      excess--;
      return false;
    });
  }
}

export function isMessageRecord(r: TraceRecord): r is FlowDeclared | AppSend | AppDeliver | AppLost {
  return r.kind === 'flow' || r.kind === 'app-send' || r.kind === 'app-deliver' || r.kind === 'app-lost';
}
