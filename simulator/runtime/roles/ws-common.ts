/**
 * What the ws-client and ws-server roles share: scenario options, the application message format,
 * flow ids, trace records for the engine's events, and the ledger that decides which messages a
 * dead connection took with it.
 *
 * Application messages are text frames (what most applications send), `payloadBytes` long (at
 * least the 9-byte header): a kind letter, the message number in 8 hex digits, then hex digits
 * drawn from the node's random stream (entropy 4 bits per byte, so permessage-deflate shrinks them
 * about as much as it shrinks telemetry JSON, not as much as a run of zeros).
 *   d........  data          q........  data, acknowledgement requested (appAcks)
 *   a........  acknowledgement of message n (not a flow message)
 */
import type { Rng } from '../../core/rng.ts';
import { s, type Micros } from '../../core/time.ts';
import type { ConnId, FlowId, NodeId } from '../../core/trace.ts';
import type { DeflateOptions } from '../../protocols/websocket/deflate.ts';
import type { WsConnectionOptions, WsEvent } from '../../protocols/websocket/connection.ts';
import type { NodeOfRole, Scenario } from '../../scenarios/schema.ts';
import type { RoleContext } from '../api.ts';

/** Port a ws-server listens on unless `ws.port` says otherwise (plain HTTP's). */
export const DEFAULT_WS_PORT = 80;
export const APP_HEADER_BYTES = 9;
/**
 * A reconnecting client gives up on an opening (TCP connect + WebSocket handshake) that has not
 * finished after this long, and tries again: reconnecting-websocket's `connectionTimeout` default
 * (4000 ms). Without it a client whose handshake response was lost, and whose server's RST was lost
 * too, waits forever: it has nothing unacknowledged, so its TCP never notices, and heartbeats
 * start only once the WebSocket is open. (A bare `ws` client has no such timeout unless the
 * application sets `handshakeTimeout`, so without `reconnect` there is none here either.)
 */
export const DEFAULT_CONNECT_TIMEOUT_S = 4;

/** A ws-server's or ws-client's `ws` object, as the scenario schema infers it (already validated). */
export type WsServerWs = NonNullable<NodeOfRole<'ws-server'>['ws']>;
export type WsClientWs = NonNullable<NodeOfRole<'ws-client'>['ws']>;
type WsReconnect = Exclude<NonNullable<WsClientWs['reconnect']>, boolean>;
type WsAppAcks = Exclude<NonNullable<WsClientWs['appAcks']>, boolean>;

/** `reconnect` with its defaults filled in (see the schema's WsReconnect for what each means). */
export type ReconnectOptions = Required<Pick<WsReconnect, 'initialDelayS' | 'maxDelayS' | 'factor' | 'jitter' | 'connectTimeoutS'>>;
/** `appAcks` with its defaults filled in. */
export type AppAckOptions = Required<Pick<WsAppAcks, 'timeoutS'>>;

/**
 * The `ws` object of a ws-client or ws-server node with the roles' defaults filled in. The types
 * come from the scenario schema; this adds only the defaults its descriptions name (a test
 * compares them: tests/scenarios/node-options.test.ts).
 */
export interface WsRoleOptions {
  port: number;
  heartbeatS?: number;
  pongTimeoutS?: number;
  fragmentBytes?: number;
  deflate?: DeflateOptions;
  maxPayload?: number;
  closeTimeoutS?: number;
  /** Client: acknowledgements per message and retry. */
  appAcks?: AppAckOptions;
  /** Client: reconnect with exponential backoff and jitter, resuming from the last sequence number. */
  reconnect?: ReconnectOptions;
  /** Client with reconnect: messages kept while disconnected, the oldest dropped beyond. */
  offlineQueue: number;
  /** Server: keep the last N messages per client for replay after a reconnect (0: none). */
  serverBuffer: number;
  /** Server: fan a client's message out to the other clients of its room(s). */
  rooms?: Record<string, NodeId[]> | 'all';
  /** Server: send each client message back to its sender (the classic echo server). */
  echo: boolean;
  /** Server: messages pushed to every client. */
  push: NonNullable<WsServerWs['push']>;
}

