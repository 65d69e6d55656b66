/**
 * `mqtt-client`: one MqttClient engine (../../protocols/mqtt/client.ts) on a virtual TCP
 * connection to the scenario's mqtt-broker node (port 1883, or the broker's `broker.port`).
 * TCP as mqtt.js leaves it: Nagle on, delayed ACKs on; `tcp` in the node's spec overrides.
 * With `mqtt.transport: "websocket"` it speaks MQTT over WebSocket as a browser does
 * (./mqtt-transport.ts): the broker's `broker.websocketPort` (8080), TCP_NODELAY.
 * Each packet is its own write, as mqtt.js makes it: mqtt-packet's writeToStream corks the socket
 * and uncorks it on the next tick, and the client handles one received packet per tick (mqtt.js
 * src/lib/client.ts, `work` and `nextTickWork`), so the PUBACKs for a segment of PUBLISHes are
 * separate writes: with Nagle on, the first leaves at once and the others wait for its ACK.
 *
 * Scenario fields (simulator/scenarios/schema.ts): `mqtt: {version, cleanSession, keepaliveS,
 * clientId, sessionExpiryS, username, password, will, connectAtS, offline}`, `publish: [{topic, qos, payloadBytes,
 * everyMs, startS?, stopS?, retain?}]`, `subscribe: [{topic, qos}]`. Extra engine options may be
 * given under `mqtt` too: maxInflight, maxQueued, queueQos0Offline, pingTimeoutS,
 * nonStandardResendMs, `reconnect: {periodMs}`, `transport` and `websocketClient`
 * ('browser' or 'node': how frames are cut, ./mqtt-transport.ts). `broker` names the broker node when
 * the scenario has several.
 *
 * Behaviour: connects at `mqtt.connectAtS` (default 0; a late joiner); subscribes (the engine re-subscribes when a session was not
 * kept); publishes each entry every `everyMs` inside [startS, stopS). When the connection is lost
 * (TCP failure, the peer's FIN, keepalive timeout, a refused CONNECT) it tries again after a fixed
 * period, `reconnect.periodMs` (default 1000), as mqtt.js 5 does: no backoff, no jitter. mqtt.js
 * (src/lib/client.ts) arms `setInterval(_reconnect, reconnectPeriod)` in `_setupReconnect` when the
 * stream closes (or in `_cleanUp` on a keepalive or CONNACK timeout), and `connect()` clears it
 * again (`_clearReconnect`), so every attempt starts one period after the last one ended, however
 * many failed before. An attempt that hangs is ended by `connectTimeout` (30 s, armed in
 * `connect()`), so while SYNs go unanswered the attempts are 31 s apart: a TCP connect that has
 * not completed in 30 s is abandoned here too, and the next one starts a period later.
 * In each `mqtt.offline` window [atS, atS + forS) the application goes offline cleanly: DISCONNECT
 * (the broker discards the will, [MQTT-3.14.4-3]), close, and no reconnect until the window ends,
 * when it connects at once (a device switched off by its owner; one that loses its network is a
 * link outage instead, and its broker publishes the will).
 *
 * Flows and losses: see ../../protocols/mqtt/client-flows.ts. Traces: every packet
 * (`mqtt-packet`), connection events (`mqtt-event`), and app-send/app-deliver/app-lost.
 */
import { s } from '../../core/time.ts';
import type { Micros } from '../../core/time.ts';
import type { TcpOptions } from '../../protocols/tcp/api.ts';
import type { MqttPacketRecord, NodeId } from '../../core/trace.ts';
import { MqttClient, type ClientEvent } from '../../protocols/mqtt/client.ts';
import {
  FlowLedger,
  matchingSubscribers,
  mqttFlowId,
  type FlowInfo,
} from '../../protocols/mqtt/client-flows.ts';
import type { Role, RoleContext, RoleFactory, TimerHandle } from '../api.ts';
import { EngineDriver, type DriverOptions } from '../driver.ts';
import { brokerObservers } from './mqtt-broker.ts';
import { checkClientTopics, clientBroker, clientEngineOptions, type MqttClientNode, type PublishEntrySpec } from './mqtt-client-spec.ts';
import { openMqttPipe, type MqttPipe, type MqttPipeHandlers, type MqttTransport, type WsWrites } from './mqtt-transport.ts';
import type { Fifo } from '../../protocols/mqtt/fifo.ts';
import { wireTags, type WireTags } from './mqtt-tags.ts';
import { TokenIds } from './mqtt-token-ids.ts';

