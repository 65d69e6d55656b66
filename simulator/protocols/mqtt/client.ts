/**
 * MQTT 3.1.1 / 5 client as a sans-IO engine (see ../shared/STYLE.md: h11 and aioquic).
 *
 * The caller owns the transport (a virtual TCP connection, a node:net socket, a test):
 *   client.connect(now)              the transport is open: send CONNECT
 *   client.receiveData(bytes, now)   bytes from the server, any chunking
 *   client.connectionLost(now)       the transport died or was closed
 *   client.publish / subscribe / unsubscribe / disconnect   application calls
 *   client.dataToSend()  -> bytes to write, or undefined
 *   client.packetsToSend() -> the same bytes, one array per packet (for an IO layer that writes
 *                         each packet on its own, as mqtt.js does)
 *   client.nextEvent()   -> ClientEvent, or undefined      ({type:'close'}: close the transport)
 *   client.nextTimer()   -> Micros | undefined;  client.handleTimer(now)
 * After every call the caller drains dataToSend() and nextEvent(), and wakes the engine at
 * nextTimer() (waking early is harmless). Bad bytes never throw out of receiveData: the engine
 * closes the connection (MQTT 5: DISCONNECT 0x81 / 0x82 first, [MQTT-4.13.1-1]).
 *
 * Rules, each stated where it lives: session state (3.1.1 and 5 section 4.1) is the outgoing
 * messages in flight (./client-outgoing.ts, following ./qos-flow.ts), the QoS 2 messages received
 * awaiting PUBREL (./client-incoming.ts) and the packet identifiers; it is discarded on Clean
 * Session / Clean Start ([MQTT-3.1.2-6], 5 [MQTT-3.1.2-4]) and when CONNACK says no session is
 * present. Keepalive: ./client-keepalive.ts. SUBSCRIBE / UNSUBSCRIBE: ./client-requests.ts.
 * Outgoing packets other than CONNECT wait for CONNACK (what mqtt.js does).
 */
import { RemoteProtocolError } from '../../core/errors.ts';
import type { Micros } from '../../core/time.ts';
import { mqttjsAckForm } from './ack-forms.ts';
import { connectPacket, disconnectPacket, NO_SERVER_LIMITS, serverLimits, type ServerLimits } from './client-connect.ts';
import { IncomingQos2, messageEvent } from './client-incoming.ts';
import { KeepaliveTimer } from './client-keepalive.ts';
import { DONE, OutgoingMessages, publishPacket, type Outgoing } from './client-outgoing.ts';
import { requestPacket, SubscriptionRequests, type Request } from './client-requests.ts';
import {
  DEFAULT_CLIENT_OPTIONS, type ClientCounters, type ClientEvent, type ClientState, type DisconnectReason, type DropReason,
  type MqttClientOptions, type PublishOptions,
} from './client-types.ts';
import {
  encodePacket, PacketParser, protocolLevel, REASON_MALFORMED_PACKET, REASON_PROTOCOL_ERROR,
  type MqttPacket, type MqttVersion, type PacketOf, type PublishPacket, type Subscription,
} from './codec.ts';
import { localError, remoteError } from './errors.ts';
import { concatBytes, Fifo, NO_PACKETS, Spare } from './fifo.ts';
import { PacketIdAllocator } from './packet-ids.ts';
import { RESEND } from './qos-flow.ts';
import { connackText } from './reason-codes.ts';
import { TopicAliasesIn, TopicAliasesOut } from './topic-aliases.ts';
import { fixedHeaderSize, wireSize } from './varint.ts';

export * from './client-types.ts';
export { connackText };

const SECOND: Micros = 1_000_000;
/** The packets of one receiveData call. */
const RECEIVED = new Spare<MqttPacket>();

export class MqttClient {
  readonly options: MqttClientOptions;
  readonly version: MqttVersion;
  readonly counters: ClientCounters = {
    packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0, resentOnReconnect: 0, resentOnTimer: 0,
  };

