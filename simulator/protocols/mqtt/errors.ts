/**
 * Every error code the MQTT side raises, as one typed union, and the two constructors that take
 * only these codes (the errors themselves are ../../core/errors.ts's, h11's split).
 *
 * Naming convention: `mqtt-` then lower-case words joined by `-`, saying what is wrong in the
 * protocol's own terms (`mqtt-malformed-packet`, `mqtt-topic-alias-invalid`). The codes are a
 * contract (tests, the CLI's JSON, traces): add codes, never rename one.
 */
import { LocalProtocolError, RemoteProtocolError } from '../../core/errors.ts';

/** The peer sent bytes or a packet that breaks the protocol: the connection is closed. */
export type MqttRemoteErrorCode =
  // framing and decoding (./codec.ts)
  | 'mqtt-malformed-packet' | 'mqtt-malformed-remaining-length' | 'mqtt-reserved-packet-type' | 'mqtt-packet-too-large'
  | 'mqtt-truncated' | 'mqtt-not-one-packet' | 'mqtt-empty-subscribe' | 'mqtt-empty-unsubscribe'
  | 'mqtt-malformed-utf8' | 'mqtt-malformed-properties' | 'mqtt-bad-topic-name'
  // packet order and content (./client.ts, ./broker.ts)
  | 'mqtt-expected-connack' | 'mqtt-second-connack' | 'mqtt-first-packet-not-connect' | 'mqtt-second-connect'
  | 'mqtt-unexpected-packet' | 'mqtt-unsupported-auth' | 'mqtt-empty-topic' | 'mqtt-topic-alias-invalid'
  | 'mqtt-topic-alias-unknown' | 'mqtt-receive-maximum-exceeded' | 'mqtt-bad-will-topic' | 'mqtt-bad-topic-filter'
  | 'mqtt-bad-share-name' | 'mqtt-session-expiry-raised';

/** The caller misused an engine or the codec. */
export type MqttLocalErrorCode =
  | 'mqtt-encode-invalid' | 'mqtt-bad-version' | 'mqtt-bad-option' | 'mqtt-client-id-required'
  | 'mqtt-client-not-offline' | 'mqtt-empty-subscribe' | 'mqtt-empty-unsubscribe' | 'mqtt-packet-ids-exhausted'
  | 'mqtt-broker-duplicate-connection';

export type MqttErrorCode = MqttRemoteErrorCode | MqttLocalErrorCode;

/** A RemoteProtocolError with an MQTT code and, where MQTT 5 has one, its reason code. */
export function remoteError(code: MqttRemoteErrorCode, message: string, reasonCode?: number): RemoteProtocolError {
  return new RemoteProtocolError(code, message, reasonCode);
}

export function localError(code: MqttLocalErrorCode, message: string): LocalProtocolError {
  return new LocalProtocolError(code, message);
}
