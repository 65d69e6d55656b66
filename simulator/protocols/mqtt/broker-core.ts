/**
 * The broker's shared state and its output primitives: what every part of the broker engine
 * (./broker.ts and the broker-*.ts files it is split into) reads and writes. Like mosquitto's
 * `struct mosquitto_db` with its handle_*.c files: the parts are functions over this one object.
 * Not part of the public API (./broker.ts does not export it).
 */
import type { Micros } from '../../core/time.ts';
import { AccessControl } from './acl.ts';
import type { BrokerCounters, BrokerEvent, BrokerEventName, BrokerNoteEvent, BrokerOptions, BrokerOutput } from './broker-api.ts';
import { SubscriptionIndex } from './broker-index.ts';
import type { BrokerMessage } from './broker-types.ts';
import { packetEvent, shortestForm } from './broker-wire.ts';
import { encodePacket, type MqttPacket, type MqttVersion, type PacketParser } from './codec.ts';
import { Fifo } from './fifo.ts';
import { RetainedStore } from './retained.ts';
import { keepaliveDeadline } from './broker-keepalive.ts';
import type { Session } from './session.ts';
import { TopicAliasesIn } from './topic-aliases.ts';
import { wireSize } from './varint.ts';

export interface Will {
  message: Omit<BrokerMessage, 'seq' | 'receivedAt' | 'expiresAt'>;
  delaySeconds: number;
  /** The user name of the connection that set it, for access control when it is published. */
  username: string | undefined;
}

/** An empty head (Connection.head), shared: never written into, only replaced. */
export const NO_HEAD = new Uint8Array(0);

export interface Connection {
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
  /**
   * mosquitto's receive quota for this connection (msgs_in.inflight_quota): see
   * ./broker-inbound.ts. Starts at max_inflight_messages less the QoS 2 messages a resumed
   * session still awaits PUBREL for.
   */
  receiveQuota: number;
  /** The client's Maximum Packet Size (MQTT 5), or undefined. */
  maxPacketSize: number | undefined;
  /** MQTT 5 inbound topic aliases. */
  aliases: TopicAliasesIn;
  /** Session expiry requested at CONNECT (MQTT 5 forbids DISCONNECT raising it from 0). */
  connectExpiry: number;
  /** The first bytes received before CONNECT was parsed (to answer an unknown protocol level); NO_HEAD once connected. */
  head: Uint8Array;
}

/** What one inbound PUBLISH (or will) cost while it was handled (see BrokerFanOutEvent). */
export interface FanOutTally {
  packets: number;
  bytes: number;
}

/** A shared subscription group (MQTT 5 section 4.8.2): members (client ids) and whose turn it is. */
export interface ShareGroup {
  group: string;
  filter: string;
  members: string[];
  next: number;
}

/**
 * The encoded forms of the message `seq` (./broker-outbound.ts encodePublish): most messages have
 * one (every subscriber gets the same form), kept in `key`/`form`; more go in `forms`.
 */
export interface PublishCache {
  seq: number;
  key: string | number | undefined;
  form: Uint8Array | undefined;
  forms: Map<string | number, Uint8Array> | undefined;
}

export class BrokerCore {
  readonly retained = new RetainedStore();
  readonly counters: BrokerCounters = {
    connectionsAccepted: 0, connectionsRefused: 0, packetsReceived: 0, bytesReceived: 0,
    packetsSent: 0, bytesSent: 0, publishesReceived: 0, publishesSent: 0, queueDropped: 0,
    qos0DroppedOffline: 0, expiredDropped: 0, discardedWithSession: 0, willsPublished: 0,
    protocolErrors: 0, sessionTakeovers: 0, qos2DuplicatesIgnored: 0,
  };
  readonly access: AccessControl;
  readonly connections = new Map<string, Connection>();
  readonly sessions = new Map<string, Session>();
  /** Wills waiting for their delay (MQTT 5 section 3.1.3.2.2), by client id. */
  readonly pendingWills = new Map<string, { at: Micros; will: Will }>();
  readonly index = new SubscriptionIndex();
  /** Shared subscription groups by `${group}\n${filter}`. */
  readonly shareGroups = new Map<string, ShareGroup>();
  readonly outputs = new Fifo<BrokerOutput>();
  readonly events = new Fifo<BrokerEvent>();
  /** A lower bound of the next deadline; handleTimer recomputes it exactly. */
  timer: Micros | undefined;
  /** Sequence number of the last message taken in. */
  seq = 0;
  /** Client ids assigned so far (`auto-N`). */
  assigned = 0;
  /** Set while one inbound PUBLISH or will is handled: what it cost. */
  tally: FanOutTally | undefined;
  /** The encoded forms of the message being fanned out (./broker-outbound.ts encodePublish). */
  publishCache: PublishCache = { seq: -1, key: undefined, form: undefined, forms: undefined };

  constructor(readonly options: BrokerOptions) {
    this.access = new AccessControl(options.access);
  }

  send(conn: Connection, packet: MqttPacket, seq?: number): void {
    const bytes = encodePacket(packet, conn.version);
    this.emit(conn, packet, conn.version === 5 ? shortestForm(bytes) : bytes, seq);
  }

  emit(conn: Connection, packet: MqttPacket, bytes: Uint8Array, seq: number | undefined): void {
    this.outputs.push({ connId: conn.id, bytes });
    this.counters.packetsSent++;
    this.counters.bytesSent += bytes.length;
    if (this.tally !== undefined) {
      this.tally.packets++;
      this.tally.bytes += bytes.length;
    }
    this.events.push(packetEvent(conn.id, conn.clientId, packet, 'send', bytes.length, seq));
  }

  traceReceived(conn: Connection, packet: MqttPacket): void {
    const bytes = wireSize(packet.length ?? 0);
    this.counters.packetsReceived++;
    this.counters.bytesReceived += bytes;
    this.events.push(packetEvent(conn.id, conn.clientId, packet, 'receive', bytes, undefined));
  }

  note(event: BrokerEventName, conn: Connection | undefined, detail?: string, message?: BrokerMessage, clientId?: string): void {
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
    this.events.push(ev);
  }

  /** Forgets the connection and tells the IO layer to close it after what was written. */
  close(conn: Connection): void {
    this.connections.delete(conn.id);
    this.outputs.push({ connId: conn.id, close: true });
  }

  lowerTimer(at: Micros | undefined): void {
    if (at === undefined) return;
    if (this.timer === undefined || at < this.timer) this.timer = at;
  }

  recomputeTimer(): void {
    let next: Micros | undefined;
    const lower = (at: Micros) => {
      if (next === undefined || at < next) next = at;
    };
    for (const conn of this.connections.values()) {
      if (conn.state === 'connected' && conn.keepalive > 0) lower(keepaliveDeadline(conn, this.options.keepaliveSweepS));
    }
    for (const will of this.pendingWills.values()) lower(will.at);
    for (const session of this.sessions.values()) {
      if (session.connId === undefined && session.expiresAt !== undefined) lower(session.expiresAt);
    }
    this.timer = next;
  }
}
