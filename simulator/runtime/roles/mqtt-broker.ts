/**
 * `mqtt-broker`: one MqttBroker engine (../../protocols/mqtt/broker.ts) listening on TCP port 1883
 * (`broker.port` to change it), with mosquitto's TCP default: Nagle on (`set_tcp_nodelay false`),
 * delayed ACKs as Linux does them, and close(2) semantics (`fullClose`): data a client sends after
 * the broker closed its connection is answered with a RST, not taken in. `tcp` in the node's spec
 * overrides any TcpOptions field.
 * The same broker also accepts MQTT over WebSocket (subprotocol `mqtt`, binary frames) on
 * `broker.websocketPort` (default 8080, a common choice in mosquitto configurations; 0 turns it
 * off), through MqttBrokerFront (../../protocols/mqtt/broker-ws.ts). That listener keeps Nagle
 * on too unless `websocketTcp` says otherwise (mosquitto serves WebSocket through libwebsockets,
 * whose socket options we have not checked).
 * Each packet the engine produces is its own write on its connection, as mosquitto writes each
 * packet with its own send(2) as soon as it is queued (lib/packet_mosq.c packet__queue ->
 * packet__write): with Nagle on, the PUBLISHes a batch of PUBACKs lets into flight leave as one
 * alone, then the rest together once it is acknowledged (tests/scenarios-mqtt/throughput.test.ts).
 *
 * Scenario options, all optional, under `broker`:
 *   port, maxInflightMessages (20), maxQueuedMessages (1000), queueQos0Offline (false),
 *   qos2Forwarding ('on-pubrel' as mosquitto, or 'on-publish'), topicAliasMaximum (10),
 *   keepaliveSweepS (1: mosquitto 2.0.21's whole-second keepalive; 6: Debian's 2.0.11; 0: exact),
 *   access: { users: {name: password}, allowAnonymous, rules: [{clientId|username, publish, subscribe}] }.
 *
 * Traces: every packet as an `mqtt-packet` record (conn = the TCP connection id), every session
 * event (connect, takeover, will, queue drop...) and every publish's fan-out as `mqtt-event`
 * records, and the broker's counters once at the end (`broker-counters`, detail = JSON).
 * The broker is not a flow endpoint: publishers and subscribers (mqtt-client) own the flows.
 */
import type { Micros } from '../../core/time.ts';
import type { MqttEventRecord, MqttPacketRecord, TraceRecord, WsEventRecord, WsFrameRecord } from '../../core/trace.ts';
import type { NodeOfRole } from '../../scenarios/schema.ts';
import type { BrokerEvent } from '../../protocols/mqtt/broker.ts';
import { MqttBrokerFront, type FrontWsEvent, type Transport } from '../../protocols/mqtt/broker-ws.ts';
import type { Connection, Role, RoleContext, RoleFactory } from '../api.ts';
import { EngineDriver } from '../driver.ts';
import type { Fifo } from '../../protocols/mqtt/fifo.ts';
import { wireTags } from './mqtt-tags.ts';

/**
 * A message the broker will never deliver to one subscriber: its queue was full, it was QoS 0
 * for an offline client, it expired, it was too large for the client, or it died with the
 * subscriber's session. `id` is the flow message it was (./mqtt-tags.ts), if a flow sent it.
 */
export interface BrokerDrop {
  id: number | undefined;
  t: Micros;
  broker: string;
  reason: 'queue-full' | 'qos0-dropped-offline' | 'message-expired' | 'packet-too-large' | 'discarded-with-session' | 'forward-failed' | 'receive-quota-exceeded';
  subscriberClientId: string;
  publisherClientId: string | undefined;
  topic: string;
  payload: Uint8Array;
}

/**
 * What the brokers of a run tell the roles that follow messages (the mqtt-client roles' flow
 * ledger): what became of each message on its way through, which only the broker knows.
 */
export interface BrokerObserver {
  /** A message the broker will never deliver to one subscriber. */
  dropped(drop: BrokerDrop): void;
  /** The broker routed an inbound PUBLISH (or a will) to its subscribers of the moment: flow message `id`, if a flow sent it. */
  routed(id: number | undefined, t: Micros): void;
  /** The broker added a subscription for `clientId`. */
  subscribed(clientId: string, t: Micros): void;
}

