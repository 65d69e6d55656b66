/**
 * The role option objects of a node (simulator/scenarios/node-options.ts): checked with the
 * field's path, documented in the JSON Schema, and their documented defaults are the code's.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, scenarioJsonSchema } from '../../simulator/scenarios/schema.ts';
import * as schemaModule from '../../simulator/scenarios/schema.ts';
import { DEFAULT_BROKER_OPTIONS } from '../../simulator/protocols/mqtt/broker-api.ts';
import { DEFAULT_CLIENT_OPTIONS } from '../../simulator/protocols/mqtt/client-types.ts';
import { defaultTcpOptions } from '../../simulator/protocols/tcp/defaults.ts';
import { DEFAULT_MAX_PAYLOAD } from '../../simulator/protocols/websocket/parser.ts';
import { DEFAULT_DEFLATE_THRESHOLD } from '../../simulator/protocols/websocket/deflate.ts';
import { DEFAULT_MQTT_PORT, DEFAULT_MQTT_WS_PORT } from '../../simulator/runtime/roles/mqtt-broker.ts';
import { DEFAULT_RECONNECT_PERIOD_MS } from '../../simulator/runtime/roles/mqtt-client.ts';
import { DEFAULT_WS_PORT, wsRoleOptions } from '../../simulator/runtime/roles/ws-common.ts';

const scenario = (nodes: unknown[]) => ({ schema: 'wirelab/scenario@1', seed: 1, durationS: 10, nodes });

function errorsOf(json: unknown): string[] {
  const result = parseScenario(json);
  if (result.ok) throw new Error('expected the scenario to be rejected');
  return result.errors;
}

describe('role options: accepted as the roles read them', () => {
  it('keeps every documented option, and options it does not know, as given', () => {
    const nodes = [
      {
        id: 'b', role: 'mqtt-broker',
        broker: {
          port: 1884, websocketPort: 0, maxInflightMessages: 2, maxQueuedMessages: 0, queueQos0Offline: true, qos2Forwarding: 'on-publish',
          topicAliasMaximum: 0, maxKeepalive: 30,
          access: { users: { alice: 'secret' }, allowAnonymous: false, rules: [{ username: 'alice', publish: ['a/#'], subscribe: ['#'] }] },
          futureOption: 1,
        },
        tcp: { nagle: false, tlsRecordOverhead: 22, rtoMin: 1000 },
        websocketTcp: { delayedAck: false },
      },
      {
        id: 'c', role: 'mqtt-client', tcp: { mss: 536 },
        mqtt: { maxInflight: 10, maxQueued: 0, queueQos0Offline: false, pingTimeoutS: 2.5, nonStandardResendMs: 500, reconnect: { periodMs: 100 } },
      },
      { id: 's', role: 'ws-server', ws: { port: 8080, rooms: { r: ['w'] }, push: [{ payloadBytes: 10, everyMs: 50, startS: 1, stopS: 2 }], serverBuffer: 5, deflate: true } },
      { id: 'w', role: 'ws-client', ws: { heartbeatS: 5, pongTimeoutS: 0, reconnect: true, appAcks: { timeoutS: 2 }, offlineQueue: 3, deflate: { level: 9, threshold: 0, serverMaxWindowBits: 9 } } },
      { id: 'snd', role: 'tcp-sender', to: 'snk', bytes: 10, tcp: { maxRetries: 0, initialCwnd: 1, tailLossProbe: false } },
      { id: 'snk', role: 'tcp-sink', tcp: { delayedAck: false } },
    ];
    const result = parseScenario(scenario(nodes));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.scenario.nodes).toEqual(nodes);
  });
});

describe('role options: a wrong type or range names the path', () => {
  it('mqtt-broker: broker, access rules, tcp and websocketTcp', () => {
    const nodes = [
      {
        id: 'b', role: 'mqtt-broker',
        broker: {
          port: 0, maxInflightMessages: -1, maxQueuedMessages: -1, queueQos0Offline: 'no', qos2Forwarding: 'later', topicAliasMaximum: 70000,
          access: { users: { alice: 7 }, allowAnonymous: 1, rules: [{ publish: ['a'] }, { clientId: 'x', subscribe: 'a/#' }] },
        },
        tcp: { mss: 0, rtoMin: 0.5 },
        websocketTcp: 'fast',
      },
    ];
    expect(errorsOf(scenario(nodes))).toEqual([
      'nodes[0].broker.port: expected an integer from 1 to 65535, got 0',
      'nodes[0].broker.maxInflightMessages: expected an integer from 0 to 65535, got -1',
      'nodes[0].broker.maxQueuedMessages: expected an integer from 0 to 1000000 [limit count], got -1',
      'nodes[0].broker.queueQos0Offline: expected true or false, got "no"',
      'nodes[0].broker.qos2Forwarding: expected "on-pubrel" or "on-publish", got "later"',
      'nodes[0].broker.topicAliasMaximum: expected an integer from 0 to 65535, got 70000',
      'nodes[0].broker.access.users.alice: expected a password (a string), got 7',
      'nodes[0].broker.access.allowAnonymous: expected true or false, got 1',
      'nodes[0].broker.access.rules[0]: expected clientId or username: a rule with neither applies to no client',
      'nodes[0].broker.access.rules[1].subscribe: expected a list of topic filters, got "a/#"',
      'nodes[0].tcp.mss: expected an integer from 1 to 65495, got 0',
      'nodes[0].tcp.rtoMin: expected an integer from 1 to 86400000000 [limit micros], got 0.5',
      'nodes[0].websocketTcp: expected an object of TCP options, got "fast"',
    ]);
  });

  it('mqtt-broker: the WebSocket listener cannot share the MQTT port', () => {
    expect(errorsOf(scenario([{ id: 'b', role: 'mqtt-broker', broker: { port: 8080 } }]))).toEqual([
      "nodes[0].broker.websocketPort: expected a port other than the MQTT listener's (8080), or 0 to turn the WebSocket listener off, got 8080",
    ]);
    expect(errorsOf(scenario([{ id: 'b', role: 'mqtt-broker', broker: { websocketPort: 1883 } }]))).toEqual([
      "nodes[0].broker.websocketPort: expected a port other than the MQTT listener's (1883), or 0 to turn the WebSocket listener off, got 1883",
    ]);
    expect(parseScenario(scenario([{ id: 'b', role: 'mqtt-broker', broker: { port: 8080, websocketPort: 0 } }])).ok).toBe(true);
  });

  it('mqtt-client: the engine options under mqtt, and tcp', () => {
    const nodes = [
      { id: 'b', role: 'mqtt-broker' },
      {
        id: 'c', role: 'mqtt-client',
        mqtt: { maxInflight: 65536, maxQueued: 1.5, queueQos0Offline: null, pingTimeoutS: 0, nonStandardResendMs: -100, reconnect: { periodMs: 0 } },
        tcp: { nagle: 'off', tcpOptionBytes: 44, tlsRecordOverhead: 1448 },
      },
    ];
    expect(errorsOf(scenario(nodes))).toEqual([
      'nodes[1].mqtt.maxInflight: expected an integer from 1 to 65535, got 65536',
      'nodes[1].mqtt.maxQueued: expected an integer from 0 to 1000000 [limit count], got 1.5',
      'nodes[1].mqtt.queueQos0Offline: expected true or false, got null',
      'nodes[1].mqtt.pingTimeoutS: expected a number from 0.000001 to 86400 [limit seconds], got 0',
      'nodes[1].mqtt.nonStandardResendMs: expected a number from 0.001 to 86400000 [limit millis], got -100',
      'nodes[1].mqtt.reconnect.periodMs: expected a number from 0.001 to 86400000 [limit millis], got 0',
      'nodes[1].tcp.nagle: expected true or false, got "off"',
      'nodes[1].tcp.tcpOptionBytes: expected an integer from 0 to 40, got 44',
    ]);
  });

  it('tcp: the TLS record overhead must leave room in a segment', () => {
    const nodes = [
      { id: 'a', role: 'tcp-sender', to: 'b', bytes: 10, tcp: { tlsRecordOverhead: 1448 } },
      { id: 'b', role: 'tcp-sink', tcp: { mss: 500, tlsRecordOverhead: 600 } },
    ];
    expect(errorsOf(scenario(nodes))).toEqual([
      'nodes[0].tcp.tlsRecordOverhead: expected fewer bytes than the MSS (1448), got 1448',
      'nodes[1].tcp.tlsRecordOverhead: expected fewer bytes than the MSS (500), got 600',
    ]);
  });

  it('ws-server and ws-client: ws options, rooms and push checked against the scenario, tcp as on other roles', () => {
    const nodes = [
      {
        id: 's', role: 'ws-server',
        ws: { port: 70000, rooms: { lobby: ['w', 'nobody', 's'] }, push: [{ payloadBytes: 10, everyMs: 100, startS: 5, stopS: 1 }, { payloadBytes: -1, everyMs: 0 }], serverBuffer: 'all' },
        tcp: { nagle: 'yes' },
      },
      {
        id: 'w', role: 'ws-client',
        ws: { heartbeatS: -1, maxPayload: 0, deflate: { serverMaxWindowBits: 8, level: 10 }, reconnect: { factor: 0.5, jitter: 2 }, appAcks: 'yes', offlineQueue: -5 },
      },
    ];
    expect(errorsOf(scenario(nodes))).toEqual([
      'nodes[0].ws.port: expected an integer from 1 to 65535, got 70000',
      'nodes[0].ws.push[1].payloadBytes: expected an integer from 0 to 16777216 [limit payloadBytes], got -1',
      'nodes[0].ws.push[1].everyMs: expected a number from 0.001 to 86400000 [limit millis], got 0',
      'nodes[0].ws.serverBuffer: expected an integer from 0 to 1000000 [limit count], got "all"',
      'nodes[0].tcp.nagle: expected true or false, got "yes"',
      'nodes[1].ws.heartbeatS: expected a number from 0 to 86400 [limit seconds], got -1',
      'nodes[1].ws.deflate.serverMaxWindowBits: expected an integer from 9 to 15, got 8',
      'nodes[1].ws.deflate.level: expected an integer from 0 to 9, got 10',
      'nodes[1].ws.maxPayload: expected an integer from 1 to 1073741824 [limit bytes], got 0',
      'nodes[1].ws.reconnect.factor: expected a number from 1 to 1000, got 0.5',
      'nodes[1].ws.reconnect.jitter: expected a number from 0 to 1, got 2',
      'nodes[1].ws.appAcks: expected true, false or an object {timeoutS}, got "yes"',
      'nodes[1].ws.offlineQueue: expected an integer from 0 to 1000000 [limit count], got -5',
    ]);
    // Once the types are right, the rules that need the whole scenario.
    const fixed = structuredClone(nodes) as any[];
    fixed[0].ws = { rooms: { lobby: ['w', 'nobody', 's'] }, push: [{ payloadBytes: 10, everyMs: 100, startS: 5, stopS: 1 }] };
    delete fixed[0].tcp;
    fixed[1].ws = {};
    expect(errorsOf(scenario(fixed))).toEqual([
      'nodes[0].ws.push[0].stopS: expected stopS to be at least startS (5), got 1',
      'nodes[0].ws.rooms.lobby[1]: expected the id of a ws-client node, got "nobody" (no node has that id)',
      'nodes[0].ws.rooms.lobby[2]: expected the id of a ws-client node, got "s" (a ws-server)',
    ]);
  });

  it('says what true/false-or-object options take', () => {
    const nodes = [
      { id: 's', role: 'ws-server', ws: { rooms: 5, deflate: 'on' } },
      { id: 'w', role: 'ws-client', ws: { reconnect: 1 } },
    ];
    expect(errorsOf(scenario(nodes))).toEqual([
      'nodes[0].ws.deflate: expected true, false or an object of permessage-deflate options, got "on"',
      'nodes[0].ws.rooms: expected true, false or an object {room: [ws-client ids]}, got 5',
      'nodes[1].ws.reconnect: expected true, false or an object {initialDelayS, maxDelayS, factor, jitter}, got 1',
    ]);
  });
});

// ---- the JSON Schema documents them ----

type JsonObject = Record<string, any>;
const defs = (scenarioJsonSchema() as JsonObject)['$defs'] as Record<string, JsonObject>;

/** The newly documented options: $defs name -> its fields. */
const DOCUMENTED: Record<string, string[]> = {
  MqttBrokerNode: ['broker', 'tcp', 'websocketTcp'],
  BrokerOptions: ['port', 'websocketPort', 'maxInflightMessages', 'maxQueuedMessages', 'queueQos0Offline', 'qos2Forwarding', 'topicAliasMaximum', 'maxKeepalive', 'keepaliveSweepS', 'access'],
  BrokerAccess: ['users', 'allowAnonymous', 'rules'],
  AclRule: ['clientId', 'username', 'publish', 'subscribe'],
  MqttClientNode: ['tcp'],
  MqttOptions: ['maxInflight', 'maxQueued', 'queueQos0Offline', 'pingTimeoutS', 'nonStandardResendMs', 'reconnect'],
  MqttReconnect: ['periodMs'],
  TcpOptions: [
    'mss', 'nagle', 'delayedAck', 'tcpOptionBytes', 'synOptionBytes', 'tlsRecordOverhead', 'maxRetries', 'maxSynRetries', 'maxSynAckRetries',
    'rtoMin', 'rtoInitial', 'rtoMax', 'rtoFallback', 'initialCwnd', 'receiveWindow', 'delayedAckTimeout', 'quickAckSegments', 'timeWait', 'tailLossProbe',
    'timestamps', 'sack', 'dsack',
  ],
  WsServerNode: ['ws', 'tcp'],
  WsClientNode: ['ws', 'tcp'],
  WsServerOptions: ['port', 'heartbeatS', 'pongTimeoutS', 'fragmentBytes', 'deflate', 'maxPayload', 'closeTimeoutS', 'rooms', 'push', 'serverBuffer'],
  WsClientOptions: ['heartbeatS', 'pongTimeoutS', 'fragmentBytes', 'deflate', 'maxPayload', 'closeTimeoutS', 'reconnect', 'appAcks', 'offlineQueue'],
  Deflate: ['serverNoContextTakeover', 'clientNoContextTakeover', 'serverMaxWindowBits', 'clientMaxWindowBits', 'threshold', 'level'],
  WsReconnect: ['initialDelayS', 'maxDelayS', 'factor', 'jitter', 'connectTimeoutS'],
  WsAppAcks: ['timeoutS'],
  TcpSenderNode: ['tcp'],
  TcpSinkNode: ['tcp'],
};

