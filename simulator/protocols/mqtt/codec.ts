/**
 * MQTT 3.1.1 / 5 packets: the one module that imports `mqtt-packet` (docs/ARCHITECTURE.md).
 *
 * Rules of this file:
 * - Packets are plain objects told apart by `cmd`, with mqtt-packet's field names (`messageId`,
 *   `returnCode` in 3.1.1, `reasonCode` in 5, `granted`, `properties`...). Byte fields are plain
 *   `Uint8Array`s, never `Buffer`s, so callers and tests do not depend on Node.
 * - `encodePacket` is pure. A packet the library refuses is the caller's mistake:
 *   `LocalProtocolError('mqtt-encode-invalid')`.
 * - `PacketParser` frames packets itself (fixed header + Remaining Length, section 2.2.3) and hands
 *   mqtt-packet exactly one whole packet at a time, so "need more bytes" is never an error, any
 *   chunking gives the same packets, and a bad packet can never read into the next one.
 *   Bad bytes are `RemoteProtocolError` with a stable code; in MQTT 5 it carries reason code 0x81
 *   (Malformed Packet) or 0x82 (Protocol Error) (MQTT 5 section 4.13). After an error the parser
 *   keeps failing with the same error: the connection must be closed ([MQTT-4.8.0-1] 3.1.1 4.8).
 * - `import { Buffer } from 'buffer'`: in the browser worker Vite resolves it to the npm package.
 */
import { Buffer } from 'buffer';
import mqttPacket from 'mqtt-packet';
import { LocalProtocolError, RemoteProtocolError } from '../../core/errors.ts';

/** Protocol level as it travels in CONNECT: 3 = MQTT 3.1, 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
export type MqttVersion = 3 | 4 | 5;
/** The names the scenario files and the CLI use. */
export type MqttVersionName = '3.1.1' | '5';
export type QoS = 0 | 1 | 2;
export type UserProperties = Record<string, string | string[]>;

/** MQTT 5 reason codes the codec itself produces (MQTT 5 section 2.4). */
export const REASON_MALFORMED_PACKET = 0x81;
export const REASON_PROTOCOL_ERROR = 0x82;

/** The largest Remaining Length four bytes can encode (section 2.2.3). */
export const MAX_REMAINING_LENGTH = 268_435_455;

/** Accepts either spelling; returns the protocol level. */
export function protocolLevel(version: MqttVersion | MqttVersionName): MqttVersion {
  if (version === '3.1.1') return 4;
  if (version === '5') return 5;
  if (version === 3 || version === 4 || version === 5) return version;
  throw new LocalProtocolError('mqtt-bad-version', `unknown MQTT version ${JSON.stringify(version)}; use "3.1.1" or "5"`);
}

export function versionName(level: MqttVersion): string {
  return level === 5 ? '5' : level === 4 ? '3.1.1' : '3.1';
}

// ------------------------------------------------------------------ packet objects

interface Base {
  /** Remaining Length, filled in by the parser (ignored by the encoder). */
  length?: number;
}

export interface WillMessage {
  topic: string;
  payload: Uint8Array;
  qos?: QoS;
  retain?: boolean;
  properties?: {
    willDelayInterval?: number;
    payloadFormatIndicator?: boolean;
    messageExpiryInterval?: number;
    contentType?: string;
    responseTopic?: string;
    correlationData?: Uint8Array;
    userProperties?: UserProperties;
  };
}

export interface ConnectPacket extends Base {
  cmd: 'connect';
  clientId: string;
  protocolVersion?: MqttVersion;
  protocolId?: 'MQTT' | 'MQIsdp';
  clean?: boolean;
  keepalive?: number;
  username?: string;
  password?: Uint8Array;
  will?: WillMessage;
  properties?: {
    sessionExpiryInterval?: number;
    receiveMaximum?: number;
    maximumPacketSize?: number;
    topicAliasMaximum?: number;
    requestResponseInformation?: boolean;
    requestProblemInformation?: boolean;
    userProperties?: UserProperties;
    authenticationMethod?: string;
    authenticationData?: Uint8Array;
  };
}

