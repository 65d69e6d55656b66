/**
 * Schemas of the role option objects of a scenario node: `tcp` (every role that opens TCP
 * connections itself), `broker` and `websocketTcp` (mqtt-broker), the engine options under an
 * mqtt-client's `mqtt`, and `ws` (ws-server, ws-client). ./schema.ts puts them on the nodes.
 *
 * Rules of this file (the same as ./schema.ts's for role option objects):
 * - The objects stay loose: the protocol engineers add options without a schema version change;
 *   every field named here is type- and range-checked, and an unknown one passes through.
 * - A default written in a description is the value the role or engine really uses when the
 *   field is left out (tests/scenarios/node-options.test.ts compares them with the code). Write
 *   "default" followed by the value so that test can find it.
 * - Ranges are what the engine can run, not more: a value it would reject or loop on is an error
 *   here, with the field's path.
 */
import * as z from 'zod';
import { bool, boolOr, doc, jsonSchemaMeta, list, mqttString, mqttTopic, nonNegative, nonNegativeInt, numberIn, portNumber, positive, positiveInt, text } from './fields.ts';
import { LIMITS } from './limits.ts';

// ---- TCP (simulator/protocols/tcp/api.ts TcpOptions; defaults in tcp/defaults.ts) ----

const micros = (what: string, dflt: string) => doc(positiveInt('micros').optional(), `${what}, in MICROSECONDS (the engine's unit; default ${dflt}).`);

/** The MSS the engine uses when `mss` is not given (tcp/defaults.ts). */
const DEFAULT_MSS = 1448;

export const tcpOptionsSchema = z
  .looseObject(
    {
      mss: doc(numberIn(1, 65495, { int: true }).optional(), 'Maximum segment size, payload bytes per segment (default 1448: 1500 MTU - 20 IPv4 - 20 TCP - 12 timestamp option).'),
      nagle: doc(bool().optional(), "Nagle's algorithm (RFC 896); false is TCP_NODELAY. The default is the role's library's: on for mqtt-client (mqtt.js), mqtt-broker (mosquitto), tcp-sender and tcp-sink (Linux)."),
      delayedAck: doc(bool().optional(), 'Delayed ACKs as Linux does them: 40 ms, every second full segment at once, quick ACKs at the start (default true).'),
      tcpOptionBytes: doc(numberIn(0, 40, { int: true }).optional(), 'Bytes of TCP options on every segment (default 12: Linux timestamps, RFC 7323). At most 40 (RFC 9293 section 3.1).'),
      synOptionBytes: doc(numberIn(0, 40, { int: true }).optional(), 'Bytes of TCP options on SYN and SYN-ACK (default 20: MSS, SACK-permitted, timestamps, window scale).'),
      tlsRecordOverhead: doc(nonNegativeInt('count').optional(), 'Extra bytes per TLS record, each write its own record (default 0: no TLS; 22 for TLS 1.3). Must be below the MSS.'),
      maxRetries: doc(nonNegativeInt('retries').optional(), 'Retransmissions of one segment before the connection is aborted (default 15, Linux tcp_retries2).'),
      maxSynRetries: doc(nonNegativeInt('retries').optional(), 'SYN retransmissions before a connect fails (default 6, Linux tcp_syn_retries).'),
      maxSynAckRetries: doc(nonNegativeInt('retries').optional(), 'SYN-ACK retransmissions before a half-open connection is dropped (default 5, Linux tcp_synack_retries).'),
      rtoMin: micros('Floor of the RTO variance term: RTO = SRTT + max(4 RTTVAR, rtoMin) (Linux TCP_RTO_MIN)', '200000 = 200 ms'),
      rtoInitial: micros('RTO before the first RTT sample (RFC 6298 section 2.1; Linux TCP_TIMEOUT_INIT)', '1000000 = 1 s'),
      rtoMax: micros('Largest RTO (Linux TCP_RTO_MAX)', '120000000 = 120 s'),
      rtoFallback: micros('RTO once established when the handshake gave no RTT sample (RFC 6298 section 5.7)', '3000000 = 3 s'),
      initialCwnd: doc(positiveInt('count').optional(), 'Initial congestion window in segments (default 10, RFC 6928).'),
      receiveWindow: doc(positiveInt('bytes').optional(), 'Receive window advertised, bytes (default 3145728 = 3 MiB; fixed, the application reads at once).'),
      delayedAckTimeout: doc(nonNegativeInt('micros').optional(), 'Longest time an ACK is delayed, in MICROSECONDS (default 40000 = 40 ms, Linux TCP_DELACK_MIN).'),
      quickAckSegments: doc(nonNegativeInt('count').optional(), 'Data segments ACKed at once at the start of a connection and after an idle period (default 16, Linux TCP_MAX_QUICKACKS).'),
      timeWait: doc(nonNegativeInt('micros').optional(), 'Length of TIME_WAIT, in MICROSECONDS (default 2000000 = 2 s; Linux waits 60 s: under heavy loss a FIN the peer resends after 2 s gets a RST instead of an ACK).'),
      tailLossProbe: doc(bool().optional(), 'Tail loss probe (RFC 8985 section 7; default true, as Linux).'),
      timestamps: doc(bool().optional(), 'Offer the timestamps option in the SYN (RFC 7323): RTT samples from every ACK, retransmissions included (default true, Linux tcp_timestamps = 1).'),
      congestion: doc(z.enum(['cubic', 'reno', 'bbr']).optional(), "Congestion control, as Linux's net.ipv4.tcp_congestion_control: cubic (RFC 9438 with HyStart), reno (RFC 5681) or bbr (BBR v1, paced). Default cubic, as Linux."),
      sack: doc(bool().optional(), 'Offer selective acknowledgements in the SYN (RFC 2018; default true, Linux tcp_sack = 1).'),
      dsack: doc(bool().optional(), 'With SACK, report data that arrived twice (D-SACK, RFC 2883), so the peer can undo a reduction a reordering caused (default true, Linux tcp_dsack = 1).'),
      fullClose: doc(
        bool().optional(),
        'What closing a connection means: false, shutdown(SHUT_WR) as Node, keep receiving; true, close(2) as a C server, data arriving afterwards is answered with a RST (default false; true for mqtt-broker, as mosquitto).',
      ),
    },
    { error: 'expected an object of TCP options' },
  )
  .superRefine((t, ctx) => {
    const mss = t.mss ?? DEFAULT_MSS;
    if (t.tlsRecordOverhead !== undefined && t.tlsRecordOverhead >= mss)
      ctx.addIssue({ code: 'custom', path: ['tlsRecordOverhead'], message: `expected fewer bytes than the MSS (${mss}), got ${t.tlsRecordOverhead}` });
  });

