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
import type { MqttPacketRecord, NodeId } from '../../core/trace.ts';
import type { NodeOfRole } from '../../scenarios/schema.ts';
import { MqttClient, type ClientEvent, type MqttClientOptions } from '../../protocols/mqtt/client.ts';
import {
  FlowLedger,
  matchingSubscribers,
  mqttFlowId,
  type FlowInfo,
} from '../../protocols/mqtt/client-flows.ts';
import { topicFilterError, topicNameError } from '../../protocols/mqtt/topics.ts';
import type { Role, RoleFactory, TimerHandle } from '../api.ts';
import { EngineDriver } from '../driver.ts';
import { brokerObservers, DEFAULT_MQTT_PORT, DEFAULT_MQTT_WS_PORT } from './mqtt-broker.ts';
import { openMqttPipe, type MqttPipe, type MqttTransport } from './mqtt-transport.ts';
import type { Fifo } from '../../protocols/mqtt/fifo.ts';
import { wireTags } from './mqtt-tags.ts';
import { TokenIds } from './mqtt-token-ids.ts';

/** An mqtt-client node as the scenario schema infers it (already validated). */
type MqttClientNode = NodeOfRole<'mqtt-client'>;
type MqttBrokerNode = NodeOfRole<'mqtt-broker'>;

/** UTF-8 bytes of `text` (the simulator has no DOM lib, so no TextEncoder type). */
function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** mqtt.js 5's `reconnectPeriod` default (src/lib/client.ts, defaultOptions), milliseconds. */
export const DEFAULT_RECONNECT_PERIOD_MS = 1000;

