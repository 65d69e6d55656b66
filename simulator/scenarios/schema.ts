/**
 * The scenario format `wirelab/scenario@1`: the contract teachers, the site and the CLI rely on.
 *
 * Rules of this file:
 * - Fields may be added freely; renaming or changing the meaning of one needs `wirelab/scenario@2`.
 * - Links and the top level are strict (a typo such as `lossPtc` is an error, not a silent
 *   default). Node objects and role option objects (`mqtt`, `ws`, `broker`, `tcp`,
 *   publish/subscribe/send entries) are loose: the protocol engineers add options there without a
 *   schema version change; the fields named here (and in ./node-options.ts, which holds the
 *   `broker`, `tcp` and `ws` objects and the mqtt-client's engine options) are still validated.
 * - Every error names the field path and what was expected (see `parseScenario`).
 * - Cross-field rules (unique ids, `to` names a node of the right role...) live in `crossCheck`.
 */
import * as z from 'zod';
import {
  bool,
  doc,
  jsonSchemaMeta,
  list,
  mqttString,
  mqttTopic,
  nonNegative,
  nonNegativeInt,
  numberIn,
  positive,
  positiveInt,
  text,
} from './fields.ts';
import { LIMITS } from './limits.ts';
import { printable } from '../core/printable.ts';
import { shapeProblems } from './json-shape.ts';
import {
  brokerOptionsSchema,
  mqttClientEngineFields,
  tcpOptionsSchema,
  wsClientOptionsSchema,
  wsServerOptionsSchema,
} from './node-options.ts';
import { balancerOptionsSchema, failureSchema } from './balancer-options.ts';
import { crossCheck } from './cross-check.ts';

export const SCENARIO_SCHEMA_ID = 'wirelab/scenario@1';

// ---- links ----

export const outageSchema = z.strictObject({
  atS: doc(nonNegative('seconds'), 'Start of the outage, seconds from the start of the run.'),
  forS: doc(positive('seconds'), 'Length of the outage in seconds: 100% loss for that window.'),
});

const probability = () => numberIn(0, 1);

/**
 * Gilbert-Elliott bursty loss (see simulator/net/config.ts): either `meanBurstPackets` (with the
 * mean loss from `lossPct` here or the link's `lossPct`), or the classic p, r, h, k.
 */
export const burstLossSchema = z
  .strictObject({
    meanBurstPackets: numberIn(1, LIMITS.count, { limit: 'count' }).optional(),
    lossPct: numberIn(0, 100).optional(),
    p: doc(probability().optional(), 'P(Good -> Bad) per packet.'),
    r: doc(probability().optional(), 'P(Bad -> Good) per packet.'),
    h: doc(probability().optional(), 'P(delivered | Bad), default 0.'),
    k: doc(probability().optional(), 'P(delivered | Good), default 1.'),
  })
  .superRefine((b, ctx) => {
    const classic = b.p !== undefined || b.r !== undefined;
    if (b.meanBurstPackets === undefined && !classic)
      ctx.addIssue({ code: 'custom', path: ['meanBurstPackets'], message: 'expected meanBurstPackets, or p and r' });
    else if (classic && (b.p === undefined || b.r === undefined))
      ctx.addIssue({ code: 'custom', path: [b.p === undefined ? 'p' : 'r'], message: 'expected both p and r for the classic Gilbert-Elliott model' });
  });

/**
 * One direction (or both) of a node's access link. Every field is optional so a node can
 * override a few. Layering (simulator/net/config.ts, mergeLinkConfig), later wins field by field:
 * built-in defaults < `defaults.link` < the node's `link` < its `up` (node -> network) or `down`.
 */
