/**
 * `ws-client`: a browser or device holding a WebSocket to a ws-server, sending `send` entries
 * (`payloadBytes` every `everyMs` in [startS, stopS)) as text messages, and receiving what the
 * server sends it. TCP as the `ws` library sets it: TCP_NODELAY (Nagle off), delayed ACKs on.
 *
 * Flows: `ws:<client>-><server>` (declared here) and `ws:<server>-><client>` (declared by the
 * server). The application starts sending once the first handshake completed.
 *
 * The raw protocol by default: a message sent while the WebSocket is not open is lost
 * (`not-connected`), and the messages a dying connection never delivered are lost
 * (`connection-died`, traced once none can still arrive: Connection.onSettled). Options under `ws` (all off by default; see ./ws-common.ts):
 *   heartbeatS, pongTimeoutS, fragmentBytes, deflate, maxPayload, closeTimeoutS: the engine's
 *     (the heartbeat is protocol pings, as a Node `ws` client sends them; a browser's WebSocket
 *     API cannot ping, so browser apps send an application message instead: same bytes, give or take);
 *   reconnect: {initialDelayS 1, maxDelayS 30, factor 2, jitter 0.5}: reconnect after any close,
 *     delay = min(max, initial x factor^attempt) x (1 - jitter x U), and resume: the request path
 *     carries the last server message number received (`/?lastSeq=N`) so a server with a buffer
 *     replays what followed; messages sent while disconnected wait in a queue (`offlineQueue`,
 *     1000; the oldest is dropped beyond, `offline-queue-full`); an opening (TCP connect and
 *     handshake) not finished after `connectTimeoutS` (4) is aborted and retried, as
 *     reconnecting-websocket's connectionTimeout does;
 *   through a balancer (a send entry's `to` names one): the path also carries `client=<id>`;
 *   connectAtS (0): when the first connection opens (messages due before it are not sent);
 *   appAcks: {timeoutS 10}: each message asks for an acknowledgement, stays kept until it comes,
 *     is resent after timeoutS and, with reconnect, after every reconnect (so none is lost;
 *     duplicates may arrive). Without reconnect, what the dead connection never delivered is
 *     lost.
 */
import type { Micros } from '../../core/time.ts';
import type { TcpOptions } from '../../protocols/tcp/api.ts';
import { s } from '../../core/time.ts';
import type { Rng } from '../../core/rng.ts';
import type { FlowId, NodeId } from '../../core/trace.ts';
import { WsConnection, type WsEvent } from '../../protocols/websocket/connection.ts';
import type { NodeOfRole, WsSendSpec } from '../../scenarios/schema.ts';
import { BALANCER_DEFAULTS } from './balancer.ts';
import type { Connection, Role, RoleContext, RoleFactory, TimerHandle } from '../api.ts';
import { EngineDriver } from '../driver.ts';
import {
  clientTargets,
  decodeAppMessage,
  encodeAppMessage,
  engineOptions,
  everyTick,
  wsRoleOptions,
  StreamLedger,
  traceWsEvent,
  wsFlowId,
  type WsRoleOptions,
} from './ws-common.ts';

class ClientSession {
  readonly upFlow: FlowId;
  readonly downFlow: FlowId;
  #nextMsg = 0;
  #conn: Connection | undefined;
  #ws: WsConnection | undefined;
  #ledger = new StreamLedger();
  /** Drives the current connection's engine (../driver.ts). */
  #driver: EngineDriver | undefined;
  #ackTimer: TimerHandle | undefined;
  #everOpened = false;
  #attempt = 0;
  #queue: { msg: number; data: Uint8Array }[] = [];
  #unacked = new Map<number, { data: Uint8Array; lastSent: Micros | undefined }>();
  #lastDownSeq = -1;
  #downDelivered = new Set<number>();
  readonly #payloadRng: Rng;
  readonly #engineRng: Rng;
  readonly #jitterRng: Rng;

