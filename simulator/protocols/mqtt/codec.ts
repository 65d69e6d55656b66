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
 *
 * An empty set of MQTT 5 properties is no property at all: `userProperties: {}`, a user property
 * whose value is `[]`, `subscriptionIdentifier: []` and `undefined`/`null` values are left out, and
 * a `properties` object left with nothing in it is dropped (so a success PUBACK keeps its short
 * form). mqtt-packet cannot write those (it returns an empty buffer for them), and on the wire
 * "zero User Properties" is exactly "no User Property" (MQTT 5 section 3.3.2.3.7).
 *
 * Everything else is checked before mqtt-packet sees it: whatever this returns, `PacketParser`
 * reads back as the same packet. A field that cannot be encoded as given is the caller's mistake:
 * `LocalProtocolError('mqtt-encode-invalid')` naming the packet and the field. (mqtt-packet
 * reports some bad fields by throwing, but writes others silently wrong: an empty user property
 * set comes out as 0 bytes, a PUBLISH with Packet Identifier 70000 as its first 5 bytes, reason
 * code 300 as 44; a QoS 3 PUBLISH fails inside it with a TypeError.)
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
  const problem = encodeProblem(p, level);
  if (problem !== undefined) throw encodeError(p, problem);
  toBuffers(p);
  let out: Buffer;
  try {
    out = mqttPacket.generate(p as unknown as mqttPacket.Packet, { protocolVersion: level });
  } catch (err) {
    // mqtt-packet reports a refused field by emitting 'error' on its accumulator, which throws.
    const why = (err as Error).message;
    const detail = /variable byte integer/.test(why)
      ? `it would be longer than a Remaining Length of ${MAX_REMAINING_LENGTH.toLocaleString('en-US')} bytes allows (section 2.2.3)`
      : why;
    throw encodeError(p, detail);
  }
  // Last guard: a whole frame or nothing. mqtt-packet stops at a part it could not write and
  // returns what came before (possibly nothing); the checks above should leave no such case.
  if (!isWholeFrame(out)) {
    throw encodeError(p, `mqtt-packet wrote ${out.length} byte(s), not a whole packet`);
  }
  return Uint8Array.from(out);
}

function encodeError(p: Record<string, unknown>, why: string): LocalProtocolError {
  const name = typeof p.cmd === 'string' && p.cmd !== '' ? p.cmd.toUpperCase() : 'packet';
  return new LocalProtocolError('mqtt-encode-invalid', `cannot encode ${name}: ${why}`);
}

/** True when `b` is exactly one packet: fixed header, Remaining Length, that many bytes. */
function isWholeFrame(b: Uint8Array): boolean {
  if (b.length < 2) return false;
  let value = 0;
  let mul = 1;
  for (let i = 1; i <= 4 && i < b.length; i++) {
    value += (b[i]! & 0x7f) * mul;
    mul *= 128;
    if ((b[i]! & 0x80) === 0) return 1 + i + value === b.length;
  }
  return false;
}

/** Byte fields to Buffers for mqtt-packet (it calls Buffer methods on them); empty properties out. */
function toBuffers(p: Record<string, unknown>): void {
  for (const key of ['payload', 'password'] as const) {
    const v = p[key];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) p[key] = Buffer.from(v);
  }
  if (p.properties !== undefined) {
    const props = prepareProps(p.properties as Record<string, unknown>);
    if (props === undefined) delete p.properties;
    else p.properties = props;
  }
  if (p.will !== undefined) {
    const will = { ...(p.will as Record<string, unknown>) };
    const payload = will.payload;
    if (payload instanceof Uint8Array && !Buffer.isBuffer(payload)) will.payload = Buffer.from(payload);
    if (will.properties !== undefined) {
      const props = prepareProps(will.properties as Record<string, unknown>);
      if (props === undefined) delete will.properties;
      else will.properties = props;
    }
    p.will = will;
  }
}

