/**
 * The client's outgoing messages (./client.ts): every message the application published, from
 * publish() until its flow ends, in publish order. The ones in flight follow ./qos-flow.ts; the
 * others wait in the queue, QoS 0 included, until the connection and the in-flight window let
 * them go.
 *
 * Rules:
 * - At most `window` = min(maxInflight, the server's Receive Maximum) QoS 1/2 messages in flight
 *   ([MQTT-3.3.4-7] in 5); a QoS 0 message behind a full window still goes (it takes no slot).
 * - A message is sent at most at the server's Maximum QoS ([MQTT-3.2.2-11] in 5).
 * - MQTT 5 Message Expiry: a message whose interval passed in the queue is dropped; one that
 *   leaves carries the interval minus the whole seconds it waited (section 3.3.2.3.3).
 * - When the session is discarded, messages in flight are lost with it; queued ones stay (they are
 *   the application's, not session state) and lose any identifier.
 */
import type { Micros } from '../../core/time.ts';
import type { MqttVersion, PublishPacket, PublishProperties, QoS } from './packets.ts';
import type { PacketIdAllocator } from './packet-ids.ts';
import type { TopicAliasesOut } from './topic-aliases.ts';
import { ackEvent, DONE, nextOutboundState, type OutboundNext, type OutboundState } from './qos-flow.ts';

const SECOND: Micros = 1_000_000;

/** A message the application published, from publish() until its flow ends. */
export interface Outgoing {
  token: number;
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties: PublishProperties | undefined;
  queuedAt: Micros;
  messageId?: number;
  state: OutboundState;
  /** When the PUBLISH or PUBREL last went out (for the non-standard timer mode). */
  lastSentAt: Micros;
}

/** What the client does next with a queued message, in order (see `OutgoingMessages.releaseNext`). */
export type OutgoingStep = 'expired' | 'send-qos0' | 'send';

export class OutgoingMessages {
  /** In publish order: the in-flight messages first, then the queue. */
  #list: Outgoing[] = [];
  /** A release pass (`beginRelease`): the index it has reached, how many are in flight, how many may be. */
  #at = 0;
  #inflightInPass = 0;
  #window = 0;
  /** The message of the step `releaseNext` last gave (undefined after the pass). */
  released: Outgoing | undefined;
  /** mqtt.js's store flush after a reconnect (`startFlush`): what is left of it, and what it has sent. */
  #flush: { pending: Outgoing[]; sent: Set<Outgoing> } | undefined;

  /**
   * mqtt.js 5 after a reconnect (client.ts `_onConnect`, `storeDeliver`): every QoS 1/2 message of
   * its outgoing store, in flight or published while offline, is sent one at a time, the next only
   * when the previous one's flow has ended (its PUBACK or PUBCOMP). New publishes, and QoS 0
   * messages queued offline, wait until the store is empty. So a backlog drains at one message per
   * round trip (two for QoS 2), not all at once.
   */
  startFlush(): void {
    const pending = this.#list.filter((m) => m.qos > 0);
    this.#flush = pending.length > 0 ? { pending, sent: new Set() } : undefined;
  }

  stopFlush(): void {
    this.#flush = undefined;
  }

  get flushing(): boolean {
    return this.#flush !== undefined;
  }