  constructor(
    readonly ctx: RoleContext,
    readonly server: NodeId,
    readonly port: number,
    readonly opts: WsRoleOptions,
    readonly entries: WsSendSpec[],
    readonly tcp: Partial<TcpOptions> = {},
    /** `server` is a balancer (./balancer.ts): the WebSocket goes through it to one of its backends. */
    readonly viaBalancer = false,
    /** `ws.connectAtS`: when the first connection opens, µs. */
    readonly connectAt = 0,
  ) {
    this.upFlow = wsFlowId(ctx.node, server);
    this.downFlow = wsFlowId(server, ctx.node);
    this.#payloadRng = ctx.rng(`ws-payload:${server}`);
    this.#engineRng = ctx.rng(`ws-engine:${server}`);
    this.#jitterRng = ctx.rng(`ws-reconnect:${server}`);
  }

  start(): void {
    const { ctx } = this;
    if (this.entries.length > 0) ctx.trace({ t: ctx.now(), kind: 'flow', flow: this.upFlow, protocol: 'websocket', from: ctx.node, to: this.server });
    for (const entry of this.entries) everyTick(ctx, entry, () => this.#tick(entry.payloadBytes));
    if (this.connectAt > 0) {
      if (this.connectAt < ctx.endTime) ctx.at(this.connectAt, () => this.#connect());
    } else this.#connect();
  }

  #connect(): void {
    const { ctx, opts } = this;
    // The ws library sets TCP_NODELAY on its sockets; the node's `tcp` may say otherwise.
    const conn = ctx.connect(this.server, this.port, { nagle: false, ...this.tcp });
    const ws = new WsConnection({
      ...engineOptions(opts, 'client', this.#engineRng),
      host: this.port === 80 ? this.server : `${this.server}:${this.port}`,
      path: this.#path(),
    });
    this.#conn = conn;
    this.#ws = ws;
    this.#ledger = new StreamLedger();
    const ledger = this.#ledger;
    const driver = new EngineDriver(ws, this.ctx, { drain: () => this.#drain(ws, conn) });
    this.#driver = driver;
    conn.onConnect(() => this.#call(ws, conn, (now) => ws.start(now)));
    conn.onData((data) => this.#call(ws, conn, (now) => ws.receiveData(data, now)));
    conn.onEnd(() => this.#call(ws, conn, (now) => ws.connectionLost(now)));
    conn.onClose((reason) => {
      this.#call(ws, conn, (now) => ws.connectionLost(now));
      this.#died(conn, ledger, reason);
    });
    if (opts.reconnect) this.#armConnectTimeout(ws, conn, opts.reconnect.connectTimeoutS);
  }

  /**
   * The request path: `lastSeq` for resume; through a balancer also `client=<id>`, the identity
   * an application carries in its request (a token, a cookie), since the server behind the
   * balancer sees the balancer's address, not ours.
   */
  #path(): string {
    const query: string[] = [];
    if (this.viaBalancer) query.push(`client=${this.ctx.node}`);
    if (this.opts.reconnect) query.push(`lastSeq=${this.#lastDownSeq}`);
    return query.length === 0 ? '/' : `/?${query.join('&')}`;
  }

  /** reconnect.connectTimeoutS: an opening not finished by then is given up (its socket destroyed) and retried. */
  #armConnectTimeout(ws: WsConnection, conn: Connection, timeoutS: number): void {
    const { ctx } = this;
    const at = ctx.now() + s(timeoutS);
    if (at >= ctx.endTime) return;
    ctx.at(at, () => {
      if (ws !== this.#ws || ws.state !== 'CONNECTING') return;
      ctx.trace({ t: ctx.now(), kind: 'note', node: ctx.node, text: `ws connection to ${this.server} not open after ${timeoutS} s: aborting it (reconnect.connectTimeoutS)` });
      // Closing a WebSocket that is not open destroys its socket, as ws does (abortHandshake):
      // close(2), so nothing is sent if the TCP handshake is not done, else a FIN; the
      // connection's onClose then schedules the next attempt.
      this.#call(ws, conn, (now) => ws.close(undefined, '', now));
    });
  }

  /** Runs an engine call, then writes what it produced, handles its events and re-arms its timer (../driver.ts). */
  #call(ws: WsConnection, conn: Connection, fn: (now: Micros) => void): void {
    if (ws === this.#ws) this.#driver!.call(fn);
    else {
      // A connection already given up (a late close or end): tell its engine, drain, no timer.
      fn(this.ctx.now());
      this.#drain(ws, conn);
    }
  }

  /** Everything the engine produced: bytes onto the connection, events handled. */
  #drain(ws: WsConnection, conn: Connection): void {
    for (;;) {
      const out = ws.dataToSend();
      if (out) {
        if (ws === this.#ws) this.#ledger.wrote(out.length);
        conn.write(out);
      }
      const ev = ws.nextEvent();
      if (!out && !ev) break;
      if (ev) this.#onEvent(ws, conn, ev);
    }
  }

  #onEvent(ws: WsConnection, conn: Connection, ev: WsEvent): void {
    const { ctx } = this;
    traceWsEvent(ctx, conn.id, ev);
    switch (ev.type) {
      case 'open':
        if (ws !== this.#ws) return;
        this.#everOpened = true;
        this.#attempt = 0;
        if (this.opts.appAcks) for (const [msg, entry] of [...this.#unacked].sort((a, b) => a[0] - b[0])) this.#write(msg, entry.data);
        else for (const q of this.#queue.splice(0)) this.#write(q.msg, q.data);
        return;
      case 'message': {
        const app = decodeAppMessage(ev.message.data);
        if (!app) return;
        if (app.kind === 'a') {
          this.#unacked.delete(app.msg);
          return;
        }
        const duplicate = this.#downDelivered.has(app.msg);
        this.#downDelivered.add(app.msg);
        this.#lastDownSeq = Math.max(this.#lastDownSeq, app.msg);
        ctx.trace({ t: ctx.now(), kind: 'app-deliver', flow: this.downFlow, msg: app.msg, bytes: ev.message.data.length, ...(duplicate ? { duplicate } : {}) });
        return;
      }
      case 'closed':
        if (ev.tcp === 'abort') {
          // ws's socket.destroy() (terminate(), the close timeout, abortHandshake): close(2), so
          // a FIN (nothing before the TCP handshake is done), and a RST for whatever still
          // arrives; Node reports the socket closed at once, so the reconnect is scheduled now.
          conn.destroy();
          this.#died(conn, this.#ledger, 'destroyed');
        } else conn.close();
        return;
      default:
        return;
    }
  }

  #tick(payloadBytes: number): void {
    const { ctx, opts } = this;
    if (!this.#everOpened) return; // applications wait for 'open' before they send
    const msg = this.#nextMsg++;
    const data = encodeAppMessage(opts.appAcks ? 'q' : 'd', msg, payloadBytes, this.#payloadRng);
    ctx.trace({ t: ctx.now(), kind: 'app-send', flow: this.upFlow, msg, bytes: data.length });
    if (this.#ws?.state === 'OPEN') {
      if (opts.appAcks) this.#unacked.set(msg, { data, lastSent: undefined });
      this.#write(msg, data);
    } else if (!opts.reconnect) {
      // No connection and none coming: the message can never arrive.
      ctx.trace({ t: ctx.now(), kind: 'app-lost', flow: this.upFlow, msg, reason: 'not-connected' });
    } else if (opts.appAcks) {
      this.#unacked.set(msg, { data, lastSent: undefined }); // kept until acknowledged; sent on the next open
    } else {
      this.#queue.push({ msg, data });
      if (this.#queue.length > opts.offlineQueue) {
        const dropped = this.#queue.shift()!;
        ctx.trace({ t: ctx.now(), kind: 'app-lost', flow: this.upFlow, msg: dropped.msg, reason: 'offline-queue-full' });
      }
    }
  }

  #write(msg: number, data: Uint8Array): void {
    const ws = this.#ws!;
    const conn = this.#conn!;
    ws.sendText(data, this.ctx.now());
    // The message's bytes go out now, so the ledger knows where in the stream it ends.
    for (let out = ws.dataToSend(); out; out = ws.dataToSend()) {
      this.#ledger.wrote(out.length);
      conn.write(out);
    }
    this.#ledger.carried(this.upFlow, msg);
    this.#call(ws, conn, () => {});
    const kept = this.#unacked.get(msg);
    if (kept) {
      kept.lastSent = this.ctx.now();
      this.#armAckTimer();
    }
  }

  /** appAcks: resend what waited timeoutS without an acknowledgement (on a live connection). */
  #armAckTimer(): void {
    if (this.#ackTimer || !this.opts.appAcks) return;
    const timeout = s(this.opts.appAcks.timeoutS);
    let first: Micros | undefined;
    for (const e of this.#unacked.values()) if (e.lastSent !== undefined && (first === undefined || e.lastSent < first)) first = e.lastSent;
    if (first === undefined || first + timeout >= this.ctx.endTime) return;
    this.#ackTimer = this.ctx.at(first + timeout, () => {
      this.#ackTimer = undefined;
      const now = this.ctx.now();
      // Not open (closing, or waiting for TCP to finish): nothing to resend on, and re-arming
      // would fire again at once; the next 'open' resends what is kept and arms it again.
      if (this.#ws?.state !== 'OPEN') return;
      for (const [msg, e] of [...this.#unacked].sort((a, b) => a[0] - b[0]))
        if (e.lastSent !== undefined && e.lastSent + timeout <= now) this.#write(msg, e.data);
      this.#armAckTimer();
    });
  }

  #died(conn: Connection, ledger: StreamLedger, reason: string): void {
    const { ctx, opts } = this;
    if (conn !== this.#conn) return;
    if (opts.appAcks && opts.reconnect) {
      for (const e of this.#unacked.values()) e.lastSent = undefined; // resent after the reconnect
    } else {
      // No retry will come (with appAcks, the kept messages are dropped): what the server has not
      // received once the connection has settled is lost. Every message was written on this
      // connection (without reconnect there is no other), so the ledger knows them all.
      this.#unacked.clear();
      conn.onSettled((peerReceived) => {
        for (const { flow, msg } of ledger.missing(peerReceived))
          ctx.trace({ t: ctx.now(), kind: 'app-lost', flow, msg, reason: 'connection-died' });
      });
    }
    this.#driver?.stop();
    this.#driver = undefined;
    this.#conn = undefined;
    this.#ws = undefined;
    if (!opts.reconnect) return;
    const r = opts.reconnect;
    const base = Math.min(r.maxDelayS, r.initialDelayS * r.factor ** this.#attempt);
    const delay = s(base * (1 - r.jitter * this.#jitterRng.float()));
    this.#attempt++;
    const at = ctx.now() + delay;
    if (at >= ctx.endTime) return;
    ctx.trace({ t: ctx.now(), kind: 'note', node: ctx.node, text: `ws reconnect to ${this.server} in ${delay} us (attempt ${this.#attempt}, tcp ${reason})` });
    ctx.at(at, () => this.#connect());
  }
}

export const wsClient: RoleFactory<NodeOfRole<'ws-client'>> = (ctx): Role => {
  const opts = wsRoleOptions(ctx.spec.ws);
  const sends = ctx.spec.send ?? [];
  const servers = ctx.scenario.nodes.filter((n) => n.role === 'ws-server');
  const sessions = clientTargets(ctx.scenario, ctx.spec).map((target) => {
    const server = ctx.scenario.nodes.find((n) => n.id === target);
    if (server?.role !== 'ws-server' && server?.role !== 'balancer') throw new RangeError(`node "${ctx.node}": "${target}" is not a ws-server or a balancer`);
    const port = server.role === 'balancer' ? (server.lb.port ?? BALANCER_DEFAULTS.port) : wsRoleOptions(server.ws).port;
    const entries = sends.filter((e) => (e.to ?? servers[0]!.id) === target);
    return new ClientSession(ctx, target, port, opts, entries, ctx.spec.tcp, server.role === 'balancer', s(ctx.spec.ws?.connectAtS ?? 0));
  });
  return {
    start() {
      for (const session of sessions) session.start();
    },
  };
};