// ---- mqtt-broker (simulator/runtime/roles/mqtt-broker.ts, protocols/mqtt/broker-api.ts and acl.ts) ----

export const aclRuleSchema = z
  .looseObject(
    {
      clientId: doc(mqttString('a client id').optional(), 'The rule applies to the client with this client id...'),
      username: doc(mqttString('a username').optional(), '...or to every client that authenticated with this username.'),
      publish: doc(list(mqttTopic('filter'), 'topic filters').optional(), 'Filters of the topic names the client may publish to (none if left out).'),
      subscribe: doc(list(mqttTopic('filter'), 'topic filters').optional(), 'Filters the client may subscribe to: a subscription must lie inside one of them (none if left out).'),
    },
    { error: 'expected a rule: an object with clientId or username' },
  )
  .superRefine((rule, ctx) => {
    // acl.ts matches a rule by clientId or username only: a rule with neither applies to nobody.
    if (rule.clientId === undefined && rule.username === undefined)
      ctx.addIssue({ code: 'custom', path: [], message: 'expected clientId or username: a rule with neither applies to no client' });
  });

export const brokerAccessSchema = z.looseObject(
  {
    users: doc(
      z.record(z.string(), z.string({ error: 'expected a password (a string)' }), { error: 'expected an object {username: password}' }).optional(),
      'username -> password (mosquitto password_file). With users, a CONNECT with a username needs the right password.',
    ),
    allowAnonymous: doc(bool().optional(), 'Whether a CONNECT without a username is accepted (default true without `users`, false with them).'),
    rules: doc(list(aclRuleSchema, 'rules').optional(), 'Per-client topic rules (mosquitto acl_file). Without rules every client may publish and subscribe anywhere; with rules, a client no rule names may do neither.'),
  },
  { error: 'expected an object {users, allowAnonymous, rules}' },
);