  /**
   * The next step of the flush: a message to send (`resend`: it was in flight before), 'wait' while
   * the one sent is unacknowledged, or 'done' (the flush is over). A queued message taken here
   * gets its identifier and goes into flight.
   */
  flushNext(now: Micros, ids: PacketIdAllocator, serverMaxQos: QoS): { message: Outgoing; resend: boolean; expired?: true } | 'wait' | 'done' {
    const f = this.#flush;
    if (f === undefined) return 'done';
    while (f.pending.length > 0 && !this.#list.includes(f.pending[0]!)) f.pending.shift(); // its flow ended
    const head = f.pending[0];
    if (head === undefined) {
      this.#flush = undefined;
      return 'done';
    }
    if (f.sent.has(head)) return 'wait';
    if (head.state === 'queued' && serverMaxQos === 0) {
      f.pending.shift(); // the server takes QoS 0 only: it goes with the queue after the flush
      return this.flushNext(now, ids, serverMaxQos);
    }
    f.sent.add(head);
    if (head.state !== 'queued') return { message: head, resend: true };
    const expiry = head.properties?.messageExpiryInterval; // MQTT 5 expiry, as in `release`
    if (expiry !== undefined && now - head.queuedAt >= expiry * SECOND) {
      this.remove(head);
      return { message: head, resend: false, expired: true };
    }
    if (expiry !== undefined) head.properties = { ...head.properties, messageExpiryInterval: expiry - Math.floor((now - head.queuedAt) / SECOND) };
    if (head.qos > serverMaxQos) head.qos = serverMaxQos;
    head.messageId = ids.allocate();
    head.state = nextOutboundState(head.qos as 1 | 2, head.state, 'send') as OutboundState;
    return { message: head, resend: false };
  }

  /** QoS 1/2 messages sent and not completely acknowledged. */
  get inflight(): number {
    let n = 0;
    for (const m of this.#list) if (m.state !== 'queued') n++;
    return n;
  }

  /** Messages waiting to be sent. */
  get queued(): number {
    return this.#list.length - this.inflight;
  }

  add(m: Outgoing): void {
    this.#list.push(m);
  }

  /** Every message in flight, in the order sent (what a resumed session repeats, [MQTT-4.6.0-1]). */
  inFlight(): Outgoing[] {
    return this.#list.filter((m) => m.state !== 'queued');
  }

  /** NON-STANDARD timer mode: when the oldest in-flight packet is `after` old. */
  nextResend(after: Micros): Micros | undefined {
    let t: Micros | undefined;
    for (const m of this.#list) if (m.state !== 'queued' && (t === undefined || m.lastSentAt + after < t)) t = m.lastSentAt + after;
    return t;
  }

  /** NON-STANDARD timer mode: the in-flight messages whose packet went out `after` ago or more, in order. */
  dueForResend(now: Micros, after: Micros): Outgoing[] {
    return this.inFlight().filter((m) => now >= m.lastSentAt + after);
  }

  /**
   * The message an acknowledgement moves and the state it moves to (./qos-flow.ts), or undefined
   * when no message in flight takes that acknowledgement (a late duplicate). The caller acts.
   */
  acknowledge(cmd: 'puback' | 'pubrec' | 'pubcomp', messageId: number, reasonCode: number | undefined): { message: Outgoing; next: OutboundNext } | undefined {
    const event = ackEvent(cmd, reasonCode);
    for (const m of this.#list) {
      if (m.messageId !== messageId || m.state === 'queued' || m.qos === 0) continue;
      const next = nextOutboundState(m.qos, m.state, event);
      if (next !== undefined) return { message: m, next };
    }
    return undefined;
  }

  /** The flow of `m` ended (DONE): it leaves the list. */
  remove(m: Outgoing): void {
    const at = this.#list.indexOf(m);
    if (at === 0) this.#list.shift(); // the usual case, acknowledged in order: no removed-items array
    else if (at > 0) this.#list.splice(at, 1);
  }

  /**
   * Takes off the queue, in order, what may go now, one step per call (no array of steps per
   * pass: the client runs a pass after every publish and acknowledgement): begin a pass with
   * `beginRelease(window)`, then each `releaseNext` says what to do with the next message, `released`:
   * drop it ('expired'), write it ('send-qos0'), or send it into flight ('send': it got an
   * identifier and `publish-sent`); undefined when the pass is over. The caller may send between
   * steps, but must not add or remove messages during a pass.
   */
  beginRelease(window: number): void {
    this.#at = 0;
    this.#inflightInPass = this.inflight;
    this.#window = window;
  }

  releaseNext(now: Micros, serverMaxQos: QoS, ids: PacketIdAllocator): OutgoingStep | undefined {
    const list = this.#list;
    while (this.#at < list.length) {
      const m = list[this.#at]!;
      if (m.state !== 'queued') {
        this.#at++;
        continue;
      }
      const expiry = m.properties?.messageExpiryInterval;
      if (expiry !== undefined && now - m.queuedAt >= expiry * SECOND) {
        list.splice(this.#at, 1);
        this.released = m;
        return 'expired';
      }
      if (m.qos > serverMaxQos) m.qos = serverMaxQos;
      if (m.qos === 0) {
        list.splice(this.#at, 1);
        this.released = m;
        return 'send-qos0';
      }
      this.#at++;
      if (this.#inflightInPass >= this.#window) continue; // QoS 0 behind it may still go
      m.messageId = ids.allocate();
      m.state = nextOutboundState(m.qos, m.state, 'send') as OutboundState;
      this.#inflightInPass++;
      if (expiry !== undefined) {
        const left = expiry - Math.floor((now - m.queuedAt) / SECOND);
        m.properties = { ...m.properties, messageExpiryInterval: left };
      }
      this.released = m;
      return 'send';
    }
    this.released = undefined;
    return undefined;
  }

  /** The session is discarded: returns the messages in flight, which are lost; queued ones stay. */
  discardSession(): Outgoing[] {
    const lost: Outgoing[] = [];
    const kept: Outgoing[] = [];
    for (const m of this.#list) (m.state === 'queued' ? kept : lost).push(m);
    this.#list = kept;
    for (const m of kept) delete m.messageId;
    return lost;
  }
}

/**
 * The PUBLISH for `m`: DUP only on a repeat of QoS 1/2 ([MQTT-3.3.1-1], [MQTT-3.3.1-2]); in MQTT 5
 * a topic alias when the server allows them (never on a repeat: aliases die with the connection).
 */
export function publishPacket(m: Outgoing, dup: boolean, version: MqttVersion, aliases: TopicAliasesOut, aliasMaximum: number): PublishPacket {
  const packet: PublishPacket = { cmd: 'publish', topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain, dup: dup && m.qos > 0 };
  if (m.messageId !== undefined) packet.messageId = m.messageId;
  let props = m.properties;
  if (version === 5 && aliasMaximum > 0 && !dup) {
    const { topic, alias } = aliases.assign(m.topic, aliasMaximum);
    packet.topic = topic;
    if (alias !== undefined) props = { ...props, topicAlias: alias };
  }
  if (version === 5 && props !== undefined && Object.keys(props).length > 0) packet.properties = props;
  return packet;
}

export { DONE };
