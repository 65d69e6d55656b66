/**
 * `ws-server`: a WebSocket server (the `ws` library's behaviour: TCP_NODELAY, no compression
 * unless configured; `tcp` in the node's spec overrides any TcpOptions field) listening on
 * `ws.port` (80). It delivers the messages of every ws-client (flow `ws:<client>-><server>`)
 * and, as options, sends its own (flow `ws:<server>-><client>`,
 * declared here at the first one).
 *
 * Options under `ws` (all off by default; see ./ws-common.ts): the engine's (heartbeatS,
 * pongTimeoutS, fragmentBytes, deflate, maxPayload, closeTimeoutS) and the patterns applications
 * build on WebSocket:
 *   rooms: true (one room of all clients) or {room: [client ids]}: each client message is fanned
 *     out to the other members that have connected at least once, one send per member (a note
 *     traces the count);
 *   echo: true: each client message is sent back to its sender, same size, once (a duplicate
 *     delivery is not echoed again): the classic echo server the fidelity testbed runs with `ws`
 *     (fidelity/peers); the echo of the k-th message a client sent is message k of the flow
 *     `ws:<server>-><client>` as long as the server got them in order (TCP sees to that);
 *   push: [{payloadBytes, everyMs, startS?, stopS?}]: a message to every client that has connected
 *     at least once (a server knows no other), e.g. a dashboard feed;
 *   serverBuffer: N: keep each client's last N messages; a client that reconnects with
 *     `/?lastSeq=K` gets those after K replayed; a message pushed out of a full buffer before it
 *     was written is lost (`buffer-full`). Without a buffer, a message for an offline client is
 *     lost (`client-offline`) and so are those a dying connection never delivered.
 * Behind a balancer (./balancer.ts) a client is known by the `client=<id>` of its request path,
 * and its flows are named after the balancer it addressed (`ws:<client>-><balancer>`).
 * A client message asking for an acknowledgement (appAcks on the client) is acknowledged.
 */
import type { Micros } from '../../core/time.ts';
import type { FlowId, NodeId } from '../../core/trace.ts';
import { WsConnection, type WsEvent } from '../../protocols/websocket/connection.ts';
import type { NodeOfRole } from '../../scenarios/schema.ts';
import type { Connection, Role, RoleFactory } from '../api.ts';
import { EngineDriver } from '../driver.ts';
import {
  APP_HEADER_BYTES,
  clientTargets,
  decodeAppMessage,
  encodeAppMessage,
  engineOptions,
  everyTick,
  wsRoleOptions,
  StreamLedger,
  traceWsEvent,
  wsFlowId,
} from './ws-common.ts';

interface Buffered {
  msg: number;
  data: Uint8Array;
  /** The connection it was written on (its fate is then that connection's ledger's), if any. */
  on: Session | undefined;
}

interface ClientState {
  id: NodeId;
  downFlow: FlowId;
  upFlow: FlowId;
  declared: boolean;
  /** The client connected at least once: before that the server does not know it exists. */
  seen: boolean;
  nextMsg: number;
  current: Session | undefined;
  buffer: Buffered[];
  upDelivered: Set<number>;
  /** Its connection died and it never reconnects (no `ws.reconnect` in its node): gone for good. */
  gone: boolean;
}

interface Session {
  conn: Connection;
  ws: WsConnection;
  ledger: StreamLedger;
  client: ClientState | undefined;
  /** Drives `ws` (../driver.ts): drains its bytes and events, wakes it at its timer. */
  driver: EngineDriver;
  /** The application is done with it (`died` ran). */
  dead?: boolean;
}