const DROP_EVENTS = new Set<string>(['queue-full', 'qos0-dropped-offline', 'message-expired', 'packet-too-large', 'discarded-with-session', 'forward-failed', 'receive-quota-exceeded']);

/** The observers of every broker in this run: add one while roles are created. */
export function brokerObservers(ctx: Pick<RoleContext, 'shared'>): Set<BrokerObserver> {
  return ctx.shared('mqtt-broker:observers', () => new Set<BrokerObserver>());
}

export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_MQTT_WS_PORT = 8080;

/** A WebSocket engine event on one of the broker's connections as a trace record (or none). */
export function brokerWsTraceRecord(ev: FrontWsEvent, t: Micros, node: string): WsFrameRecord | WsEventRecord | undefined {
  const e = ev.event;
  const conn = ev.connId;
  switch (e.type) {
    case 'frame': {
      const r: WsFrameRecord = {
        t, kind: 'ws-frame', node, conn, dir: e.frame.dir, opcode: e.frame.opcode, fin: e.frame.fin,
        masked: e.frame.masked, payloadBytes: e.frame.payloadBytes, frameBytes: e.frame.frameBytes,
      };
      if (e.frame.closeCode !== undefined) r.closeCode = e.frame.closeCode;
      return r;
    }
    case 'handshake': {
      const r: WsEventRecord = { t, kind: 'ws-event', node, conn, event: `handshake-${e.what}-${e.dir}`, detail: `${e.bytes} bytes` };
      if (e.status !== undefined) r.code = e.status;
      return r;
    }
    case 'open':
      return { t, kind: 'ws-event', node, conn, event: 'open', detail: `protocol=${e.protocol ?? 'none'}` };
    case 'handshake-failed':
    case 'error': {
      const r: WsEventRecord = { t, kind: 'ws-event', node, conn, event: e.type, detail: `${e.error.code}: ${e.error.message}` };
      if (e.error.protocolCode !== undefined) r.code = e.error.protocolCode;
      return r;
    }
    case 'close-received':
      return { t, kind: 'ws-event', node, conn, event: 'close-received', code: e.code };
    case 'closed':
      return { t, kind: 'ws-event', node, conn, event: 'closed', code: e.code, detail: `${e.wasClean ? 'clean' : 'not clean'}, tcp ${e.tcp}` };
    default:
      return undefined;
  }
}

/** Turns one engine event into its trace record (undefined fields left out: records stay small). */
export function brokerTraceRecord(ev: BrokerEvent, t: Micros, node: string): MqttPacketRecord | MqttEventRecord {
  if (ev.type === 'packet') {
    const r: MqttPacketRecord = { t, kind: 'mqtt-packet', node, conn: ev.connId, dir: ev.dir, type: ev.packetType, bytes: ev.bytes };
    if (ev.qos !== undefined) r.qos = ev.qos;
    if (ev.packetId !== undefined) r.packetId = ev.packetId;
    if (ev.dup !== undefined) r.dup = ev.dup;
    if (ev.retain !== undefined) r.retain = ev.retain;
    if (ev.topic !== undefined) r.topic = ev.topic;
    if (ev.reasonCode !== undefined) r.reasonCode = ev.reasonCode;
    return r;
  }
  if (ev.type === 'fan-out') {
    const r: MqttEventRecord = {
      t, kind: 'mqtt-event', node, event: 'fan-out',
      detail: `seq=${ev.seq} topic=${ev.topic} qos=${ev.qos} deliveries=${ev.deliveries} sentNow=${ev.sentNow} queued=${ev.queued} dropped=${ev.dropped} packets=${ev.packets} bytes=${ev.bytes}`,
    };
    if (ev.clientId !== undefined) r.clientId = ev.clientId;
    return r;
  }
  const r: MqttEventRecord = { t, kind: 'mqtt-event', node, event: ev.event };
  const detail = [ev.detail, ev.seq !== undefined ? `seq=${ev.seq}` : undefined, ev.publisher !== undefined ? `from=${ev.publisher}` : undefined]
    .filter((x) => x !== undefined)
    .join(' ');
  if (detail !== '') r.detail = detail;
  if (ev.clientId !== undefined) r.clientId = ev.clientId;
  return r;
}