/** A copy without the empty entries (see encodePacket), binary values as Buffers; undefined if empty. */
function prepareProps(props: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(props)) {
    let v = props[key];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    if (key === 'userProperties') {
      // No prototype: a user property may be named "__proto__" (mqtt-packet's parser does the same).
      const pairs: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      let anyPair = false;
      for (const name of Object.keys(v as object)) {
        const value = (v as Record<string, unknown>)[name];
        if (Array.isArray(value) && value.length === 0) continue;
        pairs[name] = value;
        anyPair = true;
      }
      if (!anyPair) continue;
      v = pairs;
    } else if (v instanceof Uint8Array && !Buffer.isBuffer(v)) {
      v = Buffer.from(v);
    }
    out[key] = v;
    any = true;
  }
  return any ? out : undefined;
}

// ------------------------------------------------------------------ encode checks

/** MQTT 5 property data types (MQTT 5 section 2.2.2.2, Table 2-4; the types in section 1.5). */
type PropertyType = 'bool' | 'byte' | 'int16' | 'int32' | 'varint' | 'string' | 'binary' | 'pairs';
const PROPERTY_TYPES: Readonly<Record<string, PropertyType>> = {
  payloadFormatIndicator: 'bool', messageExpiryInterval: 'int32', contentType: 'string', responseTopic: 'string',
  correlationData: 'binary', subscriptionIdentifier: 'varint', sessionExpiryInterval: 'int32',
  assignedClientIdentifier: 'string', serverKeepAlive: 'int16', authenticationMethod: 'string',
  authenticationData: 'binary', requestProblemInformation: 'bool', willDelayInterval: 'int32',
  requestResponseInformation: 'bool', responseInformation: 'string', serverReference: 'string', reasonString: 'string',
  receiveMaximum: 'int16', topicAliasMaximum: 'int16', topicAlias: 'int16', maximumQoS: 'byte', retainAvailable: 'bool',
  userProperties: 'pairs', maximumPacketSize: 'int32', wildcardSubscriptionAvailable: 'bool',
  subscriptionIdentifiersAvailable: 'bool', sharedSubscriptionAvailable: 'bool',
};

/** MQTT 5 reason codes each packet may carry (the tables of sections 3.4.2.1 to 3.15.2.1). */
const REASON_CODES = {
  pubackPubrec: new Set([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]), // 3.4.2.1, 3.5.2.1
  pubrelPubcomp: new Set([0x00, 0x92]), // 3.6.2.1, 3.7.2.1
  suback: new Set([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]), // 3.9.3
  unsuback: new Set([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]), // 3.11.3
  disconnect: new Set([
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95,
    0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
  ]), // 3.14.2.1
  auth: new Set([0x00, 0x18, 0x19]), // 3.15.2.1
};
/** MQTT 3.1.1 SUBACK return codes: a granted QoS or 0x80 Failure (3.1.1 section 3.9.3). */
const SUBACK_RETURN_CODES_311 = new Set([0x00, 0x01, 0x02, 0x80]);