export const linkSchema = z.strictObject({
  latencyMs: doc(nonNegative('millis').optional(), 'One-way propagation delay in milliseconds.'),
  jitterMs: doc(nonNegative('millis').optional(), 'Extra delay, uniform in [0, jitterMs] per packet; packets may then be reordered.'),
  lossPct: doc(numberIn(0, 100).optional(), 'Random loss in percent; with `burstLoss` given by meanBurstPackets, the mean loss of the bursty process.'),
  bandwidthKbps: doc(
    // 0, or at least 1 bit/s: a smaller rate makes serialization times no clock can hold.
    z.union([numberIn(0.001, LIMITS.bandwidthKbps, { limit: 'bandwidthKbps' }), z.literal(0)]).optional(),
    'Rate in kilobits per second (1 kbit = 1000 bits): serialization delay per packet; 0 means none.',
  ),
  burstLoss: burstLossSchema.optional(),
  outages: doc(list(outageSchema, 'outages').optional(), 'Windows of 100% loss.'),
  queuePackets: doc(nonNegativeInt('count').optional(), 'Packets that may wait behind the one in transmission before tail drop (default 1000).'),
  queueBytes: doc(nonNegativeInt('bytes').optional(), 'Bytes that may wait behind the one in transmission before tail drop (no limit by default).'),
  mtuBytes: doc(numberIn(68, 65535, { int: true }).optional(), 'Largest IP packet the link carries, in bytes (default 1500; at most 65535, the IPv4 total length).'),
  idleTimeoutS: doc(positive('seconds').optional(), 'A NAT or proxy on this link forgets a connection idle for this many seconds.'),
  dropList: doc(list(nonNegativeInt('count'), 'packet indexes', 'dropListEntries').optional(), 'List error model (ns-3\'s ListErrorModel): drop exactly these packets, 0-based indexes of packets offered to this direction.'),
});

// ---- role-specific parts ----

const qos = () => z.literal([0, 1, 2], { error: 'expected QoS 0, 1 or 2' });

/** A send schedule: `payloadBytes` every `everyMs`, inside the optional window [startS, stopS). */
const scheduleFields = {
  payloadBytes: nonNegativeInt('payloadBytes'),
  everyMs: numberIn(LIMITS.minEveryMs, LIMITS.millis, { limit: 'millis' }),
  startS: nonNegative('seconds').optional(),
  stopS: nonNegative('seconds').optional(),
};

export const publishSchema = z.looseObject({
  topic: mqttTopic('name'),
  qos: qos(),
  ...scheduleFields,
  retain: bool().optional(),
});

export const subscribeSchema = z.looseObject({
  topic: mqttTopic('filter'),
  qos: qos(),
});

export const mqttOptionsSchema = z.looseObject({
  version: z.enum(['3.1.1', '5'], { error: 'expected "3.1.1" or "5"' }).optional(),
  cleanSession: doc(bool().optional(), '3.1.1 clean session; MQTT 5 clean start.'),
  keepaliveS: numberIn(0, 65535, { int: true }).optional(),
  clientId: mqttString('a client id', { empty: true }).optional(),
  sessionExpiryS: doc(numberIn(0, 0xffff_ffff, { int: true }).optional(), 'MQTT 5 Session Expiry Interval, seconds (a four-byte integer).'),
  username: mqttString('a username', { empty: true }).optional(),
  password: z.string({ error: 'expected a string' }).max(LIMITS.mqttStringBytes, { error: `expected a password of at most ${LIMITS.mqttStringBytes} characters [limit mqttStringBytes]` }).optional(),
  will: z
    .looseObject({
      topic: mqttTopic('name'),
      payloadBytes: doc(nonNegativeInt('willPayloadBytes').optional(), 'Bytes of the will message (a two-byte length in MQTT).'),
      qos: qos().optional(),
      retain: bool().optional(),
      delayS: doc(numberIn(0, 0xffff_ffff, { int: true }).optional(), 'MQTT 5 Will Delay Interval, seconds (a four-byte integer).'),
    })
    .optional(),
  connectAtS: doc(nonNegative('seconds').optional(), 'When the client first connects, seconds from the start of the run (default 0): a late joiner.'),
  offline: doc(
    list(
      z.strictObject({
        atS: doc(nonNegative('seconds'), 'When the application disconnects, seconds from the start of the run.'),
        forS: doc(positive('seconds'), 'How long it stays offline before it connects again, seconds.'),
      }),
      'offline windows',
    ).optional(),
    'Windows in which the application goes offline cleanly: at atS it sends DISCONNECT (so no will) and closes; forS seconds later it connects again. For a device that loses its network instead, give its link outages.',
  ),
  ...mqttClientEngineFields,
});