/**
 * What the broker holds now (run.ts RunProbe): MQTT connections, sessions (connected or kept),
 * subscriptions, outgoing messages queued and in flight (sent, not yet acknowledged) over every
 * session, and the engine's timers: one for the whole engine (keepalive sweep, wills, session
 * expiry) whenever any is due, however many clients, as mosquitto checks keepalives in its main
 * loop (counted when the engine wants waking, even past the end of the run).
 */
export function brokerHolding(engine: MqttBrokerFront): Record<string, number> {
  const b = engine.broker;
  let subscriptions = 0;
  let queued = 0;
  let inflight = 0;
  const ids = b.sessionIds();
  for (const id of ids) {
    const s = b.session(id)!;
    subscriptions += s.subscriptions.size;
    queued += s.queue.length;
    inflight += s.inflight.size;
  }
  return { connections: b.connectionCount, sessions: ids.length, subscriptions, queuedMessages: queued, inflightMessages: inflight, timers: engine.nextTimer() === undefined ? 0 : 1 };
}

/** Broker sequence numbers per chunk of the role's seq -> flow message id table. */
const SEQ_CHUNK_BITS = 12;
const SEQ_CHUNK = 1 << SEQ_CHUNK_BITS;

export const mqttBroker: RoleFactory<NodeOfRole<'mqtt-broker'>> = (ctx): Role => {
  const spec = ctx.spec;
  const { port = DEFAULT_MQTT_PORT, websocketPort = DEFAULT_MQTT_WS_PORT, ...options } = spec.broker ?? {};
  const engine = new MqttBrokerFront({ broker: options });
  const observers = brokerObservers(ctx);
  const conns = new Map<string, Connection>();
  let n = 0;
  // Message identity beside the bytes (./mqtt-tags.ts). The engine numbers the messages it takes
  // in (`seq`, one per inbound PUBLISH in the order it reads them, and one per will), and its
  // later events about a message carry that number: so the k-th PUBLISH read gets seq
  // lastSeq + 1, and a will's event moves lastSeq on. (A PUBLISH the engine refuses as
  // malformed, before numbering it, would shift this; our mqtt-client roles never send one.)
  const tags = wireTags(ctx);
  /**
   * seq -> flow message id, 0 for none (ids start at 1): seqs are 1, 2, 3..., so 4 bytes each, in
   * chunks of SEQ_CHUNK added as seqs come (an array that doubled when full kept up to half of
   * it unused, and both arrays alive while copying: 4 + 2 MB in the 10,000-device run).
   */
  const seqToId: Uint32Array[] = [];
  let lastSeq = 0;
  /** Engine connection id -> the wire tags of its TCP connection, both ways (kept after close: late events still name it). */
  const tagsOf = new Map<string, { tagsIn: Fifo<number | undefined>; tagsOut: Fifo<number | undefined> }>();
  const idOfSeq = (seq: number | undefined) => {
    const chunk = seq === undefined ? undefined : seqToId[seq >>> SEQ_CHUNK_BITS];
    const id = chunk === undefined ? 0 : chunk[seq! & (SEQ_CHUNK - 1)]!;
    return id === 0 ? undefined : id;
  };

  /** Follows the flow message ids through one engine event. */
  const follow = (ev: ReturnType<MqttBrokerFront['nextEvent']> & object) => {
    if (ev.type === 'packet' && ev.packetType === 'publish') {
      const tcp = tagsOf.get(ev.connId);
      if (tcp === undefined) return;
      if (ev.dir === 'receive') {
        const seq = ++lastSeq;
        while (seqToId.length <= seq >>> SEQ_CHUNK_BITS) seqToId.push(new Uint32Array(SEQ_CHUNK));
        seqToId[seq >>> SEQ_CHUNK_BITS]![seq & (SEQ_CHUNK - 1)] = tcp.tagsIn.shift() ?? 0;
      }
      else tcp.tagsOut.push(idOfSeq(ev.seq));
    } else if (ev.type !== 'ws' && ev.seq !== undefined && ev.seq > lastSeq) {
      lastSeq = ev.seq; // a will: no flow sent it
    }
  };

  /** Passes what the observers want to know of one engine event. */
  const tell = (ev: ReturnType<MqttBrokerFront['nextEvent']> & object) => {
    if (ev.type === 'fan-out') {
      for (const o of observers) o.routed(idOfSeq(ev.seq), ctx.now());
    } else if (ev.type === 'broker' && ev.event === 'subscribed' && ev.clientId !== undefined) {
      for (const o of observers) o.subscribed(ev.clientId, ctx.now());
    } else if (ev.type === 'broker' && DROP_EVENTS.has(ev.event) && ev.clientId !== undefined && ev.payload !== undefined) {
      const drop: BrokerDrop = {
        id: idOfSeq(ev.seq), t: ctx.now(), broker: ctx.node, reason: ev.event as BrokerDrop['reason'], subscriberClientId: ev.clientId,
        publisherClientId: ev.publisher, topic: ev.topic ?? '', payload: ev.payload,
      };
      for (const o of observers) o.dropped(drop);
    }
  };

  /** The engine's output onto its connections, its events to the observers and the trace. */
  const drain = () => {
    for (let out = engine.nextOutput(); out !== undefined; out = engine.nextOutput()) {
      const conn = conns.get(out.connId);
      if (conn === undefined) continue;
      if ('close' in out) {
        conns.delete(out.connId);
        if (out.abort) conn.abort();
        else conn.close();
      } else {
        conn.write(out.bytes);
      }
    }
    for (let ev = engine.nextEvent(); ev !== undefined; ev = engine.nextEvent()) {
      follow(ev);
      if (observers.size > 0) tell(ev);
      // (A packet or broker event always makes a record: one nothing reads is counted, not built.)
      if (ev.type !== 'ws' && !ctx.wants(ev.type === 'packet' ? 'mqtt-packet' : 'mqtt-event')) continue;
      const record: TraceRecord | undefined = ev.type === 'ws' ? brokerWsTraceRecord(ev, ctx.now(), ctx.node) : brokerTraceRecord(ev, ctx.now(), ctx.node);
      if (record !== undefined) ctx.trace(record);
    }
  };
  /** Drains the engine, then re-arms its timer; re-entrant calls coalesce (../driver.ts). */
  const driver = new EngineDriver(engine, ctx, { drain, horizon: ctx.endTime });
  const pump = () => driver.sync();

  const accept = (transport: Transport) => (conn: Connection) => {
    // Connection ids are unique per run; the suffix guards against a reused client port.
    const id = conns.has(conn.id) ? `${conn.id}#${++n}` : conn.id;
    conns.set(id, conn);
    // Its wire tags both ways, kept here: no lookups per PUBLISH (./mqtt-tags.ts).
    tagsOf.set(id, { tagsIn: tags.queue(conn.remoteNode, conn.id), tagsOut: tags.opened(ctx.node, conn.id) });
    engine.openConnection(id, ctx.now(), transport);
    conn.onData((data) => {
      engine.receiveData(id, data, ctx.now());
      pump();
    });
    conn.onEnd(() => {
      // The client closed its side without DISCONNECT (or after it): an ungraceful end unless
      // the engine already closed this connection.
      if (conns.delete(id)) {
        engine.connectionLost(id, ctx.now());
        conn.close();
        pump();
      }
    });
    conn.onClose(() => {
      if (conns.delete(id)) {
        engine.connectionLost(id, ctx.now());
        pump();
      }
    });
    pump();
  };

  return {
    start() {
      // mosquitto closes sockets with close(2): data a client still sends gets a RST.
      ctx.listen(port, accept('tcp'), { nagle: true, fullClose: true, ...spec.tcp });
      if (websocketPort > 0) ctx.listen(websocketPort, accept('websocket'), { nagle: true, fullClose: true, ...spec.tcp, ...spec.websocketTcp });
    },
    finish() {
      ctx.trace({ t: ctx.now(), kind: 'mqtt-event', node: ctx.node, event: 'broker-counters', detail: JSON.stringify(engine.broker.counters) });
    },
    holding: () => brokerHolding(engine),
  };
};
