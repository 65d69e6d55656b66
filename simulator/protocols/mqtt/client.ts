/**
 * MQTT 3.1.1 / 5 client as a sans-IO engine (see ../shared/STYLE.md: h11 and aioquic).
 *
 * The caller owns the transport (a virtual TCP connection, a node:net socket, a test):
 *   client.connect(now)              the transport is open: send CONNECT
 *   client.receiveData(bytes, now)   bytes from the server, any chunking
 *   client.connectionLost(now)       the transport died or was closed
 *   client.publish / subscribe / unsubscribe / disconnect   application calls
 *   client.dataToSend()  -> bytes to write, or undefined
 *   client.nextEvent()   -> ClientEvent, or undefined      ({type:'close'}: close the transport)
 *   client.nextTimer()   -> Micros | undefined;  client.handleTimer(now)
 * After every call the caller drains dataToSend() and nextEvent(), and wakes the engine at
 * nextTimer() (waking early is harmless). Bad bytes never throw out of receiveData: the engine
 * closes the connection (MQTT 5: DISCONNECT 0x81 / 0x82 first, [MQTT-4.13.1-1]).
 *
 * Rules this engine keeps (the ones the course's experiments show):
 * - Session state on the client: QoS 1/2 PUBLISHes sent and not completely acknowledged, PUBRELs
 *   awaiting PUBCOMP, QoS 2 PUBLISHes received awaiting PUBREL (3.1.1 section 4.1, 5 section 4.1).
 *   It is discarded on Clean Session / Clean Start ([MQTT-3.1.2-6], 5 [MQTT-3.1.2-4]) and when
 *   CONNACK says no session is present ([MQTT-3.2.2-5] in 5, 3.1.1 section 3.2.2.2).
 * - Resending: unacknowledged PUBLISH (DUP=1, [MQTT-3.3.1-1]) and PUBREL are re-sent in their
 *   original order when a session is resumed ([MQTT-4.4.0-1], [MQTT-4.6.0-1]), never on a timer
 *   inside a live connection; TCP recovers losses there. `nonStandardResendMs` is the exception,
 *   off by default and marked so.
 * - QoS 2 receiver: the message is stored on PUBLISH and given to the application when PUBREL
 *   arrives (as mqtt.js does; method A of 5 section 4.3.3); a repeated PUBLISH with an id still
 *   stored is answered with PUBREC again and not delivered twice ([MQTT-4.3.3-2] in 3.1.1).
 * - Keepalive: PINGREQ when nothing was sent for keepalive seconds ([MQTT-3.1.2-23]); no PINGRESP
 *   within pingTimeout (default keepalive/2, like mqtt.js 5) closes the connection.
 * - In-flight window: at most min(maxInflight, the server's Receive Maximum) QoS > 0 PUBLISHes
 *   unacknowledged ([MQTT-3.3.4-7], 5); the rest wait in a bounded queue (maxQueued).
 * - Outgoing packets other than CONNECT wait for CONNACK (what mqtt.js does; both versions allow
 *   sending earlier).
 */
import { LocalProtocolError, RemoteProtocolError } from '../../core/errors.ts';
import type { Micros } from '../../core/time.ts';
import {
  encodePacket,
  PacketParser,
  protocolLevel,
  REASON_MALFORMED_PACKET,
  REASON_PROTOCOL_ERROR,
  type ConnectPacket,
  type MqttPacket,
  type MqttVersion,
  type PacketOf,
  type PublishPacket,
  type PublishProperties,
  type QoS,
  type Subscription,
} from './codec.ts';
import {
  DEFAULT_CLIENT_OPTIONS,
  type ClientCounters,
  type ClientEvent,
  type ClientState,
  type DisconnectReason,
  type DropReason,
  type MqttClientOptions,
  type PublishOptions,
} from './client-types.ts';
import { PacketIdAllocator } from './packet-ids.ts';

export * from './client-types.ts';

const SECOND: Micros = 1_000_000;

/** A message the application published, from publish() until its flow ends. */
interface Outgoing {
  token: number;
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties: PublishProperties | undefined;
  queuedAt: Micros;
  messageId?: number;
  /** queued: not sent yet; sent: PUBLISH out, awaiting PUBACK/PUBREC; released: PUBREL out, awaiting PUBCOMP. */
  state: 'queued' | 'sent' | 'released';
  /** When the PUBLISH or PUBREL last went out (for the non-standard timer mode). */
  lastSentAt: Micros;
}