  #state: ClientState = 'offline';
  #clientId: string;
  #parser: PacketParser;
  #out: Uint8Array[] = NO_PACKETS; // ./fifo.ts NO_PACKETS: replaced by a list of one at the first packet
  #events = new Fifo<ClientEvent>();
  #offset = 0; // bytes handed to dataToSend() on the current connection, so far

  #ids = new PacketIdAllocator();
  #nextToken = 1;
  /** In publish order: the in-flight messages first, then the queue (QoS 0 included). */
  #outgoing = new OutgoingMessages();
  /** QoS 2 PUBLISHes received, awaiting PUBREL (./client-incoming.ts). */
  #incomingQos2 = new IncomingQos2();
  #requests = new SubscriptionRequests();

  // connection-scoped
  #keepalive: KeepaliveTimer;
  #connackDeadline: Micros | undefined;
  #server: ServerLimits = NO_SERVER_LIMITS;
  #aliasesOut = new TopicAliasesOut();
  #aliasesIn = new TopicAliasesIn();

  constructor(options: Partial<MqttClientOptions> & { clientId: string }) {
    this.options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    this.version = protocolLevel(this.options.version);
    this.#clientId = this.options.clientId;
    this.#parser = new PacketParser(this.version);
    this.#keepalive = new KeepaliveTimer(this.options.keepaliveRule);
    if (this.#clientId === '' && !this.options.clean && this.version !== 5) {
      throw localError('mqtt-client-id-required', 'an empty client id needs clean session 1 [MQTT-3.1.3-7]');
    }
    if (this.options.maxInflight < 1) {
      throw localError('mqtt-bad-option', `maxInflight must be at least 1, got ${this.options.maxInflight}`);
    }
  }