export interface ConnackPacket extends Base {
  cmd: 'connack';
  /** MQTT 3.1.1 return code (section 3.2.2.3). */
  returnCode?: number;
  /** MQTT 5 reason code (section 3.2.2.2). */
  reasonCode?: number;
  sessionPresent: boolean;
  properties?: {
    sessionExpiryInterval?: number;
    receiveMaximum?: number;
    maximumQoS?: number;
    retainAvailable?: boolean;
    maximumPacketSize?: number;
    assignedClientIdentifier?: string;
    topicAliasMaximum?: number;
    reasonString?: string;
    userProperties?: UserProperties;
    wildcardSubscriptionAvailable?: boolean;
    subscriptionIdentifiersAvailable?: boolean;
    sharedSubscriptionAvailable?: boolean;
    serverKeepAlive?: number;
    responseInformation?: string;
    serverReference?: string;
    authenticationMethod?: string;
    authenticationData?: Uint8Array;
  };
}

export interface PublishProperties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  topicAlias?: number;
  responseTopic?: string;
  correlationData?: Uint8Array;
  userProperties?: UserProperties;
  subscriptionIdentifier?: number | number[];
  contentType?: string;
}

export interface PublishPacket extends Base {
  cmd: 'publish';
  qos: QoS;
  dup: boolean;
  retain: boolean;
  topic: string;
  payload: Uint8Array;
  /** Packet Identifier; present only when qos > 0 ([MQTT-2.3.1-5]). */
  messageId?: number;
  properties?: PublishProperties;
}

export interface ReasonOnlyProperties {
  reasonString?: string;
  userProperties?: UserProperties;
}

export interface PubackPacket extends Base { cmd: 'puback'; messageId: number; reasonCode?: number; properties?: ReasonOnlyProperties }
export interface PubrecPacket extends Base { cmd: 'pubrec'; messageId: number; reasonCode?: number; properties?: ReasonOnlyProperties }
export interface PubrelPacket extends Base { cmd: 'pubrel'; messageId: number; reasonCode?: number; properties?: ReasonOnlyProperties }
export interface PubcompPacket extends Base { cmd: 'pubcomp'; messageId: number; reasonCode?: number; properties?: ReasonOnlyProperties }

export interface Subscription {
  topic: string;
  qos: QoS;
  /** MQTT 5 No Local, Retain As Published, Retain Handling (section 3.8.3.1). */
  nl?: boolean;
  rap?: boolean;
  rh?: number;
}

export interface SubscribePacket extends Base {
  cmd: 'subscribe';
  messageId: number;
  subscriptions: Subscription[];
  properties?: { reasonString?: string; subscriptionIdentifier?: number; userProperties?: UserProperties };
}

export interface SubackPacket extends Base {
  cmd: 'suback';
  messageId: number;
  /** Granted QoS or a failure code (3.1.1: 0x80; MQTT 5: reason codes >= 0x80), one per filter. */
  granted: number[];
  properties?: ReasonOnlyProperties;
}

export interface UnsubscribePacket extends Base {
  cmd: 'unsubscribe';
  messageId: number;
  unsubscriptions: string[];
  properties?: ReasonOnlyProperties;
}

export interface UnsubackPacket extends Base {
  cmd: 'unsuback';
  messageId: number;
  /** MQTT 5 only: one reason code per filter (section 3.11.3). */
  granted?: number[];
  properties?: ReasonOnlyProperties;
}

export interface PingreqPacket extends Base { cmd: 'pingreq' }
export interface PingrespPacket extends Base { cmd: 'pingresp' }

export interface DisconnectPacket extends Base {
  cmd: 'disconnect';
  /** MQTT 5 only. */
  reasonCode?: number;
  properties?: { sessionExpiryInterval?: number; reasonString?: string; userProperties?: UserProperties; serverReference?: string };
}

export interface AuthPacket extends Base {
  cmd: 'auth';
  reasonCode: number;
  properties?: { authenticationMethod?: string; authenticationData?: Uint8Array; reasonString?: string; userProperties?: UserProperties };
}

export type MqttPacket =
  | ConnectPacket | ConnackPacket | PublishPacket
  | PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket
  | SubscribePacket | SubackPacket | UnsubscribePacket | UnsubackPacket
  | PingreqPacket | PingrespPacket | DisconnectPacket | AuthPacket;

export type PacketCmd = MqttPacket['cmd'];
export type PacketOf<C extends PacketCmd> = Extract<MqttPacket, { cmd: C }>;

