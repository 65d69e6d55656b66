/**
 * Chapter 2 in the worker: open a WebSocket connection and an MQTT connection over the virtual
 * network, with or without TLS 1.3, on a link of the reader's latency and rate, and report every
 * segment, the moment the client's first message can leave, and the bytes spent before it. The
 * handshake bytes are the engines' own (RFC 6455 upgrade text and Sec-WebSocket-Accept; the MQTT
 * CONNECT through mqtt-packet, and the CONNACK the simulated broker answers it with); the TLS
 * records are sizes measured on a real handshake (./tls13.ts); TCP is the simulator's engine.
 */
import * as z from 'zod';
import { Rng, randomBytesFrom } from '../../../simulator/core/rng.ts';
import { toMs } from '../../../simulator/core/time.ts';
import { serializationDelay } from '../../../simulator/net/link.ts';
import { MqttBroker } from '../../../simulator/protocols/mqtt/broker.ts';
import { encodePacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { defaultTcpOptions } from '../../../simulator/protocols/tcp/defaults.ts';
import { buildClientRequest, buildServerResponse, computeAccept, generateKey } from '../../../simulator/protocols/websocket/handshake.ts';
import { numericQuestion } from './checks.ts';
import { runExchange, type ByteAccount, type ScriptedWrite } from './exchange.ts';
import { bytesText, msText } from './figures.ts';
import { defineCourseModule, once } from './module.ts';
import { annotateMqtt } from './mqttFields.ts';
import { mqttPublish, wsFrame } from './overhead.ts';
import { SAMPLE_TOPIC } from './samples.ts';
import { TLS13_FLIGHTS, TLS13_RECORD_OVERHEAD, writeBytes, writeLabel, writeNote, type TlsRecord } from './tls13.ts';
import type { AnnotatedBytes, HandshakeInput, HandshakeResult, HandshakeTimeline } from './types.ts';
import { describeHttpHead, describeWsFrame } from './wsFields.ts';

const encoder = new TextEncoder();
/** The first message both clients send: a 20-byte reading. */
export const FIRST_MESSAGE_BYTES = 20;
const SEED = 2;
/** The slow link the chapter's prose uses: 9.6 kbit/s, a classic low-rate radio or modem link. */
export const SLOW_LINK_KBPS = 9.6;

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

/**
 * The CONNECT an mqtt.js-like client writes (keepalive 60 s, clean session: NETWORK-FACTS.md) and
 * the CONNACK the simulated broker engine answers it with, at mosquitto's defaults: in MQTT 5 it
 * announces its limits (Topic Alias Maximum 10, Receive Maximum 20), as mosquitto 2.0 does.
 */
export function connectBytes(version: '3.1.1' | '5'): { connect: Uint8Array; connack: Uint8Array } {
  const connect = encodePacket({ cmd: 'connect', clientId: clientId(), keepalive: 60, clean: true, protocolId: 'MQTT' }, version);
  const broker = new MqttBroker();
  broker.openConnection('course', 0);
  broker.receiveData('course', connect, 0);
  for (let out = broker.nextOutput(); out !== undefined; out = broker.nextOutput()) {
    if ('bytes' in out) return { connect, connack: out.bytes };
  }
  throw new Error('the broker engine did not answer the CONNECT');
}

type Side = 'client' | 'server';

/** A TLS handshake write (records only). */
function tlsWrite(by: Side, afterBytes: number, records: readonly TlsRecord[]): ScriptedWrite {
  return { by, afterBytes, label: writeLabel(records), layer: 'tls', bytes: new Uint8Array(writeBytes(records)), sizeNote: writeNote(records) };
}

/**
 * An application write: the bytes as they are, or inside one TLS record (22 more bytes: 5 of
 * header before, 1 content type and 16 of AEAD tag after). `account` is what its plaintext counts as.
 */
function appWrite(w: Omit<ScriptedWrite, 'bytes' | 'parts'> & { plain: Uint8Array; account: ByteAccount }, tls: boolean): ScriptedWrite {
  const { plain, account, ...rest } = w;
  if (!tls) return { ...rest, bytes: plain };
  const inRecord = `Inside a TLS 1.3 record: ${TLS13_RECORD_OVERHEAD} bytes around the ${plain.length} shown (5 of record header, 1 content type, 16 of authentication tag); on the wire they are encrypted`;
  return {
    ...rest,
    bytes: new Uint8Array(plain.length + TLS13_RECORD_OVERHEAD),
    parts: [{ account: 'tls', bytes: 5 }, { account, bytes: plain.length }, { account: 'tls', bytes: TLS13_RECORD_OVERHEAD - 5 }],
    sizeNote: rest.sizeNote ? `${rest.sizeNote}. ${inRecord}` : inRecord,
  };
}

const recordLength = (plain: Uint8Array, tls: boolean) => plain.length + (tls ? TLS13_RECORD_OVERHEAD : 0);

/**
 * One client/server conversation: the client's request (the upgrade GET or CONNECT), the server's
 * answer (101 or CONNACK), then the client's first message, written once the answer has arrived
 * (or, with `pipelined`, right behind the request). With TLS, the handshake comes first, the
 * request leaves in the same write as the client's Finished (Node's TLS socket), and the server
 * writes its two session tickets, each its own write (OpenSSL), before its answer.
 */
function conversation(tls: boolean, request: ScriptedWrite & { plainLength: number }, answer: ScriptedWrite & { plainLength: number }, first: ScriptedWrite, pipelined: boolean): ScriptedWrite[] {
  const f = TLS13_FLIGHTS;
  const hello = tls ? writeBytes(f.clientHello.writes[0]) : 0;
  const serverFlight = tls ? writeBytes(f.serverFlight.writes[0]) : 0;
  const finished = tls ? writeBytes(f.clientFinished.writes[0]) : 0;
  const tickets = tls ? f.tickets.writes.reduce((n, w) => n + writeBytes(w), 0) : 0;
  const requestBytes = request.bytes.length;
  const answerBytes = answer.bytes.length;
  const script: ScriptedWrite[] = [];
  if (tls) {
    script.push(tlsWrite('client', 0, f.clientHello.writes[0]));
    script.push(tlsWrite('server', hello, f.serverFlight.writes[0]));
    script.push(tlsWrite('client', serverFlight, f.clientFinished.writes[0]));
    script.push({ ...request, afterBytes: serverFlight, join: true });
    for (const w of f.tickets.writes) script.push(tlsWrite('server', hello + finished, w));
  } else {
    script.push({ ...request, afterBytes: 0 });
  }
  script.push({ ...answer, afterBytes: hello + finished + requestBytes });
  script.push({ ...first, afterBytes: pipelined ? serverFlight : serverFlight + tickets + answerBytes });
  return script;
}

function timeline(protocol: 'websocket' | 'mqtt', result: ReturnType<typeof runExchange>, input: { latencyMs: number }, handshakeBytes: number): HandshakeTimeline {
  const rttMs = 2 * input.latencyMs;
  const firstSendMs = result.firstSendUs === undefined ? NaN : toMs(result.firstSendUs);
  const firstArrivedMs = result.firstArrivedUs === undefined ? NaN : toMs(result.firstArrivedUs);
  return {
    protocol,
    lanes: [
      { id: 'client', label: protocol === 'websocket' ? 'browser (client)' : 'sensor (client)' },
      { id: 'server', label: protocol === 'websocket' ? 'server' : 'broker' },
    ],
    messages: result.messages,
    firstSendMs,
    firstArrivedMs,
    roundTrips: rttMs > 0 ? Math.round((firstSendMs / rttMs) * 100) / 100 : 0,
    bytesBefore: result.bytesBefore,
    breakdown: result.breakdown,
    handshakeBytes,
  };
}

export function courseHandshake(input: HandshakeInput): HandshakeResult {
  const latencyMs = Math.min(1000, Math.max(1, input.latencyMs));
  const bandwidthKbps = input.bandwidthKbps ?? 0;
  const tls = input.tls;
  const pipelining = input.mqttPipelining ?? false;
  const noDelay = input.mqttNoDelay ?? false;

  // ---- WebSocket: TCP, (TLS), GET with Upgrade, 101, first frame ----
  const up = upgradeBytes();
  const frame = wsFrame(FIRST_MESSAGE_BYTES, true);
  const get = appWrite({
    by: 'client', afterBytes: 0, label: 'GET (Upgrade: websocket)', layer: 'http', plain: up.request, account: 'handshake',
    inspect: { title: 'HTTP upgrade request', bytes: up.request, totalBytes: up.request.length, fields: describeHttpHead(up.request, { 'sec-websocket-key': '16 random bytes, base64' }) },
  }, tls);
  const switching = appWrite({
    by: 'server', afterBytes: 0, label: '101 Switching Protocols', layer: 'http', plain: up.response, account: 'handshake',
    inspect: {
      title: 'HTTP 101 response', bytes: up.response, totalBytes: up.response.length,
      fields: describeHttpHead(up.response, { 'sec-websocket-accept': `base64(SHA-1(key + GUID)), computed by the engine from ${up.key}` }),
    },
  }, tls);
  const wsFirst = appWrite({
    by: 'client', afterBytes: 0, label: 'first message (WebSocket frame)', layer: 'websocket', plain: frame, account: 'message', first: true,
    inspect: { title: `First message: ${FIRST_MESSAGE_BYTES}-byte text frame, masked`, bytes: frame, totalBytes: frame.length, fields: describeWsFrame(frame) },
  }, tls);
  const tcpCommon = { tlsRecordOverhead: 0 };
  const ws = runExchange(
    conversation(tls, { ...get, plainLength: up.request.length }, { ...switching, plainLength: up.response.length }, wsFirst, false),
    {
      latencyMs, bandwidthKbps, seed: SEED, port: tls ? 443 : 80,
      // Browsers and the `ws` library set TCP_NODELAY.
      clientTcp: { ...tcpCommon, nagle: false },
      serverTcp: { ...tcpCommon, nagle: false },
    },
  );

  // ---- MQTT: TCP, (TLS), CONNECT, CONNACK, first PUBLISH ----
  const version = input.mqttVersion;
  const { connect, connack } = connectBytes(version);
  const publish = mqttPublish(FIRST_MESSAGE_BYTES, SAMPLE_TOPIC, 0, version);
  const connectWrite = appWrite({ by: 'client', afterBytes: 0, label: 'CONNECT', layer: 'mqtt', plain: connect, account: 'handshake', inspect: annotateMqtt(connect, version, `MQTT ${version} CONNECT`, 256) }, tls);
  const connackWrite = appWrite({ by: 'server', afterBytes: 0, label: 'CONNACK', layer: 'mqtt', plain: connack, account: 'handshake', inspect: connackInspect(connack, version) }, tls);
  const publishWrite = appWrite({
    by: 'client', afterBytes: 0, label: 'first message (PUBLISH QoS 0)', layer: 'mqtt', plain: publish, account: 'message', first: true,
    inspect: annotateMqtt(publish, version, `First message: MQTT ${version} PUBLISH, QoS 0, ${FIRST_MESSAGE_BYTES}-byte payload`, 256),
  }, tls);
  const mqtt = runExchange(
    // mqtt.js waits for CONNACK before it sends queued messages; the specification lets a client
    // write right after CONNECT (section 3.1.4), which `pipelining` shows.
    conversation(tls, { ...connectWrite, plainLength: connect.length }, { ...connackWrite, plainLength: connack.length }, publishWrite, pipelining),
    {
      latencyMs, bandwidthKbps, seed: SEED, port: tls ? 8883 : 1883,
      // mqtt.js and mosquitto leave Nagle on (NETWORK-FACTS.md), unless the reader turns it off.
      clientTcp: { ...tcpCommon, nagle: !noDelay },
      serverTcp: { ...tcpCommon, nagle: !noDelay },
    },
  );

  return {
    input: { latencyMs, tls, mqttVersion: version, mqttPipelining: pipelining, mqttNoDelay: noDelay, bandwidthKbps },
    seed: SEED,
    rttMs: 2 * latencyMs,
    websocket: timeline('websocket', ws, { latencyMs }, up.request.length + up.response.length),
    mqtt: timeline('mqtt', mqtt, { latencyMs }, connect.length + connack.length),
    accept: { key: up.key, accept: up.accept },
  };
}

function connackInspect(connack: Uint8Array, version: '3.1.1' | '5'): AnnotatedBytes {
  const a = annotateMqtt(connack, version, `MQTT ${version} CONNACK`, 256);
  return version === '5'
    ? { ...a, note: 'Written by the simulated broker at mosquitto 2.0\'s defaults: it announces its limits as properties (mosquitto\'s max_topic_alias 10 and max_inflight_messages 20), which is why an MQTT 5 CONNACK is longer than the 5 bytes of an empty one.' }
    : a;
}

/** Wire time of one segment carrying `payload` bytes on a link of `kbps` (the link model's own formula). */
export function segmentTimeMs(payload: number, kbps: number): number {
  const tcp = defaultTcpOptions();
  return toMs(serializationDelay(payload + 40 + tcp.tcpOptionBytes, kbps * 1000));
}

/** The runs the prose quotes (computed once per build). */
const runs = once(() => {
  const at = (latencyMs: number, more: Partial<HandshakeInput> = {}) => courseHandshake({ latencyMs, tls: false, mqttVersion: '3.1.1', ...more });
  return {
    plain: at(50),
    tls: at(50, { tls: true }),
    tlsNoDelay: at(50, { tls: true, mqttNoDelay: true }),
    v5: at(50, { mqttVersion: '5' }),
    // The testbed's link: 25 ms one way (fidelity/README.md).
    testbed: at(25),
    testbedTls: at(25, { tls: true }),
    testbedTlsNoDelay: at(25, { tls: true, mqttNoDelay: true }),
    slow: at(50, { bandwidthKbps: SLOW_LINK_KBPS }),
    slowTls: at(50, { bandwidthKbps: SLOW_LINK_KBPS, tls: true }),
  };
});

/**
 * The span the testbed measures for its "connect" cases (fidelity/README.md): from the client's
 * SYN to the first message arriving back on the client's side of the link (at a subscriber, or as
 * the echo): here, the first message's arrival at the server plus one more crossing of the link.
 */
export function testbedSpanMs(t: HandshakeTimeline, latencyMs: number): number {
  return t.firstArrivedMs + latencyMs;
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
    bandwidthKbps: z.number().min(0).max(1_000_000).optional(),
  }) satisfies z.ZodType<HandshakeInput>,
  defaults: { latencyMs: 50, tls: false, mqttVersion: '3.1.1', mqttPipelining: false, mqttNoDelay: false, bandwidthKbps: 0 },
  run: courseHandshake,
  figures: () => {
    const r = runs();
    const up = upgradeBytes();
    const { connack: connack311 } = connectBytes('3.1.1');
    const { connack: connack5 } = connectBytes('5');
    const tb = (t: HandshakeTimeline) => msText(testbedSpanMs(t, 25));
    return {
      acceptExample: `${r.plain.accept.accept} from the key ${r.plain.accept.key}`,
      wsHandshakeBytes: bytesText(r.plain.websocket.handshakeBytes),
      mqttHandshakeBytes: bytesText(r.plain.mqtt.handshakeBytes),
      wsFirstSendMs: msText(r.plain.websocket.firstSendMs),
      mqttFirstSendMs: msText(r.plain.mqtt.firstSendMs),
      wsFirstSendTlsMs: msText(r.tls.websocket.firstSendMs),
      mqttFirstSendTlsMs: msText(r.tls.mqtt.firstSendMs),
      mqttFirstSendTlsNoDelayMs: msText(r.tlsNoDelay.mqtt.firstSendMs),
      tlsHoldMs: msText(r.tls.mqtt.firstSendMs - r.tlsNoDelay.mqtt.firstSendMs),
      wsBytesBeforeTls: bytesText(r.tls.websocket.bytesBefore),
      mqttBytesBeforeTls: bytesText(r.tls.mqtt.bytesBefore),
      mqttTlsRecordBytes: bytesText(r.tls.mqtt.breakdown.tlsBytes),
      mqttTlsHeaderBytes: bytesText(r.tls.mqtt.breakdown.headerBytes),
      mqttTlsSegments: String(r.tls.mqtt.breakdown.segments),
      mqttTlsControlSegments: String(r.tls.mqtt.breakdown.controlSegments),
      mqttTlsHandshakeBytes: bytesText(r.tls.mqtt.breakdown.handshakeBytes),
      connack311Bytes: bytesText(connack311.length),
      connack5Bytes: bytesText(connack5.length),
      testbedMqttMs: tb(r.testbed.mqtt),
      testbedWsMs: tb(r.testbed.websocket),
      testbedMqttsMs: tb(r.testbedTls.mqtt),
      testbedMqttsNoDelayMs: tb(r.testbedTlsNoDelay.mqtt),
      testbedWssMs: tb(r.testbedTls.websocket),
      upgradeRequestBytes: bytesText(up.request.length),
      upgradeRequestSlowMs: msText(segmentTimeMs(up.request.length, SLOW_LINK_KBPS)),
      slowLink: `${SLOW_LINK_KBPS} kbit/s`,
      wsArrivedSlowMs: msText(r.slow.websocket.firstArrivedMs),
      mqttArrivedSlowMs: msText(r.slow.mqtt.firstArrivedMs),
      wsArrivedMs: msText(r.plain.websocket.firstArrivedMs),
      mqttArrivedMs: msText(r.plain.mqtt.firstArrivedMs),
      wsArrivedSlowTlsMs: msText(r.slowTls.websocket.firstArrivedMs),
      mqttArrivedSlowTlsMs: msText(r.slowTls.mqtt.firstArrivedMs),
      mqttResentSlowTls: String(r.slowTls.mqtt.messages.filter((m) => m.label.endsWith('(retransmission)') && m.sentMs < r.slowTls.mqtt.firstSendMs).length),
    };
  },
  checks: () => {
    const slow = courseHandshake({ latencyMs: 100, tls: false, mqttVersion: '3.1.1' });
    const slowTls = courseHandshake({ latencyMs: 100, tls: true, mqttVersion: '3.1.1' });
    const first = slow.websocket.firstSendMs;
    const addedRoundTrips = Math.round((slowTls.websocket.firstSendMs - first) / slowTls.rttMs);
    const r = runs();
    const gap = (t: HandshakeResult) => t.websocket.firstArrivedMs - t.mqtt.firstArrivedMs;
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
        'How many round trips does a full TLS 1.3 handshake add before a WebSocket client\'s first message?',
        addedRoundTrips,
        [0, 2, 3],
        '',
        `${addedRoundTrips}: ClientHello goes out, the server's flight comes back, and the client's Finished leaves in the same write as its upgrade request (measured: ${slowTls.websocket.firstSendMs} ms instead of ${first} ms).`,
      ),
      numericQuestion(
        'ch2-mqtt-bytes',
        'How many bytes do an MQTT 3.1.1 CONNECT and its CONNACK take together, without TCP/IP headers?',
        slow.mqtt.handshakeBytes,
        [slow.websocket.handshakeBytes, 2, slow.mqtt.handshakeBytes + 104],
        ' bytes',
        `${slow.mqtt.handshakeBytes} bytes, against ${slow.websocket.handshakeBytes} for the WebSocket upgrade request and response. Both fit in one segment each way, so on a fast link the waiting time is the same.`,
      ),
      numericQuestion(
        'ch2-slow-link',
        `On a ${SLOW_LINK_KBPS} kbit/s link with 50 ms of latency and no TLS, how many milliseconds later than the MQTT client's does the WebSocket client's first message reach the server?`,
        Math.round(gap(r.slow)),
        [0, Math.round(gap(r.plain)), Math.round(gap(r.slow) / 4)],
        ' ms',
        `${Math.round(gap(r.slow))} ms. Without a rate limit both arrive after the same round trips (a gap of ${Math.round(gap(r.plain))} ms): the waiting is latency. On a slow link every byte costs time too, and the upgrade's hundreds of bytes of HTTP text take far longer to send than CONNECT and CONNACK.`,
      ),
    ];
  },
});

declare module './module.ts' {
  interface CourseModules {
    handshake: typeof handshake;
  }
}
