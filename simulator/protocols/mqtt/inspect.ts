/**
 * Byte inspector: labels every field of an MQTT packet with its byte range, for the CLI
 * (`wirelab packet mqtt`, `wirelab decode mqtt`) and the site's byte inspector. Pure; no Buffer.
 *
 * The packet is first decoded by the codec (mqtt-packet), so malformed bytes throw the codec's
 * RemoteProtocolError; the walk below then only has to say where each field lies. Layouts follow
 * MQTT 3.1.1 chapter 3 and MQTT 5 chapter 3 (properties: MQTT 5 section 2.2.2.2).
 */
import { RemoteProtocolError } from '../../core/errors.ts';
import { utf8Decode } from './utf8.ts';
import { readVarint } from './varint.ts';
import { decodePackets, protocolLevel, versionName, type MqttPacket, type MqttVersion, type MqttVersionName } from './codec.ts';
import { remoteError } from './errors.ts';
import { CONNACK_RETURN_CODES_311, REASON_NAMES_5 } from './reason-codes.ts';

export interface FieldDescription {
  /** Dotted path, e.g. `fixedHeader.qos`, `variableHeader.packetId`, `properties.topicAlias`. */
  name: string;
  /** Byte range [start, end) within the packet. */
  start: number;
  end: number;
  hex: string;
  value: unknown;
  /** What the value means, when the number alone does not say. */
  note?: string;
}

export interface PacketDescription {
  type: string;
  cmd: MqttPacket['cmd'];
  version: string;
  /** Offset of the packet in the bytes given. */
  offset: number;
  bytes: number;
  hex: string;
  fixedHeader: { byte: string; packetType: number; flags: string; dup?: boolean; qos?: number; retain?: boolean };
  remainingLength: { value: number; bytes: number };
  variableHeader: Record<string, unknown>;
  properties?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  fields: FieldDescription[];
  packet: Record<string, unknown>;
}

