/**
 * Chapter 2 in the worker: open a WebSocket connection and an MQTT connection over the virtual
 * network, with or without TLS 1.3, and report every segment, the moment the client's first
 * message can leave, and the bytes spent before it. The handshake bytes are the engines' own
 * (RFC 6455 upgrade text and Sec-WebSocket-Accept; MQTT CONNECT/CONNACK through mqtt-packet).
 */
import * as z from 'zod';
import { Rng, randomBytesFrom } from '../../../simulator/core/rng.ts';
import { toMs } from '../../../simulator/core/time.ts';
import { encodePacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { TLS13_RECORD_OVERHEAD } from '../../../simulator/protocols/tcp/wire.ts';
import { buildClientRequest, buildServerResponse, computeAccept, generateKey } from '../../../simulator/protocols/websocket/handshake.ts';
import { numericQuestion } from './checks.ts';
import { runExchange, type ScriptedWrite } from './exchange.ts';
import { bytesText, msText } from './figures.ts';
import { defineCourseModule } from './module.ts';
import { annotateMqtt } from './mqttFields.ts';
import { mqttPublish, wsFrame } from './overhead.ts';
import { SAMPLE_TOPIC } from './samples.ts';
import { TLS13_FLIGHTS, flightBytes, flightLabel, flightNote } from './tls13.ts';
import type { HandshakeInput, HandshakeResult, HandshakeTimeline } from './types.ts';
import { describeHttpHead, describeWsFrame } from './wsFields.ts';

const encoder = new TextEncoder();
/** The first message both clients send: a 20-byte reading. */
export const FIRST_MESSAGE_BYTES = 20;
const SEED = 2;

/** The upgrade request and response the engines write for a browser-like client. */
export function upgradeBytes(): { key: string; accept: string; request: Uint8Array; response: Uint8Array } {
  const key = generateKey(randomBytesFrom(Rng.stream(SEED, 'course:ws-client:key')));
  const accept = computeAccept(key);
  const request = encoder.encode(
    buildClientRequest({
      key,
      host: 'dashboard.example',
      path: '/live',
      origin: 'https://dashboard.example',
      // Browsers offer compression on every WebSocket; a `ws` server without it configured declines.
      extensions: 'permessage-deflate; client_max_window_bits',
    }),
  );
  const response = encoder.encode(buildServerResponse({ accept }));
  return { key, accept, request, response };
}

/** mqtt.js-style client id: "mqttjs_" and 8 hex digits, from a seeded stream. */
export function clientId(): string {
  const bytes = Rng.stream(SEED, 'course:mqtt-client:id').bytes(4);
  return `mqttjs_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function connectBytes(version: '3.1.1' | '5'): { connect: Uint8Array; connack: Uint8Array } {
  // mqtt.js defaults: keepalive 60 s, clean session (NETWORK-FACTS.md).
  const connect = encodePacket({ cmd: 'connect', clientId: clientId(), keepalive: 60, clean: true, protocolId: 'MQTT' }, version);
  const connack = encodePacket({ cmd: 'connack', sessionPresent: false, returnCode: 0 }, version);
  return { connect, connack };
}

/**
 * The TLS flights as scripted writes; each write's TLS record overhead is added by TCP, so subtract
 * it. The server writes its NewSessionTickets before the protocol's answer (they are triggered by
 * the client's Finished, which arrives first), so the client's thresholds count them too.
 */
function tlsWrites(tls: boolean): { client1: ScriptedWrite[]; server1: ScriptedWrite[]; client2: ScriptedWrite[]; server2: ScriptedWrite[]; sizes: number[] } {
  if (!tls) return { client1: [], server1: [], client2: [], server2: [], sizes: [0, 0, 0, 0] };
  const sizes = TLS13_FLIGHTS.map((f) => flightBytes(f) - TLS13_RECORD_OVERHEAD);
  const write = (i: number, afterBytes: number): ScriptedWrite => {
    const f = TLS13_FLIGHTS[i]!;
    return { by: f.by, afterBytes, label: flightLabel(f), layer: 'tls', bytes: new Uint8Array(sizes[i]!), sizeNote: flightNote(f) };
  };
  return { client1: [write(0, 0)], server1: [write(1, sizes[0]!)], client2: [write(2, sizes[1]!)], server2: [write(3, sizes[0]! + sizes[2]!)], sizes };
}

function timeline(protocol: 'websocket' | 'mqtt', result: ReturnType<typeof runExchange>, rttMs: number, handshakeBytes: number): HandshakeTimeline {
  const firstSendMs = result.firstSendUs === undefined ? NaN : toMs(result.firstSendUs);
  return {
    protocol,
    lanes: [
      { id: 'client', label: protocol === 'websocket' ? 'browser (client)' : 'sensor (client)' },
      { id: 'server', label: protocol === 'websocket' ? 'server' : 'broker' },
    ],
    messages: result.messages,
    firstSendMs,
    roundTrips: rttMs > 0 ? Math.round((firstSendMs / rttMs) * 100) / 100 : 0,
    bytesBefore: result.bytesBefore,
    handshakeBytes,
  };
}

export function courseHandshake(input: HandshakeInput): HandshakeResult {
  const latencyMs = Math.min(1000, Math.max(1, input.latencyMs));
  const rttMs = 2 * latencyMs;
  const tlsOverhead = input.tls ? TLS13_RECORD_OVERHEAD : 0;

  // ---- WebSocket: TCP, (TLS), GET with Upgrade, 101, first frame ----
  const up = upgradeBytes();
  const t = tlsWrites(input.tls);
  const frame = wsFrame(FIRST_MESSAGE_BYTES, true);
  const wsScript: ScriptedWrite[] = [
    ...t.client1,
    ...t.client2,
    {
      by: 'client', afterBytes: t.sizes[1]!, label: 'GET (Upgrade: websocket)', layer: 'http', bytes: up.request,
      inspect: { title: 'HTTP upgrade request', bytes: up.request, totalBytes: up.request.length, fields: describeHttpHead(up.request, { 'sec-websocket-key': '16 random bytes, base64' }) },
    },
    {
      by: 'client', afterBytes: t.sizes[1]! + t.sizes[3]! + up.response.length, label: 'first message (WebSocket frame)', layer: 'websocket', bytes: frame, first: true,
      inspect: { title: `First message: ${FIRST_MESSAGE_BYTES}-byte text frame, masked`, bytes: frame, totalBytes: frame.length, fields: describeWsFrame(frame) },
    },
    ...t.server1,
    ...t.server2,
    {
      by: 'server', afterBytes: t.sizes[0]! + t.sizes[2]! + up.request.length, label: '101 Switching Protocols', layer: 'http', bytes: up.response,
      inspect: {
        title: 'HTTP 101 response', bytes: up.response, totalBytes: up.response.length,
        fields: describeHttpHead(up.response, { 'sec-websocket-accept': `base64(SHA-1(key + GUID)), computed by the engine from ${up.key}` }),
      },
    },
  ];
  const ws = runExchange(wsScript, {
    latencyMs, seed: SEED, port: input.tls ? 443 : 80,
    // Browsers and the `ws` library set TCP_NODELAY.
    clientTcp: { nagle: false, tlsRecordOverhead: tlsOverhead },
    serverTcp: { nagle: false, tlsRecordOverhead: tlsOverhead },
  });

  // ---- MQTT: TCP, (TLS), CONNECT, CONNACK, first PUBLISH ----
  const { connect, connack } = connectBytes(input.mqttVersion);
  const publish = mqttPublish(FIRST_MESSAGE_BYTES, SAMPLE_TOPIC, 0, input.mqttVersion);
  const tm = tlsWrites(input.tls);
  const mqttScript: ScriptedWrite[] = [
    ...tm.client1,
    ...tm.client2,
    { by: 'client', afterBytes: tm.sizes[1]!, label: 'CONNECT', layer: 'mqtt', bytes: connect, inspect: annotateMqtt(connect, input.mqttVersion, `MQTT ${input.mqttVersion} CONNECT`, 256) },
    {
      // mqtt.js waits for CONNACK before it sends queued messages, as the simulator's client does;
      // the specification lets a client write it right after CONNECT (section 3.1.4).
      by: 'client', afterBytes: input.mqttPipelining ? tm.sizes[1]! : tm.sizes[1]! + tm.sizes[3]! + connack.length,
      label: 'first message (PUBLISH QoS 0)', layer: 'mqtt', bytes: publish, first: true,
      inspect: annotateMqtt(publish, input.mqttVersion, `First message: MQTT ${input.mqttVersion} PUBLISH, QoS 0, ${FIRST_MESSAGE_BYTES}-byte payload`, 256),
    },
    ...tm.server1,
    ...tm.server2,
    { by: 'server', afterBytes: tm.sizes[0]! + tm.sizes[2]! + connect.length, label: 'CONNACK', layer: 'mqtt', bytes: connack, inspect: annotateMqtt(connack, input.mqttVersion, `MQTT ${input.mqttVersion} CONNACK`, 256) },
  ];
  const mqtt = runExchange(mqttScript, {
    latencyMs, seed: SEED, port: input.tls ? 8883 : 1883,
    // mqtt.js and mosquitto leave Nagle on (NETWORK-FACTS.md), unless the reader turns it off.
    clientTcp: { nagle: !input.mqttNoDelay, tlsRecordOverhead: tlsOverhead },
    serverTcp: { nagle: !input.mqttNoDelay, tlsRecordOverhead: tlsOverhead },
  });

  return {
    input: { ...input, latencyMs, mqttPipelining: input.mqttPipelining ?? false, mqttNoDelay: input.mqttNoDelay ?? false },
    seed: SEED,
    rttMs,
    websocket: timeline('websocket', ws, rttMs, up.request.length + up.response.length),
    mqtt: timeline('mqtt', mqtt, rttMs, connect.length + connack.length),
    accept: { key: up.key, accept: up.accept },
  };
}

/** Chapter "Opening a connection": the handshake widget, its figures and questions. */
export const handshake = defineCourseModule({
  name: 'handshake',
  input: z.strictObject({
    latencyMs: z.number().min(1).max(1000),
    tls: z.boolean(),
    mqttVersion: z.enum(['3.1.1', '5']),
    mqttPipelining: z.boolean().optional(),
    mqttNoDelay: z.boolean().optional(),
  }) satisfies z.ZodType<HandshakeInput>,
  defaults: { latencyMs: 50, tls: false, mqttVersion: '3.1.1', mqttPipelining: false, mqttNoDelay: false },
  run: courseHandshake,
  figures: () => {
    const plain = courseHandshake({ latencyMs: 50, tls: false, mqttVersion: '3.1.1' });
    const tls = courseHandshake({ latencyMs: 50, tls: true, mqttVersion: '3.1.1' });
    return {
      acceptExample: `${plain.accept.accept} from the key ${plain.accept.key}`,
      wsHandshakeBytes: bytesText(plain.websocket.handshakeBytes),
      mqttHandshakeBytes: bytesText(plain.mqtt.handshakeBytes),
      wsFirstSendMs: msText(plain.websocket.firstSendMs),
      mqttFirstSendMs: msText(plain.mqtt.firstSendMs),
      wsFirstSendTlsMs: msText(tls.websocket.firstSendMs),
      mqttFirstSendTlsMs: msText(tls.mqtt.firstSendMs),
      wsBytesBeforeTls: bytesText(tls.websocket.bytesBefore),
      mqttBytesBeforeTls: bytesText(tls.mqtt.bytesBefore),
    };
  },
  checks: () => {
    const slow = courseHandshake({ latencyMs: 100, tls: false, mqttVersion: '3.1.1' });
    const slowTls = courseHandshake({ latencyMs: 100, tls: true, mqttVersion: '3.1.1' });
    const first = slow.websocket.firstSendMs;
    const addedRoundTrips = Math.round((slowTls.websocket.firstSendMs - first) / slowTls.rttMs);
    return [
      numericQuestion(
        'ch2-first-send',
        'With 100 ms of one-way latency and no TLS, how long after its SYN can a WebSocket client send its first message?',
        first,
        [slow.rttMs / 2, slow.rttMs, 3 * slow.rttMs],
        ' ms',
        `${first} ms: one round trip (${slow.rttMs} ms) for TCP's handshake, one for the upgrade request and its 101 answer.`,
      ),
      numericQuestion(
        'ch2-tls-round-trips',
        'How many round trips does a full TLS 1.3 handshake add before that first message?',
        addedRoundTrips,
        [0, 2, 3],
        '',
        `${addedRoundTrips}: ClientHello goes out, the server's flight comes back, and the client sends its Finished right before its data (measured: ${slowTls.websocket.firstSendMs} ms instead of ${first} ms).`,
      ),
      numericQuestion(
        'ch2-mqtt-bytes',
        'How many bytes do an MQTT 3.1.1 CONNECT and its CONNACK take together, without TCP/IP headers?',
        slow.mqtt.handshakeBytes,
        [slow.websocket.handshakeBytes, 2, slow.mqtt.handshakeBytes + 104],
        ' bytes',
        `${slow.mqtt.handshakeBytes} bytes, against ${slow.websocket.handshakeBytes} for the WebSocket upgrade request and response. Both fit in one segment each way, so the waiting time is the same.`,
      ),
    ];
  },
});

declare module './module.ts' {
  interface CourseModules {
    handshake: typeof handshake;
  }
}