/** Control packet type numbers (section 2.2.1). */
export const PACKET_TYPE: Readonly<Record<PacketCmd, number>> = {
  connect: 1, connack: 2, publish: 3, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7,
  subscribe: 8, suback: 9, unsubscribe: 10, unsuback: 11, pingreq: 12, pingresp: 13, disconnect: 14, auth: 15,
};

// ------------------------------------------------------------------ encode

/**
 * The bytes of `packet` as MQTT `version` puts them on the wire. Fills the few fields the two
 * versions spell differently (CONNACK return/reason code) and omits an MQTT 5 acknowledgement's
 * reason code when it is 0x00 Success ([MQTT-3.4.2-1] allows the 2-byte form).
 */
export function encodePacket(packet: MqttPacket, version: MqttVersion | MqttVersionName): Uint8Array {
  const level = protocolLevel(version);
  const p: Record<string, unknown> = { ...packet };
  if (p.cmd === 'connack') {
    if (level === 5 && p.reasonCode === undefined) p.reasonCode = p.returnCode ?? 0;
    if (level !== 5 && p.returnCode === undefined) p.returnCode = p.reasonCode ?? 0;
  }
  if ((p.cmd === 'puback' || p.cmd === 'pubrec' || p.cmd === 'pubrel' || p.cmd === 'pubcomp') && p.reasonCode === undefined) {
    p.reasonCode = 0;
  }
  if (p.cmd === 'connect' && p.protocolVersion === undefined) p.protocolVersion = level;
  toBuffers(p);
  let out: Buffer;
  try {
    out = mqttPacket.generate(p as unknown as mqttPacket.Packet, { protocolVersion: level });
  } catch (err) {
    throw new LocalProtocolError('mqtt-encode-invalid', `cannot encode ${String(packet.cmd).toUpperCase()}: ${(err as Error).message}`);
  }
  return Uint8Array.from(out);
}

/** Byte fields to Buffers for mqtt-packet (it calls Buffer methods on them). */
function toBuffers(p: Record<string, unknown>): void {
  for (const key of ['payload', 'password'] as const) {
    const v = p[key];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) p[key] = Buffer.from(v);
  }
  if (p.properties !== undefined) p.properties = bufferProps(p.properties as Record<string, unknown>);
  if (p.will !== undefined) {
    const will = { ...(p.will as Record<string, unknown>) };
    const payload = will.payload;
    if (payload instanceof Uint8Array && !Buffer.isBuffer(payload)) will.payload = Buffer.from(payload);
    if (will.properties !== undefined) will.properties = bufferProps(will.properties as Record<string, unknown>);
    p.will = will;
  }
}

function bufferProps(props: Record<string, unknown>): Record<string, unknown> {
  const out = { ...props };
  for (const key of ['correlationData', 'authenticationData']) {
    const v = out[key];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) out[key] = Buffer.from(v);
  }
  return out;
}

// ------------------------------------------------------------------ decode

/**
 * Incremental parser: `push(bytes)` (alias `feed`) returns every packet completed so far, in order.
 * The version decides how the variable headers are read (MQTT 5 adds properties and reason
 * codes); a parsed CONNECT switches the parser to that CONNECT's protocol level, as a broker needs.
 */
export class PacketParser {
  #level: MqttVersion;
  #buf: Uint8Array = new Uint8Array(0);
  #len = 0;
  #error: RemoteProtocolError | undefined;
  readonly #maxPacketSize: number | undefined;

  constructor(version: MqttVersion | MqttVersionName = 4, options: { maxPacketSize?: number } = {}) {
    this.#level = protocolLevel(version);
    this.#maxPacketSize = options.maxPacketSize;
  }

  get version(): MqttVersion {
    return this.#level;
  }

  setVersion(version: MqttVersion | MqttVersionName): void {
    this.#level = protocolLevel(version);
  }

  /** Bytes received but not yet part of a whole packet. */
  get bufferedBytes(): number {
    return this.#len;
  }

  feed(bytes: Uint8Array): MqttPacket[] {
    return this.push(bytes);
  }