export const wsServer: RoleFactory<NodeOfRole<'ws-server'>> = (ctx): Role => {
  const opts = wsRoleOptions(ctx.spec.ws);
  const payloadRng = ctx.rng('ws-payload');
  const engineRng = ctx.rng('ws-engine');
  const clients = new Map<NodeId, ClientState>();
  const wsClients = ctx.scenario.nodes.filter((n): n is NodeOfRole<'ws-client'> => n.role === 'ws-client');
  /** ws-client nodes that reconnect after a lost connection (`ws.reconnect` set). */
  /** Balancer nodes in front of this server (./balancer.ts). */
  const balancers = new Set(ctx.scenario.nodes.filter((n) => n.role === 'balancer' && n.lb.backends.includes(ctx.node)).map((n) => n.id));
  const reconnects = new Set(wsClients.filter((n) => Boolean(n.ws?.reconnect)).map((n) => n.id));

  /** `via`: the node the client addressed (this server, or the balancer in front of it): flows are named after it. */
  const clientState = (id: NodeId, via: NodeId = ctx.node): ClientState => {
    let c = clients.get(id);
    if (!c) {
      c = { id, downFlow: wsFlowId(via, id), upFlow: wsFlowId(id, via), declared: false, seen: false, nextMsg: 0, current: undefined, buffer: [], upDelivered: new Set(), gone: false };
      clients.set(id, c);
    }
    return c;
  };
  // Every ws-client of the scenario that talks to this server is known from the start (rooms, push).
  for (const n of wsClients) if (clientTargets(ctx.scenario, n).includes(ctx.node)) clientState(n.id);

  const lost = (flow: FlowId, msg: number, reason: string) => ctx.trace({ t: ctx.now(), kind: 'app-lost', flow, msg, reason });

  const flush = (s: Session) => {
    for (let out = s.ws.dataToSend(); out; out = s.ws.dataToSend()) {
      s.ledger.wrote(out.length);
      s.conn.write(out);
    }
  };

  /** Everything the engine produced: bytes onto the connection (counted by the ledger), events handled. */
  const drain = (s: Session) => {
    for (;;) {
      flush(s);
      const ev = s.ws.nextEvent();
      if (!ev) break;
      onEvent(s, ev);
    }
  };
  const pump = (s: Session) => s.driver.sync();

  const write = (s: Session, c: ClientState, msg: number, data: Uint8Array) => {
    s.ws.sendText(data, ctx.now());
    flush(s);
    s.ledger.carried(c.downFlow, msg);
    pump(s);
  };

  const isOpen = (c: ClientState) => c.current !== undefined && c.current.ws.state === 'OPEN';

  /** One server message for client `c` (push or fan-out). */
  const sendTo = (c: ClientState, payloadBytes: number) => {
    const t = ctx.now();
    if (!c.declared) {
      c.declared = true;
      ctx.trace({ t, kind: 'flow', flow: c.downFlow, protocol: 'websocket', from: ctx.node, to: c.id });
    }
    const msg = c.nextMsg++;
    const data = encodeAppMessage('d', msg, payloadBytes, payloadRng);
    ctx.trace({ t, kind: 'app-send', flow: c.downFlow, msg, bytes: data.length });
    const open = isOpen(c);
    if (c.gone) {
      // A client that does not reconnect will never fetch what a buffer would keep for it.
      lost(c.downFlow, msg, 'client-gone');
      return;
    }
    if (opts.serverBuffer > 0) {
      c.buffer.push({ msg, data, on: open ? c.current : undefined });
      if (c.buffer.length > opts.serverBuffer) {
        const evicted = c.buffer.shift()!;
        if (evicted.on === undefined) lost(c.downFlow, evicted.msg, 'buffer-full');
      }
    }
    if (open) write(c.current!, c, msg, data);
    else if (opts.serverBuffer === 0) lost(c.downFlow, msg, 'client-offline');
  };

  const fanOut = (from: ClientState, payloadBytes: number) => {
    const members = new Set<NodeId>();
    if (opts.rooms === 'all') for (const id of clients.keys()) members.add(id);
    else if (opts.rooms) for (const list of Object.values(opts.rooms)) if (list.includes(from.id)) for (const id of list) members.add(id);
    members.delete(from.id);
    let sends = 0;
    let online = 0;
    for (const id of members) {
      const c = clientState(id);
      if (!c.seen) continue;
      sends++;
      if (isOpen(c)) online++;
      sendTo(c, payloadBytes);
    }
    ctx.trace({ t: ctx.now(), kind: 'note', node: ctx.node, text: `ws fan-out from ${from.id}: ${sends} sends (${online} online)` });
  };

  const onEvent = (s: Session, ev: WsEvent) => {
    traceWsEvent(ctx, s.conn.id, ev);
    switch (ev.type) {
      case 'open': {
        // Behind a balancer the connection comes from the balancer: the client is named in the
        // request (`client=<id>`, ./ws-client.ts), and its flows are those it addressed.
        const named = balancers.has(s.conn.remoteNode) ? /[?&]client=([A-Za-z0-9._-]+)/.exec(ev.path)?.[1] : undefined;
        const c = named === undefined ? clientState(s.conn.remoteNode) : clientState(named, s.conn.remoteNode);
        s.client = c;
        c.current = s;
        c.seen = true;
        // Resume (reconnect): replay what the client has not seen, from the buffer.
        const m = /[?&]lastSeq=(-?\d+)/.exec(ev.path);
        const lastSeq = m ? Number(m[1]) : undefined;
        if (lastSeq !== undefined) c.buffer = c.buffer.filter((b) => b.msg > lastSeq);
        replay(c);
        return;
      }
      case 'message': {
        const c = s.client;
        const app = decodeAppMessage(ev.message.data);
        if (!c || !app || app.kind === 'a') return;
        const duplicate = c.upDelivered.has(app.msg);
        c.upDelivered.add(app.msg);
        ctx.trace({ t: ctx.now(), kind: 'app-deliver', flow: c.upFlow, msg: app.msg, bytes: ev.message.data.length, ...(duplicate ? { duplicate } : {}) });
        if (app.kind === 'q') {
          s.ws.sendText(encodeAppMessage('a', app.msg, APP_HEADER_BYTES, payloadRng), ctx.now());
          flush(s);
        }
        if (opts.echo && !duplicate) sendTo(c, ev.message.data.length);
        if (opts.rooms && !duplicate) fanOut(c, ev.message.data.length);
        return;
      }
      case 'closed':
        if (ev.tcp === 'abort') {
          // ws's socket.destroy() (terminate(), the close timeout): close(2), so a FIN, and a RST
          // for whatever still arrives; Node reports the socket closed at once, without waiting
          // for TCP, and the application is done with the session now.
          s.conn.destroy();
          died(s);
        } else s.conn.close();
        return;
      default:
        return;
    }
  };

  /** Writes the buffered messages not yet on any connection, oldest first, if the client is connected. */
  const replay = (c: ClientState) => {
    const s = c.current;
    if (!s || s.ws.state !== 'OPEN') return;
    for (const b of c.buffer) {
      if (b.on !== undefined) continue;
      b.on = s;
      write(s, c, b.msg, b.data);
    }
  };

  const died = (s: Session) => {
    if (s.dead) return; // destroyed, and now its TCP is gone too
    s.dead = true;
    s.driver.stop();
    const c = s.client;
    if (!c) return;
    if (c.current === s) c.current = undefined;
    // What TCP had not acknowledged may not have arrived: the server (like a real one) replays it
    // from its buffer if it still holds it; the rest is lost if, once the connection has settled,
    // the client never received it.
    const kept = new Map(c.buffer.filter((b) => b.on === s).map((b) => [b.msg, b]));
    // A client whose node has no `ws.reconnect` will not come back (the simulator knows it; a real
    // server would time its buffer out): nothing is kept for it.
    const gone = !reconnects.has(c.id);
    const dropped = new Set<number>();
    for (const { msg } of s.ledger.missing(s.ledger.written - s.conn.unacknowledgedBytes)) {
      const b = kept.get(msg);
      if (b && !gone) b.on = undefined; // still in the buffer: replayed on the next connection
      else dropped.add(msg);
    }
    if (dropped.size > 0) {
      s.conn.onSettled((peerReceived) => {
        for (const { msg } of s.ledger.missing(peerReceived)) if (dropped.has(msg)) lost(c.downFlow, msg, 'connection-died');
      });
    }
    // Buffered messages whose bytes this connection's TCP acknowledged have arrived: let them go.
    c.buffer = c.buffer.filter((b) => b.on !== s);
    if (gone) {
      // What the buffer held for a reconnect that will not come (never sent) is lost now.
      c.gone = true;
      for (const b of c.buffer) lost(c.downFlow, b.msg, 'client-gone');
      c.buffer = [];
    }
    replay(c);
  };

  return {
    start() {
      // The ws library sets TCP_NODELAY on the sockets it accepts.
      ctx.listen(
        opts.port,
        (conn) => {
          const ws = new WsConnection(engineOptions(opts, 'server', engineRng));
          const s: Session = { conn, ws, ledger: new StreamLedger(), client: undefined, driver: new EngineDriver(ws, ctx, { drain: () => drain(s) }) };
          const call = (fn: (now: Micros) => void) => s.driver.call(fn);
          conn.onData((data) => call((now) => s.ws.receiveData(data, now)));
          conn.onEnd(() => call((now) => s.ws.connectionLost(now)));
          conn.onClose(() => {
            call((now) => s.ws.connectionLost(now));
            died(s);
          });
        },
        { nagle: false, ...ctx.spec.tcp },
      );
      for (const entry of opts.push) everyTick(ctx, entry, () => { for (const c of clients.values()) if (c.seen) sendTo(c, entry.payloadBytes); });
    },
    // Read-only (run.ts RunProbe): open WebSocket connections, engines that want a timer (heartbeat,
    // close timeout: one per connection, even past the run's end), messages held in replay buffers.
    holding() {
      let connections = 0;
      let timers = 0;
      let buffered = 0;
      for (const c of clients.values()) {
        buffered += c.buffer.length;
        if (c.current === undefined) continue;
        if (c.current.ws.state === 'OPEN') connections++;
        if (c.current.ws.nextTimer() !== undefined) timers++;
      }
      return { connections, timers, bufferedMessages: buffered };
    },
  };
};