type Request =
  | { kind: 'subscribe'; messageId: number; subscriptions: Subscription[]; properties?: PacketOf<'subscribe'>['properties'] }
  | { kind: 'unsubscribe'; messageId: number; topics: string[] };

export class MqttClient {
  readonly options: MqttClientOptions;
  readonly version: MqttVersion;
  readonly counters: ClientCounters = {
    packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0, resentOnReconnect: 0, resentOnTimer: 0,
  };

  #state: ClientState = 'offline';
  #clientId: string;
  #parser: PacketParser;
  #out: Uint8Array[] = [];
  #events: ClientEvent[] = [];
  #eventHead = 0;
  /** Bytes handed to dataToSend() on the current connection, so far. */
  #offset = 0;

  #ids = new PacketIdAllocator();
  #nextToken = 1;
  /** In publish order: the in-flight messages first, then the queue (QoS 0 included). */
  #outgoing: Outgoing[] = [];
  /** QoS 2 PUBLISHes received, awaiting PUBREL: messageId -> the message to deliver then. */
  #incomingQos2 = new Map<number, PublishPacket>();
  #subscriptions = new Map<string, Subscription>();
  #requests: Request[] = [];

  // connection-scoped
  #lastSent: Micros = 0;
  #pingDeadline: Micros | undefined;
  #connackDeadline: Micros | undefined;
  #keepalive: Micros;
  #serverReceiveMaximum = 65535;
  #serverTopicAliasMax = 0;
  #serverMaxQos: QoS = 2;
  #aliasesOut = new Map<string, number>();
  #aliasesIn = new Map<number, string>();

  constructor(options: Partial<MqttClientOptions> & { clientId: string }) {
    this.options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    this.version = protocolLevel(this.options.version);
    this.#clientId = this.options.clientId;
    this.#parser = new PacketParser(this.version);
    this.#keepalive = this.options.keepaliveS * SECOND;
    if (this.#clientId === '' && !this.options.clean && this.version !== 5) {
      throw new LocalProtocolError('mqtt-client-id-required', 'an empty client id needs clean session 1 [MQTT-3.1.3-7]');
    }
    if (this.options.maxInflight < 1) {
      throw new LocalProtocolError('mqtt-bad-option', `maxInflight must be at least 1, got ${this.options.maxInflight}`);
    }
  }

  get state(): ClientState {
    return this.#state;
  }

  get clientId(): string {
    return this.#clientId;
  }