export const mqttClient: RoleFactory<MqttClientNode> = (ctx): Role => {
  const spec = ctx.spec;
  const m = spec.mqtt ?? {};
  const nodes = ctx.scenario.nodes;
  const brokerNode = nodes.find((n): n is MqttBrokerNode => n.role === 'mqtt-broker' && (spec.broker === undefined || n.id === spec.broker));
  if (brokerNode === undefined) throw new RangeError(`mqtt-client "${ctx.node}": broker must be an mqtt-broker node of the scenario${spec.broker ? `, "${spec.broker}" is not` : ', there is none'}`);
  const transport = m.transport ?? 'tcp';
  const brokerPort = transport === 'websocket'
    ? (brokerNode.broker?.websocketPort ?? DEFAULT_MQTT_WS_PORT)
    : (brokerNode.broker?.port ?? DEFAULT_MQTT_PORT);
  if (brokerPort === 0) throw new RangeError(`mqtt-client "${ctx.node}": mqtt.transport is "websocket" but broker "${brokerNode.id}" has its WebSocket listener off (broker.websocketPort 0)`);
  // mqtt.js over TCP leaves Nagle on; a browser (and the ws library under mqtt.js in Node) sets
  // TCP_NODELAY on WebSocket connections.
  const tcpOptions = { nagle: transport === 'tcp', ...spec.tcp };
  // Topics are checked here so a bad one is a clear error, not a broker closing the connection.
  for (const [i, p] of (spec.publish ?? []).entries()) {
    const why = topicNameError(p.topic);
    if (why !== undefined) throw new RangeError(`mqtt-client "${ctx.node}": publish[${i}].topic must be a valid topic name: ${why}`);
  }
  for (const [i, sub] of (spec.subscribe ?? []).entries()) {
    const why = topicFilterError(sub.topic);
    if (why !== undefined) throw new RangeError(`mqtt-client "${ctx.node}": subscribe[${i}].topic must be a valid topic filter: ${why}`);
  }
  if (spec.mqtt?.will !== undefined) {
    const why = topicNameError(spec.mqtt.will.topic);
    if (why !== undefined) throw new RangeError(`mqtt-client "${ctx.node}": mqtt.will.topic must be a valid topic name: ${why}`);
  }
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
  const version = m.version ?? '3.1.1';

  const options: Partial<MqttClientOptions> & { clientId: string } = {
    version,
    clientId: m.clientId ?? ctx.node,
    clean: m.cleanSession ?? true,
    keepaliveS: m.keepaliveS ?? 60,
    sessionExpiryS: m.sessionExpiryS ?? 0,
  };
  if (m.username !== undefined) options.username = m.username;
  if (m.password !== undefined) options.password = utf8(m.password);
  if (m.will !== undefined) {
    options.will = { topic: m.will.topic, payload: new Uint8Array(m.will.payloadBytes ?? 0), qos: m.will.qos ?? 0, retain: m.will.retain ?? false };
    if (m.will.delayS !== undefined) options.will.delayS = m.will.delayS;
  }
  for (const key of ['maxInflight', 'maxQueued', 'queueQos0Offline', 'pingTimeoutS', 'nonStandardResendMs'] as const) {
    if (m[key] !== undefined) (options as Record<string, unknown>)[key] = m[key];
  }
  const engine = new MqttClient(options);
  ledger.registerClient(options.clientId, ctx.node);
  // A kept session must survive the loss of a connection: with a clean session the engine's
  // connect() discards in-flight state itself.
  const keepsSession = !(m.cleanSession ?? true) && (version !== '5' || (m.sessionExpiryS ?? 0) > 0);

  // ---- flows this node publishes on
  const subscribers = ctx.shared('mqtt-client:subscribers', () =>
    nodes.filter((n): n is MqttClientNode => n.role === 'mqtt-client' && (n.subscribe?.length ?? 0) > 0).map((n) => ({ node: n.id, subscribe: n.subscribe! })),
  );
  const publishes = spec.publish ?? [];
  const flowsOf: FlowInfo[][] = publishes.map((p, i) => {
    const duplicateTopic = publishes.some((q, j) => j !== i && q.topic === p.topic);
    return matchingSubscribers(p.topic, p.qos, subscribers).map((sub) => ({
      flow: mqttFlowId(ctx.node, p.topic, sub.node, i, duplicateTopic),
      from: ctx.node, to: sub.node, topic: p.topic, qos: sub.qos, entry: i,
    }));
  });
  const isSubscriber = (spec.subscribe?.length ?? 0) > 0;

  let pipe: MqttPipe | undefined;
  let connSerial = 0;
  let reconnectTimer: TimerHandle | undefined;
  let connectTimer: TimerHandle | undefined;
  /**
   * QoS 0 messages written on the current connection: ledger id -> the TCP stream offset the
   * broker must have received for it to have arrived (its last byte, or its frame's).
   */
  let qos0Written: Array<{ id: number; end: number }> = [];
  /** QoS 0 messages in the chunk being sent: ledger id, end offset in the engine's stream. */
  const published: Array<{ id: number; offset: number }> = [];
  let engineWritten = 0;
  /**
   * Engine token -> ledger id, for messages still with the engine. Message identity beside the
   * bytes (./mqtt-tags.ts): a PUBLISH the engine writes names its token (a resend, the same one).
   */
  const tokenToId = new TokenIds();
  const tags = wireTags(ctx);
  /** The current connection's wire tags: what we write, what the broker writes. */
  let tagsOut: Fifo<number | undefined> | undefined;
  let tagsIn: Fifo<number | undefined> | undefined;
  // And a PUBLISH received: its decoded payload object travels to the message event. A QoS 0 or 1
  // message's event comes straight after its packet's (one slot); a QoS 2 one's waits for PUBREL.
  let lastPayload: Uint8Array | undefined;
  let lastPayloadId: number | undefined;
  /** Made at the first QoS 2 message received (an empty WeakMap is about 140 bytes a device). */
  let idOfReceivedQos2: WeakMap<Uint8Array, number | undefined> | undefined;
  let lastReason: string | undefined;
  const reconnectPeriod = Math.round((m.reconnect?.periodMs ?? DEFAULT_RECONNECT_PERIOD_MS) * 1000);
  // One zero-filled payload per size for the whole run, shared by every entry of that size (about
  // 200 bytes a device otherwise): nothing writes into a payload, and which message a PUBLISH is
  // travels beside the bytes (./mqtt-tags.ts).
  const zeros = publishes.map((p) => ctx.shared(`mqtt-client:zeros:${p.payloadBytes}`, () => new Uint8Array(p.payloadBytes)));

  const note = (event: string, detail?: string) => {
    const r = { t: ctx.now(), kind: 'mqtt-event' as const, node: ctx.node, event, clientId: engine.clientId } as const;
    ctx.trace(detail === undefined ? r : { ...r, detail });
  };

  const lost = (id: number, reason: string) => {
    for (const d of ledger.lostNow(id, reason)) ctx.trace({ t: ctx.now(), kind: 'app-lost', flow: d.flow, msg: d.msg, reason: d.reason });
  };

  /** What the engine produced after a call: bytes to TCP, events to traces and the ledger. */
  const drain = () => {
    const packets = engine.packetsToSend();
    // Events first, so a packet's trace record comes before the frame or segment carrying it.
    published.length = 0;
    let close: 'close' | undefined;
    for (let ev = engine.nextEvent(); ev !== undefined; ev = engine.nextEvent()) {
      if (onEvent(ev) === 'close') close = 'close';
    }
    const p = pipe;
    if (p !== undefined) {
      for (const bytes of packets) {
        const start = engineWritten;
        engineWritten += bytes.length;
        const tcpEnd = p.send(bytes);
        // A QoS 0 message written just now has arrived once the segment or frame holding the end
        // of its packet did (its offset is the end of its packet in the engine's stream).
        for (const q of published) if (q.offset > start && q.offset <= engineWritten) qos0Written.push({ id: q.id, end: tcpEnd });
      }
    }
    published.length = 0;
    if (close !== undefined) abandon(true);
  };
  /** Drains the engine and re-arms its timer (../driver.ts). */
  const driver = new EngineDriver(engine, ctx, { drain, horizon: ctx.endTime });

  const onEvent = (ev: ClientEvent): 'close' | undefined => {
    const now = ctx.now();
    switch (ev.type) {
      case 'packet': {
        if (pipe === undefined) return undefined;
        if (ev.packet.cmd === 'publish') {
          if (ev.dir === 'send') tagsOut!.push(ev.token === undefined ? undefined : tokenToId.get(ev.token));
          else {
            const id = tagsIn!.shift();
            if (ev.packet.qos === 2) (idOfReceivedQos2 ??= new WeakMap()).set(ev.packet.payload, id);
            else {
              lastPayload = ev.packet.payload;
              lastPayloadId = id;
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
        note('connected', `sessionPresent=${ev.sessionPresent}`);
        if (isSubscriber) ledger.subscriberConnected(ctx.node, now);
        if (isSubscriber && !ev.sessionPresent && connSerial > 1) ledger.subscriberSessionEnded(ctx.node, now);
        return undefined;
      case 'published': {
        const id = tokenToId.take(ev.token);
        if (id !== undefined && ev.qos === 0 && ev.offset !== undefined) published.push({ id, offset: ev.offset });
        return undefined;
      }
      case 'dropped': {
        const id = tokenToId.take(ev.token);
        if (id === undefined) return undefined;
        if (ev.reason === 'session-discarded') ledger.discardedByPublisher(id);
        else lost(id, ev.reason === 'refused' ? `refused-0x${(ev.reasonCode ?? 0).toString(16)}` : ev.reason);
        return undefined;
      }
      case 'message': {
        const got = ledger.deliver(ctx.node, ev.payload === lastPayload ? lastPayloadId : idOfReceivedQos2?.get(ev.payload));
        if (got !== undefined) {
          const r = { t: now, kind: 'app-deliver' as const, flow: got.flow, msg: got.msg, bytes: ev.payload.length };
          ctx.trace(got.duplicate ? { ...r, duplicate: true } : r);
        }
        return undefined;
      }
      case 'disconnected':
        lastReason = ev.reason;
        note(`disconnected:${ev.reason}`, ev.reasonCode !== undefined ? `reasonCode=0x${ev.reasonCode.toString(16)}` : ev.detail);
        return undefined;
      case 'close':
        return 'close';
      default:
        return undefined;
    }
  };

  /**
   * The current connection is over (engine asked to close it, or TCP reported it gone): tell the
   * engine, schedule a reconnect, and once nothing more can arrive (onSettled) count lost the QoS 0
   * messages whose bytes the broker never received (the engine keeps no copy of them).
   */
  const abandon = (engineAsked: boolean) => {
    const p = pipe;
    if (p === undefined) return;
    pipe = undefined;
    if (connectTimer !== undefined) ctx.cancel(connectTimer);
    connectTimer = undefined;
    const pending = qos0Written;
    qos0Written = [];
    if (pending.length > 0) {
      p.conn.onSettled((brokerReceived) => {
        for (const q of pending) {
          if (q.end > brokerReceived) lost(q.id, 'qos0-connection-died');
          else ledger.qos0Settled(q.id); // the broker had it; lost at the end if it never routed it
        }
      });
    }
    if (engineAsked) {
      // A dead peer (no PINGRESP, no CONNACK) gets a RST, as mqtt.js' stream.destroy(); otherwise
      // the engine's last bytes (a DISCONNECT perhaps) go out before our FIN.
      p.close(lastReason === 'keepalive-timeout' || lastReason === 'connect-timeout');
    }
    engine.connectionLost(ctx.now());
    if (isSubscriber) {
      ledger.subscriberConnectionLost(ctx.node, ctx.now());
      if (!keepsSession) ledger.subscriberSessionEnded(ctx.node, ctx.now());
    }
    // Drains the events (no connection to write to), then re-arms.
    engine.dataToSend();
    for (let ev = engine.nextEvent(); ev !== undefined; ev = engine.nextEvent()) onEvent(ev);
    driver.sync();
    scheduleReconnect();
  };

  const scheduleReconnect = () => {
    if (reconnectTimer !== undefined) return;
    // Within an offline window the next attempt is at its end; otherwise one fixed period from now
    // (mqtt.js `_setupReconnect`: setInterval(reconnectPeriod), cleared by the attempt's connect()).
    const at = offlineUntil > ctx.now() ? offlineUntil : ctx.now() + reconnectPeriod;
    if (at >= ctx.endTime) return;
    note('reconnect-scheduled', `at=${at}`);
    reconnectTimer = ctx.at(at, () => {
      reconnectTimer = undefined;
      open();
    });
  };

  const open = () => {
    connSerial++;
    qos0Written = [];
    engineWritten = 0;
    const p: MqttPipe = openMqttPipe(ctx, transport, brokerNode.id, brokerPort, tcpOptions, {
      onOpen() {
        if (pipe !== p) return;
        if (connectTimer !== undefined) ctx.cancel(connectTimer);
        connectTimer = undefined;
        engine.connect(ctx.now());
        driver.sync();
      },
      onData(data) {
        if (pipe !== p) return;
        engine.receiveData(data, ctx.now());
        driver.sync();
      },
      onGone() {
        if (pipe === p) abandon(false);
      },
    }, { writes: m.websocketClient ?? 'browser', version: engine.version });
    pipe = p;
    tagsOut = tags.opened(ctx.node, p.conn.id);
    tagsIn = tags.queue(brokerNode.id, p.conn.id);
    connectTimer = ctx.at(ctx.now() + s(30), () => {
      connectTimer = undefined;
      if (pipe === p && engine.state === 'offline') {
        note('tcp-connect-timeout');
        pipe = undefined;
        p.close(true);
        scheduleReconnect();
      }
    });
  };

  /** The end of the offline window the application is in, or 0. */
  let offlineUntil = 0;
  /** An offline window begins: a clean DISCONNECT if connected, nothing pending until `until`. */
  const goOffline = (until: Micros) => {
    offlineUntil = until;
    note('offline-window', `until=${until}`);
    if (reconnectTimer !== undefined) ctx.cancel(reconnectTimer);
    reconnectTimer = undefined;
    if (pipe !== undefined && engine.state === 'connected') {
      engine.disconnect(ctx.now());
      driver.sync(); // the engine's close event ends the connection (abandon) and schedules the reconnect
    } else if (pipe !== undefined) {
      abandon(true); // still connecting: give that attempt up
    }
    if (pipe === undefined) scheduleReconnect();
  };

  return {
    start() {
      for (const [i, p] of publishes.entries()) {
        for (const f of flowsOf[i]!) {
          ctx.trace({ t: ctx.now(), kind: 'flow', flow: f.flow, protocol: 'mqtt', from: f.from, to: f.to, topic: f.topic, qos: f.qos });
        }
        const startAt = s(p.startS ?? 0);
        const stopAt = Math.min(ctx.endTime, p.stopS === undefined ? ctx.endTime : s(p.stopS));
        const every = Math.max(1, Math.round(p.everyMs * 1000));
        // One callback per entry, re-armed after each publish (not a closure per message).
        const flows = flowsOf[i]!;
        const options = { qos: p.qos, retain: p.retain ?? false }; // the engine keeps no reference to it
        let msg = 0;
        let at = startAt;
        const tick = () => {
          const now = ctx.now();
          const id = ledger.send(msg, flows, now);
          for (const f of flows) ctx.trace({ t: now, kind: 'app-send', flow: f.flow, msg, bytes: p.payloadBytes });
          msg++;
          // The payload's bytes say nothing about the message (zeros, one array per size, which
          // nothing writes into); the engine's token says which message a PUBLISH is.
          tokenToId.set(engine.publish(p.topic, zeros[i]!, options, now), id);
          driver.sync();
          at += every;
          if (at < stopAt) ctx.at(at, tick);
        };
        if (at < stopAt) ctx.at(at, tick);
      }
      if (isSubscriber) engine.subscribe(spec.subscribe!.map((x) => ({ topic: x.topic, qos: x.qos })), ctx.now());
      for (const w of m.offline ?? []) {
        const at = s(w.atS);
        if (at < ctx.endTime) ctx.at(at, () => goOffline(at + s(w.forS)));
      }
      const connectAt = s(m.connectAtS ?? 0);
      if (connectAt === 0) open();
      else if (connectAt < ctx.endTime) reconnectTimer = ctx.at(connectAt, () => {
        reconnectTimer = undefined;
        open();
      });
    },
    finish() {
      for (const d of ledger.finish()) ctx.trace({ t: ctx.now(), kind: 'app-lost', flow: d.flow, msg: d.msg, reason: d.reason });
    },
  };
};