/** mqtt.js 5's `reconnectPeriod` default (src/lib/client.ts, defaultOptions), milliseconds. */
export const DEFAULT_RECONNECT_PERIOD_MS = 1000;

export const mqttClient: RoleFactory<MqttClientNode> = (ctx): Role => new MqttClientRole(ctx);

/**
 * One node's client. A class, not a closure over the factory's variables: its dozen steps are
 * methods shared by every device rather than a dozen closures and their contexts made per device
 * (about 1 KB a device in a 10,000-device fleet). It is also its engine driver's options and its
 * pipe's handlers, for the same reason.
 */
class MqttClientRole implements Role, DriverOptions, MqttPipeHandlers {
  readonly #ctx: RoleContext<MqttClientNode>;
  readonly #brokerId: string;
  readonly #brokerPort: number;
  readonly #transport: MqttTransport;
  readonly #tcpOptions: Partial<TcpOptions>;
  readonly #websocketClient: WsWrites;
  readonly #ledger: FlowLedger;
  readonly #engine: MqttClient;
  /**
   * A kept session must survive the loss of a connection: with a clean session the engine's
   * connect() discards in-flight state itself.
   */
  readonly #keepsSession: boolean;
  readonly #isSubscriber: boolean;
  /** The flows of each publish entry (shared by its messages in the ledger). */
  readonly #flowsOf: FlowInfo[][];
  #pipe: MqttPipe | undefined;
  #connSerial = 0;
  #reconnectTimer: TimerHandle | undefined;
  #connectTimer: TimerHandle | undefined;
  /**
   * QoS 0 messages written on the current connection: ledger id -> the TCP stream offset the
   * broker must have received for it to have arrived (its last byte, or its frame's).
   */
  #qos0Written: Array<{ id: number; end: number }> = [];
  /** QoS 0 messages in the chunk being sent: ledger id, end offset in the engine's stream. */
  readonly #published: Array<{ id: number; offset: number }> = [];
  #engineWritten = 0;
  /**
   * Engine token -> ledger id, for messages still with the engine. Message identity beside the
   * bytes (./mqtt-tags.ts): a PUBLISH the engine writes names its token (a resend, the same one).
   */
  readonly #tokenToId = new TokenIds();
  readonly #tags: WireTags;
  /** The current connection's wire tags: what we write, what the broker writes. */
  #tagsOut: Fifo<number | undefined> | undefined;
  #tagsIn: Fifo<number | undefined> | undefined;
  // And a PUBLISH received: its decoded payload object travels to the message event. A QoS 0 or 1
  // message's event comes straight after its packet's (one slot); a QoS 2 one's waits for PUBREL.
  #lastPayload: Uint8Array | undefined;
  #lastPayloadId: number | undefined;
  /** Made at the first QoS 2 message received (an empty WeakMap is about 140 bytes a device). */
  #idOfReceivedQos2: WeakMap<Uint8Array, number | undefined> | undefined;
  #lastReason: string | undefined;
  readonly #reconnectPeriod: Micros;
  /**
   * One zero-filled payload per size for the whole run, shared by every entry of that size (about
   * 200 bytes a device otherwise): nothing writes into a payload, and which message a PUBLISH is
   * travels beside the bytes (./mqtt-tags.ts).
   */
  readonly #zeros: Uint8Array[];
  /** Drains the engine and re-arms its timer (../driver.ts); this role is its options. */
  readonly #driver: EngineDriver;
  /** The end of the offline window the application is in, or 0. */
  #offlineUntil = 0;
  /** DriverOptions: no timer after the end of the run. */
  readonly horizon: Micros;

