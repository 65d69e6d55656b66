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
 *   ([MQTT-3.3.5-2]); MQTT 5 answers PUBACK/PUBREC with 0x87. As in mosquitto, no client may
 *   publish to `$SYS/...` or `$share/...`, whatever the rules say (./acl.ts dollarWriteDenied);
 *   the broker's own messages go through `publishOwn`.
 */
export * from './broker-api.ts';
import { RemoteProtocolError } from '../../core/errors.ts';
import type { Micros } from '../../core/time.ts';
import { DEFAULT_BROKER_OPTIONS, type BrokerCounters, type BrokerEvent, type BrokerOptions, type BrokerOutput } from './broker-api.ts';
import { onConnect } from './broker-connect.ts';
import { BrokerCore, NO_HEAD, type Connection } from './broker-core.ts';
import { onPublish, onPubrel } from './broker-inbound.ts';
import { onAck } from './broker-outbound.ts';
import { dispatch, fanOutEvent, tallied } from './broker-routing.ts';
import type { BrokerMessage, QoS } from './broker-types.ts';
import { detach, expireDue, onDisconnect, protocolError } from './broker-sessions.ts';
import { onSubscribe, onUnsubscribe } from './broker-subscribe.ts';
import { connectProtocolLevel, HEAD_BYTES, REASON } from './broker-wire.ts';
import { PacketParser, type MqttPacket } from './codec.ts';
import { localError, remoteError } from './errors.ts';
import { Spare } from './fifo.ts';
import type { RetainedStore } from './retained.ts';
import type { Session } from './session.ts';
import { topicNameError } from './topics.ts';
import { TopicAliasesIn } from './topic-aliases.ts';

/** The packets of one receiveData call. */
const RECEIVED = new Spare<MqttPacket>();

export class MqttBroker {
  readonly options: BrokerOptions;
  readonly #core: BrokerCore;

  constructor(options: Partial<BrokerOptions> = {}) {
    const o = { ...DEFAULT_BROKER_OPTIONS, ...options };
    for (const key of ['maxInflightMessages', 'maxQueuedMessages', 'topicAliasMaximum', 'maxKeepalive'] as const) {
      if (!Number.isInteger(o[key]) || o[key] < 0 || o[key] > 65535 && key !== 'maxQueuedMessages') {
        throw localError('mqtt-bad-option', `${key} must be an integer from 0${key === 'maxQueuedMessages' ? '' : ' to 65535'}, got ${String(o[key])}`);
      }
    }
    // mosquitto.conf: 0 means no maximum for both limits. The window is then the most a packet id
    // allows (and no Receive Maximum is announced, as mosquitto does).
    if (!Number.isInteger(o.keepaliveSweepS) || o.keepaliveSweepS < 0 || o.keepaliveSweepS > 65535) {
      throw localError('mqtt-bad-option', `keepaliveSweepS must be an integer from 0 to 65535, got ${String(o.keepaliveSweepS)}`);
    }
    if (o.maxInflightMessages === 0) o.maxInflightMessages = 65535;
    if (o.maxQueuedMessages === 0) o.maxQueuedMessages = Number.POSITIVE_INFINITY;
    this.options = o;
    this.#core = new BrokerCore(o);
  }

  /** Retained messages by topic. */
  get retained(): RetainedStore {
    return this.#core.retained;
  }

  /** Running totals. */
  get counters(): BrokerCounters {
    return this.#core.counters;
  }

  // ---------------------------------------------------------------- transport entry points

