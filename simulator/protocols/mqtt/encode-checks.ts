/**
 * What the encoder checks before mqtt-packet sees a packet (./codec.ts `encodePacket`): every
 * field that cannot be written as given, named, so whatever the encoder returns the parser reads
 * back as the same packet. mqtt-packet reports some bad fields by throwing but writes others
 * silently wrong (see encodePacket), hence these checks. Pure functions returning a message or
 * undefined.
 */
import { Buffer } from 'buffer';
import { MAX_REMAINING_LENGTH, type MqttVersion } from './packets.ts';


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
  const nul = v.indexOf('\u0000');
  if (nul >= 0) return `${field} holds U+0000 at index ${nul}, which an MQTT string may not ([MQTT-1.5.3-2], MQTT 5 [MQTT-1.5.4-2])`;
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
export function encodeProblem(p: Record<string, unknown>, level: MqttVersion): string | undefined {
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
        (typeof p.topic === 'string' && /[+#]/.test(p.topic) ? `topic ${show(p.topic)} contains a wildcard (+ or #), which a Topic Name may not [MQTT-3.3.2-2]` : undefined) ??
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