export const brokerOptionsSchema = z.looseObject(
  {
    port: doc(portNumber().optional(), 'TCP port of the MQTT listener (default 1883); mqtt-clients connect to it.'),
    websocketPort: doc(numberIn(0, 65535, { int: true }).optional(), 'TCP port of the MQTT-over-WebSocket listener (subprotocol mqtt; default 8080); 0 turns it off.'),
    maxInflightMessages: doc(
      numberIn(0, 65535, { int: true }).optional(),
      'Outgoing QoS 1 and 2 messages in flight per client (mosquitto max_inflight_messages; default 20), announced to MQTT 5 clients as Receive Maximum. 0 means no maximum, as in mosquitto (then 65535, and no Receive Maximum is announced).',
    ),
    maxQueuedMessages: doc(
      nonNegativeInt('count').optional(),
      'Messages queued per client while it is offline (mosquitto max_queued_messages; default 1000), or behind the in-flight window while it is connected (this many plus the window, as mosquitto 2.0.21); further ones are dropped (queue-full). 0 means no maximum, as in mosquitto.',
    ),
    queueQos0Offline: doc(bool().optional(), 'Queue QoS 0 messages for an offline client with a kept session (mosquitto queue_qos0_messages; default false: dropped).'),
    qos2Forwarding: doc(
      z.enum(['on-pubrel', 'on-publish'], { error: 'expected "on-pubrel" or "on-publish"' }).optional(),
      'When an incoming QoS 2 message is forwarded to subscribers (MQTT 3.1.1 section 4.3.3): "on-pubrel" (method A, as mosquitto; the default) or "on-publish" (method B).',
    ),
    topicAliasMaximum: doc(numberIn(0, 65535, { int: true }).optional(), 'Topic Alias Maximum announced in an MQTT 5 CONNACK (default 10, as mosquitto); 0 refuses aliases.'),
    maxKeepalive: doc(
      numberIn(0, 65535, { int: true }).optional(),
      'Largest keepalive an MQTT 5 client gets, seconds (mosquitto max_keepalive; default 65535): a client asking for 0 (none) or for more is told this Server Keep Alive in CONNACK (section 3.2.2.3.14).',
    ),
    keepaliveSweepS: doc(
      numberIn(0, 65535, { int: true }).optional(),
      'How the broker times keepalive, in whole seconds as mosquitto (default 1): 1 (mosquitto 2.0.21) cuts a silent client off when the second of its last packet plus keepalive x 3 / 2 is over; 6 checks the same only every 6 s (Debian\'s 2.0.11); 0 cuts it off exactly 1.5 x keepalive after its last packet (the specification\'s bound).',
    ),
    access: doc(brokerAccessSchema.optional(), 'Usernames, passwords and topic rules; none by default (everyone may do everything).'),
  },
  { error: 'expected an object of broker options' },
);

// ---- mqtt-client engine options under `mqtt` (runtime/roles/mqtt-client.ts, protocols/mqtt/client-types.ts) ----

export const mqttReconnectSchema = z.looseObject(
  {
    periodMs: doc(
      numberIn(LIMITS.minEveryMs, LIMITS.millis, { limit: 'millis' }).optional(),
      'Milliseconds from a lost connection or a failed attempt to the next attempt, always the same (default 1000: mqtt.js reconnectPeriod, which has no backoff and no jitter).',
    ),
  },
  { error: 'expected an object {periodMs}' },
);