  push(bytes: Uint8Array): MqttPacket[] {
    if (this.#error !== undefined) throw this.#error;
    this.#append(bytes);
    const out: MqttPacket[] = [];
    let pos = 0;
    for (;;) {
      const frame = this.#frameAt(pos);
      if (frame === undefined) break;
      const whole = this.#buf.subarray(pos, pos + frame.total);
      out.push(this.#decodeOne(whole, frame.headerBytes));
      pos += frame.total;
    }
    if (pos > 0) {
      this.#buf.copyWithin(0, pos, this.#len);
      this.#len -= pos;
    }
    return out;
  }

  #append(bytes: Uint8Array): void {
    const need = this.#len + bytes.length;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2, 64));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(bytes, this.#len);
    this.#len = need;
  }

  /** Size of the packet starting at `pos` when it is all here; undefined to wait for more. */
  #frameAt(pos: number): { total: number; headerBytes: number } | undefined {
    const avail = this.#len - pos;
    if (avail < 2) return undefined;
    const type = this.#buf[pos]! >> 4;
    if (type === 0) {
      this.#fail('mqtt-reserved-packet-type', 'packet type 0 is reserved and forbidden (section 2.2.1)', REASON_MALFORMED_PACKET);
    }
    if (type === 15 && this.#level !== 5) {
      this.#fail('mqtt-reserved-packet-type', 'packet type 15 (AUTH) does not exist before MQTT 5 (3.1.1 section 2.2.1)', REASON_PROTOCOL_ERROR);
    }
    // Remaining Length: variable byte integer of at most four bytes (section 2.2.3, MQTT 5 1.5.5).
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 4; i++) {
      if (1 + i >= avail) return undefined;
      const b = this.#buf[pos + 1 + i]!;
      value += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) {
        const total = 1 + (i + 1) + value;
        if (this.#maxPacketSize !== undefined && total > this.#maxPacketSize) {
          this.#fail('mqtt-packet-too-large', `packet of ${total} bytes exceeds the maximum packet size ${this.#maxPacketSize} (MQTT 5 section 3.1.2.11.4)`, 0x95);
        }
        return total <= avail ? { total, headerBytes: 1 + i + 1 } : undefined;
      }
    }
    this.#fail('mqtt-malformed-remaining-length', 'Remaining Length has a fifth byte; at most four are allowed (section 2.2.3)', REASON_MALFORMED_PACKET);
  }

  #decodeOne(whole: Uint8Array, headerBytes: number): MqttPacket {
    const got: unknown[] = [];
    let failure: unknown;
    const parser = mqttPacket.parser({ protocolVersion: this.#level });
    parser.on('packet', (p: unknown) => got.push(p));
    parser.on('error', (e: unknown) => {
      failure ??= e;
    });
    try {
      parser.parse(Buffer.from(whole));
    } catch (err) {
      failure ??= err;
    }
    const cmdName = cmdOf(whole[0]!);
    if (failure !== undefined || got.length !== 1) {
      const why = failure instanceof Error ? failure.message : 'packet could not be read';
      this.#fail('mqtt-malformed-packet', `malformed ${cmdName}: ${why}`, REASON_MALFORMED_PACKET);
    }
    const packet = normalise(got[0] as Record<string, unknown>);
    packet.length = whole.length - headerBytes;
    const problem = checkPacket(packet, this.#level);
    if (problem !== undefined) this.#fail(problem.code, `${cmdName}: ${problem.message}`, problem.reason);
    if (packet.cmd === 'connect' && packet.protocolVersion !== undefined) this.#level = packet.protocolVersion;
    return packet;
  }

  #fail(code: string, message: string, reason: number): never {
    this.#error = new RemoteProtocolError(code, message, this.#level === 5 ? reason : undefined);
    throw this.#error;
  }
}

/**
 * Rules mqtt-packet does not enforce itself (it reads a missing Packet Identifier as -1, for one).
 * Returns what is wrong, or undefined.
 */