  /** QoS 1/2 PUBLISHes sent and not yet completely acknowledged. */
  get inflight(): number {
    let n = 0;
    for (const m of this.#outgoing) if (m.state !== 'queued') n++;
    return n;
  }

  /** Messages waiting to be sent. */
  get queued(): number {
    return this.#outgoing.length - this.inflight;
  }

  get packetIdsInUse(): number {
    return this.#ids.inUse;
  }

  // ------------------------------------------------------------------ application calls

  /** The transport is open: send CONNECT (section 3.1). */
  connect(now: Micros): void {
    if (this.#state !== 'offline') {
      throw new LocalProtocolError('mqtt-client-not-offline', `connect() while ${this.#state}`);
    }
    this.#parser = new PacketParser(this.version);
    this.#offset = 0;
    this.#aliasesIn.clear();
    this.#aliasesOut.clear();
    this.#pingDeadline = undefined;
    this.#keepalive = this.options.keepaliveS * SECOND;
    if (this.options.clean) this.#discardSession(); // [MQTT-3.1.2-6] / 5 [MQTT-3.1.2-4]
    const o = this.options;
    const connect: ConnectPacket = {
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: this.version, clientId: this.#clientId,
      clean: o.clean, keepalive: o.keepaliveS,
    };
    if (o.username !== undefined) connect.username = o.username;
    if (o.password !== undefined) connect.password = o.password;
    if (o.will !== undefined) {
      const w = o.will;
      connect.will = { topic: w.topic, payload: w.payload, qos: w.qos ?? 0, retain: w.retain ?? false };
      if (this.version === 5) {
        const props = { ...(w.properties ?? {}) } as NonNullable<ConnectPacket['will']>['properties'] & object;
        if (w.delayS !== undefined && w.delayS > 0) props.willDelayInterval = w.delayS;
        if (Object.keys(props).length > 0) connect.will.properties = props;
      }
    }
    if (this.version === 5) {
      const props: NonNullable<ConnectPacket['properties']> = {};
      if (o.sessionExpiryS > 0) props.sessionExpiryInterval = o.sessionExpiryS;
      if (o.receiveMaximum < 65535) props.receiveMaximum = o.receiveMaximum;
      if (o.topicAliasMaximum > 0) props.topicAliasMaximum = o.topicAliasMaximum;
      if (Object.keys(props).length > 0) connect.properties = props;
    }
    this.#state = 'connecting';
    this.#connackDeadline = now + o.connectTimeoutS * SECOND;
    this.#send(connect, now);
  }

  /**
   * Publish `payload` on `topic`. Returns a token that later events ('published', 'dropped')
   * name. Sent at once when connected and the window allows; otherwise queued.
   */
  publish(topic: string, payload: Uint8Array, options: PublishOptions, now: Micros): number {
    const token = this.#nextToken++;
    const qos = options.qos ?? 0;
    const msg: Outgoing = {
      token, topic, payload, qos, retain: options.retain ?? false, properties: options.properties,
      queuedAt: now, state: 'queued', lastSentAt: now,
    };
    if (this.#state !== 'connected' && qos === 0 && !this.options.queueQos0Offline) {
      this.#emit({ type: 'dropped', token, qos, reason: 'offline-qos0' });
      return token;
    }
    if (this.queued >= this.options.maxQueued) {
      this.#emit({ type: 'dropped', token, qos, reason: 'queue-full' });
      return token;
    }
    this.#outgoing.push(msg);
    if (this.#state === 'connected') this.#pump(now);
    return token;
  }

  /** SUBSCRIBE (section 3.8); remembered for resubscribing. Returns the packet id. */
  subscribe(subscriptions: Subscription[], now: Micros, properties?: PacketOf<'subscribe'>['properties']): number {
    if (subscriptions.length === 0) throw new LocalProtocolError('mqtt-empty-subscribe', 'subscribe() needs at least one filter [MQTT-3.8.3-3]');
    for (const s of subscriptions) this.#subscriptions.set(s.topic, s);
    const req: Request = { kind: 'subscribe', messageId: this.#ids.allocate(), subscriptions };
    if (properties !== undefined) req.properties = properties;
    this.#requests.push(req);
    if (this.#state === 'connected') this.#sendRequest(req, now);
    return req.messageId;
  }

  /** UNSUBSCRIBE (section 3.10). Returns the packet id. */
  unsubscribe(topics: string[], now: Micros): number {
    if (topics.length === 0) throw new LocalProtocolError('mqtt-empty-unsubscribe', 'unsubscribe() needs at least one filter [MQTT-3.10.3-2]');
    for (const t of topics) this.#subscriptions.delete(t);
    const req: Request = { kind: 'unsubscribe', messageId: this.#ids.allocate(), topics };
    this.#requests.push(req);
    if (this.#state === 'connected') this.#sendRequest(req, now);
    return req.messageId;
  }

  /**
   * Graceful DISCONNECT (section 3.14): the server discards the will ([MQTT-3.14.4-3]). MQTT 5
   * may carry a reason code (0x04 keeps the will) and a new session expiry.
   */
  disconnect(now: Micros, options: { reasonCode?: number; sessionExpiryS?: number } = {}): void {
    if (this.#state === 'offline' || this.#state === 'closing') return;
    const packet: PacketOf<'disconnect'> = { cmd: 'disconnect' };
    if (this.version === 5) {
      if (options.reasonCode !== undefined) packet.reasonCode = options.reasonCode;
      if (options.sessionExpiryS !== undefined) packet.properties = { sessionExpiryInterval: options.sessionExpiryS };
    }
    this.#send(packet, now);
    this.#close('client-disconnect', now);
  }

  /** The transport is gone (reset, timeout, the peer closed it, or we closed it). */
  connectionLost(now: Micros): void {
    if (this.#state === 'offline') return;
    const was = this.#state;
    this.#goOffline();
    if (was !== 'closing') this.#emit({ type: 'disconnected', reason: 'connection-lost' });
    void now;
  }

  // ------------------------------------------------------------------ bytes in

  receiveData(bytes: Uint8Array, now: Micros): void {
    if (this.#state === 'offline' || this.#state === 'closing') return;
    let packets: MqttPacket[];
    try {
      packets = this.#parser.push(bytes);
    } catch (err) {
      if (!(err instanceof RemoteProtocolError)) throw err;
      this.#protocolError(err, now);
      return;
    }
    for (const packet of packets) {
      if (!this.#isOpen()) return; // an earlier packet closed the connection
      this.counters.packetsReceived++;
      const size = wireSizeOf(packet);
      this.counters.bytesReceived += size;
      this.#emit({ type: 'packet', dir: 'receive', packet, bytes: size });
      try {
        this.#handle(packet, now);
      } catch (err) {
        if (!(err instanceof RemoteProtocolError)) throw err;
        this.#protocolError(err, now);
        return;
      }
    }
  }

  #handle(p: MqttPacket, now: Micros): void {
    if (this.#state === 'connecting' && p.cmd !== 'connack' && !(p.cmd === 'disconnect' && this.version === 5) && p.cmd !== 'auth') {
      // The first packet from the server is CONNACK ([MQTT-3.2.0-1]).
      throw remote('mqtt-expected-connack', `expected CONNACK first, got ${p.cmd.toUpperCase()} [MQTT-3.2.0-1]`, REASON_PROTOCOL_ERROR);
    }
    switch (p.cmd) {
      case 'connack': return this.#onConnack(p, now);
      case 'publish': return this.#onPublish(p, now);
      case 'puback': return this.#onPuback(p, now);
      case 'pubrec': return this.#onPubrec(p, now);
      case 'pubrel': return this.#onPubrel(p, now);
      case 'pubcomp': return this.#onPubcomp(p, now);
      case 'suback': return this.#onSuback(p);
      case 'unsuback': return this.#onUnsuback(p);
      case 'pingresp':
        this.#pingDeadline = undefined;
        return;
      case 'disconnect':
        // MQTT 5 only: the server closes with a reason code (section 3.14).
        this.#emit({ type: 'disconnected', reason: 'server-disconnect', reasonCode: p.reasonCode ?? 0 });
        this.#goOffline();
        this.#emit({ type: 'close' });
        return;
      case 'auth':
        throw remote('mqtt-unsupported-auth', 'enhanced authentication (AUTH) was not requested', REASON_PROTOCOL_ERROR);
      default:
        throw remote('mqtt-unexpected-packet', `a server may not send ${p.cmd.toUpperCase()} to a client`, REASON_PROTOCOL_ERROR);
    }
  }

  #onConnack(p: PacketOf<'connack'>, now: Micros): void {
    if (this.#state !== 'connecting') throw remote('mqtt-second-connack', 'a second CONNACK on one connection', REASON_PROTOCOL_ERROR);
    this.#connackDeadline = undefined;
    const code = (this.version === 5 ? p.reasonCode : p.returnCode) ?? 0;
    if (code !== 0) {
      // 3.1.1 return codes 1-5 (section 3.2.2.3); MQTT 5 reason codes >= 0x80 (3.2.2.2).
      this.#emit({ type: 'disconnected', reason: 'connect-refused', reasonCode: code, detail: connackText(code, this.version) });
      this.#goOffline();
      this.#emit({ type: 'close' });
      return;
    }
    const props = p.properties ?? {};
    this.#serverReceiveMaximum = props.receiveMaximum ?? 65535;
    this.#serverTopicAliasMax = this.options.topicAliases ? (props.topicAliasMaximum ?? 0) : 0;
    this.#serverMaxQos = (props.maximumQoS ?? 2) as QoS;
    if (props.serverKeepAlive !== undefined) this.#keepalive = props.serverKeepAlive * SECOND; // [MQTT-3.2.2-22]
    if (props.assignedClientIdentifier !== undefined) this.#clientId = props.assignedClientIdentifier;
    this.#state = 'connected';
    const sessionPresent = p.sessionPresent;
    if (!sessionPresent) this.#discardSession();
    const ev: ClientEvent = { type: 'connected', sessionPresent, reasonCode: code };
    if (props.assignedClientIdentifier !== undefined) ev.assignedClientId = props.assignedClientIdentifier;
    this.#emit(ev);

    if (sessionPresent) {
      // [MQTT-4.4.0-1]: re-send unacknowledged PUBLISH (DUP=1) and PUBREL, in the original order.
      for (const m of this.#outgoing) {
        if (m.state === 'sent') {
          this.counters.resentOnReconnect++;
          this.#sendPublish(m, now, true);
        } else if (m.state === 'released') {
          this.counters.resentOnReconnect++;
          m.lastSentAt = now;
          this.#send({ cmd: 'pubrel', messageId: m.messageId! }, now);
        }
      }
    } else if (this.options.resubscribe) {
      // The server has none of our subscriptions: ask again for those no pending request covers.
      const pending = new Set(this.#requests.flatMap((r) => (r.kind === 'subscribe' ? r.subscriptions.map((x) => x.topic) : [])));
      const again = [...this.#subscriptions.values()].filter((x) => !pending.has(x.topic));
      if (again.length > 0) this.#requests.unshift({ kind: 'subscribe', messageId: this.#ids.allocate(), subscriptions: again });
    }
    // SUBSCRIBE / UNSUBSCRIBE not yet acknowledged go (again) on every new connection.
    for (const req of this.#requests) this.#sendRequest(req, now);
    this.#pump(now);
  }

  #onPublish(p: PublishPacket, now: Micros): void {
    let topic = p.topic;
    const alias = p.properties?.topicAlias;
    if (this.version === 5 && alias !== undefined) {
      // Topic aliases (5 section 3.3.2.3.4): 0 or above our maximum is a Protocol Error [MQTT-3.3.2-9].
      if (alias === 0 || alias > this.options.topicAliasMaximum) {
        throw remote('mqtt-topic-alias-invalid', `topic alias ${alias} outside 1..${this.options.topicAliasMaximum}`, 0x94);
      }
      if (topic === '') {
        const known = this.#aliasesIn.get(alias);
        if (known === undefined) throw remote('mqtt-topic-alias-unknown', `topic alias ${alias} was never set`, REASON_PROTOCOL_ERROR);
        topic = known;
      } else {
        this.#aliasesIn.set(alias, topic);
      }
    } else if (topic === '') {
      throw remote('mqtt-empty-topic', 'PUBLISH with an empty topic name and no alias [MQTT-4.7.3-1]', REASON_PROTOCOL_ERROR);
    }
    const message: ClientEvent = { type: 'message', topic, payload: p.payload, qos: p.qos, retain: p.retain, dup: p.dup };
    if (p.messageId !== undefined) message.messageId = p.messageId;
    if (p.properties !== undefined) message.properties = p.properties;
    if (p.qos === 0) {
      this.#emit(message);
    } else if (p.qos === 1) {
      // Deliver, then PUBACK ([MQTT-4.3.2-2]); a re-sent copy is delivered again: QoS 1 is at least once.
      this.#emit(message);
      this.#send({ cmd: 'puback', messageId: p.messageId! }, now);
    } else {
      const id = p.messageId!;
      if (!this.#incomingQos2.has(id)) {
        if (this.#incomingQos2.size >= this.options.receiveMaximum && this.version === 5) {
          throw remote('mqtt-receive-maximum-exceeded', `more than Receive Maximum ${this.options.receiveMaximum} QoS 2 messages pending`, 0x93);
        }
        this.#incomingQos2.set(id, { ...p, topic });
      }
      this.#send({ cmd: 'pubrec', messageId: id }, now);
    }
  }

  #onPuback(p: PacketOf<'puback'>, now: Micros): void {
    const m = this.#findSent(p.messageId, 'sent', 1);
    if (m === undefined) return; // a late duplicate acknowledgement: nothing to do
    this.#finish(m, p.reasonCode, now);
  }

  #onPubrec(p: PacketOf<'pubrec'>, now: Micros): void {
    const m = this.#outgoing.find((x) => x.messageId === p.messageId && x.qos === 2 && x.state !== 'queued');
    if (m === undefined) {
      // Unknown id: MQTT 5 answers PUBREL 0x92 Packet Identifier not found (section 3.6.2.1).
      if (this.version === 5) this.#send({ cmd: 'pubrel', messageId: p.messageId, reasonCode: 0x92 }, now);
      return;
    }
    if ((p.reasonCode ?? 0) >= 0x80) {
      // 5 section 4.3.3: a PUBREC with an error ends the flow; no PUBREL.
      this.#finish(m, p.reasonCode, now);
      return;
    }
    m.state = 'released';
    m.lastSentAt = now;
    this.#send({ cmd: 'pubrel', messageId: p.messageId }, now);
  }

  #onPubcomp(p: PacketOf<'pubcomp'>, now: Micros): void {
    const m = this.#findSent(p.messageId, 'released', 2);
    if (m === undefined) return;
    this.#finish(m, undefined, now);
  }

  #onPubrel(p: PacketOf<'pubrel'>, now: Micros): void {
    const stored = this.#incomingQos2.get(p.messageId);
    if (stored !== undefined) {
      this.#incomingQos2.delete(p.messageId);
      const message: ClientEvent = {
        type: 'message', topic: stored.topic, payload: stored.payload, qos: 2, retain: stored.retain, dup: stored.dup,
        messageId: p.messageId,
      };
      if (stored.properties !== undefined) message.properties = stored.properties;
      this.#emit(message);
      this.#send({ cmd: 'pubcomp', messageId: p.messageId }, now);
    } else {
      // Already released (a re-sent PUBREL after our PUBCOMP was lost): answer PUBCOMP again so the
      // sender can free the id ([MQTT-4.3.3-?] 3.1.1 section 4.3.3 step "send PUBCOMP").
      const pubcomp: PacketOf<'pubcomp'> = { cmd: 'pubcomp', messageId: p.messageId };
      this.#send(pubcomp, now);
    }
  }

  #onSuback(p: PacketOf<'suback'>): void {
    const i = this.#requests.findIndex((r) => r.kind === 'subscribe' && r.messageId === p.messageId);
    if (i < 0) return;
    this.#requests.splice(i, 1);
    this.#ids.free(p.messageId);
    this.#emit({ type: 'subscribed', messageId: p.messageId, granted: p.granted });
  }

  #onUnsuback(p: PacketOf<'unsuback'>): void {
    const i = this.#requests.findIndex((r) => r.kind === 'unsubscribe' && r.messageId === p.messageId);
    if (i < 0) return;
    this.#requests.splice(i, 1);
    this.#ids.free(p.messageId);
    const ev: ClientEvent = { type: 'unsubscribed', messageId: p.messageId };
    if (p.granted !== undefined) ev.reasonCodes = p.granted;
    this.#emit(ev);
  }

  // ------------------------------------------------------------------ outputs

  dataToSend(): Uint8Array | undefined {
    if (this.#out.length === 0) return undefined;
    if (this.#out.length === 1) return this.#out.pop();
    const total = this.#out.reduce((n, b) => n + b.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const b of this.#out) {
      all.set(b, at);
      at += b.length;
    }
    this.#out = [];
    return all;
  }

  nextEvent(): ClientEvent | undefined {
    if (this.#eventHead >= this.#events.length) return undefined;
    const ev = this.#events[this.#eventHead++]!;
    if (this.#eventHead === this.#events.length) {
      this.#events = [];
      this.#eventHead = 0;
    }
    return ev;
  }

  // ------------------------------------------------------------------ timers

  nextTimer(): Micros | undefined {
    let t: Micros | undefined;
    const consider = (x: Micros | undefined) => {
      if (x !== undefined && (t === undefined || x < t)) t = x;
    };
    if (this.#state === 'connecting') consider(this.#connackDeadline);
    if (this.#state === 'connected') {
      if (this.#keepalive > 0) consider(this.#pingDeadline ?? this.#lastSent + this.#keepalive);
      if (this.options.nonStandardResendMs !== undefined) {
        const after = this.options.nonStandardResendMs * 1000;
        for (const m of this.#outgoing) if (m.state !== 'queued') consider(m.lastSentAt + after);
      }
    }
    return t;
  }

  handleTimer(now: Micros): void {
    if (this.#state === 'connecting' && this.#connackDeadline !== undefined && now >= this.#connackDeadline) {
      this.#close('connect-timeout', now);
      return;
    }
    if (this.#state !== 'connected') return;
    if (this.#pingDeadline !== undefined && now >= this.#pingDeadline) {
      // No PINGRESP in time: the connection is dead (3.1.1 section 3.1.2.10).
      this.#close('keepalive-timeout', now);
      return;
    }
    if (this.#keepalive > 0 && this.#pingDeadline === undefined && now >= this.#lastSent + this.#keepalive) {
      this.#send({ cmd: 'pingreq' }, now);
      const timeout = this.options.pingTimeoutS !== undefined ? this.options.pingTimeoutS * SECOND : Math.floor(this.#keepalive / 2);
      this.#pingDeadline = now + timeout;
    }
    if (this.options.nonStandardResendMs !== undefined) {
      // NON-STANDARD (see MqttClientOptions.nonStandardResendMs).
      const after = this.options.nonStandardResendMs * 1000;
      for (const m of this.#outgoing) {
        if (m.state === 'queued' || now < m.lastSentAt + after) continue;
        this.counters.resentOnTimer++;
        if (m.state === 'sent') this.#sendPublish(m, now, true);
        else {
          m.lastSentAt = now;
          this.#send({ cmd: 'pubrel', messageId: m.messageId! }, now);
        }
      }
    }
  }

  // ------------------------------------------------------------------ internals

  /** Sends what the window and the server's limits allow, in order. */
  #pump(now: Micros): void {
    if (this.#state !== 'connected') return;
    const window = Math.min(this.options.maxInflight, this.#serverReceiveMaximum);
    let inflight = this.inflight;
    for (let i = 0; i < this.#outgoing.length; i++) {
      const m = this.#outgoing[i]!;
      if (m.state !== 'queued') continue;
      const expiry = m.properties?.messageExpiryInterval;
      if (expiry !== undefined && now - m.queuedAt >= expiry * SECOND) {
        this.#outgoing.splice(i--, 1);
        this.#emit({ type: 'dropped', token: m.token, qos: m.qos, reason: 'expired' });
        continue;
      }
      // The server's Maximum QoS: send at most that ([MQTT-3.2.2-11] in 5).
      if (m.qos > this.#serverMaxQos) m.qos = this.#serverMaxQos;
      if (m.qos === 0) {
        this.#outgoing.splice(i--, 1);
        this.#sendPublish(m, now, false);
        this.#emit({ type: 'published', token: m.token, qos: 0, offset: this.#offset });
        continue;
      }
      if (inflight >= window) continue; // QoS 0 behind it may still go
      m.messageId = this.#ids.allocate();
      m.state = 'sent';
      inflight++;
      if (expiry !== undefined) {
        const left = expiry - Math.floor((now - m.queuedAt) / SECOND);
        m.properties = { ...m.properties, messageExpiryInterval: left };
      }
      this.#sendPublish(m, now, false);
    }
  }

  #sendPublish(m: Outgoing, now: Micros, dup: boolean): void {
    m.lastSentAt = now;
    const packet: PublishPacket = { cmd: 'publish', topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain, dup: dup && m.qos > 0 };
    if (m.messageId !== undefined) packet.messageId = m.messageId;
    let props = m.properties;
    if (this.version === 5 && this.#serverTopicAliasMax > 0 && !dup) {
      const known = this.#aliasesOut.get(m.topic);
      if (known !== undefined) {
        packet.topic = '';
        props = { ...props, topicAlias: known };
      } else if (this.#aliasesOut.size < this.#serverTopicAliasMax) {
        const alias = this.#aliasesOut.size + 1;
        this.#aliasesOut.set(m.topic, alias);
        props = { ...props, topicAlias: alias };
      }
    }
    if (this.version === 5 && props !== undefined && Object.keys(props).length > 0) packet.properties = props;
    this.#send(packet, now, m.token);
  }

  #sendRequest(req: Request, now: Micros): void {
    if (req.kind === 'subscribe') {
      const packet: PacketOf<'subscribe'> = { cmd: 'subscribe', messageId: req.messageId, subscriptions: req.subscriptions };
      if (req.properties !== undefined && this.version === 5) packet.properties = req.properties;
      this.#send(packet, now);
    } else {
      this.#send({ cmd: 'unsubscribe', messageId: req.messageId, unsubscriptions: req.topics }, now);
    }
  }

  #findSent(messageId: number, state: Outgoing['state'], qos: QoS): Outgoing | undefined {
    return this.#outgoing.find((x) => x.messageId === messageId && x.state === state && x.qos === qos);
  }

  /** The flow of `m` ended: free its id, report it, let the queue move. */
  #finish(m: Outgoing, reasonCode: number | undefined, now: Micros): void {
    this.#outgoing.splice(this.#outgoing.indexOf(m), 1);
    this.#ids.free(m.messageId!);
    if (reasonCode !== undefined && reasonCode >= 0x80) {
      this.#emit({ type: 'dropped', token: m.token, qos: m.qos, reason: 'refused', reasonCode });
    } else {
      this.#emit({ type: 'published', token: m.token, qos: m.qos });
    }
    this.#pump(now);
  }

  /** Session state goes: in-flight messages are dropped, queued ones stay queued (they are the application's). */
  #discardSession(): void {
    const kept: Outgoing[] = [];
    for (const m of this.#outgoing) {
      if (m.state === 'queued') kept.push(m);
      else this.#emit({ type: 'dropped', token: m.token, qos: m.qos, reason: 'session-discarded' });
    }
    this.#outgoing = kept;
    for (const m of kept) delete m.messageId;
    this.#incomingQos2.clear();
    this.#ids.clear();
    // Pending SUBSCRIBE / UNSUBSCRIBE are the application's requests, not session state: they
    // stay, keeping their identifiers (all are free in a new session).
    for (const req of this.#requests) this.#ids.claim(req.messageId);
  }

  #send(packet: MqttPacket, now: Micros, token?: number): void {
    const bytes = encodePacket(packet, this.version);
    this.#out.push(bytes);
    this.#offset += bytes.length;
    this.#lastSent = now;
    this.counters.packetsSent++;
    this.counters.bytesSent += bytes.length;
    const ev: ClientEvent = { type: 'packet', dir: 'send', packet: { ...packet, length: remainingOf(bytes) } as MqttPacket, bytes: bytes.length, offset: this.#offset };
    if (token !== undefined) ev.token = token;
    this.#emit(ev);
  }

  #protocolError(err: RemoteProtocolError, now: Micros): void {
    // MQTT 5 [MQTT-4.13.1-1]: close after DISCONNECT with the reason code, where there is one.
    if (this.version === 5 && this.#state === 'connected') {
      this.#send({ cmd: 'disconnect', reasonCode: err.protocolCode ?? REASON_MALFORMED_PACKET }, now);
    }
    const ev: ClientEvent = { type: 'disconnected', reason: 'protocol-error', detail: `${err.code}: ${err.message}` };
    if (err.protocolCode !== undefined) ev.reasonCode = err.protocolCode;
    this.#emit(ev);
    this.#goOffline(true);
    this.#emit({ type: 'close' });
  }

  #close(reason: DisconnectReason, now: Micros): void {
    void now;
    this.#emit({ type: 'disconnected', reason });
    this.#goOffline(reason === 'client-disconnect');
    this.#emit({ type: 'close' });
  }

  /** Connection-scoped state goes; session state stays until the next CONNACK decides. */
  #goOffline(keepOutput = false): void {
    this.#state = 'offline';
    if (!keepOutput) this.#out = [];
    this.#pingDeadline = undefined;
    this.#connackDeadline = undefined;
    this.#aliasesIn.clear();
    this.#aliasesOut.clear();
  }

  #isOpen(): boolean {
    return this.#state === 'connecting' || this.#state === 'connected';
  }

  #emit(ev: ClientEvent): void {
    this.#events.push(ev);
  }
}

function remote(code: string, message: string, reason?: number): RemoteProtocolError {
  return new RemoteProtocolError(code, message, reason);
}

/** Remaining Length of an encoded packet (section 2.2.3). */
function remainingOf(bytes: Uint8Array): number {
  let value = 0;
  let mul = 1;
  for (let i = 1; i < 5 && i < bytes.length; i++) {
    value += (bytes[i]! & 0x7f) * mul;
    if ((bytes[i]! & 0x80) === 0) break;
    mul *= 128;
  }
  return value;
}

function wireSizeOf(p: MqttPacket): number {
  const len = p.length ?? 0;
  return 1 + (len < 128 ? 1 : len < 16_384 ? 2 : len < 2_097_152 ? 3 : 4) + len;
}

const CONNACK_311: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

const CONNACK_5: Record<number, string> = {
  0x80: 'unspecified error', 0x81: 'malformed packet', 0x82: 'protocol error', 0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid', 0x86: 'bad user name or password', 0x87: 'not authorized',
  0x88: 'server unavailable', 0x89: 'server busy', 0x8a: 'banned', 0x8c: 'bad authentication method',
  0x90: 'topic name invalid', 0x95: 'packet too large', 0x97: 'quota exceeded', 0x99: 'payload format invalid',
  0x9a: 'retain not supported', 0x9b: 'QoS not supported', 0x9c: 'use another server', 0x9d: 'server moved',
  0x9f: 'connection rate exceeded',
};

/** Human text of a CONNACK return code (3.1.1) or reason code (5). */
export function connackText(code: number, version: MqttVersion): string {
  const table = version === 5 ? CONNACK_5 : CONNACK_311;
  return table[code] ?? `code 0x${code.toString(16).padStart(2, '0')}`;
}

export type { DropReason };
