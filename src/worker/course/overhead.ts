/**
 * Chapter 3 in the worker: the frames and the packet for the reader's payload and topic, built by
 * the engines (RFC 6455 framing, MQTT through mqtt-packet), and the bytes one message costs on
 * the wire as the payload grows, counted by the TCP engine's wire accounting.
 */
import * as z from 'zod';
import { Rng } from '../../../simulator/core/rng.ts';
import { encodeFrame, Opcode } from '../../../simulator/protocols/websocket/frame.ts';
import { DEFAULT_DEFLATE_THRESHOLD, PerMessageDeflate } from '../../../simulator/protocols/websocket/deflate.ts';
import { encodePacket, type MqttPacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { defaultTcpOptions } from '../../../simulator/protocols/tcp/defaults.ts';
import { IPV4_HEADER_BYTES, segmentWireBytes, TCP_HEADER_BYTES, TLS13_RECORD_OVERHEAD, writeWireBytes } from '../../../simulator/protocols/tcp/wire.ts';
import type { WireBytesSeries } from '../../charts/wireBytes.ts';
import { numericQuestion } from './checks.ts';
import { bytesText } from './figures.ts';
import { defineCourseModule } from './module.ts';
import { annotateMqtt } from './mqttFields.ts';
import { SAMPLE_TOPIC, samplePayload, topicOfLength } from './samples.ts';
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

/**
 * An MQTT 5 PUBLISH with a Topic Alias (section 3.3.2.3.4): the first one carries the topic and
 * the alias, later ones an empty topic and only the alias.
 */
export function mqttAliasedPublish(payloadBytes: number, topic: string, first: boolean): Uint8Array {
  return encodePacket({ cmd: 'publish', qos: 0, dup: false, retain: false, topic: first ? topic : '', payload: samplePayload(payloadBytes), properties: { topicAlias: 1 } }, '5');
}

/** A JSON reading as a dashboard application would send it, the n-th of a series. */
export function jsonReading(n: number): Uint8Array {
  return new TextEncoder().encode(`{"sensor":"${SAMPLE_TOPIC}","celsius":${(21 + ((n * 7) % 10) / 10).toFixed(1)}}`);
}

/**
 * Ten JSON readings compressed one after another with permessage-deflate (RFC 7692), as a browser
 * does: the engine's codec with context takeover (the LZ77 window carries over between messages)
 * and no size threshold. Returns each message's size before and after.
 */
export function deflatedSeries(count = 10): { plain: number; compressed: number }[] {
  const codec = new PerMessageDeflate({ serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 }, 'client', { threshold: 0 });
  return Array.from({ length: count }, (_, i) => {
    const plain = jsonReading(i);
    return { plain: plain.length, compressed: codec.compress(plain).length };
  });
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

  const sizes = [...new Set((input.sweep ?? overheadSweep(input.payloadBytes)).filter((n) => Number.isInteger(n) && n >= 0 && n <= 100_000))].sort((a, b) => a - b);
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

/**
 * Payload sizes on the chart's x axis: every byte to 130 (the 7-bit length ends at 125), every
 * byte around one full TCP segment, every 25 bytes to 3,000, plus the reader's own size.
 */
export function overheadSweep(payloadBytes: number): number[] {
  const sizes = new Set<number>();
  for (let n = 0; n <= 130; n++) sizes.add(n);
  for (let n = 1380; n <= 1460; n++) sizes.add(n);
  for (let n = 150; n <= 3000; n += 25) sizes.add(n);
  sizes.add(payloadBytes);
  return [...sizes].sort((a, b) => a - b);
}

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const mqttVersion = z.enum(['3.1.1', '5']);

/** Chapter "Every byte counts": the overhead widget, its figures and questions. */
export const overhead = defineCourseModule({
  name: 'overhead',
  input: z.strictObject({
    payloadBytes: int(0, 70_000),
    topicLength: int(1, 200),
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    mqttVersion,
    layer: z.enum(['protocol', 'tcpip', 'tls']),
    sweep: z.array(int(0, 100_000)).max(2_000).optional(),
  }) satisfies z.ZodType<OverheadInput>,
  defaults: { payloadBytes: 20, topicLength: SAMPLE_TOPIC.length, qos: 0, mqttVersion: '3.1.1', layer: 'tcpip' },
  run: courseOverhead,
  figures: () => ({
    mqttPublish20: bytesText(mqttPublish(20, SAMPLE_TOPIC, 0, '3.1.1').length),
    wsUnmasked20: bytesText(wsFrame(20, false).length),
    wsMasked20: bytesText(wsFrame(20, true).length),
    mqttWire20: bytesText(layerBytes(mqttPublish(20, SAMPLE_TOPIC, 0, '3.1.1').length, 'tls')),
    wsWire20: bytesText(layerBytes(wsFrame(20, true).length, 'tls')),
    // One QoS 0 PUBLISH against a QoS 2 PUBLISH and its three acknowledgements, each in its own segment.
    qos0Wire20: bytesText(layerBytes(mqttPublish(20, SAMPLE_TOPIC, 0, '3.1.1').length, 'tcpip')),
    qos2Wire20: bytesText(
      layerBytes(mqttPublish(20, SAMPLE_TOPIC, 2, '3.1.1').length, 'tcpip') +
        mqttAcks(2, '3.1.1').reduce((sum, a) => sum + layerBytes(a.bytes.length, 'tcpip'), 0),
    ),
    // A segment without payload: what the receiving TCP's pure ACK costs (not in the chart).
    pureAckBytes: bytesText(segmentWireBytes(0, defaultTcpOptions().tcpOptionBytes)),
    qos0WithAck20: bytesText(layerBytes(mqttPublish(20, SAMPLE_TOPIC, 0, '3.1.1').length, 'tcpip') + segmentWireBytes(0, defaultTcpOptions().tcpOptionBytes)),
    mqtt5Publish20: bytesText(mqttPublish(20, SAMPLE_TOPIC, 0, '5').length),
    mqtt5AliasFirst20: bytesText(mqttAliasedPublish(20, SAMPLE_TOPIC, true).length),
    mqtt5AliasLater20: bytesText(mqttAliasedPublish(20, SAMPLE_TOPIC, false).length),
    jsonReadingBytes: bytesText(jsonReading(0).length),
    deflateFirst: bytesText(deflatedSeries()[0]!.compressed),
    deflateLater: bytesText(deflatedSeries().at(-1)!.compressed),
    deflateLaterFrame: bytesText(wsFrame(deflatedSeries().at(-1)!.compressed, true).length),
    plainJsonFrame: bytesText(wsFrame(jsonReading(9).length, true).length),
    wsDeflateThreshold: bytesText(DEFAULT_DEFLATE_THRESHOLD),
  }),
  checks: () => {
    const frame200 = wsFrame(200, false).length;
    const header200 = frame200 - 200;
    const publish = mqttPublish(20, SAMPLE_TOPIC, 1, '3.1.1').length;
    const wsWire = layerBytes(wsFrame(20, true).length, 'tls');
    const share = Math.round((20 / wsWire) * 100);
    const noTls = layerBytes(wsFrame(20, true).length, 'tcpip');
    const aliasFirst = mqttAliasedPublish(20, SAMPLE_TOPIC, true).length;
    const aliasLater = mqttAliasedPublish(20, SAMPLE_TOPIC, false).length;
    return [
      numericQuestion(
        'ch3-ws-header',
        'How many header bytes does a server-to-client WebSocket frame carrying 200 bytes have?',
        header200,
        [2, header200 + 4, 10],
        ' bytes',
        `${header200}: two bytes, and two more for the 16-bit length because 200 is more than 125. Servers never mask, so there is no key.`,
      ),
      numericQuestion(
        'ch3-publish',
        `A 20-byte reading on the topic "${SAMPLE_TOPIC}" (${SAMPLE_TOPIC.length} characters), MQTT 3.1.1, QoS 1: how big is the PUBLISH packet?`,
        publish,
        [22, publish - 2, publish + 4],
        ' bytes',
        `${publish}: 2 bytes of fixed header, 2 + ${SAMPLE_TOPIC.length} for the topic, 2 for the packet identifier QoS 1 needs, and the 20-byte payload.`,
      ),
      numericQuestion(
        'ch3-alias',
        `An MQTT 5 client sends 20-byte readings on "${SAMPLE_TOPIC}" with a topic alias. How big is each PUBLISH after the first?`,
        aliasLater,
        [
          { value: mqttPublish(20, SAMPLE_TOPIC, 0, '5').length, slip: 'counts the topic in every PUBLISH: after the first, the alias stands in for it' },
          { value: aliasFirst, slip: 'that is the first PUBLISH, which carries both the topic and the alias' },
          { value: aliasLater - 2, slip: 'drops the topic field altogether: its two-byte length stays, set to zero' },
        ],
        ' bytes',
        `${aliasLater} bytes: the fixed header, a topic of length 0 (2 bytes), the properties (1 byte of length, 3 for the alias) and the 20-byte payload. The first PUBLISH, with the topic, was ${aliasFirst}.`,
      ),
      numericQuestion(
        'ch3-share',
        'A browser sends a 20-byte reading over WebSocket with TLS 1.3. What share of the bytes on the wire is the reading itself?',
        share,
        [Math.round((20 / noTls) * 100), Math.round((20 / wsFrame(20, true).length) * 100), 95],
        '%',
        `${share}%: the ${wsFrame(20, true).length}-byte frame becomes ${wsWire} bytes with a TLS record (22) and the IPv4 and TCP headers (52).`,
      ),
    ];
  },
});

declare module './module.ts' {
  interface CourseModules {
    overhead: typeof overhead;
  }
}
