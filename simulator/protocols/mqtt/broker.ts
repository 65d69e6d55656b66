/**
 * MQTT 3.1.1 / 5 broker as one sans-IO engine serving many connections (see ../shared/STYLE.md).
 *
 * Shape (the caller is the IO layer: the `mqtt-broker` role, the node:net adapter, a test):
 *   broker.openConnection(connId, now)          a transport connection arrived
 *   broker.receiveData(connId, bytes, now)      bytes from that connection, any chunking
 *   broker.connectionLost(connId, now)          the transport died or the peer closed it
 *   broker.nextOutput()   -> { connId, bytes } | { connId, close: true } | undefined
 *   broker.nextEvent()    -> BrokerEvent | undefined   (packets, session events, fan-out)
 *   broker.nextTimer()    -> Micros | undefined;  broker.handleTimer(now)
 *   broker.counters       running totals
 * After each call the caller drains nextOutput() and nextEvent(), and wakes the engine at
 * nextTimer() (an early wake-up is harmless). `{ close: true }` means: close that transport after
 * writing what came before it; the engine has already forgotten the connection.
 * Bad bytes from one peer never throw: that connection is closed (MQTT 5: DISCONNECT 0x81 or the
 * matching reason code first) and everyone else is served as before.
 *
 * Choices where the specification allows several (stated once, here):
 * - Overlapping subscriptions (both measured on mosquitto 2.0.11, see
 *   tests/conformance/mqtt-broker-mosquitto.test.ts): MQTT 3.1.1 gets one delivery per client at
 *   the highest QoS of its matching subscriptions. MQTT 5 gets one delivery per matching
 *   subscription, at that subscription's QoS and carrying its identifier if it has one, in topic
 *   tree order (a literal level before `+` before `#`): section 3.3.4 requires a copy at the
 *   highest QoS ([MQTT-3.3.4-2]) and allows the others; each copy carries the identifier of its
 *   own subscription ([MQTT-3.3.4-5]). So "once per subscription identifier" holds, and
 *   subscriptions without one get a copy each too.
 * - QoS 2 from a publisher: method A of section 4.3.3 by default (`qos2Forwarding: 'on-pubrel'`):
 *   the broker stores the message with its packet id, answers PUBREC (again for a repeated
 *   PUBLISH with that id, which it ignores) and forwards it when PUBREL arrives. That is what
 *   mosquitto 2.0.11 does (measured: tests/conformance/mqtt-broker-mosquitto.test.ts).
 *   `'on-publish'` is method B: forward when the PUBLISH arrives, keep only the packet id until
 *   PUBREL, and never forward a repeated PUBLISH with that id before PUBREL.
 * - Shared subscriptions `$share/{group}/{filter}` (MQTT 5 section 4.8.2, accepted from 3.1.1
 *   clients too, as mosquitto does): each message goes to one member of each matching group, in
 *   turn (round robin in subscription order, offline members included); a new member gets the
 *   retained messages like any subscriber (mosquitto 2.0.11 does; measured).
 * - QoS 0 messages for an offline client are not queued (mosquitto's queue_qos0_messages false);
 *   each one is traced as `qos0-dropped-offline`.
 * - Queue bound (mosquitto's max_queued_messages, default 1000): QoS 1/2 deliveries waiting
 *   behind the in-flight window or for an offline client; when full, the new one is dropped
 *   (traced `queue-full`, counted).
 * - In-flight window: min(max_inflight_messages = 20, the client's MQTT 5 Receive Maximum).
 * - Resending happens only when a kept session resumes ([MQTT-4.4.0-1]), never on a timer.
 * - A refused PUBLISH (access control) is acknowledged as usual and dropped in 3.1.1
 *   ([MQTT-3.3.5-2]); MQTT 5 answers PUBACK/PUBREC with 0x87.
 */
export * from './broker-api.ts';
import { LocalProtocolError, RemoteProtocolError } from '../../core/errors.ts';
import type { Micros } from '../../core/time.ts';
import { AccessControl } from './acl.ts';
import {
  DEFAULT_BROKER_OPTIONS,
  type BrokerCounters, type BrokerEvent, type BrokerEventName, type BrokerNoteEvent, type BrokerOptions, type BrokerOutput,
} from './broker-api.ts';
import { SubscriptionIndex } from './broker-index.ts';
import type { BrokerMessage, QoS } from './broker-types.ts';
import { isExpired } from './broker-types.ts';
import {
  carriedProperties, connectProtocolLevel, HEAD_BYTES, hex, packetEvent, REASON, remote, shortestForm, toBytes, withReason,
} from './broker-wire.ts';
import { encodePacket, PacketParser, wireSize, type MqttPacket, type MqttVersion } from './codec.ts';
import { RetainedStore } from './retained.ts';
import { type Delivery, type InflightDelivery, Session, SESSION_NEVER_EXPIRES, type Subscription } from './session.ts';
import { topicFilterError, topicMatches, topicNameError } from './topics.ts';

interface Will {
  message: Omit<BrokerMessage, 'seq' | 'receivedAt' | 'expiresAt'>;
  delaySeconds: number;
  /** The user name of the connection that set it, for access control when it is published. */
  username: string | undefined;
}

interface Connection {
  id: string;
  parser: PacketParser;
  state: 'awaiting-connect' | 'connected';
  version: MqttVersion;
  clientId: string;
  username: string | undefined;
  session: Session | undefined;
  /** Seconds; 0 disables the check. */
  keepalive: number;
  lastReceived: Micros;
  will: Will | undefined;
  /** The client's Receive Maximum (MQTT 5) combined with ours. */
  window: number;
  /** The client's Maximum Packet Size (MQTT 5), or undefined. */
  maxPacketSize: number | undefined;
  /** MQTT 5 inbound topic aliases. */
  aliases: Map<number, string>;
  /** Session expiry requested at CONNECT (MQTT 5 forbids DISCONNECT raising it from 0). */
  connectExpiry: number;
  /** The first bytes received before CONNECT was parsed (to answer an unknown protocol level). */
  head: Uint8Array;
}

interface PendingWill {
  at: Micros;
  will: Will;
}

interface FanOutTally {
  packets: number;
  bytes: number;
}

/**
 * `$share/{ShareName}/{filter}` (MQTT 5 section 4.8.2): the group and the filter, undefined for an
 * ordinary filter, 'invalid' when the ShareName is empty or holds / + #.
 */
function parseShared(topic: string): { group: string; filter: string } | 'invalid' | undefined {
  if (!topic.startsWith('$share/')) return undefined;
  const rest = topic.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return 'invalid';
  const group = rest.slice(0, slash);
  const filter = rest.slice(slash + 1);
  if (group.includes('+') || group.includes('#') || topicFilterError(filter) !== undefined) return 'invalid';
  return { group, filter };
}

