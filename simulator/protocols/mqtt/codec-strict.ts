/**
 * What mqtt-packet 9's parser does not check, checked while it reads (./codec.ts installs this on
 * its one parser per connection):
 *
 * - UTF-8 Encoded Strings (topic names, topic filters, client ids, user names, string properties)
 *   must be well-formed UTF-8 without U+0000 ([MQTT-1.5.3-1], [MQTT-1.5.3-2]; MQTT 5
 *   [MQTT-1.5.4-1], [MQTT-1.5.4-2]): the receiver closes the connection. mqtt-packet decodes them
 *   with Buffer's lenient decoder, so `ff` became U+FFFD and was routed.
 * - An MQTT 5 Property Length must be a whole Variable Byte Integer whose properties end exactly
 *   where it says, inside the packet (MQTT 5 section 2.2.2.1). mqtt-packet reads a cut-off length
 *   as "no properties" and does not compare where the properties end.
 *
 * How: the two readers mqtt-packet uses for these (`_parseString`, `_parseProperties`, internal
 * methods of its Parser class) are wrapped on our own parser instance only. They work on a
 * BufferList holding exactly the variable header and payload of one packet (the codec hands it one
 * whole packet at a time), read from `_pos`. The package version is pinned exactly; the codec's
 * tests cover each check, so an upgrade that moved these methods fails loudly, not silently.
 * The first problem is kept; the codec turns it into a RemoteProtocolError after the packet.
 * - `checkPacket`: the rules it checks on the packet it read (Packet Identifiers, fixed lengths,
 *   wildcards in a Topic Name, empty SUBSCRIBE / UNSUBSCRIBE).
 */
import type { MqttRemoteErrorCode } from './errors.ts';
import { REASON_MALFORMED_PACKET, REASON_PROTOCOL_ERROR, type MqttPacket, type MqttVersion } from './packets.ts';
import { utf8Problem } from './utf8.ts';
import { readVarint } from './varint.ts';

export interface StrictProblem {
  code: MqttRemoteErrorCode;
  message: string;
  reason: number;
}

/** The parts of mqtt-packet's Parser this module touches. */
interface ParserInternals {
  _pos: number;
  _list: { length: number; get(index: number): number; slice(start: number, end: number): Uint8Array };
  packet: { length: number; cmd: string };
  _parseString(this: ParserInternals, maybeBuffer?: unknown): string | null;
  _parseProperties(this: ParserInternals): unknown;
}

/** MQTT 5 reason code 0x90 Topic Name invalid. */
const REASON_TOPIC_NAME_INVALID = 0x90;

const MAY_OMIT_PROPERTIES = new Set(['puback', 'pubrec', 'pubrel', 'pubcomp', 'disconnect', 'auth', 'connack']);

export class StrictChecks {
  /** The first problem in the packet being read, if any. */
  problem: StrictProblem | undefined;

  /** Wraps the readers of `parser` (an mqtt-packet Parser). */
  constructor(parser: unknown) {
    const p = parser as ParserInternals;
    const parseString = p._parseString;
    const parseProperties = p._parseProperties;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const checks = this;
    p._parseString = function (this: ParserInternals, maybeBuffer?: unknown) {
      const start = this._pos + 2;
      const value = parseString.call(this, maybeBuffer);
      if (value !== null && checks.problem === undefined) {
        const why = utf8Problem(this._list.slice(start, this._pos));
        if (why !== undefined) checks.problem = { code: 'mqtt-malformed-utf8', message: `a UTF-8 string ${why}`, reason: REASON_MALFORMED_PACKET };
      }
      return value;
    };
    p._parseProperties = function (this: ParserInternals) {
      const start = this._pos;
      const end = Math.min(this.packet.length, this._list.length);
      const head = new Uint8Array(Math.max(0, Math.min(4, end - start)));
      for (let i = 0; i < head.length; i++) head[i] = this._list.get(start + i);
      const length = readVarint(head, 0);
      const result = parseProperties.call(this);
      if (checks.problem !== undefined) return result;
      // An acknowledgement, DISCONNECT or AUTH that ends before its properties has none
      // (MQTT 5 sections 3.4.2.2.1 to 3.7.2.2.1, 3.14.2.2.1, 3.15.2.2.1); so has a CONNACK in the
      // 3.1.1 form, how a server without MQTT 5 refuses it (return code 1, as aedes does). Other
      // packets must say 0.
      if (start >= end && MAY_OMIT_PROPERTIES.has(this.packet.cmd)) return result;
      if (length.kind !== 'value') {
        checks.problem = {
          code: 'mqtt-malformed-properties',
          message: length.kind === 'too-long' ? 'Property Length has a fifth byte (MQTT 5 section 1.5.5)' : 'the Property Length is cut off by the end of the packet (MQTT 5 section 2.2.2.1)',
          reason: REASON_MALFORMED_PACKET,
        };
      } else if (start + length.bytes + length.value > end) {
        checks.problem = { code: 'mqtt-malformed-properties', message: `Property Length ${length.value} runs past the end of the packet (MQTT 5 section 2.2.2.1)`, reason: REASON_MALFORMED_PACKET };
      } else if (this._pos !== start + length.bytes + length.value) {
        checks.problem = { code: 'mqtt-malformed-properties', message: `the properties do not end where Property Length ${length.value} says (MQTT 5 section 2.2.2.1)`, reason: REASON_MALFORMED_PACKET };
      }
      return result;
    };
  }
}

function malformed(message: string): StrictProblem {
  return { code: 'mqtt-malformed-packet', message, reason: REASON_MALFORMED_PACKET };
}

/**
 * Rules mqtt-packet does not enforce itself (it reads a missing Packet Identifier as -1, for one).
 * Returns what is wrong, or undefined.
 */
export function checkPacket(p: MqttPacket, level: MqttVersion): StrictProblem | undefined {
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
    case 'publish':
      // [MQTT-3.3.2-2]: no wildcard characters in a Topic Name (MQTT 5: 0x90 Topic Name invalid).
      if (p.topic.includes('+') || p.topic.includes('#')) {
        return { code: 'mqtt-bad-topic-name', message: `topic name ${JSON.stringify(p.topic)} contains a wildcard (+ or #) [MQTT-3.3.2-2]`, reason: REASON_TOPIC_NAME_INVALID };
      }
      break;
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
