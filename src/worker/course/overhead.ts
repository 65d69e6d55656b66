/**
 * Chapter 3 in the worker: the frames and the packet for the reader's payload and topic, built by
 * the engines (RFC 6455 framing, MQTT through mqtt-packet), and the bytes one message costs on
 * the wire as the payload grows, counted by the TCP engine's wire accounting.
 */
import { Rng } from '../../../simulator/core/rng.ts';
import { encodeFrame, Opcode } from '../../../simulator/protocols/websocket/frame.ts';
import { encodePacket, type MqttPacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { defaultTcpOptions } from '../../../simulator/protocols/tcp/defaults.ts';
import { IPV4_HEADER_BYTES, TCP_HEADER_BYTES, TLS13_RECORD_OVERHEAD, writeWireBytes } from '../../../simulator/protocols/tcp/wire.ts';
import type { WireBytesSeries } from '../../charts/wireBytes.ts';
import { annotateMqtt } from './mqttFields.ts';
import { samplePayload, topicOfLength } from './samples.ts';
import type { AnnotatedBytes, OverheadInput, OverheadResult } from './types.ts';
import { describeWsFrame } from './wsFields.ts';

/** Bytes kept for display; the rest of a large payload is summarised by `totalBytes`. */
const DISPLAY_LIMIT = 96;
/** The masking key of the sample client frame: from a named seeded stream, as the engine draws it. */
const MASK_SEED = 6455;

export function maskKey(): Uint8Array {
  return Rng.stream(MASK_SEED, 'course:ws-client:mask').bytes(4);
}

export function wsFrame(payloadBytes: number, masked: boolean): Uint8Array {
  return encodeFrame({ opcode: Opcode.text, payload: samplePayload(payloadBytes), ...(masked ? { maskKey: maskKey() } : {}) });
}

/** The PUBLISH for this input (packet identifier 1 when QoS > 0, no properties in MQTT 5). */
export function mqttPublish(payloadBytes: number, topic: string, qos: 0 | 1 | 2, version: '3.1.1' | '5'): Uint8Array {
  const packet: MqttPacket = { cmd: 'publish', qos, dup: false, retain: false, topic, payload: samplePayload(payloadBytes), ...(qos > 0 ? { messageId: 1 } : {}) };
  return encodePacket(packet, version);
}

/** The acknowledgements of one PUBLISH at this QoS, in the order they cross the network. */
export function mqttAcks(qos: 0 | 1 | 2, version: '3.1.1' | '5'): { name: string; bytes: Uint8Array }[] {
  if (qos === 0) return [];
  if (qos === 1) return [{ name: 'PUBACK', bytes: encodePacket({ cmd: 'puback', messageId: 1 }, version) }];
  return [
    { name: 'PUBREC', bytes: encodePacket({ cmd: 'pubrec', messageId: 1 }, version) },
    { name: 'PUBREL', bytes: encodePacket({ cmd: 'pubrel', messageId: 1 }, version) },
    { name: 'PUBCOMP', bytes: encodePacket({ cmd: 'pubcomp', messageId: 1 }, version) },
  ];
}

function annotatedWs(bytes: Uint8Array, title: string, note: string): AnnotatedBytes {
  return { title, bytes: bytes.slice(0, DISPLAY_LIMIT), totalBytes: bytes.length, fields: describeWsFrame(bytes), note };
}

/** Bytes on the wire for one application write of `bytes` bytes at the chosen layer. */
export function layerBytes(bytes: number, layer: OverheadInput['layer']): number {
  const tcp = defaultTcpOptions();
  if (layer === 'protocol') return bytes;
  return writeWireBytes(bytes, tcp.mss, tcp.tcpOptionBytes, layer === 'tls' ? TLS13_RECORD_OVERHEAD : 0);
}

export function courseOverhead(input: OverheadInput): OverheadResult {
  const topic = topicOfLength(input.topicLength);
  const version = input.mqttVersion;
  const qos = input.qos;
  const masked = wsFrame(input.payloadBytes, true);
  const unmasked = wsFrame(input.payloadBytes, false);
  const publish = mqttPublish(input.payloadBytes, topic, qos, version);
  const acks = mqttAcks(qos, version);
  const ackBytes = (layer: OverheadInput['layer']) => acks.reduce((sum, a) => sum + layerBytes(a.bytes.length, layer), 0);

  const sizes = [...new Set(input.sweep.filter((n) => Number.isInteger(n) && n >= 0 && n <= 100_000))].sort((a, b) => a - b);
  const series: WireBytesSeries[] = [
    { id: 'ws-masked', label: 'WebSocket frame, client to server (masked)', points: [] },
    { id: 'ws-unmasked', label: 'WebSocket frame, server to client', points: [] },
    { id: 'mqtt', label: `MQTT ${version} PUBLISH, QoS ${qos}`, points: [] },
  ];
  if (qos > 0) series.push({ id: 'mqtt-acked', label: `MQTT ${version} QoS ${qos}, PUBLISH + ${acks.map((a) => a.name).join(' + ')}`, points: [] });
  const acksOnWire = ackBytes(input.layer);
  for (const n of sizes) {
    const ws = wsFrame(n, true).length;
    const wsServer = wsFrame(n, false).length;
    const mqtt = mqttPublish(n, topic, qos, version).length;
    series[0]!.points.push({ payloadBytes: n, wireBytes: layerBytes(ws, input.layer) });
    series[1]!.points.push({ payloadBytes: n, wireBytes: layerBytes(wsServer, input.layer) });
    series[2]!.points.push({ payloadBytes: n, wireBytes: layerBytes(mqtt, input.layer) });
    series[3]?.points.push({ payloadBytes: n, wireBytes: layerBytes(mqtt, input.layer) + acksOnWire });
  }

  const tcp = defaultTcpOptions();
  return {
    input,
    topic,
    wsMasked: annotatedWs(masked, 'WebSocket text frame, client to server', 'Masked with a key from the client\'s seeded random stream (RFC 6455 section 5.3).'),
    wsUnmasked: annotatedWs(unmasked, 'WebSocket text frame, server to client', 'Servers never mask (RFC 6455 section 5.1).'),
    mqttPublish: annotateMqtt(publish, version, `MQTT ${version} PUBLISH, QoS ${qos}`, DISPLAY_LIMIT),
    mqttAcks: acks.map((a) => annotateMqtt(a.bytes, version, `MQTT ${version} ${a.name}`, DISPLAY_LIMIT)),
    series,
    accounting: { ipv4: IPV4_HEADER_BYTES, tcp: TCP_HEADER_BYTES, tcpOptions: tcp.tcpOptionBytes, mss: tcp.mss, tlsRecordOverhead: TLS13_RECORD_OVERHEAD },
  };
}