const TYPE_NAMES = ['RESERVED', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'];

type PropType = 'byte' | 'u16' | 'u32' | 'varint' | 'string' | 'binary' | 'pair';
const PROPERTIES: Record<number, [string, PropType]> = {
  0x01: ['payloadFormatIndicator', 'byte'], 0x02: ['messageExpiryInterval', 'u32'], 0x03: ['contentType', 'string'],
  0x08: ['responseTopic', 'string'], 0x09: ['correlationData', 'binary'], 0x0b: ['subscriptionIdentifier', 'varint'],
  0x11: ['sessionExpiryInterval', 'u32'], 0x12: ['assignedClientIdentifier', 'string'], 0x13: ['serverKeepAlive', 'u16'],
  0x15: ['authenticationMethod', 'string'], 0x16: ['authenticationData', 'binary'], 0x17: ['requestProblemInformation', 'byte'],
  0x18: ['willDelayInterval', 'u32'], 0x19: ['requestResponseInformation', 'byte'], 0x1a: ['responseInformation', 'string'],
  0x1c: ['serverReference', 'string'], 0x1f: ['reasonString', 'string'], 0x21: ['receiveMaximum', 'u16'],
  0x22: ['topicAliasMaximum', 'u16'], 0x23: ['topicAlias', 'u16'], 0x24: ['maximumQoS', 'byte'], 0x25: ['retainAvailable', 'byte'],
  0x26: ['userProperty', 'pair'], 0x27: ['maximumPacketSize', 'u32'], 0x28: ['wildcardSubscriptionAvailable', 'byte'],
  0x29: ['subscriptionIdentifierAvailable', 'byte'], 0x2a: ['sharedSubscriptionAvailable', 'byte'],
};

function hexOf(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Payload shown as hex, and as text when it is printable. */
function payloadValue(b: Uint8Array): Record<string, unknown> {
  const printable = b.length > 0 && b.every((x) => x >= 0x20 && x < 0x7f);
  return printable ? { bytes: b.length, hex: hexOf(b), text: utf8Decode(b) } : { bytes: b.length, hex: hexOf(b) };
}

/** Walks the bytes of one packet, recording fields. */
class Walker {
  pos = 0;
  readonly fields: FieldDescription[] = [];
  constructor(readonly b: Uint8Array) {}

  field(name: string, length: number, value: unknown, note?: string): unknown {
    const start = this.pos;
    const end = start + length;
    const f: FieldDescription = { name, start, end, hex: hexOf(this.b.subarray(start, end)), value };
    if (note !== undefined) f.note = note;
    this.fields.push(f);
    this.pos = end;
    return value;
  }
  u8(name: string, note?: (v: number) => string | undefined): number {
    const v = this.b[this.pos]!;
    return this.field(name, 1, v, note?.(v)) as number;
  }
  u16(name: string): number {
    return this.field(name, 2, (this.b[this.pos]! << 8) | this.b[this.pos + 1]!) as number;
  }
  u32(name: string): number {
    const p = this.pos;
    return this.field(name, 4, ((this.b[p]! << 24) >>> 0) + (this.b[p + 1]! << 16) + (this.b[p + 2]! << 8) + this.b[p + 3]!) as number;
  }
  peekVarint(): [number, number] {
    const r = readVarint(this.b, this.pos);
    return r.kind === 'value' ? [r.value, r.bytes] : [0, 0];
  }
  varint(name: string): number {
    const [v, n] = this.peekVarint();
    return this.field(name, n, v) as number;
  }
  string(name: string): string {
    const len = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    const v = utf8Decode(this.b.subarray(this.pos + 2, this.pos + 2 + len));
    return this.field(name, 2 + len, v, `2-byte length ${len} + UTF-8`) as string;
  }
  binary(name: string): Record<string, unknown> {
    const len = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    const v = payloadValue(this.b.subarray(this.pos + 2, this.pos + 2 + len));
    return this.field(name, 2 + len, v, `2-byte length ${len} + bytes`) as Record<string, unknown>;
  }
  /** MQTT 5 properties: a variable byte integer length, then (identifier, value) pairs. */
  properties(prefix: string): Record<string, unknown> {
    const length = this.varint(`${prefix}.length`);
    const end = this.pos + length;
    const out: Record<string, unknown> = {};
    while (this.pos < end) {
      const [id, idBytes] = this.peekVarint();
      const def = PROPERTIES[id];
      if (def === undefined) throw remoteError('mqtt-malformed-packet', `unknown property identifier 0x${id.toString(16)}`, 0x81);
      const [name, type] = def;
      const start = this.pos;
      this.pos += idBytes;
      let value: unknown;
      const sub = new Walker(this.b);
      sub.pos = this.pos;
      switch (type) {
        case 'byte': value = sub.u8('v'); break;
        case 'u16': value = sub.u16('v'); break;
        case 'u32': value = sub.u32('v'); break;
        case 'varint': value = sub.varint('v'); break;
        case 'string': value = sub.string('v'); break;
        case 'binary': value = sub.binary('v'); break;
        case 'pair': value = [sub.string('k'), sub.string('v')]; break;
      }
      this.pos = sub.pos;
      this.fields.push({ name: `${prefix}.${name}`, start, end: this.pos, hex: hexOf(this.b.subarray(start, this.pos)), value, note: `identifier 0x${id.toString(16).padStart(2, '0')}` });
      if (name === 'userProperty') {
        const [k, v] = value as [string, string];
        const up = (out.userProperties ??= {}) as Record<string, string | string[]>;
        const prev = up[k];
        up[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      } else if (name === 'subscriptionIdentifier' && out[name] !== undefined) {
        out[name] = [...([] as unknown[]).concat(out[name]), value];
      } else {
        out[name] = value;
      }
    }
    return out;
  }
  rest(name: string): Record<string, unknown> {
    return this.field(name, this.b.length - this.pos, payloadValue(this.b.subarray(this.pos))) as Record<string, unknown>;
  }
  get left(): number {
    return this.b.length - this.pos;
  }
}

const reason5 = (v: number) => REASON_NAMES_5[v];

/** Describes the one packet that starts at `bytes[0]` and fills `bytes` exactly. */
function describeOne(bytes: Uint8Array, packet: MqttPacket, level: MqttVersion, offset: number): PacketDescription {
  const w = new Walker(bytes);
  const v5 = level === 5;
  const first = bytes[0]!;
  const type = first >> 4;
  const flags = first & 15;
  const fixedHeader: PacketDescription['fixedHeader'] = { byte: `0x${first.toString(16).padStart(2, '0')}`, packetType: type, flags: flags.toString(2).padStart(4, '0') };
  if (packet.cmd === 'publish') {
    fixedHeader.dup = (flags & 8) !== 0;
    fixedHeader.qos = (flags >> 1) & 3;
    fixedHeader.retain = (flags & 1) !== 0;
  }
  w.field('fixedHeader', 1, fixedHeader.byte, `type ${type} ${TYPE_NAMES[type]}, flags ${fixedHeader.flags}${packet.cmd === 'publish' ? ` (DUP ${fixedHeader.dup ? 1 : 0}, QoS ${fixedHeader.qos}, RETAIN ${fixedHeader.retain ? 1 : 0})` : ''}`);
  const [remaining, lenBytes] = w.peekVarint();
  w.field('remainingLength', lenBytes, remaining, `variable byte integer, ${lenBytes} byte(s)`);
  const vh: Record<string, unknown> = {};
  let properties: Record<string, unknown> | undefined;
  let payload: Record<string, unknown> | undefined;

  switch (packet.cmd) {
    case 'connect': {
      const lv = (packet.protocolVersion ?? level) as MqttVersion;
      vh.protocolName = w.string('variableHeader.protocolName');
      vh.protocolLevel = w.u8('variableHeader.protocolLevel', (x) => `MQTT ${versionName(x as MqttVersion)}`);
      const f = w.u8('variableHeader.connectFlags', (x) =>
        [x & 0x80 ? 'username' : '', x & 0x40 ? 'password' : '', x & 0x20 ? 'will retain' : '', x & 0x18 ? `will QoS ${(x >> 3) & 3}` : '', x & 4 ? 'will' : '', x & 2 ? (lv === 5 ? 'clean start' : 'clean session') : '']
          .filter(Boolean).join(', ') || 'none');
      vh.connectFlags = { username: !!(f & 0x80), password: !!(f & 0x40), willRetain: !!(f & 0x20), willQos: (f >> 3) & 3, will: !!(f & 4), clean: !!(f & 2) };
      vh.keepalive = w.u16('variableHeader.keepalive');
      if (lv === 5) properties = w.properties('properties');
      payload = { clientId: w.string('payload.clientId') };
      if (f & 4) {
        if (lv === 5) payload.willProperties = w.properties('payload.willProperties');
        payload.willTopic = w.string('payload.willTopic');
        payload.willPayload = w.binary('payload.willPayload');
      }
      if (f & 0x80) payload.username = w.string('payload.username');
      if (f & 0x40) payload.password = w.binary('payload.password');
      break;
    }
    case 'connack': {
      const a = w.u8('variableHeader.acknowledgeFlags', (x) => (x & 1 ? 'session present' : 'no session present'));
      vh.sessionPresent = (a & 1) === 1;
      if (v5) {
        vh.reasonCode = w.u8('variableHeader.reasonCode', reason5);
        properties = w.properties('properties');
      } else {
        vh.returnCode = w.u8('variableHeader.returnCode', (x) => CONNACK_RETURN_CODES_311[x]);
      }
      break;
    }
    case 'publish': {
      vh.topic = w.string('variableHeader.topicName');
      if (packet.qos > 0) vh.packetId = w.u16('variableHeader.packetId');
      if (v5) properties = w.properties('properties');
      payload = w.rest('payload');
      break;
    }
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp': {
      vh.packetId = w.u16('variableHeader.packetId');
      if (v5 && w.left > 0) vh.reasonCode = w.u8('variableHeader.reasonCode', reason5);
      if (v5 && w.left > 0) properties = w.properties('properties');
      break;
    }
    case 'subscribe': {
      vh.packetId = w.u16('variableHeader.packetId');
      if (v5) properties = w.properties('properties');
      const subs: unknown[] = [];
      for (let i = 0; w.left > 0; i++) {
        const topic = w.string(`payload.subscriptions[${i}].topicFilter`);
        const o = w.u8(`payload.subscriptions[${i}].options`, (x) => (v5 ? `QoS ${x & 3}, no local ${(x >> 2) & 1}, retain as published ${(x >> 3) & 1}, retain handling ${(x >> 4) & 3}` : `QoS ${x & 3}`));
        subs.push(v5 ? { topic, qos: o & 3, nl: !!(o & 4), rap: !!(o & 8), rh: (o >> 4) & 3 } : { topic, qos: o & 3 });
      }
      payload = { subscriptions: subs };
      break;
    }
    case 'suback': case 'unsuback': {
      vh.packetId = w.u16('variableHeader.packetId');
      if (v5) properties = w.properties('properties');
      if (w.left > 0) {
        const codes: number[] = [];
        for (let i = 0; w.left > 0; i++) {
          codes.push(w.u8(`payload.${packet.cmd === 'suback' ? 'returnCodes' : 'reasonCodes'}[${i}]`, (x) => (v5 ? reason5(x) : x === 0x80 ? 'failure' : `granted QoS ${x}`)));
        }
        payload = { codes };
      }
      break;
    }
    case 'unsubscribe': {
      vh.packetId = w.u16('variableHeader.packetId');
      if (v5) properties = w.properties('properties');
      const topics: string[] = [];
      for (let i = 0; w.left > 0; i++) topics.push(w.string(`payload.topicFilters[${i}]`));
      payload = { topicFilters: topics };
      break;
    }
    case 'disconnect': case 'auth': {
      if (v5 && w.left > 0) vh.reasonCode = w.u8('variableHeader.reasonCode', reason5);
      if (v5 && w.left > 0) properties = w.properties('properties');
      break;
    }
    case 'pingreq': case 'pingresp':
      break;
  }
  if (w.left !== 0) {
    throw remoteError('mqtt-malformed-packet', `${TYPE_NAMES[type]}: ${w.left} byte(s) after the last field`, v5 ? 0x81 : undefined);
  }
  const desc: PacketDescription = {
    type: TYPE_NAMES[type]!, cmd: packet.cmd, version: versionName(packet.cmd === 'connect' ? (packet.protocolVersion ?? level) : level),
    offset, bytes: bytes.length, hex: hexOf(bytes), fixedHeader, remainingLength: { value: remaining, bytes: lenBytes },
    variableHeader: vh, fields: w.fields, packet: plain(packet),
  };
  if (properties !== undefined) desc.properties = properties;
  if (payload !== undefined) desc.payload = payload;
  return desc;
}

/**
 * describeOne, but never anything other than a RemoteProtocolError out: the walk trusts the
 * codec's verdict, and if the two ever disagree about a packet the reader gets a message, not a
 * crash (the site's inspector runs this code too).
 */
function describeSafely(bytes: Uint8Array, packet: MqttPacket, level: MqttVersion, offset: number): PacketDescription {
  try {
    return describeOne(bytes, packet, level, offset);
  } catch (err) {
    if (err instanceof RemoteProtocolError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw remoteError('mqtt-malformed-packet', `${TYPE_NAMES[bytes[0]! >> 4]}: the inspector could not lay out its fields (${why})`, level === 5 ? 0x81 : undefined);
  }
}

/** The decoded packet as JSON-friendly values (byte arrays as hex). */
function plain(p: MqttPacket): Record<string, unknown> {
  return JSON.parse(JSON.stringify(p, (_k, v: unknown) => (v instanceof Uint8Array ? hexOf(v) : v))) as Record<string, unknown>;
}

/**
 * Describes every packet in `bytes` (whole packets only). Throws the codec's RemoteProtocolError
 * for bad or incomplete bytes. A CONNECT switches the version for the packets after it.
 */
export function describePackets(bytes: Uint8Array, version: MqttVersion | MqttVersionName = 4): PacketDescription[] {
  let level = protocolLevel(version);
  const out: PacketDescription[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    // Frame one packet: fixed header + Remaining Length (section 2.2.3).
    const r = readVarint(bytes, offset + 1);
    const end = r.kind === 'value' ? offset + 1 + r.bytes + r.value : bytes.length;
    const one = bytes.subarray(offset, Math.min(end, bytes.length));
    const [packet] = decodePackets(one, level); // throws for bad or incomplete bytes
    out.push(describeSafely(one, packet!, level, offset));
    if (packet!.cmd === 'connect' && packet!.protocolVersion !== undefined) level = packet!.protocolVersion;
    offset = end;
  }
  return out;
}

/** Describes one packet (the first in `bytes`; the bytes must hold exactly that packet). */
export function describePacket(bytes: Uint8Array, version: MqttVersion | MqttVersionName = 4): PacketDescription {
  const all = describePackets(bytes, version);
  if (all.length !== 1) {
    throw remoteError('mqtt-not-one-packet', `expected one packet, found ${all.length}`, undefined);
  }
  return all[0]!;
}