function description(def: string, field: string): string {
  const prop = defs[def]?.properties?.[field] as JsonObject | undefined;
  if (prop === undefined) throw new Error(`${def}.${field} is not in the JSON Schema`);
  return String(prop.description ?? '');
}

describe('role options in the JSON Schema (wirelab schema)', () => {
  it('documents every newly checked option with a description', () => {
    const undocumented: string[] = [];
    for (const [def, fields] of Object.entries(DOCUMENTED))
      for (const field of fields) if (description(def, field).length < 20) undocumented.push(`${def}.${field}`);
    expect(undocumented).toEqual([]);
    expect(description('MqttOptions', 'nonStandardResendMs')).toMatch(/^NON-STANDARD, off by default/);
    expect(description('TcpOptions', 'rtoMin')).toMatch(/MICROSECONDS/);
  });

  it('gives ranges and choices as JSON Schema keywords', () => {
    expect(defs.BrokerOptions!.properties.maxInflightMessages).toMatchObject({ type: 'integer', minimum: 0, maximum: 65535 });
    expect(defs.BrokerOptions!.properties.qos2Forwarding).toMatchObject({ enum: ['on-pubrel', 'on-publish'] });
    expect(defs.Deflate!.properties.level).toMatchObject({ type: 'integer', minimum: 0, maximum: 9 });
    expect(defs.WsClientOptions!.properties.reconnect.anyOf).toEqual([{ $ref: '#/$defs/WsReconnect' }, { type: 'boolean' }]);
    expect(defs.WsServerNode!.properties.tcp).toMatchObject({ $ref: '#/$defs/TcpOptions' });
  });
});