/** A node's validated `ws` object with the defaults filled in (no checks: the schema made them). */
export function wsRoleOptions(ws: WsServerWs | WsClientWs | undefined): WsRoleOptions {
  const w = (ws ?? {}) as Partial<WsServerWs> & Partial<WsClientWs>;
  const out: WsRoleOptions = { port: w.port ?? DEFAULT_WS_PORT, offlineQueue: w.offlineQueue ?? 1000, serverBuffer: w.serverBuffer ?? 0, echo: w.echo ?? false, push: w.push ?? [] };
  // 0 means "none" for these, as their descriptions say.
  if (w.heartbeatS) out.heartbeatS = w.heartbeatS;
  if (w.pongTimeoutS) out.pongTimeoutS = w.pongTimeoutS;
  if (w.fragmentBytes) out.fragmentBytes = w.fragmentBytes;
  if (w.maxPayload) out.maxPayload = w.maxPayload;
  if (w.closeTimeoutS) out.closeTimeoutS = w.closeTimeoutS;
  if (w.deflate) out.deflate = w.deflate === true ? {} : (w.deflate as DeflateOptions);
  if (w.appAcks) out.appAcks = { timeoutS: (w.appAcks === true ? undefined : w.appAcks.timeoutS) ?? 10 };
  if (w.reconnect) {
    const r: WsReconnect = w.reconnect === true ? {} : w.reconnect;
    out.reconnect = {
      initialDelayS: r.initialDelayS ?? 1,
      maxDelayS: r.maxDelayS ?? 30,
      factor: r.factor ?? 2,
      jitter: r.jitter ?? 0.5,
      connectTimeoutS: r.connectTimeoutS ?? DEFAULT_CONNECT_TIMEOUT_S,
    };
  }
  if (w.rooms === true) out.rooms = 'all';
  else if (w.rooms) out.rooms = w.rooms;
  return out;
}

/** The engine's options for this role's `ws` settings. */
export function engineOptions(o: WsRoleOptions, role: 'client' | 'server', rng: Rng): WsConnectionOptions {
  const e: WsConnectionOptions = { role, random: (n) => rng.bytes(n) };
  if (o.deflate) e.deflate = o.deflate;
  if (o.fragmentBytes) e.fragmentBytes = o.fragmentBytes;
  if (o.maxPayload) e.maxPayload = o.maxPayload;
  if (o.heartbeatS) e.heartbeatInterval = s(o.heartbeatS);
  if (o.pongTimeoutS) e.pongTimeout = s(o.pongTimeoutS);
  if (o.closeTimeoutS) e.closeTimeout = s(o.closeTimeoutS);
  return e;
}

export function wsFlowId(from: NodeId, to: NodeId): FlowId {
  return `ws:${from}->${to}`;
}

export type AppKind = 'd' | 'q' | 'a';
const HEX = '0123456789abcdef';

/** An application message of `payloadBytes` bytes (at least the header). */
export function encodeAppMessage(kind: AppKind, msg: number, payloadBytes: number, rng: Rng): Uint8Array {
  const length = Math.max(payloadBytes, APP_HEADER_BYTES);
  const out = new Uint8Array(length);
  const head = kind + (msg >>> 0).toString(16).padStart(8, '0');
  for (let i = 0; i < APP_HEADER_BYTES; i++) out[i] = head.charCodeAt(i);
  for (let i = APP_HEADER_BYTES; i < length; i += 8) {
    const v = rng.u32();
    for (let j = 0; j < 8 && i + j < length; j++) out[i + j] = HEX.charCodeAt((v >>> (4 * j)) & 15);
  }
  return out;
}

/** The kind and number of an application message, or undefined for anything else. */
export function decodeAppMessage(data: Uint8Array): { kind: AppKind; msg: number } | undefined {
  if (data.length < APP_HEADER_BYTES) return undefined;
  const kind = String.fromCharCode(data[0]!);
  if (kind !== 'd' && kind !== 'q' && kind !== 'a') return undefined;
  let hex = '';
  for (let i = 1; i < APP_HEADER_BYTES; i++) hex += String.fromCharCode(data[i]!);
  if (!/^[0-9a-f]{8}$/.test(hex)) return undefined;
  return { kind, msg: parseInt(hex, 16) };
}