export const wsSendSchema = z.looseObject({
  ...scheduleFields,
  to: doc(text('a node id').optional(), 'The ws-server node to send to; default the only one.'),
});

const nodeId = () =>
  z
    .string({ error: 'expected a node id (letters, digits, ".", "_" or "-")' })
    .max(LIMITS.idChars, { error: `expected a node id of at most ${LIMITS.idChars} characters [limit idChars]` })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected a node id (letters, digits, ".", "_" or "-")' });

const linkFields = {
  link: doc(linkSchema.optional(), 'The node\'s access link, both directions.'),
  up: doc(linkSchema.optional(), 'Overrides for the node -> network direction.'),
  down: doc(linkSchema.optional(), 'Overrides for the network -> node direction.'),
  failure: doc(failureSchema.optional(), 'The node fails at atS and stays down: "crash" (its process dies, the kernel closes its sockets) or "power" (silence).'),
};

export const mqttBrokerSchema = z.looseObject({
  id: nodeId(),
  role: z.literal('mqtt-broker'),
  ...linkFields,
  broker: doc(brokerOptionsSchema.optional(), 'Options of the broker engine and its listeners (mosquitto\'s defaults).'),
  tcp: doc(tcpOptionsSchema.optional(), 'TCP options of both listeners, over Linux\'s defaults (Nagle on, as mosquitto leaves it).'),
  websocketTcp: doc(tcpOptionsSchema.optional(), 'TCP options of the WebSocket listener only, over `tcp`.'),
});

export const mqttClientSchema = z.looseObject({
  id: nodeId(),
  role: z.literal('mqtt-client'),
  ...linkFields,
  mqtt: mqttOptionsSchema.optional(),
  broker: doc(text('a node id').optional(), 'The mqtt-broker node to connect to; default the first one.'),
  publish: list(publishSchema, 'publish entries').optional(),
  subscribe: list(subscribeSchema, 'subscribe entries').optional(),
  tcp: doc(tcpOptionsSchema.optional(), 'TCP options over Linux\'s defaults (Nagle on, as mqtt.js leaves it).'),
});

export const wsServerSchema = z.looseObject({
  id: nodeId(),
  role: z.literal('ws-server'),
  ...linkFields,
  ws: doc(wsServerOptionsSchema.optional(), 'WebSocket server options: port, heartbeat, compression, and the patterns applications build (rooms, push, replay buffer). All off by default.'),
  tcp: doc(tcpOptionsSchema.optional(), "TCP options over the ws library's (Nagle off: it sets TCP_NODELAY) and Linux's defaults."),
});

export const wsClientSchema = z.looseObject({
  id: nodeId(),
  role: z.literal('ws-client'),
  ...linkFields,
  send: list(wsSendSchema, 'send entries').optional(),
  ws: doc(wsClientOptionsSchema.optional(), 'WebSocket client options: heartbeat, compression, reconnect with resume, application acks. All off by default.'),
  tcp: doc(tcpOptionsSchema.optional(), "TCP options over the ws library's (Nagle off: it sets TCP_NODELAY) and Linux's defaults."),
});