  get state(): ClientState { return this.#state; }

  get clientId(): string { return this.#clientId; }

  /** QoS 1/2 PUBLISHes sent and not yet completely acknowledged. */
  get inflight(): number { return this.#outgoing.inflight; }

  /** Messages waiting to be sent. */
  get queued(): number { return this.#outgoing.queued; }

  get packetIdsInUse(): number { return this.#ids.inUse; }

  // ------------------------------------------------------------------ application calls

  /** The transport is open: send CONNECT (section 3.1). */
  connect(now: Micros): void {
    if (this.#state !== 'offline') {
      throw localError('mqtt-client-not-offline', `connect() while ${this.#state}`);
    }
    this.#parser = new PacketParser(this.version);
    this.#offset = 0;
    this.#aliasesIn.clear();
    this.#aliasesOut.clear();
    const o = this.options;
    this.#keepalive.start(o.keepaliveS * SECOND, o.pingTimeoutS !== undefined ? Math.round(o.pingTimeoutS * SECOND) : undefined);
    if (o.clean) this.#discardSession(); // [MQTT-3.1.2-6] / 5 [MQTT-3.1.2-4]
    const connect = connectPacket(o, this.version, this.#clientId);
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
    const refused = this.#state !== 'connected' && qos === 0 && !this.options.queueQos0Offline ? 'offline-qos0'
      : this.queued >= this.options.maxQueued ? 'queue-full' : undefined;
    if (refused !== undefined) {
      this.#emit({ type: 'dropped', token, qos, reason: refused });
      return token;
    }
    this.#outgoing.add({
      token, topic, payload, qos, retain: options.retain ?? false, properties: options.properties,
      queuedAt: now, state: 'queued', lastSentAt: now,
    });
    if (this.#state === 'connected') this.#pump(now);
    return token;
  }

  /** SUBSCRIBE (section 3.8); remembered for resubscribing. Returns the packet id. */
  subscribe(subscriptions: Subscription[], now: Micros, properties?: PacketOf<'subscribe'>['properties']): number {
    if (subscriptions.length === 0) throw localError('mqtt-empty-subscribe', 'subscribe() needs at least one filter [MQTT-3.8.3-3]');
    const req = this.#requests.subscribe(subscriptions, this.#ids.allocate(), properties);
    if (this.#state === 'connected') this.#sendRequest(req, now);
    return req.messageId;
  }

  /** UNSUBSCRIBE (section 3.10). Returns the packet id. */
  unsubscribe(topics: string[], now: Micros): number {
    if (topics.length === 0) throw localError('mqtt-empty-unsubscribe', 'unsubscribe() needs at least one filter [MQTT-3.10.3-2]');
    const req = this.#requests.unsubscribe(topics, this.#ids.allocate());
    if (this.#state === 'connected') this.#sendRequest(req, now);
    return req.messageId;
  }

  /**
   * Graceful DISCONNECT (section 3.14): the server discards the will ([MQTT-3.14.4-3]). MQTT 5
   * may carry a reason code (0x04 keeps the will) and a new session expiry.
   */
  disconnect(now: Micros, options: { reasonCode?: number; sessionExpiryS?: number } = {}): void {
    if (this.#state === 'offline') return;
    const packet = disconnectPacket(this.version, options);
    this.#send(packet, now);
    this.#close('client-disconnect');
  }

  /** The transport is gone (reset, timeout, the peer closed it, or we closed it). */
  connectionLost(_now: Micros): void {
    if (this.#state === 'offline') return;
    this.#goOffline();
    this.#emit({ type: 'disconnected', reason: 'connection-lost' });
  }

  // ------------------------------------------------------------------ bytes in

  receiveData(bytes: Uint8Array, now: Micros): void {
    if (this.#state === 'offline') return;
    // Good packets before a bad one are acted on first (./codec.ts read); the array is lent (./fifo.ts Spare).
    const packets = RECEIVED.take();
    const n = this.#parser.readInto(bytes, packets);
    const error = this.#parser.failure;
    for (let i = 0; i < n && this.#isOpen(); i++) { // (an earlier packet may have closed the connection)
      const packet = packets[i]!;
      this.counters.packetsReceived++;
      const size = wireSize(packet.length ?? 0);
      this.counters.bytesReceived += size;
      this.#emit({ type: 'packet', dir: 'receive', packet, bytes: size });
      this.#keepalive.received(packet.cmd, now);
      try {
        this.#handle(packet, now);
      } catch (err) {
        if (!(err instanceof RemoteProtocolError)) throw err;
        this.#protocolError(err, now); // the connection is closed now: the loop and the check below stop
      }
    }
    RECEIVED.give(packets);
    if (error !== undefined && this.#isOpen()) this.#protocolError(error, now);
  }

  #handle(p: MqttPacket, now: Micros): void {
    if (this.#state === 'connecting' && p.cmd !== 'connack' && !(p.cmd === 'disconnect' && this.version === 5) && p.cmd !== 'auth') {
      // The first packet from the server is CONNACK ([MQTT-3.2.0-1]).
      throw remoteError('mqtt-expected-connack', `expected CONNACK first, got ${p.cmd.toUpperCase()} [MQTT-3.2.0-1]`, REASON_PROTOCOL_ERROR);
    }
    switch (p.cmd) {
      case 'connack': return this.#onConnack(p, now);
      case 'publish': return this.#onPublish(p, now);
      case 'puback': case 'pubrec': case 'pubcomp': return this.#onAck(p, now);
      case 'pubrel': return this.#onPubrel(p, now);
      case 'suback': case 'unsuback': return this.#onRequestAck(p);
      case 'pingresp':
        return;
      case 'disconnect':
        // MQTT 5 only: the server closes with a reason code (section 3.14).
        this.#emit({ type: 'disconnected', reason: 'server-disconnect', reasonCode: p.reasonCode ?? 0 });
        this.#goOffline();
        this.#emit({ type: 'close' });
        return;
      case 'auth':
        throw remoteError('mqtt-unsupported-auth', 'enhanced authentication (AUTH) was not requested', REASON_PROTOCOL_ERROR);
      default:
        throw remoteError('mqtt-unexpected-packet', `a server may not send ${p.cmd.toUpperCase()} to a client`, REASON_PROTOCOL_ERROR);
    }
  }

  #onConnack(p: PacketOf<'connack'>, now: Micros): void {
    if (this.#state !== 'connecting') throw remoteError('mqtt-second-connack', 'a second CONNACK on one connection', REASON_PROTOCOL_ERROR);
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
    this.#server = serverLimits(props, this.options.topicAliases);
    if (props.serverKeepAlive !== undefined) this.#keepalive.setInterval(props.serverKeepAlive * SECOND); // [MQTT-3.2.2-22]
    if (props.assignedClientIdentifier !== undefined) this.#clientId = props.assignedClientIdentifier;
    this.#state = 'connected';
    this.#keepalive.connected(now);
    const sessionPresent = p.sessionPresent;
    if (!sessionPresent) this.#discardSession();
    const ev: ClientEvent = { type: 'connected', sessionPresent, reasonCode: code };
    if (props.assignedClientIdentifier !== undefined) ev.assignedClientId = props.assignedClientIdentifier;
    this.#emit(ev);

    // [MQTT-4.4.0-1]: re-send unacknowledged PUBLISH and PUBREL, in the original order:
    // one at a time as mqtt.js does (./client-outgoing.ts startFlush), or all at once.
    if (this.options.resendPacing === 'mqtt.js') this.#outgoing.startFlush();
    else if (sessionPresent) for (const m of this.#outgoing.inFlight()) this.#resend(m, now, true);
    if (!sessionPresent && this.options.resubscribe) {
      // The server has none of our subscriptions: ask again for those no pending request covers.
      this.#requests.resubscribe(this.#ids);
    }
    // SUBSCRIBE / UNSUBSCRIBE not yet acknowledged go (again) on every new connection.
    for (const req of this.#requests.pending()) this.#sendRequest(req, now);
    this.#pump(now);
  }

  #onPublish(p: PublishPacket, now: Micros): void {
    let topic = p.topic;
    const alias = p.properties?.topicAlias;
    if (this.version === 5 && alias !== undefined) {
      topic = this.#aliasesIn.resolve(topic, alias, this.options.topicAliasMaximum); // ./topic-aliases.ts
    } else if (topic === '') {
      throw remoteError('mqtt-empty-topic', 'PUBLISH with an empty topic name and no alias [MQTT-4.7.3-1]', REASON_PROTOCOL_ERROR);
    }
    const message = messageEvent(p, topic);
    if (p.qos === 2) {
      this.#incomingQos2.store(p.messageId!, message, this.options.receiveMaximum, this.version);
      this.#send({ cmd: 'pubrec', messageId: p.messageId! }, now);
      return;
    }
    this.#emit(message);
    if (p.qos === 1) this.#send({ cmd: 'puback', messageId: p.messageId! }, now);
  }

  /** PUBACK, PUBREC or PUBCOMP for a message we published: one step of ./qos-flow.ts. */
  #onAck(p: PacketOf<'puback' | 'pubrec' | 'pubcomp'>, now: Micros): void {
    const reasonCode = p.cmd === 'pubcomp' ? undefined : p.reasonCode;
    const step = this.#outgoing.acknowledge(p.cmd, p.messageId, reasonCode);
    if (step === undefined) {
      // Unknown id: MQTT 5 answers a PUBREC with PUBREL 0x92 Packet Identifier not found
      // (section 3.6.2.1); other late duplicates need nothing.
      if (p.cmd === 'pubrec' && this.version === 5) this.#send({ cmd: 'pubrel', messageId: p.messageId, reasonCode: 0x92 }, now);
      return;
    }
    const m = step.message;
    if (step.next === DONE) {
      this.#finish(m, reasonCode, now);
      return;
    }
    m.state = step.next; // pubrel-sent: answer PUBREL
    m.lastSentAt = now;
    this.#send({ cmd: 'pubrel', messageId: p.messageId }, now);
  }

  #onPubrel(p: PacketOf<'pubrel'>, now: Micros): void {
    const message = this.#incomingQos2.release(p.messageId);
    if (message !== undefined) this.#emit({ ...message, qos: 2, messageId: p.messageId });
    this.#send({ cmd: 'pubcomp', messageId: p.messageId }, now);
  }

  /** SUBACK / UNSUBACK: the request is done and its identifier free ([MQTT-2.3.1-6]). */
  #onRequestAck(p: PacketOf<'suback' | 'unsuback'>): void {
    if (this.#requests.complete(p.cmd === 'suback' ? 'subscribe' : 'unsubscribe', p.messageId) === undefined) return;
    this.#ids.free(p.messageId);
    if (p.cmd === 'suback') this.#emit({ type: 'subscribed', messageId: p.messageId, granted: p.granted });
    else this.#emit(p.granted === undefined ? { type: 'unsubscribed', messageId: p.messageId } : { type: 'unsubscribed', messageId: p.messageId, reasonCodes: p.granted });
  }

  // ------------------------------------------------------------------ outputs

  /** Everything written since the last call, as one chunk (the packets in order); undefined for nothing. */
  dataToSend(): Uint8Array | undefined {
    return concatBytes(this.packetsToSend());
  }

  /** What dataToSend() would give, one packet per array, in order (a list to read, not to change); either call empties the output. */
  packetsToSend(): Uint8Array[] {
    const out = this.#out;
    this.#out = NO_PACKETS;
    return out;
  }

  nextEvent(): ClientEvent | undefined {
    return this.#events.shift();
  }

  // ------------------------------------------------------------------ timers

  nextTimer(): Micros | undefined {
    if (this.#state === 'connecting') return this.#connackDeadline;
    if (this.#state !== 'connected') return undefined;
    const t = this.#keepalive.next();
    const resend = this.options.nonStandardResendMs === undefined ? undefined : this.#outgoing.nextResend(Math.round(this.options.nonStandardResendMs * 1000));
    return resend !== undefined && (t === undefined || resend < t) ? resend : t;
  }

  handleTimer(now: Micros): void {
    if (this.#state === 'connecting' && this.#connackDeadline !== undefined && now >= this.#connackDeadline) {
      this.#close('connect-timeout');
      return;
    }
    if (this.#state !== 'connected') return;
    const due = this.#keepalive.due(now);
    if (due === 'timeout') {
      // No PINGRESP in time: the connection is dead (3.1.1 section 3.1.2.10).
      this.#close('keepalive-timeout');
      return;
    }
    if (due === 'ping') {
      this.#send({ cmd: 'pingreq' }, now);
      this.#keepalive.pinged(now);
    }
    if (this.options.nonStandardResendMs !== undefined) {
      // NON-STANDARD (see MqttClientOptions.nonStandardResendMs).
      for (const m of this.#outgoing.dueForResend(now, Math.round(this.options.nonStandardResendMs * 1000))) {
        this.counters.resentOnTimer++;
        this.#resend(m, now);
      }
    }
  }

  // ------------------------------------------------------------------ internals

  /** Sends what the window and the server's limits allow, in order (./client-outgoing.ts). */
  #pump(now: Micros): void {
    if (this.#state !== 'connected') return;
    const next = this.#outgoing.flushing ? this.#outgoing.flushNext(now, this.#ids, this.#server.maximumQos) : 'done';
    if (next === 'wait') return;
    if (next !== 'done' && next.expired) this.#emit({ type: 'dropped', token: next.message.token, qos: next.message.qos, reason: 'expired' });
    if (next !== 'done') return next.expired ? this.#pump(now) : next.resend ? this.#resend(next.message, now, true) : this.#sendPublish(next.message, now, false);
    const out = this.#outgoing;
    out.beginRelease(Math.min(this.options.maxInflight, this.#server.receiveMaximum));
    for (let kind = out.releaseNext(now, this.#server.maximumQos, this.#ids); kind !== undefined; kind = out.releaseNext(now, this.#server.maximumQos, this.#ids)) {
      const m = out.released!;
      if (kind === 'expired') {
        this.#emit({ type: 'dropped', token: m.token, qos: m.qos, reason: 'expired' });
      } else {
        this.#sendPublish(m, now, false);
        if (kind === 'send-qos0') this.#emit({ type: 'published', token: m.token, qos: 0, offset: this.#offset });
      }
    }
  }

  /** Repeats the packet of a message in flight (./qos-flow.ts RESEND): PUBLISH (DUP: options.resendDup on a reconnect, else 1), or PUBREL. */
  #resend(m: Outgoing, now: Micros, onReconnect = false): void {
    if (m.state === 'queued') return;
    if (onReconnect) this.counters.resentOnReconnect++;
    if (RESEND[m.state] === 'publish') {
      this.#sendPublish(m, now, !onReconnect || this.options.resendDup === 'spec');
    } else {
      m.lastSentAt = now;
      this.#send({ cmd: 'pubrel', messageId: m.messageId! }, now);
    }
  }

  #sendPublish(m: Outgoing, now: Micros, dup: boolean): void {
    m.lastSentAt = now;
    this.#send(publishPacket(m, dup, this.version, this.#aliasesOut, this.#server.topicAliasMaximum), now, m.token);
  }

  #sendRequest(req: Request, now: Micros): void {
    this.#send(requestPacket(req, this.version), now);
  }

  /** The flow of `m` ended: free its id, report it, let the queue move. */
  #finish(m: Outgoing, reasonCode: number | undefined, now: Micros): void {
    this.#outgoing.remove(m);
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
    for (const m of this.#outgoing.discardSession()) {
      this.#emit({ type: 'dropped', token: m.token, qos: m.qos, reason: 'session-discarded' });
    }
    this.#incomingQos2.clear();
    this.#ids.clear();
    // Pending SUBSCRIBE / UNSUBSCRIBE are the application's requests, not session state: they
    // stay, keeping their identifiers (all are free in a new session).
    for (const req of this.#requests.pending()) this.#ids.claim(req.messageId);
  }

  #send(packet: MqttPacket, now: Micros, token?: number): void {
    const encoded = encodePacket(packet, this.version);
    const bytes = this.version === 5 && this.options.ackForm === 'mqtt.js' ? mqttjsAckForm(encoded) : encoded;
    if (this.#out.length === 0) this.#out = [bytes]; else this.#out.push(bytes);
    this.#offset += bytes.length;
    this.#keepalive.sent(now);
    this.counters.packetsSent++;
    this.counters.bytesSent += bytes.length;
    // Every packet #send gets is made for this call, so it takes its Remaining Length itself (no copy).
    packet.length = bytes.length - fixedHeaderSize(bytes);
    const ev: ClientEvent = { type: 'packet', dir: 'send', packet, bytes: bytes.length, offset: this.#offset };
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

  #close(reason: DisconnectReason): void {
    this.#emit({ type: 'disconnected', reason });
    this.#goOffline(reason === 'client-disconnect');
    this.#emit({ type: 'close' });
  }

  /** Connection-scoped state goes; session state stays until the next CONNACK decides. */
  #goOffline(keepOutput = false): void {
    this.#state = 'offline';
    if (!keepOutput) this.#out = NO_PACKETS;
    this.#keepalive.stop();
    this.#outgoing.stopFlush();
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

export type { DropReason };