/** Spread into the `mqtt` object of an mqtt-client (./schema.ts mqttOptionsSchema). */
export const mqttClientEngineFields = {
  maxInflight: doc(
    numberIn(1, 65535, { int: true }).optional(),
    "Outgoing QoS 1 and 2 PUBLISHes awaiting acknowledgement (default 65535: no limit of the client's own, as mqtt.js); MQTT 5 also caps it at the broker's Receive Maximum.",
  ),
  maxQueued: doc(nonNegativeInt('count').optional(), 'Messages waiting to be sent, offline or behind the in-flight window (default 1000); the newest is dropped when it is full.'),
  queueQos0Offline: doc(bool().optional(), 'Queue QoS 0 messages while offline, as mqtt.js does (default true); false drops them at once.'),
  pingTimeoutS: doc(numberIn(0.000001, LIMITS.seconds, { limit: 'seconds' }).optional(), 'Seconds to wait for PINGRESP before the connection is declared dead (default half the keepalive, as mqtt.js 5).'),
  nonStandardResendMs: doc(
    numberIn(LIMITS.minEveryMs, LIMITS.millis, { limit: 'millis' }).optional(),
    'NON-STANDARD, off by default: re-send an unacknowledged PUBLISH (DUP=1) or PUBREL after this many milliseconds on a live connection, as some old clients do. MQTT 5 forbids it ([MQTT-4.4.0-1]: only on reconnect); it exists to show the duplicates such clients cause.',
  ),
  reconnect: doc(mqttReconnectSchema.optional(), 'Reconnecting after a lost connection as mqtt.js 5 does: a new attempt every periodMs, however many failed before.'),
  transport: doc(
    z.enum(['tcp', 'websocket'], { error: 'expected "tcp" or "websocket"' }).optional(),
    'How the client reaches the broker: "tcp" (default; port broker.port, Nagle on as mqtt.js) or "websocket" (MQTT over WebSocket as a browser does it: port broker.websocketPort, subprotocol mqtt, masked binary frames, TCP_NODELAY).',
  ),
  websocketClient: doc(
    z.enum(['browser', 'node'], { error: 'expected "browser" or "node"' }).optional(),
    'With transport "websocket", where the mqtt.js client runs, which decides how packets are cut into frames: "browser" (the default: one frame per packet) or "node" (the ws library: one frame per field mqtt-packet writes, so a 100-byte QoS 0 PUBLISH is 5 frames in 5 TCP segments).',
  ),
};

// ---- ws-server and ws-client (runtime/roles/ws-common.ts wsRoleOptions; protocols/websocket) ----

const bitsOf = (who: string) =>
  doc(numberIn(9, 15, { int: true }).optional(), `LZ77 window bits of the ${who}'s compressor, 9-15 (RFC 7692 section 7.1.2; zlib cannot do 8 in raw mode).`);

export const deflateSchema = z.looseObject(
  {
    serverNoContextTakeover: doc(bool().optional(), 'Ask (client) or impose (server) that the server resets its compressor after every message.'),
    clientNoContextTakeover: doc(bool().optional(), 'Ask (client) or impose (server) that the client resets its compressor after every message.'),
    serverMaxWindowBits: bitsOf('server'),
    clientMaxWindowBits: bitsOf('client'),
    threshold: doc(nonNegativeInt('bytes').optional(), "Messages shorter than this many bytes are sent uncompressed (default 1024, ws's threshold)."),
    level: doc(numberIn(0, 9, { int: true }).optional(), 'zlib compression level 0-9 (default 6).'),
  },
  { error: 'expected true, false or an object of permessage-deflate options' },
);

export const wsReconnectSchema = z.looseObject(
  {
    initialDelayS: doc(nonNegative('seconds').optional(), 'First delay, seconds (default 1).'),
    maxDelayS: doc(nonNegative('seconds').optional(), 'Longest delay, seconds (default 30).'),
    factor: doc(numberIn(1, 1000).optional(), 'Growth of the delay per failed attempt (default 2).'),
    jitter: doc(numberIn(0, 1).optional(), 'Fraction of the delay randomised away, 0-1 (default 0.5): delay x (1 - jitter x U[0,1)).'),
    connectTimeoutS: doc(
      numberIn(0.001, LIMITS.seconds, { limit: 'seconds' }).optional(),
      "Abort a connection that is not open this many seconds after it started (TCP connect and handshake) and reconnect (default 4, reconnecting-websocket's connectionTimeout).",
    ),
  },
  { error: 'expected true, false or an object {initialDelayS, maxDelayS, factor, jitter}' },
);

export const wsAppAcksSchema = z.looseObject(
  { timeoutS: doc(numberIn(0.001, LIMITS.seconds, { limit: 'seconds' }).optional(), 'Resend a message not acknowledged after this many seconds (default 10).') },
  { error: 'expected true, false or an object {timeoutS}' },
);

export const wsPushSchema = z.looseObject(
  {
    payloadBytes: nonNegativeInt('payloadBytes'),
    everyMs: numberIn(LIMITS.minEveryMs, LIMITS.millis, { limit: 'millis' }),
    startS: nonNegative('seconds').optional(),
    stopS: nonNegative('seconds').optional(),
  },
  { error: 'expected a push entry {payloadBytes, everyMs, startS?, stopS?}' },
);