/**
 * Order of two filters matching the same topic as a topic tree walk meets them: at the first
 * level where they differ, the filter that ends there first, then a literal level, then `+`,
 * then `#`.
 */
function treeOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  const rank = (level: string | undefined) => (level === undefined ? -1 : level === '#' ? 2 : level === '+' ? 1 : 0);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = rank(x[i]) - rank(y[i]);
    if (d !== 0) return d;
  }
  return 0;
}

interface DispatchResult {
  deliveries: number;
  sentNow: number;
  queued: number;
  dropped: number;
}

export class MqttBroker {
  readonly options: BrokerOptions;
  readonly retained = new RetainedStore();
  readonly counters: BrokerCounters = {
    connectionsAccepted: 0, connectionsRefused: 0, packetsReceived: 0, bytesReceived: 0,
    packetsSent: 0, bytesSent: 0, publishesReceived: 0, publishesSent: 0, queueDropped: 0,
    qos0DroppedOffline: 0, expiredDropped: 0, discardedWithSession: 0, willsPublished: 0,
    protocolErrors: 0, sessionTakeovers: 0, qos2DuplicatesIgnored: 0,
  };
  readonly #access: AccessControl;
  readonly #connections = new Map<string, Connection>();
  readonly #sessions = new Map<string, Session>();
  readonly #pendingWills = new Map<string, PendingWill>();
  readonly #index = new SubscriptionIndex();
  #outputs: BrokerOutput[] = [];
  #outHead = 0;
  #events: BrokerEvent[] = [];
  #eventHead = 0;
  /** A lower bound of the next deadline; handleTimer recomputes it exactly. */
  #timer: Micros | undefined;
  #seq = 0;
  #assigned = 0;
  #tally: FanOutTally | undefined;
  #publishCache: { seq: number; forms: Map<string, Uint8Array> } = { seq: -1, forms: new Map() };
  /** Shared subscription groups by `${group}\n${filter}`: members (client ids) and whose turn it is. */
  readonly #shareGroups = new Map<string, { group: string; filter: string; members: string[]; next: number }>();

  constructor(options: Partial<BrokerOptions> = {}) {
    const o = { ...DEFAULT_BROKER_OPTIONS, ...options };
    for (const key of ['maxInflightMessages', 'maxQueuedMessages', 'topicAliasMaximum', 'maxKeepalive'] as const) {
      if (!Number.isInteger(o[key]) || o[key] < 0 || o[key] > 65535 && key !== 'maxQueuedMessages') {
        throw new LocalProtocolError('mqtt-bad-option', `${key} must be an integer from 0${key === 'maxQueuedMessages' ? '' : ' to 65535'}, got ${String(o[key])}`);
      }
    }
    // mosquitto.conf: 0 means no maximum for both limits. The window is then the most a packet id
    // allows (and no Receive Maximum is announced, as mosquitto does).
    if (o.maxInflightMessages === 0) o.maxInflightMessages = 65535;
    if (o.maxQueuedMessages === 0) o.maxQueuedMessages = Number.POSITIVE_INFINITY;
    this.options = o;
    this.#access = new AccessControl(this.options.access);
  }

  // ---------------------------------------------------------------- transport entry points