export const tcpSenderSchema = z.looseObject({
  id: nodeId(),
  role: z.literal('tcp-sender'),
  ...linkFields,
  to: doc(text('a node id'), 'The tcp-sink node that receives the bulk transfer.'),
  bytes: doc(positiveInt('bulkBytes'), 'Bytes to transfer (held in memory until acknowledged, so at most 256 MiB).'),
  port: doc(numberIn(1, 65535, { int: true }).optional(), 'The sink\'s port (default 5001, iperf\'s).'),
  startS: doc(nonNegative('seconds').optional(), 'Start of the transfer, seconds from the start of the run (default 0).'),
  tcp: doc(tcpOptionsSchema.optional(), 'TCP options over Linux\'s defaults (Nagle and delayed ACKs on).'),
});

export const balancerSchema = z.looseObject({
  id: nodeId(),
  role: z.literal('balancer'),
  ...linkFields,
  lb: balancerOptionsSchema,
});

export const tcpSinkSchema = z.looseObject({
  id: nodeId(),
  role: z.literal('tcp-sink'),
  ...linkFields,
  port: numberIn(1, 65535, { int: true }).optional(),
  tcp: doc(tcpOptionsSchema.optional(), 'TCP options over Linux\'s defaults (Nagle and delayed ACKs on).'),
});

// Names for the JSON Schema's $defs (docs/scenario.schema.json).
outageSchema.register(jsonSchemaMeta, { id: 'Outage' });
burstLossSchema.register(jsonSchemaMeta, { id: 'BurstLoss' });
linkSchema.register(jsonSchemaMeta, { id: 'Link' });
publishSchema.register(jsonSchemaMeta, { id: 'Publish' });
subscribeSchema.register(jsonSchemaMeta, { id: 'Subscribe' });
mqttOptionsSchema.register(jsonSchemaMeta, { id: 'MqttOptions' });
wsSendSchema.register(jsonSchemaMeta, { id: 'WsSend' });
mqttBrokerSchema.register(jsonSchemaMeta, { id: 'MqttBrokerNode' });
mqttClientSchema.register(jsonSchemaMeta, { id: 'MqttClientNode' });
wsServerSchema.register(jsonSchemaMeta, { id: 'WsServerNode' });
wsClientSchema.register(jsonSchemaMeta, { id: 'WsClientNode' });
tcpSenderSchema.register(jsonSchemaMeta, { id: 'TcpSenderNode' });
tcpSinkSchema.register(jsonSchemaMeta, { id: 'TcpSinkNode' });
balancerSchema.register(jsonSchemaMeta, { id: 'BalancerNode' });

export const ROLES = ['mqtt-broker', 'mqtt-client', 'ws-server', 'ws-client', 'tcp-sender', 'tcp-sink', 'balancer'] as const;
export type RoleName = (typeof ROLES)[number];

export const nodeSchema = z.discriminatedUnion(
  'role',
  [mqttBrokerSchema, mqttClientSchema, wsServerSchema, wsClientSchema, tcpSenderSchema, tcpSinkSchema, balancerSchema],
  {
    error: (issue) =>
      (issue.code as string) === 'invalid_type' ? 'expected a node: an object with "id" and "role"' : `expected a role: one of ${ROLES.join(', ')}`,
  },
);

export const scenarioObjectSchema = z.strictObject(
  {
  schema: z.literal(SCENARIO_SCHEMA_ID, { error: `expected "${SCENARIO_SCHEMA_ID}"` }),
  title: doc(text('a string', { empty: true }).optional(), 'Optional title and description, shown by the site.'),
  description: text('a string', { empty: true }).optional(),
  seed: doc(nonNegativeInt('seed'), 'Run seed: same scenario + seed gives byte-identical results.'),
  durationS: doc(positive('durationS'), 'Simulated time, seconds (at most one day).'),
  defaults: z
    .strictObject({ link: linkSchema.optional() })
    .optional(),
  nodes: list(nodeSchema, 'nodes', 'nodes').min(1, { error: 'expected at least one node' }),
  },
  { error: 'expected a scenario: a JSON object' },
);