/** Engine options both ws roles take (ws-common.ts engineOptions). */
const wsEngineFields = {
  heartbeatS: doc(nonNegative('seconds').optional(), 'Send a ping every this many seconds while open (default 0: no heartbeat), as a Node ws application does.'),
  pongTimeoutS: doc(nonNegative('seconds').optional(), 'Declare the peer dead when no pong came this many seconds after a ping (default 0: the heartbeat interval).'),
  fragmentBytes: doc(nonNegativeInt('payloadBytes').optional(), 'Split outgoing messages into frames of at most this many payload bytes (default 0: never).'),
  deflate: doc(
    boolOr(deflateSchema).optional(),
    'permessage-deflate (RFC 7692): the client offers it, a server that has it on accepts it. true = the defaults; off by default, as in ws.',
  ),
  maxPayload: doc(positiveInt('bytes').optional(), "Largest message (and frame) accepted, bytes (default 104857600 = 100 MiB, ws's maxPayload); a larger one closes the connection with 1009."),
  closeTimeoutS: doc(nonNegative('seconds').optional(), 'Give up on the closing handshake after this many seconds (default 0: 30 s, as ws).'),
};

export const wsServerOptionsSchema = z.looseObject(
  {
    port: doc(portNumber().optional(), 'TCP port the server listens on (default 80); ws-clients connect to it.'),
    ...wsEngineFields,
    rooms: doc(
      boolOr(z.record(z.string(), list(text('a node id'), 'ws-client ids'), { error: 'expected true, false or an object {room: [ws-client ids]}' })).optional(),
      "true: one room of all clients; or {room: [ws-client ids]}. Each client message is fanned out to the other members of the sender's rooms that have connected at least once. Off by default.",
    ),
    echo: doc(bool().optional(), 'Send each client message back to its sender, same size (the classic echo server; default false).'),
    push: doc(
      list(wsPushSchema, 'push entries').optional(),
      'Messages the server pushes to every client that has connected at least once: payloadBytes every everyMs inside [startS, stopS).',
    ),
    serverBuffer: doc(
      nonNegativeInt('count').optional(),
      'Keep the last N messages per client; a client that reconnects with its last sequence number gets what followed replayed (default 0: none; a message for an offline client is then lost).',
    ),
  },
  { error: 'expected an object of ws-server options' },
);

export const wsClientOptionsSchema = z.looseObject(
  {
    ...wsEngineFields,
    reconnect: doc(
      boolOr(wsReconnectSchema).optional(),
      'Reconnect after any close with exponential backoff and jitter, and resume from the last server message received. true = the defaults; off by default.',
    ),
    appAcks: doc(
      boolOr(wsAppAcksSchema).optional(),
      'Application acknowledgements: each message is kept until acknowledged, resent after timeoutS and (with reconnect) after every reconnect. true = the defaults; off by default.',
    ),
    offlineQueue: doc(nonNegativeInt('count').optional(), 'With reconnect: messages kept while disconnected (default 1000); the oldest is dropped beyond (offline-queue-full).'),
    connectAtS: doc(nonNegative('seconds').optional(), 'When the client first connects, seconds from the start of the run (default 0): clients of a farm joining over time.'),
  },
  { error: 'expected an object of ws-client options' },
);

tcpOptionsSchema.register(jsonSchemaMeta, { id: 'TcpOptions' });
aclRuleSchema.register(jsonSchemaMeta, { id: 'AclRule' });
brokerAccessSchema.register(jsonSchemaMeta, { id: 'BrokerAccess' });
brokerOptionsSchema.register(jsonSchemaMeta, { id: 'BrokerOptions' });
mqttReconnectSchema.register(jsonSchemaMeta, { id: 'MqttReconnect' });
deflateSchema.register(jsonSchemaMeta, { id: 'Deflate' });
wsReconnectSchema.register(jsonSchemaMeta, { id: 'WsReconnect' });
wsAppAcksSchema.register(jsonSchemaMeta, { id: 'WsAppAcks' });
wsPushSchema.register(jsonSchemaMeta, { id: 'WsPush' });
wsServerOptionsSchema.register(jsonSchemaMeta, { id: 'WsServerOptions' });
wsClientOptionsSchema.register(jsonSchemaMeta, { id: 'WsClientOptions' });