  openConnection(connId: string, now: Micros): void {
    if (this.#connections.has(connId)) {
      throw new LocalProtocolError('mqtt-broker-duplicate-connection', `connection "${connId}" is already open`);
    }
    this.#connections.set(connId, {
      id: connId, parser: new PacketParser(), state: 'awaiting-connect', version: 4, clientId: '',
      username: undefined, session: undefined, keepalive: 0, lastReceived: now, will: undefined,
      window: this.options.maxInflightMessages, maxPacketSize: undefined, aliases: new Map(), connectExpiry: 0,
      head: new Uint8Array(0),
    });
  }

  receiveData(connId: string, bytes: Uint8Array, now: Micros): void {
    let conn = this.#connections.get(connId);
    if (conn === undefined) return; // closed by us; late bytes are ignored
    if (conn.state === 'awaiting-connect' && conn.head.length < HEAD_BYTES) {
      const head = new Uint8Array(Math.min(HEAD_BYTES, conn.head.length + bytes.length));
      head.set(conn.head);
      head.set(bytes.subarray(0, head.length - conn.head.length), conn.head.length);
      conn.head = head;
    }
    let packets: MqttPacket[];
    try {
      packets = conn.parser.push(bytes);
    } catch (err) {
      if (!(err instanceof RemoteProtocolError)) throw err;
      const level = conn.state === 'awaiting-connect' ? connectProtocolLevel(conn.head) : undefined;
      if (level !== undefined && level !== 3 && level !== 4 && level !== 5) {
        // [MQTT-3.1.2-2]: an unsupported protocol level gets CONNACK return code 1, then close
        // (in the 3.1.1 form: the client's own format is unknown).
        this.counters.connectionsRefused++;
        this.#send(conn, { cmd: 'connack', returnCode: 1, sessionPresent: false });
        this.#note('connect-refused', conn, `unsupported protocol level ${level} (return code 1)`);
        this.#close(conn);
        return;
      }
      this.#protocolError(conn, err, REASON.malformed, now);
      return;
    }
    for (const packet of packets) {
      conn = this.#connections.get(connId);
      if (conn === undefined) return;
      try {
        this.#handle(conn, packet, now);
      } catch (err) {
        if (!(err instanceof RemoteProtocolError)) throw err;
        this.#protocolError(conn, err, err.protocolCode ?? REASON.protocolError, now);
        return;
      }
    }
  }

  connectionLost(connId: string, now: Micros): void {
    const conn = this.#connections.get(connId);
    if (conn === undefined) return;
    this.#note('connection-lost', conn);
    this.#detach(conn, now, { graceful: false, sendClose: false });
  }

  nextOutput(): BrokerOutput | undefined {
    if (this.#outHead >= this.#outputs.length) return undefined;
    const out = this.#outputs[this.#outHead++];
    if (this.#outHead === this.#outputs.length) {
      this.#outputs = [];
      this.#outHead = 0;
    }
    return out;
  }

  nextEvent(): BrokerEvent | undefined {
    if (this.#eventHead >= this.#events.length) return undefined;
    const ev = this.#events[this.#eventHead++];
    if (this.#eventHead === this.#events.length) {
      this.#events = [];
      this.#eventHead = 0;
    }
    return ev;
  }

  nextTimer(): Micros | undefined {
    return this.#timer;
  }

  /** Keepalive expiry, delayed wills and session expiry whose time has come. */
  handleTimer(now: Micros): void {
    for (const conn of [...this.#connections.values()]) {
      if (conn.state !== 'connected' || conn.keepalive === 0) continue;
      // [MQTT-3.1.2-24]: nothing received for one and a half times the keepalive.
      if (now >= conn.lastReceived + conn.keepalive * 1_500_000) {
        this.#note('keepalive-timeout', conn, `nothing received for ${(now - conn.lastReceived) / 1000} ms (keepalive ${conn.keepalive} s)`);
        this.#detach(conn, now, { graceful: false, sendClose: true, reasonCode: REASON.keepAliveTimeout });
      }
    }
    for (const [clientId, will] of [...this.#pendingWills]) {
      if (now >= will.at) {
        this.#pendingWills.delete(clientId);
        this.#publishWill(clientId, will.will, now);
      }
    }
    for (const [clientId, session] of [...this.#sessions]) {
      if (session.connId === undefined && session.expiresAt !== undefined && now >= session.expiresAt) {
        this.#endSession(session, 'session-expired');
        this.#sessions.delete(clientId);
      }
    }
    this.#recomputeTimer();
  }

  /** Client ids with a session (connected or kept offline). */
  sessionIds(): string[] {
    return [...this.#sessions.keys()];
  }

  session(clientId: string): Session | undefined {
    return this.#sessions.get(clientId);
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  // ---------------------------------------------------------------- packet dispatch

  #handle(conn: Connection, packet: MqttPacket, now: Micros): void {
    conn.lastReceived = now;
    this.#traceReceived(conn, packet);
    if (conn.state === 'awaiting-connect') {
      // [MQTT-3.1.0-1]: the first packet from the client must be CONNECT.
      if (packet.cmd !== 'connect') throw remote('mqtt-first-packet-not-connect', `first packet was ${packet.cmd.toUpperCase()}, not CONNECT [MQTT-3.1.0-1]`);
      this.#onConnect(conn, packet, now);
      return;
    }
    switch (packet.cmd) {
      case 'connect':
        throw remote('mqtt-second-connect', 'a second CONNECT on the same connection [MQTT-3.1.0-2]');
      case 'publish':
        return this.#onPublish(conn, packet, now);
      case 'puback':
        return this.#onPuback(conn, packet.messageId ?? 0, now);
      case 'pubrec':
        return this.#onPubrec(conn, packet.messageId ?? 0, packet.reasonCode, now);
      case 'pubrel':
        return this.#onPubrel(conn, packet.messageId ?? 0, now);
      case 'pubcomp':
        return this.#onPubcomp(conn, packet.messageId ?? 0, now);
      case 'subscribe':
        return this.#onSubscribe(conn, packet, now);
      case 'unsubscribe':
        return this.#onUnsubscribe(conn, packet);
      case 'pingreq':
        return this.#send(conn, { cmd: 'pingresp' });
      case 'disconnect':
        return this.#onDisconnect(conn, packet, now);
      default:
        throw remote('mqtt-unexpected-packet', `a client may not send ${packet.cmd.toUpperCase()} to a broker`);
    }
  }

  // ---------------------------------------------------------------- CONNECT

  #onConnect(conn: Connection, packet: Extract<MqttPacket, { cmd: 'connect' }>, now: Micros): void {
    const version = (packet.protocolVersion ?? 4) as MqttVersion;
    conn.version = version;
    conn.parser.setVersion(version);
    const v5 = version === 5;
    const props = packet.properties ?? {};
    const clean = packet.clean ?? true;
    let clientId = packet.clientId ?? '';
    let assigned: string | undefined;
    if (clientId === '') {
      // 3.1.1 section 3.1.3.1: an empty id needs clean session, else return code 2 [MQTT-3.1.3-8].
      if (!v5 && !clean) return this.#refuse(conn, 2, REASON.clientIdNotValid, 'empty client id with clean session 0');
      assigned = `auto-${++this.#assigned}`;
      clientId = assigned;
    }
    conn.clientId = clientId;
    conn.username = packet.username;
    const verdict = this.#access.checkConnect(packet.username, packet.password);
    if (verdict === 'bad-username-or-password') return this.#refuse(conn, 4, REASON.badUserOrPassword, 'bad user name or password');
    if (verdict === 'not-authorized') return this.#refuse(conn, 5, REASON.notAuthorized, 'not authorized');
    if (packet.will !== undefined) {
      const err = topicNameError(packet.will.topic);
      if (err !== undefined) throw remote('mqtt-bad-will-topic', `will ${err}`, REASON.topicNameInvalid);
      const wp = packet.will.properties ?? {};
      conn.will = {
        delaySeconds: v5 ? wp.willDelayInterval ?? 0 : 0,
        username: packet.username,
        message: {
          topic: packet.will.topic,
          payload: toBytes(packet.will.payload),
          qos: (packet.will.qos ?? 0) as QoS,
          retain: packet.will.retain ?? false,
          properties: v5 ? carriedProperties(wp) : {},
          from: clientId,
        },
      };
    }
    conn.keepalive = packet.keepalive ?? 0;
    let serverKeepAlive: number | undefined;
    if (v5 && (conn.keepalive === 0 || conn.keepalive > this.options.maxKeepalive)) {
      serverKeepAlive = this.options.maxKeepalive;
      conn.keepalive = serverKeepAlive;
    }
    conn.connectExpiry = v5 ? props.sessionExpiryInterval ?? 0 : clean ? 0 : SESSION_NEVER_EXPIRES;
    if (v5) {
      conn.window = Math.min(this.options.maxInflightMessages, props.receiveMaximum ?? 65535);
      conn.maxPacketSize = props.maximumPacketSize;
    }

    // Session takeover: the same client id is connected elsewhere ([MQTT-3.1.4-3]).
    let session = this.#sessions.get(clientId);
    if (session?.connId !== undefined) {
      const old = this.#connections.get(session.connId);
      if (old !== undefined) {
        this.counters.sessionTakeovers++;
        this.#note('session-takeover', old, `client id "${clientId}" connected again on ${conn.id}`);
        this.#detach(old, now, { graceful: false, sendClose: true, reasonCode: REASON.sessionTakenOver });
        session = this.#sessions.get(clientId);
      }
    }
    // [MQTT-3.1.3-9]: a new connection before the will delay has passed cancels the will.
    if (this.#pendingWills.delete(clientId)) this.#note('will-cancelled', conn, 'the client reconnected within the will delay');

    let sessionPresent = false;
    if (session !== undefined && clean) {
      this.#endSession(session, 'session-discarded');
      this.#sessions.delete(clientId);
      session = undefined;
    }
    if (session === undefined) {
      session = new Session(clientId, conn.connectExpiry);
      this.#sessions.set(clientId, session);
      this.#note('session-created', conn);
    } else {
      sessionPresent = true;
      this.#note('session-resumed', conn, `${session.subscriptions.size} subscriptions, ${session.inflight.size} in flight, ${session.queue.length} queued`);
    }
    session.expiryInterval = conn.connectExpiry;
    session.expiresAt = undefined;
    session.connId = conn.id;
    session.version = version;
    conn.session = session;
    conn.state = 'connected';
    this.counters.connectionsAccepted++;

    if (v5) {
      // The properties and their order are mosquitto 2.0's (section 3.2.2.3); Receive Maximum
      // is our in-flight limit for QoS 1/2 messages from the client.
      const properties: Record<string, unknown> = {};
      if (this.options.topicAliasMaximum > 0) properties.topicAliasMaximum = this.options.topicAliasMaximum;
      if (serverKeepAlive !== undefined) properties.serverKeepAlive = serverKeepAlive;
      if (assigned !== undefined) properties.assignedClientIdentifier = assigned;
      if (this.options.maxInflightMessages < 65535) properties.receiveMaximum = this.options.maxInflightMessages;
      this.#send(conn, { cmd: 'connack', reasonCode: 0, sessionPresent, properties } as MqttPacket);
    } else {
      this.#send(conn, { cmd: 'connack', returnCode: 0, sessionPresent });
    }
    this.#note('client-connected', conn, `MQTT ${version === 5 ? '5' : '3.1.1'}, keepalive ${conn.keepalive} s, clean ${clean}`);
    this.#lowerTimer(conn.keepalive > 0 ? now + conn.keepalive * 1_500_000 : undefined);

    // [MQTT-4.4.0-1]: on resuming a session, resend unacknowledged PUBLISH (DUP=1) and PUBREL,
    // in their original order ([MQTT-4.6.0-1]).
    for (const flight of session.inflight.values()) {
      this.#note('resend', conn, `${flight.state === 'publish-sent' ? 'PUBLISH' : 'PUBREL'} packet id ${flight.packetId}`);
      if (flight.state === 'publish-sent') this.#sendPublish(conn, flight, true, now);
      else this.#send(conn, { cmd: 'pubrel', messageId: flight.packetId }, flight.message.seq);
    }
    this.#drainQueue(session, now);
  }

  /** Refuses a CONNECT: CONNACK with the 3.1.1 return code or MQTT 5 reason code, then close. */
  #refuse(conn: Connection, returnCode: number, reasonCode: number, why: string): void {
    this.counters.connectionsRefused++;
    if (conn.version === 5) this.#send(conn, { cmd: 'connack', reasonCode, sessionPresent: false } as MqttPacket);
    else this.#send(conn, { cmd: 'connack', returnCode, sessionPresent: false });
    this.#note('connect-refused', conn, `${why} (${conn.version === 5 ? `reason code 0x${hex(reasonCode)}` : `return code ${returnCode}`})`);
    this.#close(conn);
  }

  // ---------------------------------------------------------------- PUBLISH from a client

  #onPublish(conn: Connection, packet: Extract<MqttPacket, { cmd: 'publish' }>, now: Micros): void {
    const v5 = conn.version === 5;
    let topic = packet.topic;
    const alias = v5 ? packet.properties?.topicAlias : undefined;
    if (alias !== undefined) {
      // MQTT 5 section 3.3.2.3.4: an alias must lie within the Topic Alias Maximum we announced.
      if (alias === 0 || alias > this.options.topicAliasMaximum) throw remote('mqtt-topic-alias-invalid', `topic alias ${alias} is outside 1..${this.options.topicAliasMaximum}`, REASON.topicAliasInvalid);
      if (topic === '') {
        const known = conn.aliases.get(alias);
        if (known === undefined) throw remote('mqtt-topic-alias-unknown', `topic alias ${alias} was never set on this connection`, REASON.protocolError);
        topic = known;
      } else {
        conn.aliases.set(alias, topic);
      }
    }
    const err = topicNameError(topic);
    if (err !== undefined) throw remote('mqtt-bad-topic-name', `PUBLISH ${err}`, REASON.topicNameInvalid);
    const qos = packet.qos as QoS;
    const packetId = packet.messageId ?? 0;
    this.counters.publishesReceived++;
    const properties = v5 ? carriedProperties({ ...packet.properties }) : {};
    const message: BrokerMessage = {
      seq: ++this.#seq, topic, payload: toBytes(packet.payload), qos, retain: packet.retain, properties,
      receivedAt: now, from: conn.clientId,
      expiresAt: properties.messageExpiryInterval !== undefined ? now + properties.messageExpiryInterval * 1_000_000 : undefined,
    };
    const allowed = this.#access.canPublish({ clientId: conn.clientId, username: conn.username }, topic);
    if (!allowed) this.#note('publish-denied', conn, `not allowed to publish to "${topic}"`, message);
    const session = conn.session!;

    if (qos === 2 && session.incomingQos2.has(packetId)) {
      // Already stored (A) or already forwarded (B): a repeat (DUP) gets PUBREC only.
      this.counters.qos2DuplicatesIgnored++;
      this.#note('qos2-duplicate', conn, `PUBLISH packet id ${packetId} repeated before PUBREL: not forwarded again`, message);
      this.#send(conn, { cmd: 'pubrec', messageId: packetId });
      return;
    }
    if (qos === 2 && v5 && session.incomingQos2.size >= this.options.maxInflightMessages) {
      // More QoS 2 messages awaiting PUBREL than the Receive Maximum we announced. Section 3.3.4
      // describes a DISCONNECT 0x93; mosquitto 2.0.11 answers PUBREC 0x97 (Quota exceeded), which
      // ends that exchange and keeps the connection: we do the same (measured, see
      // tests/conformance/mqtt-broker-mosquitto.test.ts).
      this.#note('publish-denied', conn, `QoS 2 packet id ${packetId}: ${session.incomingQos2.size} messages already await PUBREL (Receive Maximum)`, message);
      this.#send(conn, withReason({ cmd: 'pubrec', messageId: packetId }, REASON.quotaExceeded));
      return;
    }
    const tally: FanOutTally = { packets: 0, bytes: 0 };
    this.#tally = tally;
    try {
      let result: DispatchResult = { deliveries: 0, sentNow: 0, queued: 0, dropped: 0 };
      const forwardNow = allowed && (qos < 2 || this.options.qos2Forwarding === 'on-publish');
      if (forwardNow) result = this.#dispatch(message, now);
      const denied = v5 && !allowed ? REASON.notAuthorized : undefined;
      if (qos === 1) {
        // MQTT 5: 0x10 No matching subscribers, as mosquitto answers (PUBACK only: under method A
        // a QoS 2 message has not been routed yet when PUBREC goes).
        const noSubscribers = v5 && allowed && result.deliveries === 0 ? REASON.noMatchingSubscribers : undefined;
        this.#send(conn, withReason({ cmd: 'puback', messageId: packetId }, denied ?? noSubscribers), message.seq);
      } else if (qos === 2) {
        // v5 with a failure reason code ends the exchange: no PUBREL will come for it.
        if (denied === undefined) session.incomingQos2.set(packetId, allowed && !forwardNow ? message : null);
        this.#send(conn, withReason({ cmd: 'pubrec', messageId: packetId }, denied), message.seq);
      }
      if (forwardNow) this.#fanOutEvent(message, result, tally);
    } finally {
      this.#tally = undefined;
    }
  }

  #onPubrel(conn: Connection, packetId: number, now: Micros): void {
    const session = conn.session!;
    if (!session.incomingQos2.has(packetId)) {
      // A PUBREL repeated after reconnect: answer PUBCOMP anyway. MQTT 5 has 0x92 (Packet
      // Identifier not found) for this; mosquitto answers Success, and so do we (measured).
      this.#send(conn, { cmd: 'pubcomp', messageId: packetId });
      return;
    }
    const stored = session.incomingQos2.get(packetId) ?? null;
    session.incomingQos2.delete(packetId);
    if (stored === null) {
      this.#send(conn, { cmd: 'pubcomp', messageId: packetId });
      return;
    }
    const tally: FanOutTally = { packets: 0, bytes: 0 };
    this.#tally = tally;
    try {
      const result = this.#dispatch(stored, now);
      this.#send(conn, { cmd: 'pubcomp', messageId: packetId }, stored.seq);
      this.#fanOutEvent(stored, result, tally);
    } finally {
      this.#tally = undefined;
    }
  }

  #fanOutEvent(message: BrokerMessage, r: DispatchResult, tally: FanOutTally): void {
    this.#events.push({
      type: 'fan-out', seq: message.seq, clientId: message.from, topic: message.topic, qos: message.qos, payload: message.payload,
      deliveries: r.deliveries, sentNow: r.sentNow, queued: r.queued, dropped: r.dropped,
      packets: tally.packets, bytes: tally.bytes,
    });
  }

  // ---------------------------------------------------------------- routing to subscribers

  /** Stores/clears the retained copy and delivers `message` to every matching session. */
  #dispatch(message: BrokerMessage, now: Micros): DispatchResult {
    const result: DispatchResult = { deliveries: 0, sentNow: 0, queued: 0, dropped: 0 };
    if (message.retain) {
      const change = this.retained.apply(message);
      if (change === 'set' || change === 'replaced') this.#note('retained-set', undefined, `${change} on "${message.topic}"`, message);
      else if (change === 'cleared') this.#note('retained-cleared', undefined, `"${message.topic}"`, message);
    }
    // MQTT 5 section 4.8.2: each matching share group sends the message to one of its members,
    // in turn (round robin over the members in the order they subscribed, as mosquitto).
    const sharedPicks = new Map<string, Subscription[]>();
    for (const group of this.#shareGroups.values()) {
      if (!topicMatches(group.filter, message.topic) || group.members.length === 0) continue;
      const member = group.members[group.next % group.members.length]!;
      group.next = (group.next + 1) % group.members.length;
      const sub = this.#sessions.get(member)?.subscriptions.get(`$share/${group.group}/${group.filter}`);
      if (sub === undefined) continue;
      const list = sharedPicks.get(member);
      if (list === undefined) sharedPicks.set(member, [sub]);
      else list.push(sub);
    }
    const receivers = this.#index.match(message.topic);
    for (const member of sharedPicks.keys()) receivers.add(member);
    for (const clientId of receivers) {
      const session = this.#sessions.get(clientId)!;
      for (const delivery of this.#deliveriesFor(session, message, sharedPicks.get(clientId))) {
        result.deliveries++;
        const outcome = this.#deliver(session, delivery, now);
        result[outcome]++;
      }
    }
    return result;
  }

  /** The deliveries one session gets for one message (see the overlap choice at the top). */
  #deliveriesFor(session: Session, message: BrokerMessage, sharedPicks: Subscription[] = []): Delivery[] {
    const matching: Subscription[] = [...sharedPicks];
    for (const sub of session.subscriptions.values()) {
      if (sub.shareGroup !== undefined || !topicMatches(sub.filter, message.topic)) continue;
      // MQTT 5 No Local: not to the client that published it ([MQTT-3.8.3-3]).
      if (sub.noLocal && message.from === session.clientId) continue;
      matching.push(sub);
    }
    if (matching.length === 0) return [];
    // Subscription QoS downgrade: the lesser of the message's and the subscription's QoS.
    // [MQTT-3.3.1-9] (3.1.1) / Retain As Published (5): RETAIN 0 on normal forwarding.
    const delivery = (qos: QoS, rap: boolean, ids: number[]): Delivery => ({
      message, qos: Math.min(message.qos, qos) as QoS, retain: rap ? message.retain : false, subscriptionIds: ids,
    });
    if (session.version !== 5) {
      return [delivery(Math.max(...matching.map((s) => s.qos)) as QoS, false, [])];
    }
    if (matching.length > 1) matching.sort((a, b) => treeOrder(a.filter, b.filter));
    return matching.map((s) => delivery(s.qos, s.retainAsPublished, s.subscriptionId === undefined ? [] : [s.subscriptionId]));
  }

  #deliver(session: Session, d: Delivery, now: Micros): 'sentNow' | 'queued' | 'dropped' {
    const conn = session.connId === undefined ? undefined : this.#connections.get(session.connId);
    const online = conn !== undefined && conn.state === 'connected';
    if (d.qos === 0) {
      if (online) return this.#sendPublish(conn, { ...d, packetId: 0, state: 'publish-sent' }, false, now) ? 'sentNow' : 'dropped';
      if (!this.options.queueQos0Offline) {
        this.counters.qos0DroppedOffline++;
        this.#note('qos0-dropped-offline', undefined, `QoS 0 message for offline client "${session.clientId}" not queued`, d.message, session.clientId);
        return 'dropped';
      }
    }
    if (d.qos > 0) {
      // The packet id is taken when the broker takes the delivery on, even if the queue then
      // drops it: mosquitto numbers this way (tests/conformance/mqtt-broker-mosquitto.test.ts).
      const packetId = session.allocatePacketId();
      if (packetId === undefined) return 'dropped';
      d = { ...d, packetId };
    }
    if (online && session.queue.length === 0 && session.inflight.size < conn.window) {
      return this.#startFlight(conn, session, d, now) ? 'sentNow' : 'dropped';
    }
    if (session.queue.length >= this.options.maxQueuedMessages) {
      this.counters.queueDropped++;
      this.#note('queue-full', undefined, `queue of "${session.clientId}" holds ${session.queue.length} messages: message dropped`, d.message, session.clientId);
      return 'dropped';
    }
    session.enqueue(d);
    return 'queued';
  }

  /** Sends a delivery, giving QoS 1/2 a packet id and an in-flight slot. False if it was dropped. */
  #startFlight(conn: Connection, session: Session, d: Delivery, now: Micros): boolean {
    if (d.qos === 0) return this.#sendPublish(conn, { ...d, packetId: 0, state: 'publish-sent' }, false, now);
    const packetId = d.packetId ?? session.allocatePacketId();
    if (packetId === undefined) return false;
    const flight: InflightDelivery = { ...d, packetId, state: 'publish-sent' };
    session.inflight.set(packetId, flight);
    if (!this.#sendPublish(conn, flight, false, now)) {
      session.inflight.delete(packetId);
      return false;
    }
    return true;
  }

  /** Moves queued deliveries into the in-flight window while it has room. */
  #drainQueue(session: Session, now: Micros): void {
    const conn = session.connId === undefined ? undefined : this.#connections.get(session.connId);
    if (conn === undefined || conn.state !== 'connected') return;
    while (session.queue.length > 0 && (session.queue[0]!.qos === 0 || session.inflight.size < conn.window)) {
      const d = session.dequeue()!;
      if (isExpired(d.message, now)) {
        this.counters.expiredDropped++;
        this.#note('message-expired', conn, `message on "${d.message.topic}" expired while queued`, d.message);
        continue;
      }
      this.#startFlight(conn, session, d, now);
    }
  }

  /** Encodes and sends one PUBLISH; false (and traced) when the client's maximum packet size forbids it. */
  #sendPublish(conn: Connection, d: InflightDelivery, dup: boolean, now: Micros): boolean {
    const m = d.message;
    const packet: Record<string, unknown> = { cmd: 'publish', topic: m.topic, payload: m.payload, qos: d.qos, retain: d.retain, dup };
    if (d.qos > 0) packet.messageId = d.packetId;
    if (conn.version === 5) {
      const properties: Record<string, unknown> = { ...m.properties };
      if (m.expiresAt !== undefined) {
        // MQTT 5 section 3.3.2.3.3: forward the interval minus the time the message waited.
        properties.messageExpiryInterval = Math.max(0, Math.ceil((m.expiresAt - now) / 1_000_000));
      }
      if (d.subscriptionIds.length === 1) properties.subscriptionIdentifier = d.subscriptionIds[0];
      else if (d.subscriptionIds.length > 1) properties.subscriptionIdentifier = d.subscriptionIds;
      if (Object.keys(properties).length > 0) packet.properties = properties;
    }
    const bytes = this.#encodePublish(packet, conn.version, d, m.seq);
    if (bytes === undefined) {
      // The message came in with something mqtt-packet reads but will not write back.
      this.#note('forward-failed', conn, `PUBLISH on "${m.topic}" could not be encoded for this client`, m);
      return false;
    }
    if (conn.maxPacketSize !== undefined && bytes.length > conn.maxPacketSize) {
      // [MQTT-3.1.2-25]: never send a packet larger than the client's Maximum Packet Size.
      this.#note('packet-too-large', conn, `PUBLISH of ${bytes.length} bytes exceeds the client's maximum packet size ${conn.maxPacketSize}`, m);
      return false;
    }
    this.counters.publishesSent++;
    this.#emit(conn, packet as unknown as MqttPacket, bytes, m.seq);
    return true;
  }

  /**
   * A fan-out sends the same PUBLISH to many clients, differing at most in the packet id: each
   * distinct form is encoded once per message and copied with its packet id written in (the
   * two bytes after the topic name, section 3.3.2.2).
   */
  #encodePublish(packet: Record<string, unknown>, version: MqttVersion, d: InflightDelivery, seq: number): Uint8Array | undefined {
    if (this.#publishCache.seq !== seq) this.#publishCache = { seq, forms: new Map() };
    const key = `${version}|${JSON.stringify(packet.properties ?? null)}|${d.qos}|${d.retain ? 1 : 0}|${packet.dup ? 1 : 0}`;
    let form = this.#publishCache.forms.get(key);
    if (form === undefined) {
      try {
        form = encodePacket({ ...packet, ...(d.qos > 0 ? { messageId: 1 } : {}) } as unknown as MqttPacket, version);
      } catch (err) {
        if (err instanceof LocalProtocolError) return undefined;
        throw err;
      }
      if (form.length === 0) return undefined; // mqtt-packet signals some refusals by writing nothing
      this.#publishCache.forms.set(key, form);
    }
    if (d.qos === 0) return form;
    let at = 1;
    while ((form[at]! & 0x80) !== 0) at++; // past the Remaining Length
    at += 1;
    at += 2 + ((form[at]! << 8) | form[at + 1]!); // past the topic name
    const out = form.slice();
    out[at] = d.packetId >> 8;
    out[at + 1] = d.packetId & 0xff;
    return out;
  }

  // ---------------------------------------------------------------- acknowledgements from subscribers

  #onPuback(conn: Connection, packetId: number, now: Micros): void {
    const session = conn.session!;
    const flight = session.inflight.get(packetId);
    if (flight === undefined || flight.qos !== 1) return; // unknown: nothing to do (section 4.3.2)
    session.inflight.delete(packetId);
    this.#drainQueue(session, now);
  }

  #onPubrec(conn: Connection, packetId: number, reasonCode: number | undefined, now: Micros): void {
    const session = conn.session!;
    const flight = session.inflight.get(packetId);
    if (flight === undefined || flight.qos !== 2) {
      this.#send(conn, withReason({ cmd: 'pubrel', messageId: packetId }, conn.version === 5 ? REASON.packetIdNotFound : undefined));
      return;
    }
    if (reasonCode !== undefined && reasonCode >= 0x80) {
      // MQTT 5 section 4.3.3: a PUBREC failure ends the exchange.
      session.inflight.delete(packetId);
      this.#drainQueue(session, now);
      return;
    }
    flight.state = 'pubrel-sent';
    this.#send(conn, { cmd: 'pubrel', messageId: packetId }, flight.message.seq);
  }

  #onPubcomp(conn: Connection, packetId: number, now: Micros): void {
    const session = conn.session!;
    const flight = session.inflight.get(packetId);
    if (flight === undefined || flight.state !== 'pubrel-sent') return;
    session.inflight.delete(packetId);
    this.#drainQueue(session, now);
  }

  // ---------------------------------------------------------------- SUBSCRIBE / UNSUBSCRIBE

  #onSubscribe(conn: Connection, packet: Extract<MqttPacket, { cmd: 'subscribe' }>, now: Micros): void {
    const v5 = conn.version === 5;
    const session = conn.session!;
    const subscriptionId = v5 ? packet.properties?.subscriptionIdentifier : undefined;
    const granted: number[] = [];
    const retainedToSend: Array<{ sub: Subscription; isNew: boolean }> = [];
    for (const s of packet.subscriptions) {
      const filterErr = topicFilterError(s.topic);
      // A malformed filter closes the connection (MQTT 5: DISCONNECT 0x81), as mosquitto does.
      if (filterErr !== undefined) throw remote('mqtt-bad-topic-filter', `SUBSCRIBE ${filterErr}`, REASON.malformed);
      const shared = parseShared(s.topic);
      if (shared === 'invalid') throw remote('mqtt-bad-share-name', `SUBSCRIBE "${s.topic}": a shared subscription is $share/{ShareName}/{filter} with a ShareName without / + # (MQTT 5 section 4.8.2)`, REASON.malformed);
      if (!this.#access.canSubscribe({ clientId: conn.clientId, username: conn.username }, shared?.filter ?? s.topic)) {
        granted.push(v5 ? REASON.notAuthorized : REASON.unspecified);
        this.#note('subscribe-denied', conn, `not allowed to subscribe to "${s.topic}"`);
        continue;
      }
      const sub: Subscription = {
        filter: shared?.filter ?? s.topic, qos: s.qos as QoS, noLocal: v5 && (s.nl ?? false), retainAsPublished: v5 && (s.rap ?? false),
        retainHandling: v5 ? ((s.rh ?? 0) as 0 | 1 | 2) : 0, subscriptionId,
      };
      if (shared !== undefined) sub.shareGroup = shared.group;
      const isNew = !session.subscriptions.has(s.topic);
      session.subscriptions.set(s.topic, sub); // [MQTT-3.8.4-3]: replaces an identical filter
      if (isNew) this.#addSubscriber(session.clientId, sub);
      granted.push(sub.qos);
      this.#note('subscribed', conn, `"${s.topic}" QoS ${sub.qos}${subscriptionId !== undefined ? ` id ${subscriptionId}` : ''}`);
      retainedToSend.push({ sub, isNew });
    }
    this.#send(conn, { cmd: 'suback', messageId: packet.messageId ?? 0, granted } as MqttPacket);
    // Retained messages go after the SUBACK, with RETAIN 1 ([MQTT-3.3.1-8]), unless MQTT 5
    // Retain Handling says otherwise (1: only for a new subscription, 2: never).
    for (const { sub, isNew } of retainedToSend) {
      if (sub.retainHandling === 2 || (sub.retainHandling === 1 && !isNew)) continue;
      for (const message of this.retained.matching(sub.filter, now)) {
        if (sub.noLocal && message.from === session.clientId) continue;
        this.#deliver(session, {
          message, qos: Math.min(message.qos, sub.qos) as QoS, retain: true,
          subscriptionIds: sub.subscriptionId === undefined ? [] : [sub.subscriptionId],
        }, now);
      }
    }
  }

  #addSubscriber(clientId: string, sub: Subscription): void {
    if (sub.shareGroup === undefined) {
      this.#index.add(clientId, sub.filter);
      return;
    }
    const key = `${sub.shareGroup}\n${sub.filter}`;
    let group = this.#shareGroups.get(key);
    if (group === undefined) this.#shareGroups.set(key, (group = { group: sub.shareGroup, filter: sub.filter, members: [], next: 0 }));
    group.members.push(clientId);
  }

  #removeSubscriber(clientId: string, sub: Subscription): void {
    if (sub.shareGroup === undefined) {
      this.#index.remove(clientId, sub.filter);
      return;
    }
    const key = `${sub.shareGroup}\n${sub.filter}`;
    const group = this.#shareGroups.get(key);
    if (group === undefined) return;
    const at = group.members.indexOf(clientId);
    if (at < 0) return;
    group.members.splice(at, 1);
    if (at < group.next) group.next--;
    if (group.members.length === 0) this.#shareGroups.delete(key);
    else group.next %= group.members.length;
  }

  #onUnsubscribe(conn: Connection, packet: Extract<MqttPacket, { cmd: 'unsubscribe' }>): void {
    const session = conn.session!;
    const codes: number[] = [];
    for (const filter of packet.unsubscriptions) {
      const sub = session.subscriptions.get(filter);
      const existed = session.subscriptions.delete(filter);
      if (sub !== undefined) this.#removeSubscriber(session.clientId, sub);
      codes.push(existed ? REASON.success : REASON.noSubscriptionExisted);
      if (existed) this.#note('unsubscribed', conn, `"${filter}"`);
    }
    const unsuback: Record<string, unknown> = { cmd: 'unsuback', messageId: packet.messageId ?? 0 };
    if (conn.version === 5) unsuback.granted = codes;
    this.#send(conn, unsuback as unknown as MqttPacket);
  }

  // ---------------------------------------------------------------- DISCONNECT and closing

  #onDisconnect(conn: Connection, packet: Extract<MqttPacket, { cmd: 'disconnect' }>, now: Micros): void {
    const reasonCode = conn.version === 5 ? packet.reasonCode ?? 0 : 0;
    const expiry = conn.version === 5 ? packet.properties?.sessionExpiryInterval : undefined;
    if (expiry !== undefined) {
      // [MQTT-3.14.2-2]: a session expiry of 0 at CONNECT may not be raised at DISCONNECT.
      if (conn.connectExpiry === 0 && expiry !== 0) throw remote('mqtt-session-expiry-raised', 'DISCONNECT raised the session expiry interval from 0', REASON.protocolError);
      conn.session!.expiryInterval = expiry;
    }
    this.#note('client-disconnected', conn, reasonCode === REASON.disconnectWithWill ? 'DISCONNECT with will (0x04)' : 'DISCONNECT');
    // A DISCONNECT discards the will ([MQTT-3.14.4-3]) unless MQTT 5 reason 0x04 asks for it.
    this.#detach(conn, now, { graceful: reasonCode !== REASON.disconnectWithWill, sendClose: true });
  }

  #protocolError(conn: Connection, err: RemoteProtocolError, reasonCode: number, now: Micros): void {
    this.counters.protocolErrors++;
    this.#note('protocol-error', conn, `${err.code}: ${err.message}`);
    if (conn.state === 'awaiting-connect') {
      this.#close(conn);
      return;
    }
    // The will is published when the server closes for a protocol error (3.1.1 section 3.1.2.5).
    this.#detach(conn, now, { graceful: false, sendClose: true, reasonCode });
  }

  /**
   * Ends a connected client's connection: optional MQTT 5 DISCONNECT, close, session kept or
   * ended, will published (now or after its delay) unless graceful.
   */
  #detach(conn: Connection, now: Micros, how: { graceful: boolean; sendClose: boolean; reasonCode?: number }): void {
    if (conn.state === 'awaiting-connect') {
      this.#connections.delete(conn.id);
      if (how.sendClose) this.#outputs.push({ connId: conn.id, close: true });
      return;
    }
    if (how.sendClose && how.reasonCode !== undefined && conn.version === 5) {
      this.#send(conn, { cmd: 'disconnect', reasonCode: how.reasonCode } as MqttPacket);
    }
    if (how.sendClose) this.#close(conn);
    else this.#connections.delete(conn.id);
    const session = conn.session!;
    session.connId = undefined;
    if (session.expiryInterval === 0) {
      this.#endSession(session, undefined);
      this.#sessions.delete(session.clientId);
    } else if (session.expiryInterval !== SESSION_NEVER_EXPIRES) {
      session.expiresAt = now + session.expiryInterval * 1_000_000;
      this.#lowerTimer(session.expiresAt);
    }
    if (!how.graceful && conn.will !== undefined) {
      // MQTT 5 section 3.1.3.2.2: the will waits for its delay or the end of the session.
      let delay = conn.will.delaySeconds;
      if (session.expiryInterval !== SESSION_NEVER_EXPIRES) delay = Math.min(delay, session.expiryInterval);
      if (delay === 0) this.#publishWill(conn.clientId, conn.will, now);
      else {
        const at = now + delay * 1_000_000;
        this.#pendingWills.set(conn.clientId, { at, will: conn.will });
        this.#note('will-delayed', conn, `will on "${conn.will.message.topic}" in ${delay} s`);
        this.#lowerTimer(at);
      }
    }
  }

  #close(conn: Connection): void {
    this.#connections.delete(conn.id);
    this.#outputs.push({ connId: conn.id, close: true });
  }

  #endSession(session: Session, event: 'session-expired' | 'session-discarded' | undefined): void {
    for (const sub of session.subscriptions.values()) this.#removeSubscriber(session.clientId, sub);
    const lost = session.inflight.size + session.queue.length;
    this.counters.discardedWithSession += lost;
    // One record per message that dies with the session: for the flows, these are lost.
    for (const d of [...session.inflight.values(), ...session.queue]) {
      this.#note('discarded-with-session', undefined, `packet id ${d.packetId ?? 0} for "${session.clientId}"`, d.message, session.clientId);
    }
    if (event !== undefined) {
      this.#events.push({ type: 'broker', event, clientId: session.clientId, detail: `${lost} messages discarded` });
    }
  }

  #publishWill(clientId: string, w: Will, now: Micros): void {
    const will = w.message;
    const message: BrokerMessage = {
      ...will, seq: ++this.#seq, receivedAt: now,
      expiresAt: will.properties.messageExpiryInterval !== undefined ? now + will.properties.messageExpiryInterval * 1_000_000 : undefined,
    };
    if (!this.#access.canPublish({ clientId, username: w.username }, will.topic)) {
      this.#note('publish-denied', undefined, `will of "${clientId}" on "${will.topic}" not allowed`, message, clientId);
      return;
    }
    this.counters.willsPublished++;
    this.#events.push({ type: 'broker', event: 'will-published', clientId, topic: will.topic, seq: message.seq, detail: `on "${will.topic}" QoS ${will.qos}` });
    const tally: FanOutTally = { packets: 0, bytes: 0 };
    this.#tally = tally;
    try {
      const result = this.#dispatch(message, now);
      this.#fanOutEvent(message, result, tally);
    } finally {
      this.#tally = undefined;
    }
  }

  // ---------------------------------------------------------------- output, events, timer

  #send(conn: Connection, packet: MqttPacket, seq?: number): void {
    const bytes = encodePacket(packet, conn.version);
    this.#emit(conn, packet, conn.version === 5 ? shortestForm(bytes) : bytes, seq);
  }

  #emit(conn: Connection, packet: MqttPacket, bytes: Uint8Array, seq: number | undefined): void {
    this.#outputs.push({ connId: conn.id, bytes });
    this.counters.packetsSent++;
    this.counters.bytesSent += bytes.length;
    if (this.#tally !== undefined) {
      this.#tally.packets++;
      this.#tally.bytes += bytes.length;
    }
    this.#events.push(packetEvent(conn.id, conn.clientId, packet, 'send', bytes.length, seq));
  }

  #traceReceived(conn: Connection, packet: MqttPacket): void {
    const bytes = wireSize(packet.length ?? 0);
    this.counters.packetsReceived++;
    this.counters.bytesReceived += bytes;
    this.#events.push(packetEvent(conn.id, conn.clientId, packet, 'receive', bytes, undefined));
  }

  #note(event: BrokerEventName, conn: Connection | undefined, detail?: string, message?: BrokerMessage, clientId?: string): void {
    const ev: BrokerNoteEvent = { type: 'broker', event };
    if (conn !== undefined) ev.connId = conn.id;
    const id = clientId ?? (conn !== undefined && conn.clientId !== '' ? conn.clientId : undefined);
    if (id !== undefined) ev.clientId = id;
    if (detail !== undefined) ev.detail = detail;
    if (message !== undefined) {
      ev.seq = message.seq;
      ev.topic = message.topic;
      if (message.from !== undefined) ev.publisher = message.from;
      ev.payload = message.payload;
    }
    this.#events.push(ev);
  }

  #lowerTimer(at: Micros | undefined): void {
    if (at === undefined) return;
    if (this.#timer === undefined || at < this.#timer) this.#timer = at;
  }

  #recomputeTimer(): void {
    let next: Micros | undefined;
    const lower = (at: Micros) => {
      if (next === undefined || at < next) next = at;
    };
    for (const conn of this.#connections.values()) {
      if (conn.state === 'connected' && conn.keepalive > 0) lower(conn.lastReceived + conn.keepalive * 1_500_000);
    }
    for (const will of this.#pendingWills.values()) lower(will.at);
    for (const session of this.#sessions.values()) {
      if (session.connId === undefined && session.expiresAt !== undefined) lower(session.expiresAt);
    }
    this.#timer = next;
  }
}
