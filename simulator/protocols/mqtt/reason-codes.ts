/**
 * Names of MQTT's result codes, one table per version, for messages, traces and the inspector:
 * MQTT 3.1.1 CONNACK return codes (section 3.2.2.3) and MQTT 5 reason codes (section 2.4).
 */
import type { MqttVersion } from './packets.ts';

/** MQTT 3.1.1 CONNACK return codes, by value (section 3.2.2.3, Table 3.1). */
export const CONNACK_RETURN_CODES_311: readonly string[] = [
  'accepted', 'unacceptable protocol version', 'identifier rejected', 'server unavailable', 'bad user name or password', 'not authorized',
];

/** MQTT 5 reason codes (section 2.4, Table 2-6). */
export const REASON_NAMES_5: Readonly<Record<number, string>> = {
  0x00: 'success', 0x01: 'granted QoS 1', 0x02: 'granted QoS 2', 0x04: 'disconnect with will message', 0x10: 'no matching subscribers',
  0x11: 'no subscription existed', 0x18: 'continue authentication', 0x19: 're-authenticate', 0x80: 'unspecified error',
  0x81: 'malformed packet', 0x82: 'protocol error', 0x83: 'implementation specific error', 0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid', 0x86: 'bad user name or password', 0x87: 'not authorized', 0x88: 'server unavailable',
  0x89: 'server busy', 0x8a: 'banned', 0x8b: 'server shutting down', 0x8c: 'bad authentication method', 0x8d: 'keep alive timeout',
  0x8e: 'session taken over', 0x8f: 'topic filter invalid', 0x90: 'topic name invalid', 0x91: 'packet identifier in use',
  0x92: 'packet identifier not found', 0x93: 'receive maximum exceeded', 0x94: 'topic alias invalid', 0x95: 'packet too large',
  0x96: 'message rate too high', 0x97: 'quota exceeded', 0x98: 'administrative action', 0x99: 'payload format invalid',
  0x9a: 'retain not supported', 0x9b: 'QoS not supported', 0x9c: 'use another server', 0x9d: 'server moved',
  0x9e: 'shared subscriptions not supported', 0x9f: 'connection rate exceeded', 0xa0: 'maximum connect time',
  0xa1: 'subscription identifiers not supported', 0xa2: 'wildcard subscriptions not supported',
};

/** The reason codes a CONNACK may carry when it refuses (MQTT 5 section 3.2.2.2). */
const CONNACK_REFUSALS_5 = new Set([0x80, 0x81, 0x82, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f]);

/** Human text of a refusing CONNACK's return code (3.1.1, codes 1-5) or reason code (5). */
export function connackText(code: number, version: MqttVersion): string {
  const name = version === 5
    ? (CONNACK_REFUSALS_5.has(code) ? REASON_NAMES_5[code] : undefined)
    : (code >= 1 ? CONNACK_RETURN_CODES_311[code] : undefined);
  return name ?? `code 0x${code.toString(16).padStart(2, '0')}`;
}