/** Trace records for one engine event (frames, handshake, open, errors, close). */
export function traceWsEvent(ctx: RoleContext, conn: ConnId, ev: WsEvent): void {
  const t = ctx.now();
  const node = ctx.node;
  switch (ev.type) {
    case 'frame': {
      const f = ev.frame;
      ctx.trace({
        t, kind: 'ws-frame', node, conn, dir: f.dir, opcode: f.opcode, fin: f.fin, masked: f.masked,
        payloadBytes: f.payloadBytes, frameBytes: f.frameBytes, ...(f.closeCode !== undefined ? { closeCode: f.closeCode } : {}),
      });
      return;
    }
    case 'handshake':
      ctx.trace({
        t, kind: 'ws-event', node, conn, event: `handshake-${ev.dir}`,
        detail: `${ev.what} ${ev.bytes} bytes`, ...(ev.status !== undefined ? { code: ev.status } : {}),
      });
      return;
    case 'open':
      ctx.trace({ t, kind: 'ws-event', node, conn, event: 'open', detail: ev.extensions ?? '' });
      return;
    case 'handshake-failed':
      ctx.trace({ t, kind: 'ws-event', node, conn, event: 'handshake-failed', detail: `${ev.error.code}: ${ev.error.message}`, code: ev.error.protocolCode ?? 0 });
      return;
    case 'error':
      ctx.trace({ t, kind: 'ws-event', node, conn, event: 'error', detail: `${ev.error.code}: ${ev.error.message}`, code: ev.error.protocolCode ?? 0 });
      return;
    case 'close-received':
      ctx.trace({ t, kind: 'ws-event', node, conn, event: 'close-received', detail: ev.reason, code: ev.code });
      return;
    case 'closed':
      ctx.trace({ t, kind: 'ws-event', node, conn, event: 'closed', detail: ev.wasClean ? 'clean' : 'abnormal', code: ev.code });
      return;
    default:
      return;
  }
}

/**
 * Which messages a connection carried, by the offset in its TCP byte stream where each copy ends.
 * Asked how far the stream got through (acknowledged by TCP, or received by the peer's
 * application), it names the messages none of whose copies got through whole
 * (docs/ARCHITECTURE.md "Metrics": lost = can no longer arrive).
 */
export class StreamLedger {
  written = 0;
  #entries: { flow: FlowId; msg: number; end: number }[] = [];

  wrote(bytes: number): void {
    this.written += bytes;
  }

  /** Call right after the message's bytes were written. */
  carried(flow: FlowId, msg: number): void {
    this.#entries.push({ flow, msg, end: this.written });
  }

  /** Messages with no copy wholly in the stream's first `through` bytes, each once, oldest first. */
  missing(through: number): { flow: FlowId; msg: number }[] {
    const arrived = new Set<string>();
    for (const e of this.#entries) if (e.end <= through) arrived.add(`${e.flow}#${e.msg}`);
    const out: { flow: FlowId; msg: number }[] = [];
    for (const e of this.#entries) {
      const key = `${e.flow}#${e.msg}`;
      if (arrived.has(key)) continue;
      arrived.add(key); // once
      out.push({ flow: e.flow, msg: e.msg });
    }
    return out;
  }
}

/**
 * The ws-servers a ws-client node talks to: the `to` of its send entries (default: the only
 * ws-server), or, with no send entries, the first ws-server of the scenario (a client that only
 * listens, like a dashboard).
 */
export function clientTargets(scenario: Scenario, node: NodeOfRole<'ws-client'>): NodeId[] {
  const servers = scenario.nodes.filter((n) => n.role === 'ws-server').map((n) => n.id);
  const sends = node.send ?? [];
  if (sends.length === 0) return servers.slice(0, 1);
  const out: NodeId[] = [];
  for (const e of sends) {
    const to = e.to ?? servers[0];
    if (to !== undefined && !out.includes(to)) out.push(to);
  }
  return out;
}

/** Calls `fn` at every tick of a send schedule, one scheduler event at a time. */
export function everyTick(ctx: RoleContext, entry: { everyMs: number; startS?: number; stopS?: number }, fn: () => void): void {
  const start = s(entry.startS ?? 0);
  const stop = Math.min(entry.stopS !== undefined ? s(entry.stopS) : ctx.endTime, ctx.endTime);
  const every = Math.max(1, Math.round(entry.everyMs * 1000));
  const tick = (at: Micros) => {
    if (at >= stop) return;
    ctx.at(at, () => {
      fn();
      tick(at + every);
    });
  };
  tick(start);
}