  constructor(ctx: RoleContext<MqttClientNode>) {
    this.#ctx = ctx;
    const spec = ctx.spec;
    const m = spec.mqtt ?? {};
    const { broker, transport, port } = clientBroker(ctx);
    this.#brokerId = broker;
    this.#brokerPort = port;
    this.#transport = transport;
    this.#websocketClient = m.websocketClient ?? 'browser';
    // mqtt.js over TCP leaves Nagle on; a browser (and the ws library under mqtt.js in Node) sets
    // TCP_NODELAY on WebSocket connections.
    this.#tcpOptions = { nagle: transport === 'tcp', ...spec.tcp };
    checkClientTopics(ctx.node, spec);
    // One ledger per run; the brokers tell it what only they know (drops, routing, subscriptions).
    const ledger = ctx.shared('mqtt-client:ledger', () => {
      const l = new FlowLedger();
      brokerObservers(ctx).add({
        dropped: (d) => l.droppedAtBroker(d.subscriberClientId, d.id, d.reason),
        routed: (id, t) => l.routedAtBroker(id, t),
        subscribed: (clientId, t) => l.subscribedAtBroker(clientId, t),
      });
      return l;
    });
    this.#ledger = ledger;
    const version = m.version ?? '3.1.1';
    const options = clientEngineOptions(ctx.node, spec);
    this.#engine = new MqttClient(options);
    ledger.registerClient(options.clientId, ctx.node);
    this.#keepsSession = !(m.cleanSession ?? true) && (version !== '5' || (m.sessionExpiryS ?? 0) > 0);

    // ---- flows this node publishes on
    const subscribers = ctx.shared('mqtt-client:subscribers', () =>
      ctx.scenario.nodes.filter((n): n is MqttClientNode => n.role === 'mqtt-client' && (n.subscribe?.length ?? 0) > 0).map((n) => ({ node: n.id, subscribe: n.subscribe! })),
    );
    const publishes = spec.publish ?? [];
    this.#flowsOf = publishes.map((p, i) => {
      const duplicateTopic = publishes.some((q, j) => j !== i && q.topic === p.topic);
      return matchingSubscribers(p.topic, p.qos, subscribers).map((sub) => ({
        flow: mqttFlowId(ctx.node, p.topic, sub.node, i, duplicateTopic),
        from: ctx.node, to: sub.node, topic: p.topic, qos: sub.qos, entry: i,
      }));
    });
    this.#isSubscriber = (spec.subscribe?.length ?? 0) > 0;
    this.#tags = wireTags(ctx);
    this.#reconnectPeriod = Math.round((m.reconnect?.periodMs ?? DEFAULT_RECONNECT_PERIOD_MS) * 1000);
    this.#zeros = publishes.map((p) => ctx.shared(`mqtt-client:zeros:${p.payloadBytes}`, () => new Uint8Array(p.payloadBytes)));
    this.horizon = ctx.endTime;
    this.#driver = new EngineDriver(this.#engine, ctx, this);
  }

  start(): void {
    const ctx = this.#ctx;
    const spec = ctx.spec;
    const m = spec.mqtt ?? {};
    for (const [i, p] of (spec.publish ?? []).entries()) {
      for (const f of this.#flowsOf[i]!) {
        ctx.trace({ t: ctx.now(), kind: 'flow', flow: f.flow, protocol: 'mqtt', from: f.from, to: f.to, topic: f.topic, qos: f.qos });
      }
      this.#schedulePublishes(i, p);
    }
    if (this.#isSubscriber) this.#engine.subscribe(spec.subscribe!.map((x) => ({ topic: x.topic, qos: x.qos })), ctx.now());
    for (const w of m.offline ?? []) {
      const at = s(w.atS);
      if (at < ctx.endTime) ctx.at(at, () => this.#goOffline(at + s(w.forS)));
    }
    const connectAt = s(m.connectAtS ?? 0);
    if (connectAt === 0) this.#open();
    else if (connectAt < ctx.endTime) this.#reconnectTimer = ctx.at(connectAt, () => {
      this.#reconnectTimer = undefined;
      this.#open();
    });
  }

  finish(): void {
    const ctx = this.#ctx;
    for (const d of this.#ledger.finish()) ctx.trace({ t: ctx.now(), kind: 'app-lost', flow: d.flow, msg: d.msg, reason: d.reason });
  }

  /** Publish entry `i`: one callback re-armed after each publish (not a closure per message). */
  #schedulePublishes(i: number, p: PublishEntrySpec): void {
    const ctx = this.#ctx;
    const startAt = s(p.startS ?? 0);
    const stopAt = Math.min(ctx.endTime, p.stopS === undefined ? ctx.endTime : s(p.stopS));
    const every = Math.max(1, Math.round(p.everyMs * 1000));
    const flows = this.#flowsOf[i]!;
    const options = { qos: p.qos, retain: p.retain ?? false }; // the engine keeps no reference to it
    const zeros = this.#zeros[i]!;
    let msg = 0;
    let at = startAt;
    const tick = () => {
      const now = ctx.now();
      const id = this.#ledger.send(msg, flows, now);
      for (const f of flows) ctx.trace({ t: now, kind: 'app-send', flow: f.flow, msg, bytes: p.payloadBytes });
      msg++;
      // The payload's bytes say nothing about the message (zeros, one array per size, which
      // nothing writes into); the engine's token says which message a PUBLISH is.
      this.#tokenToId.set(this.#engine.publish(p.topic, zeros, options, now), id);
      this.#driver.sync();
      at += every;
      if (at < stopAt) ctx.at(at, tick);
    };
    if (at < stopAt) ctx.at(at, tick);
  }

  #note(event: string, detail?: string): void {
    const ctx = this.#ctx;
    const r = { t: ctx.now(), kind: 'mqtt-event' as const, node: ctx.node, event, clientId: this.#engine.clientId } as const;
    ctx.trace(detail === undefined ? r : { ...r, detail });
  }

  #lost(id: number, reason: string): void {
    const ctx = this.#ctx;
    for (const d of this.#ledger.lostNow(id, reason)) ctx.trace({ t: ctx.now(), kind: 'app-lost', flow: d.flow, msg: d.msg, reason: d.reason });
  }

  /** DriverOptions: what the engine produced after a call, bytes to TCP, events to traces and the ledger. */
  drain(): void {
    const engine = this.#engine;
    const packets = engine.packetsToSend();
    const published = this.#published;
    // Events first, so a packet's trace record comes before the frame or segment carrying it.
    published.length = 0;
    let close: 'close' | undefined;
    for (let ev = engine.nextEvent(); ev !== undefined; ev = engine.nextEvent()) {
      if (this.#onEvent(ev) === 'close') close = 'close';
    }
    const p = this.#pipe;
    if (p !== undefined) {
      for (const bytes of packets) {
        const start = this.#engineWritten;
        const end = (this.#engineWritten += bytes.length);
        const tcpEnd = p.send(bytes);
        // A QoS 0 message written just now has arrived once the segment or frame holding the end
        // of its packet did (its offset is the end of its packet in the engine's stream).
        for (const q of published) if (q.offset > start && q.offset <= end) this.#qos0Written.push({ id: q.id, end: tcpEnd });
      }
    }
    published.length = 0;
    if (close !== undefined) this.#abandon(true);
  }

  #onEvent(ev: ClientEvent): 'close' | undefined {
    const ctx = this.#ctx;
    const ledger = this.#ledger;
    const now = ctx.now();
    switch (ev.type) {
      case 'packet': {
        const pipe = this.#pipe;
        if (pipe === undefined) return undefined;
        if (ev.packet.cmd === 'publish') {
          if (ev.dir === 'send') this.#tagsOut!.push(ev.token === undefined ? undefined : this.#tokenToId.get(ev.token));
          else {
            const id = this.#tagsIn!.shift();
            if (ev.packet.qos === 2) (this.#idOfReceivedQos2 ??= new WeakMap()).set(ev.packet.payload, id);
            else {
              this.#lastPayload = ev.packet.payload;
              this.#lastPayloadId = id;
            }
          }
        }
        if (!ctx.wants('mqtt-packet')) return undefined;
        const p = ev.packet as unknown as Record<string, unknown>;
        const r: MqttPacketRecord = { t: now, kind: 'mqtt-packet', node: ctx.node, conn: pipe.conn.id, dir: ev.dir, type: ev.packet.cmd, bytes: ev.bytes };
        if (ev.packet.cmd === 'publish') {
          r.qos = ev.packet.qos;
          r.dup = ev.packet.dup;
          r.retain = ev.packet.retain;
          r.topic = ev.packet.topic;
        }
        if (typeof p.messageId === 'number') r.packetId = p.messageId;
        if (typeof p.reasonCode === 'number') r.reasonCode = p.reasonCode;
        else if (typeof p.returnCode === 'number') r.reasonCode = p.returnCode;
        ctx.trace(r);
        return undefined;
      }
      case 'connected':
        this.#note('connected', `sessionPresent=${ev.sessionPresent}`);
        if (this.#isSubscriber) ledger.subscriberConnected(ctx.node, now);
        if (this.#isSubscriber && !ev.sessionPresent && this.#connSerial > 1) ledger.subscriberSessionEnded(ctx.node, now);
        return undefined;
      case 'published': {
        const id = this.#tokenToId.take(ev.token);
        if (id !== undefined && ev.qos === 0 && ev.offset !== undefined) this.#published.push({ id, offset: ev.offset });
        return undefined;
      }
      case 'dropped': {
        const id = this.#tokenToId.take(ev.token);
        if (id === undefined) return undefined;
        if (ev.reason === 'session-discarded') ledger.discardedByPublisher(id);
        else this.#lost(id, ev.reason === 'refused' ? `refused-0x${(ev.reasonCode ?? 0).toString(16)}` : ev.reason);
        return undefined;
      }
      case 'message': {
        const got = ledger.deliver(ctx.node, ev.payload === this.#lastPayload ? this.#lastPayloadId : this.#idOfReceivedQos2?.get(ev.payload));
        if (got !== undefined) {
          const r = { t: now, kind: 'app-deliver' as const, flow: got.flow, msg: got.msg, bytes: ev.payload.length };
          ctx.trace(got.duplicate ? { ...r, duplicate: true } : r);
        }
        return undefined;
      }
      case 'disconnected':
        this.#lastReason = ev.reason;
        this.#note(`disconnected:${ev.reason}`, ev.reasonCode !== undefined ? `reasonCode=0x${ev.reasonCode.toString(16)}` : ev.detail);
        return undefined;
      case 'close':
        return 'close';
      default:
        return undefined;
    }
  }

  /**
   * The current connection is over (engine asked to close it, or TCP reported it gone): tell the
   * engine, schedule a reconnect, and once nothing more can arrive (onSettled) count lost the QoS 0
   * messages whose bytes the broker never received (the engine keeps no copy of them).
   */
  #abandon(engineAsked: boolean): void {
    const ctx = this.#ctx;
    const p = this.#pipe;
    if (p === undefined) return;
    this.#pipe = undefined;
    if (this.#connectTimer !== undefined) ctx.cancel(this.#connectTimer);
    this.#connectTimer = undefined;
    const pending = this.#qos0Written;
    this.#qos0Written = [];
    if (pending.length > 0) {
      p.conn.onSettled((brokerReceived) => {
        for (const q of pending) {
          if (q.end > brokerReceived) this.#lost(q.id, 'qos0-connection-died');
          else this.#ledger.qos0Settled(q.id); // the broker had it; lost at the end if it never routed it
        }
      });
    }
    if (engineAsked) {
      // A dead peer (no PINGRESP, no CONNACK) gets a RST, as mqtt.js' stream.destroy(); otherwise
      // the engine's last bytes (a DISCONNECT perhaps) go out before our FIN.
      p.close(this.#lastReason === 'keepalive-timeout' || this.#lastReason === 'connect-timeout');
    }
    const engine = this.#engine;
    engine.connectionLost(ctx.now());
    if (this.#isSubscriber) {
      this.#ledger.subscriberConnectionLost(ctx.node, ctx.now());
      if (!this.#keepsSession) this.#ledger.subscriberSessionEnded(ctx.node, ctx.now());
    }
    // Drains the events (no connection to write to), then re-arms.
    engine.dataToSend();
    for (let ev = engine.nextEvent(); ev !== undefined; ev = engine.nextEvent()) this.#onEvent(ev);
    this.#driver.sync();
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const ctx = this.#ctx;
    if (this.#reconnectTimer !== undefined) return;
    // Within an offline window the next attempt is at its end; otherwise one fixed period from now
    // (mqtt.js `_setupReconnect`: setInterval(reconnectPeriod), cleared by the attempt's connect()).
    const at = this.#offlineUntil > ctx.now() ? this.#offlineUntil : ctx.now() + this.#reconnectPeriod;
    if (at >= ctx.endTime) return;
    this.#note('reconnect-scheduled', `at=${at}`);
    this.#reconnectTimer = ctx.at(at, () => {
      this.#reconnectTimer = undefined;
      this.#open();
    });
  }

  #open(): void {
    const ctx = this.#ctx;
    this.#connSerial++;
    this.#qos0Written = [];
    this.#engineWritten = 0;
    const p: MqttPipe = openMqttPipe(ctx, this.#transport, this.#brokerId, this.#brokerPort, this.#tcpOptions, this, { writes: this.#websocketClient, version: this.#engine.version });
    this.#pipe = p;
    this.#tagsOut = this.#tags.opened(ctx.node, p.conn.id);
    this.#tagsIn = this.#tags.queue(this.#brokerId, p.conn.id);
    this.#connectTimer = ctx.at(ctx.now() + s(30), () => {
      this.#connectTimer = undefined;
      if (this.#pipe === p && this.#engine.state === 'offline') {
        this.#note('tcp-connect-timeout');
        this.#pipe = undefined;
        p.close(true);
        this.#scheduleReconnect();
      }
    });
  }

  /** MqttPipeHandlers: pipe `p` carries MQTT now. */
  onOpen(p: MqttPipe): void {
    if (this.#pipe !== p) return;
    const ctx = this.#ctx;
    if (this.#connectTimer !== undefined) ctx.cancel(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#engine.connect(ctx.now());
    this.#driver.sync();
  }

  /** MqttPipeHandlers: MQTT bytes from the broker on pipe `p`. */
  onData(data: Uint8Array, p: MqttPipe): void {
    if (this.#pipe !== p) return;
    this.#engine.receiveData(data, this.#ctx.now());
    this.#driver.sync();
  }

  /** MqttPipeHandlers: pipe `p` is gone. */
  onGone(p: MqttPipe): void {
    if (this.#pipe === p) this.#abandon(false);
  }

  /** An offline window begins: a clean DISCONNECT if connected, nothing pending until `until`. */
  #goOffline(until: Micros): void {
    const ctx = this.#ctx;
    this.#offlineUntil = until;
    this.#note('offline-window', `until=${until}`);
    if (this.#reconnectTimer !== undefined) ctx.cancel(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#pipe !== undefined && this.#engine.state === 'connected') {
      this.#engine.disconnect(ctx.now());
      this.#driver.sync(); // the engine's close event ends the connection (abandon) and schedules the reconnect
    } else if (this.#pipe !== undefined) {
      this.#abandon(true); // still connecting: give that attempt up
    }
    if (this.#pipe === undefined) this.#scheduleReconnect();
  }
}