function checkPacket(p: MqttPacket, level: MqttVersion): { code: string; message: string; reason: number } | undefined {
  const len = p.length ?? 0;
  const malformed = (message: string) => ({ code: 'mqtt-malformed-packet', message, reason: REASON_MALFORMED_PACKET });
  const needsId =
    p.cmd === 'puback' || p.cmd === 'pubrec' || p.cmd === 'pubrel' || p.cmd === 'pubcomp' ||
    p.cmd === 'subscribe' || p.cmd === 'suback' || p.cmd === 'unsubscribe' || p.cmd === 'unsuback' ||
    (p.cmd === 'publish' && p.qos > 0);
  if (needsId) {
    const id = (p as { messageId?: number }).messageId;
    // Packet Identifiers are non-zero 16-bit integers [MQTT-2.3.1-1].
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > 65535) {
      return malformed(`missing or zero Packet Identifier [MQTT-2.3.1-1]`);
    }
  }
  switch (p.cmd) {
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      // 3.1.1: Remaining Length is exactly 2 (sections 3.4.1 to 3.7.1).
      if (level !== 5 && len !== 2) return malformed(`Remaining Length ${len}, must be 2`);
      break;
    case 'pingreq': case 'pingresp':
      if (len !== 0) return malformed(`Remaining Length ${len}, must be 0 (sections 3.12.1, 3.13.1)`);
      break;
    case 'disconnect':
      if (level !== 5 && len !== 0) return malformed(`Remaining Length ${len}, must be 0 (section 3.14.1)`);
      break;
    case 'connack':
      if (level !== 5 && len !== 2) return malformed(`Remaining Length ${len}, must be 2 (section 3.2.1)`);
      break;
    case 'subscribe':
      // At least one topic filter [MQTT-3.8.3-3]; a SUBSCRIBE without one is a Protocol Error in MQTT 5.
      if (p.subscriptions.length === 0) {
        return { code: 'mqtt-empty-subscribe', message: 'no topic filter [MQTT-3.8.3-3]', reason: REASON_PROTOCOL_ERROR };
      }
      break;
    case 'unsubscribe':
      if (p.unsubscriptions.length === 0) {
        return { code: 'mqtt-empty-unsubscribe', message: 'no topic filter [MQTT-3.10.3-2]', reason: REASON_PROTOCOL_ERROR };
      }
      break;
  }
  return undefined;
}

/** Every packet in `bytes`, which must hold whole packets only (for tests and the CLI). */
export function decodePackets(bytes: Uint8Array, version: MqttVersion | MqttVersionName = 4): MqttPacket[] {
  const parser = new PacketParser(version);
  const packets = parser.push(bytes);
  if (parser.bufferedBytes > 0) {
    throw new RemoteProtocolError(
      'mqtt-truncated',
      `${parser.bufferedBytes} trailing byte(s) do not make a whole packet`,
      protocolLevel(version) === 5 ? REASON_MALFORMED_PACKET : undefined,
    );
  }
  return packets;
}

function cmdOf(firstByte: number): string {
  const name = (Object.keys(PACKET_TYPE) as PacketCmd[]).find((k) => PACKET_TYPE[k] === firstByte >> 4);
  return name === undefined ? 'packet' : name.toUpperCase();
}

/** mqtt-packet's Packet instance to our plain object: no Buffers, no fields that do not apply. */
function normalise(raw: Record<string, unknown>): MqttPacket {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || v === undefined) continue;
    out[k] = v;
  }
  if (out.cmd !== 'publish') {
    delete out.qos;
    delete out.dup;
    delete out.retain;
    delete out.topic;
    delete out.payload;
  } else if (out.messageId === undefined) {
    delete out.messageId;
  }
  for (const key of ['payload', 'password']) {
    if (out[key] instanceof Uint8Array) out[key] = Uint8Array.from(out[key] as Uint8Array);
  }
  if (out.properties !== undefined) out.properties = plainProps(out.properties as Record<string, unknown>);
  if (out.will !== undefined) {
    const will = { ...(out.will as Record<string, unknown>) };
    if (will.payload instanceof Uint8Array) will.payload = Uint8Array.from(will.payload);
    if (will.properties !== undefined) will.properties = plainProps(will.properties as Record<string, unknown>);
    out.will = will;
  }
  return out as unknown as MqttPacket;
}

function plainProps(props: Record<string, unknown>): Record<string, unknown> {
  const out = { ...props };
  for (const key of ['correlationData', 'authenticationData']) {
    if (out[key] instanceof Uint8Array) out[key] = Uint8Array.from(out[key] as Uint8Array);
  }
  return out;
}

/** Whole size on the wire of a packet whose Remaining Length is `remainingLength`. */
export function wireSize(remainingLength: number): number {
  const lengthBytes = remainingLength < 128 ? 1 : remainingLength < 16_384 ? 2 : remainingLength < 2_097_152 ? 3 : 4;
  return 1 + lengthBytes + remainingLength;
}