  openConnection(connId: string, now: Micros): void {
    if (this.#core.connections.has(connId)) {
      throw localError('mqtt-broker-duplicate-connection', `connection "${connId}" is already open`);
    }
    this.#core.connections.set(connId, {
      id: connId, parser: new PacketParser(), state: 'awaiting-connect', version: 4, clientId: '',
      username: undefined, session: undefined, keepalive: 0, lastReceived: now, will: undefined,
      window: this.options.maxInflightMessages, receiveQuota: this.options.maxInflightMessages, maxPacketSize: undefined, aliases: new TopicAliasesIn(), connectExpiry: 0,
      head: NO_HEAD,
    });
  }

  receiveData(connId: string, bytes: Uint8Array, now: Micros): void {
    let conn = this.#core.connections.get(connId);
    if (conn === undefined) return; // closed by us; late bytes are ignored
    if (conn.state === 'awaiting-connect' && conn.head.length < HEAD_BYTES) {
      const head = new Uint8Array(Math.min(HEAD_BYTES, conn.head.length + bytes.length));
      head.set(conn.head);
      head.set(bytes.subarray(0, head.length - conn.head.length), conn.head.length);
      conn.head = head;
    }
    // Good packets before a bad one are acted on first (./codec.ts read); the array is lent (./fifo.ts Spare).
    const packets = RECEIVED.take();
    const n = conn.parser.readInto(bytes, packets);
    const error = conn.parser.failure;
    for (let i = 0; i < n; i++) {
      conn = this.#core.connections.get(connId);
      if (conn === undefined) break;
      try {
        this.#handle(conn, packets[i]!, now);
      } catch (err) {
        if (!(err instanceof RemoteProtocolError)) throw err;
        protocolError(this.#core, conn, err, err.protocolCode ?? REASON.protocolError, now);
        RECEIVED.give(packets);
        return;
      }
    }
    RECEIVED.give(packets);
    conn = this.#core.connections.get(connId);
    if (error === undefined || conn === undefined) return;
    const level = conn.state === 'awaiting-connect' ? connectProtocolLevel(conn.head) : undefined;
    if (level !== undefined && level !== 3 && level !== 4 && level !== 5) {
      // [MQTT-3.1.2-2]: an unsupported protocol level gets CONNACK return code 1, then close
      // (in the 3.1.1 form: the client's own format is unknown).
      this.#core.counters.connectionsRefused++;
      this.#core.send(conn, { cmd: 'connack', returnCode: 1, sessionPresent: false });
      this.#core.note('connect-refused', conn, `unsupported protocol level ${level} (return code 1)`);
      this.#core.close(conn);
      return;
    }
    protocolError(this.#core, conn, error, error.protocolCode ?? REASON.malformed, now);
  }

  connectionLost(connId: string, now: Micros): void {
    const conn = this.#core.connections.get(connId);
    if (conn === undefined) return;
    this.#core.note('connection-lost', conn);
    detach(this.#core, conn, now, { graceful: false, sendClose: false });
  }

  nextOutput(): BrokerOutput | undefined {
    return this.#core.outputs.shift();
  }

  nextEvent(): BrokerEvent | undefined {
    return this.#core.events.shift();
  }

  nextTimer(): Micros | undefined {
    return this.#core.timer;
  }

  /**
   * A message the broker publishes itself, as mosquitto publishes its `$SYS` tree (src/sys_tree.c,
   * db__messages_easy_queue with no client as the source): routed like any PUBLISH, and not subject
   * to the rule that keeps clients from writing to `$SYS` (./acl.ts dollarWriteDenied).
   */
  publishOwn(topic: string, payload: Uint8Array, now: Micros, qos: QoS = 0, retain = false): void {
    const err = topicNameError(topic);
    if (err !== undefined) throw localError('mqtt-encode-invalid', `publishOwn: ${err}`);
    const message: BrokerMessage = { seq: ++this.#core.seq, topic, payload, qos, retain, properties: {}, receivedAt: now };
    const { result, tally } = tallied(this.#core, () => dispatch(this.#core, message, now));
    fanOutEvent(this.#core, message, result, tally);
  }

  /** Keepalive expiry, delayed wills and session expiry whose time has come (./broker-sessions.ts). */
  handleTimer(now: Micros): void {
    expireDue(this.#core, now);
  }

  /** Client ids with a session (connected or kept offline). */
  sessionIds(): string[] {
    return [...this.#core.sessions.keys()];
  }

  session(clientId: string): Session | undefined {
    return this.#core.sessions.get(clientId);
  }

  get connectionCount(): number {
    return this.#core.connections.size;
  }

  // ---------------------------------------------------------------- packet dispatch

  // ---------------------------------------------------------------- packet dispatch
  #handle(conn: Connection, packet: MqttPacket, now: Micros): void {
    conn.lastReceived = now;
    this.#core.traceReceived(conn, packet);
    if (conn.state === 'awaiting-connect') {
      // [MQTT-3.1.0-1]: the first packet from the client must be CONNECT.
      if (packet.cmd !== 'connect') throw remoteError('mqtt-first-packet-not-connect', `first packet was ${packet.cmd.toUpperCase()}, not CONNECT [MQTT-3.1.0-1]`);
      onConnect(this.#core, conn, packet, now);
      return;
    }
    switch (packet.cmd) {
      case 'connect':
        throw remoteError('mqtt-second-connect', 'a second CONNECT on the same connection [MQTT-3.1.0-2]');
      case 'publish':
        return onPublish(this.#core, conn, packet, now);
      case 'puback': case 'pubrec': case 'pubcomp':
        return onAck(this.#core, conn, packet.cmd, packet.messageId ?? 0, packet.cmd === 'pubcomp' ? undefined : packet.reasonCode, now);
      case 'pubrel':
        return onPubrel(this.#core, conn, packet.messageId ?? 0, now);
      case 'subscribe':
        return onSubscribe(this.#core, conn, packet, now);
      case 'unsubscribe':
        return onUnsubscribe(this.#core, conn, packet);
      case 'pingreq':
        return this.#core.send(conn, { cmd: 'pingresp' });
      case 'disconnect':
        return onDisconnect(this.#core, conn, packet, now);
      default:
        throw remoteError('mqtt-unexpected-packet', `a client may not send ${packet.cmd.toUpperCase()} to a broker`);
    }
  }
}
