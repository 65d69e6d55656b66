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
 */
import type { MqttRemoteErrorCode } from './errors.ts';
import { REASON_MALFORMED_PACKET } from './packets.ts';
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