describe('documented defaults are the ones the code uses', () => {
  const tcp = defaultTcpOptions();
  const ws = wsRoleOptions({ reconnect: true, appAcks: true });
  const cases: [def: string, field: string, value: number | boolean][] = [
    ['BrokerOptions', 'port', DEFAULT_MQTT_PORT],
    ['BrokerOptions', 'websocketPort', DEFAULT_MQTT_WS_PORT],
    ['BrokerOptions', 'maxInflightMessages', DEFAULT_BROKER_OPTIONS.maxInflightMessages],
    ['BrokerOptions', 'maxQueuedMessages', DEFAULT_BROKER_OPTIONS.maxQueuedMessages],
    ['BrokerOptions', 'queueQos0Offline', DEFAULT_BROKER_OPTIONS.queueQos0Offline],
    ['BrokerOptions', 'topicAliasMaximum', DEFAULT_BROKER_OPTIONS.topicAliasMaximum],
    ['BrokerOptions', 'maxKeepalive', DEFAULT_BROKER_OPTIONS.maxKeepalive],
    ['BrokerOptions', 'keepaliveSweepS', DEFAULT_BROKER_OPTIONS.keepaliveSweepS],
    ['MqttOptions', 'maxInflight', DEFAULT_CLIENT_OPTIONS.maxInflight],
    ['MqttOptions', 'maxQueued', DEFAULT_CLIENT_OPTIONS.maxQueued],
    ['MqttOptions', 'queueQos0Offline', DEFAULT_CLIENT_OPTIONS.queueQos0Offline],
    ['MqttReconnect', 'periodMs', DEFAULT_RECONNECT_PERIOD_MS],
    ['TcpOptions', 'mss', tcp.mss],
    ['TcpOptions', 'delayedAck', tcp.delayedAck],
    ['TcpOptions', 'tcpOptionBytes', tcp.tcpOptionBytes],
    ['TcpOptions', 'synOptionBytes', tcp.synOptionBytes],
    ['TcpOptions', 'tlsRecordOverhead', tcp.tlsRecordOverhead],
    ['TcpOptions', 'maxRetries', tcp.maxRetries],
    ['TcpOptions', 'maxSynRetries', tcp.maxSynRetries],
    ['TcpOptions', 'maxSynAckRetries', tcp.maxSynAckRetries],
    ['TcpOptions', 'rtoMin', tcp.rtoMin],
    ['TcpOptions', 'rtoInitial', tcp.rtoInitial],
    ['TcpOptions', 'rtoMax', tcp.rtoMax],
    ['TcpOptions', 'rtoFallback', tcp.rtoFallback],
    ['TcpOptions', 'initialCwnd', tcp.initialCwnd],
    ['TcpOptions', 'receiveWindow', tcp.receiveWindow],
    ['TcpOptions', 'delayedAckTimeout', tcp.delayedAckTimeout],
    ['TcpOptions', 'quickAckSegments', tcp.quickAckSegments],
    ['TcpOptions', 'timeWait', tcp.timeWait],
    ['TcpOptions', 'tailLossProbe', tcp.tailLossProbe],
    ['TcpOptions', 'timestamps', tcp.timestamps],
    ['TcpOptions', 'sack', tcp.sack],
    ['TcpOptions', 'dsack', tcp.dsack],
    ['WsServerOptions', 'port', DEFAULT_WS_PORT],
    ['WsServerOptions', 'serverBuffer', wsRoleOptions({}).serverBuffer],
    ['WsServerOptions', 'maxPayload', DEFAULT_MAX_PAYLOAD],
    ['WsClientOptions', 'offlineQueue', wsRoleOptions({}).offlineQueue],
    ['Deflate', 'threshold', DEFAULT_DEFLATE_THRESHOLD],
    ['WsReconnect', 'initialDelayS', ws.reconnect!.initialDelayS],
    ['WsReconnect', 'maxDelayS', ws.reconnect!.maxDelayS],
    ['WsReconnect', 'factor', ws.reconnect!.factor],
    ['WsReconnect', 'jitter', ws.reconnect!.jitter],
    ['WsReconnect', 'connectTimeoutS', ws.reconnect!.connectTimeoutS],
    ['WsAppAcks', 'timeoutS', ws.appAcks!.timeoutS],
  ];
  it.each(cases)('%s.%s: default %s', (def, field, value) => {
    expect(description(def, field)).toMatch(new RegExp(`\\bdefault ${String(value)}\\b`));
  });

  it('qos2Forwarding defaults to mosquitto\'s on-pubrel, and the schema\'s default ports are the broker role\'s', () => {
    expect(DEFAULT_BROKER_OPTIONS.qos2Forwarding).toBe('on-pubrel');
    expect(description('BrokerOptions', 'qos2Forwarding')).toContain('"on-pubrel" (method A, as mosquitto; the default)');
    expect([schemaModule.DEFAULT_MQTT_PORT, schemaModule.DEFAULT_MQTT_WS_PORT]).toEqual([DEFAULT_MQTT_PORT, DEFAULT_MQTT_WS_PORT]);
  });
});