export const scenarioSchema = scenarioObjectSchema.superRefine((scenario, ctx) => {
  for (const problem of crossCheck(scenario)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
});

export type Scenario = z.infer<typeof scenarioObjectSchema>;
export type ScenarioNode = Scenario['nodes'][number];
export type LinkSpec = z.infer<typeof linkSchema>;
export type Outage = z.infer<typeof outageSchema>;
export type PublishSpec = z.infer<typeof publishSchema>;
export type SubscribeSpec = z.infer<typeof subscribeSchema>;
export type WsSendSpec = z.infer<typeof wsSendSchema>;
export type NodeOfRole<R extends RoleName> = Extract<ScenarioNode, { role: R }>;

export { DEFAULT_MQTT_PORT, DEFAULT_MQTT_WS_PORT, DEFAULT_TCP_PORT } from './ports.ts';

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

/**
 * Validates `json` (already parsed from text). Each error is one line: the field path, what was
 * expected and what was found, e.g. `nodes[1].link.lossPct: expected a number from 0 to 100, got "five"`.
 */
export function parseScenario(json: unknown): ParseResult {
  const shape = shapeProblems(json);
  if (shape.length > 0) return { ok: false, errors: shape.map((p) => `${formatPath(p.path)}: ${p.message}`) };
  const result = scenarioSchema.safeParse(json, { reportInput: true });
  if (result.success) return { ok: true, scenario: result.data };
  return { ok: false, errors: formatIssues(result.error.issues, json) };
}

/** `['nodes', 1, 'link']` -> `nodes[1].link`; control characters in a field name are escaped (../core/printable.ts). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? printable(String(key)) : `.${printable(String(key))}`;
  }
  return out === '' ? '(scenario)' : out;
}

function formatIssues(issues: readonly z.core.$ZodIssue[], root: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown field (check the spelling)`);
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.errors.every((e) => e.length > 0)) {
      // Report the branch that got furthest rather than "invalid input".
      const best = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
      lines.push(...formatIssues(best.map((e) => ({ ...e, path: [...issue.path, ...e.path] })), root));
      continue;
    }
    let message = issue.message;
    let input: unknown = issue.input;
    if (issue.code === 'invalid_union' && (issue as { note?: string }).note === 'No matching discriminator') {
      // zod reports the whole object; the reader wants the value of the discriminator.
      const key = (issue as { discriminator?: string }).discriminator ?? issue.path[issue.path.length - 1];
      const node = input !== null && typeof input === 'object' && key !== undefined ? (input as Record<PropertyKey, unknown>) : undefined;
      if (!node) {
        lines.push(`${path}: expected a node: an object with "id" and "role", got ${describe(input)}`);
        continue;
      }
      if (!(key! in node)) {
        lines.push(`${path}: missing (${message})`);
        continue;
      }
      input = node[key!];
    }
    if (issue.code !== 'custom' && input === undefined && !hasPath(root, issue.path)) message = `missing (${message})`;
    else if (issue.code !== 'custom') message += `, got ${describe(input)}`;
    lines.push(`${path}: ${message}`);
  }
  return lines;
}

function hasPath(root: unknown, path: readonly PropertyKey[]): boolean {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !(key in (cur as object))) return false;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return true;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  const s = printable(JSON.stringify(value));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * The scenario format as JSON Schema (draft 2020-12), published as docs/scenario.schema.json
 * (`wirelab schema` prints it; a test checks the committed file is current). Cross-field rules
 * (unique ids, references) cannot be said in JSON Schema; `parseScenario` checks them.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioObjectSchema, { io: 'input', target: 'draft-2020-12', metadata: jsonSchemaMeta }) as Record<string, unknown>;
  return {
    $schema: schema['$schema'],
    $id: 'https://wirelab.dev/scenario.schema.json',
    title: SCENARIO_SCHEMA_ID,
    description: 'A Wirelab scenario: nodes, their roles and access links, run length and seed.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}