const PACKET_ID = 'a Packet Identifier, an integer from 1 to 65535 [MQTT-2.3.1-1]';
const QOS = '0, 1 or 2 (section 4.3)';
const BYTE = 'an integer from 0 to 255';
const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A short description of a value for an error message. */
function show(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return v.length > 40 ? `${JSON.stringify(v.slice(0, 40))}...` : JSON.stringify(v);
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function want(field: string, v: unknown, what: string): string {
  return v === undefined ? `${field} is missing; it must be ${what}` : `${field} is ${show(v)}; it must be ${what}`;
}

function isUint(v: unknown, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

/** UTF-8 Encoded String (MQTT 5 section 1.5.4): well-formed [MQTT-1.5.4-1], at most 65,535 bytes. */
function stringProblem(field: string, v: unknown, nonEmpty = false): string | undefined {
  if (typeof v !== 'string') return want(field, v, 'a string');
  if (nonEmpty && v === '') return want(field, v, 'a non-empty string');
  const at = v.search(lone);
  if (at >= 0) return `${field} has an unpaired surrogate at index ${at}, which UTF-8 cannot encode [MQTT-1.5.4-1]`;
  if (v.length > 21_845) {
    const n = Buffer.byteLength(v, 'utf8');
    if (n > 65_535) return `${field} is ${n.toLocaleString('en-US')} UTF-8 bytes long; a string holds at most 65,535 (MQTT 5 section 1.5.4)`;
  }
  return undefined;
}

/** Binary Data (section 1.5.6 in MQTT 5; 3.1.1 passwords and will payloads alike): at most 65,535 bytes. */
function binaryProblem(field: string, v: unknown): string | undefined {
  if (!(v instanceof Uint8Array)) return want(field, v, 'a Uint8Array');
  if (v.length > 65_535) return `${field} is ${v.length.toLocaleString('en-US')} bytes long; Binary Data holds at most 65,535`;
  return undefined;
}

function packetIdProblem(p: Record<string, unknown>): string | undefined {
  return isUint(p.messageId, 65_535) && p.messageId !== 0 ? undefined : want('messageId', p.messageId, PACKET_ID);
}

function codeProblem(field: string, v: unknown, allowed: ReadonlySet<number>, where: string): string | undefined {
  if (!isUint(v, 255)) return want(field, v, BYTE);
  if (!allowed.has(v as number)) return `${field} 0x${(v as number).toString(16).padStart(2, '0')} is not a reason code ${where} may carry`;
  return undefined;
}

function optionalBool(field: string, v: unknown): string | undefined {
  return v === undefined || typeof v === 'boolean' ? undefined : want(field, v, 'true or false');
}

function propertyValueProblem(field: string, type: PropertyType, v: unknown): string | undefined {
  switch (type) {
    case 'bool': return typeof v === 'boolean' ? undefined : want(field, v, 'true or false (a Byte 0 or 1)');
    case 'byte': return isUint(v, 0xff) ? undefined : want(field, v, 'a Byte, an integer from 0 to 255');
    case 'int16': return isUint(v, 0xffff) ? undefined : want(field, v, 'a Two Byte Integer, from 0 to 65535 (section 1.5.2)');
    case 'int32': return isUint(v, 0xffff_ffff) ? undefined : want(field, v, 'a Four Byte Integer, from 0 to 4294967295 (section 1.5.3)');
    // The only Variable Byte Integer property is the Subscription Identifier, and 0 is not one (3.3.2.3.8).
    case 'varint': return isUint(v, MAX_REMAINING_LENGTH) && v !== 0 ? undefined : want(field, v, 'a Subscription Identifier, from 1 to 268435455 (section 3.8.2.1.2)');
    case 'string': return stringProblem(field, v);
    case 'binary': return binaryProblem(field, v);
    case 'pairs': {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return want(field, v, 'an object of name: value strings');
      for (const name of Object.keys(v)) {
        const bad = stringProblem(`${field} name ${show(name)}`, name);
        if (bad !== undefined) return bad;
        const value = (v as Record<string, unknown>)[name];
        const values = Array.isArray(value) ? value : [value];
        for (let i = 0; i < values.length; i++) {
          const problem = stringProblem(Array.isArray(value) ? `${field}[${show(name)}][${i}]` : `${field}[${show(name)}]`, values[i]);
          if (problem !== undefined) return problem;
        }
      }
      return undefined;
    }
  }
}

/** MQTT 5 properties, after prepareProps' rules (undefined, null and empty entries are no property). */
function propertiesProblem(field: string, props: unknown, cmd: string): string | undefined {
  if (props === undefined) return undefined;
  if (typeof props !== 'object' || props === null || Array.isArray(props)) return want(field, props, 'an object');
  for (const name of Object.keys(props)) {
    const v = (props as Record<string, unknown>)[name];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue; // no property (prepareProps)
    const type = Object.prototype.hasOwnProperty.call(PROPERTY_TYPES, name) ? PROPERTY_TYPES[name] : undefined;
    const f = `${field}.${name}`;
    if (type === undefined) return `${f} is not an MQTT 5 property (MQTT 5 section 2.2.2.2)`;
    if (Array.isArray(v)) {
      // Only User Property, and Subscription Identifier in a PUBLISH, may appear more than once
      // (sections 2.2.2.2, 3.3.2.3.8).
      if (!(name === 'subscriptionIdentifier' && cmd === 'publish')) return `${f} is an array; that property may appear only once`;
      for (let i = 0; i < v.length; i++) {
        const bad = propertyValueProblem(`${f}[${i}]`, type, v[i]);
        if (bad !== undefined) return bad;
      }
      continue;
    }
    const bad = propertyValueProblem(f, type, v);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** What in `p` cannot be encoded as MQTT `level`, or undefined. Messages name the field. */
function encodeProblem(p: Record<string, unknown>, level: MqttVersion): string | undefined {
  const v5 = level === 5;
  switch (p.cmd) {
    case 'connect': {
      if (p.protocolId !== undefined && p.protocolId !== 'MQTT' && p.protocolId !== 'MQIsdp') {
        return want('protocolId', p.protocolId, '"MQTT" or "MQIsdp" (section 3.1.2.1)');
      }
      const pv = p.protocolVersion;
      if (pv !== 3 && pv !== 4 && pv !== 5) return want('protocolVersion', pv, '3, 4 or 5');
      const cv5 = pv === 5; // a CONNECT is written in its own protocolVersion
      return stringProblem('clientId', p.clientId) ??
        optionalBool('clean', p.clean) ??
        (p.keepalive === undefined || isUint(p.keepalive, 65_535) ? undefined : want('keepalive', p.keepalive, 'an integer from 0 to 65535 seconds (section 3.1.2.10)')) ??
        (p.username === undefined ? undefined : stringProblem('username', p.username)) ??
        (p.password === undefined ? undefined : binaryProblem('password', p.password)) ??
        (cv5 ? propertiesProblem('properties', p.properties, 'connect') : undefined) ??
        willProblem(p.will, cv5);
    }
    case 'connack':
      return optionalBool('sessionPresent', p.sessionPresent) ??
        (v5
          ? (isUint(p.reasonCode, 255) ? undefined : want('reasonCode', p.reasonCode, BYTE))
          : (isUint(p.returnCode, 255) ? undefined : want('returnCode', p.returnCode, BYTE))) ??
        propsProblem(p, v5);
    case 'publish': {
      if (p.qos !== 0 && p.qos !== 1 && p.qos !== 2) return want('qos', p.qos, QOS);
      return stringProblem('topic', p.topic) ??
        (p.qos > 0 ? packetIdProblem(p) : undefined) ??
        (p.payload instanceof Uint8Array ? undefined : want('payload', p.payload, 'a Uint8Array')) ??
        optionalBool('dup', p.dup) ?? optionalBool('retain', p.retain) ??
        propsProblem(p, v5);
    }
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp': {
      const codes = p.cmd === 'puback' || p.cmd === 'pubrec' ? REASON_CODES.pubackPubrec : REASON_CODES.pubrelPubcomp;
      return packetIdProblem(p) ?? (v5 ? codeProblem('reasonCode', p.reasonCode, codes, `a ${(p.cmd as string).toUpperCase()}`) : undefined) ?? propsProblem(p, v5);
    }
    case 'subscribe': {
      const bad = packetIdProblem(p) ?? propsProblem(p, v5);
      if (bad !== undefined) return bad;
      const subs = p.subscriptions;
      if (!Array.isArray(subs) || subs.length === 0) return want('subscriptions', subs, 'a non-empty array [MQTT-3.8.3-3]');
      for (let i = 0; i < subs.length; i++) {
        const s = subs[i] as Record<string, unknown> | undefined;
        const f = `subscriptions[${i}]`;
        if (typeof s !== 'object' || s === null) return want(f, s, 'an object');
        const problem = stringProblem(`${f}.topic`, s.topic) ??
          (s.qos === 0 || s.qos === 1 || s.qos === 2 ? undefined : want(`${f}.qos`, s.qos, QOS)) ??
          (v5 ? optionalBool(`${f}.nl`, s.nl) ?? optionalBool(`${f}.rap`, s.rap) : undefined) ??
          (v5 && s.rh !== undefined && s.rh !== 0 && s.rh !== 1 && s.rh !== 2 ? want(`${f}.rh`, s.rh, '0, 1 or 2 (MQTT 5 section 3.8.3.1)') : undefined);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case 'suback':
      return packetIdProblem(p) ?? propsProblem(p, v5) ??
        codesProblem('granted', p.granted, v5 ? REASON_CODES.suback : SUBACK_RETURN_CODES_311, 'a SUBACK');
    case 'unsubscribe': {
      const bad = packetIdProblem(p) ?? propsProblem(p, v5);
      if (bad !== undefined) return bad;
      const topics = p.unsubscriptions;
      if (!Array.isArray(topics) || topics.length === 0) return want('unsubscriptions', topics, 'a non-empty array [MQTT-3.10.3-2]');
      for (let i = 0; i < topics.length; i++) {
        const problem = stringProblem(`unsubscriptions[${i}]`, topics[i]);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case 'unsuback':
      // 3.1.1's UNSUBACK has no payload: `granted` is not written there (section 3.11.3).
      return packetIdProblem(p) ?? propsProblem(p, v5) ?? (v5 ? codesProblem('granted', p.granted, REASON_CODES.unsuback, 'an UNSUBACK') : undefined);
    case 'pingreq': case 'pingresp':
      return undefined;
    case 'disconnect':
      return v5 ? (p.reasonCode === undefined ? undefined : codeProblem('reasonCode', p.reasonCode, REASON_CODES.disconnect, 'a DISCONNECT')) ?? propsProblem(p, v5) : undefined;
    case 'auth':
      if (!v5) return 'AUTH exists only in MQTT 5 (section 3.15)';
      return (p.reasonCode === undefined ? undefined : codeProblem('reasonCode', p.reasonCode, REASON_CODES.auth, 'an AUTH')) ?? propsProblem(p, v5);
    default:
      return `cmd ${show(p.cmd)} is not an MQTT control packet type (section 2.2.1)`;
  }
}

/** The packet's own properties (MQTT 5 only; mqtt-packet does not write them in 3.1.1). */
function propsProblem(p: Record<string, unknown>, v5: boolean): string | undefined {
  return v5 && p.properties !== undefined ? propertiesProblem('properties', p.properties, p.cmd as string) : undefined;
}

function willProblem(will: unknown, v5: boolean): string | undefined {
  if (will === undefined) return undefined;
  if (typeof will !== 'object' || will === null) return want('will', will, 'an object');
  const w = will as Record<string, unknown>;
  return stringProblem('will.topic', w.topic, true) ??
    binaryProblem('will.payload', w.payload) ??
    (w.qos === undefined || w.qos === 0 || w.qos === 1 || w.qos === 2 ? undefined : want('will.qos', w.qos, QOS)) ??
    optionalBool('will.retain', w.retain) ??
    (v5 ? propertiesProblem('will.properties', w.properties, 'connect') : undefined);
}

function codesProblem(field: string, codes: unknown, allowed: ReadonlySet<number>, where: string): string | undefined {
  if (!Array.isArray(codes) || codes.length === 0) return want(field, codes, 'a non-empty array, one code per topic filter');
  for (let i = 0; i < codes.length; i++) {
    const bad = codeProblem(`${field}[${i}]`, codes[i], allowed, where);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

// ------------------------------------------------------------------ decode

/** The part of mqtt-packet's parser this module drives (its `settings` is not in the typings). */
interface InnerParser {
  settings: { protocolVersion?: number };
  parse(buf: Buffer): number;
  on(event: 'packet' | 'error', listener: (value: unknown) => void): unknown;
}

/**
 * Incremental parser: `push(bytes)` (alias `feed`) returns every packet completed so far, in order.
 * The version decides how the variable headers are read (MQTT 5 adds properties and reason
 * codes); a parsed CONNECT switches the parser to that CONNECT's protocol level, as a broker needs.
 *
 * One mqtt-packet parser serves the whole connection (building one per packet was most of the
 * cost of reading a small packet; it costs about 1.7 KB per connection instead), but it is still
 * handed exactly one whole packet per call: mqtt-packet bounds some reads by what it has buffered
 * rather than by the packet's Remaining Length (a v5 DISCONNECT of length 0 would take the next
 * packet's first byte as its reason code), so it must never see the start of the next packet.
 * After each packet it has nothing left buffered.
 *
 * After an error the buffered bytes are let go (`bufferedBytes` is 0) and every later `push`
 * throws the same error: the connection must be closed.
 */
export class PacketParser {
  #level: MqttVersion;
  #buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #len = 0;
  #error: RemoteProtocolError | undefined;
  readonly #maxPacketSize: number | undefined;
  readonly #inner: InnerParser;
  /** What `#inner` reads the version from; put back before each packet (a CONNECT replaces it). */
  readonly #settings: { protocolVersion: MqttVersion };
  #got: unknown[] = [];
  #failure: unknown;

  constructor(version: MqttVersion | MqttVersionName = 4, options: { maxPacketSize?: number } = {}) {
    this.#level = protocolLevel(version);
    this.#maxPacketSize = options.maxPacketSize;
    this.#settings = { protocolVersion: this.#level };
    this.#inner = mqttPacket.parser(this.#settings) as unknown as InnerParser;
    this.#inner.on('packet', (p) => {
      this.#got.push(p);
    });
    this.#inner.on('error', (e) => {
      this.#failure ??= e;
    });
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

  #decodeOne(whole: Uint8Array<ArrayBuffer>, headerBytes: number): MqttPacket {
    this.#got = [];
    this.#failure = undefined;
    this.#settings.protocolVersion = this.#level;
    this.#inner.settings = this.#settings;
    let left = 0;
    try {
      // A view, not a copy: normalise() copies every byte field out of it before #buf is reused.
      left = this.#inner.parse(Buffer.from(whole.buffer, whole.byteOffset, whole.length));
    } catch (err) {
      this.#failure ??= err;
    }
    const cmdName = cmdOf(whole[0]!);
    if (this.#failure !== undefined || this.#got.length !== 1 || left !== 0) {
      const why = this.#failure instanceof Error ? this.#failure.message : 'packet could not be read';
      this.#fail('mqtt-malformed-packet', `malformed ${cmdName}: ${why}`, REASON_MALFORMED_PACKET);
    }
    const packet = normalise(this.#got[0] as Record<string, unknown>);
    this.#got = [];
    packet.length = whole.length - headerBytes;
    const problem = checkPacket(packet, this.#level);
    if (problem !== undefined) this.#fail(problem.code, `${cmdName}: ${problem.message}`, problem.reason);
    if (packet.cmd === 'connect' && packet.protocolVersion !== undefined) this.#level = packet.protocolVersion;
    return packet;
  }

  #fail(code: string, message: string, reason: number): never {
    this.#error = new RemoteProtocolError(code, message, this.#level === 5 ? reason : undefined);
    // Nothing after a bad packet is read ([MQTT-4.8.0-1]): let the bytes and any half-read state go.
    this.#buf = new Uint8Array(0);
    this.#len = 0;
    this.#got = [];
    throw this.#error;
  }
}

function malformed(message: string): { code: string; message: string; reason: number } {
  return { code: 'mqtt-malformed-packet', message, reason: REASON_MALFORMED_PACKET };
}

/**
 * Rules mqtt-packet does not enforce itself (it reads a missing Packet Identifier as -1, for one).
 * Returns what is wrong, or undefined.
 */
function checkPacket(p: MqttPacket, level: MqttVersion): { code: string; message: string; reason: number } | undefined {
  const len = p.length ?? 0;
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

/** Upper-case packet names by type number (section 2.2.1), for error messages. */
const CMD_NAMES: readonly string[] = (() => {
  const names = new Array<string>(16).fill('packet');
  for (const [cmd, type] of Object.entries(PACKET_TYPE)) names[type] = cmd.toUpperCase();
  return names;
})();

function cmdOf(firstByte: number): string {
  return CMD_NAMES[firstByte >> 4]!;
}

/** mqtt-packet's Packet instance to our plain object: no Buffers, no fields that do not apply. */
function normalise(raw: Record<string, unknown>): MqttPacket {
  // Built key by key rather than copied then trimmed: `delete` would leave a slow dictionary object.
  const publish = raw.cmd === 'publish';
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(raw)) {
    const v = raw[k];
    if (v === null || v === undefined) continue;
    if (!publish && (k === 'qos' || k === 'dup' || k === 'retain' || k === 'topic' || k === 'payload')) continue;
    out[k] = v;
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
