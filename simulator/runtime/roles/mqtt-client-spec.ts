/**
 * What an mqtt-client node's scenario entry asks for, read once when its role is made
 * (./mqtt-client.ts): its broker and port, its topics checked, and its engine's options.
 */
import type { NodeOfRole } from '../../scenarios/schema.ts';
import type { MqttClientOptions } from '../../protocols/mqtt/client.ts';
import { topicFilterError, topicNameError } from '../../protocols/mqtt/topics.ts';
import type { RoleContext } from '../api.ts';
import { DEFAULT_MQTT_PORT, DEFAULT_MQTT_WS_PORT } from './mqtt-broker.ts';
import type { MqttTransport } from './mqtt-transport.ts';

/** An mqtt-client node as the scenario schema infers it (already validated). */
export type MqttClientNode = NodeOfRole<'mqtt-client'>;
type MqttBrokerNode = NodeOfRole<'mqtt-broker'>;
export type PublishEntrySpec = NonNullable<MqttClientNode['publish']>[number];

/** The broker node the client connects to, how, and on which port; a clear error when there is none. */
export function clientBroker(ctx: RoleContext<MqttClientNode>): { broker: string; transport: MqttTransport; port: number } {
  const spec = ctx.spec;
  const brokerNode = ctx.scenario.nodes.find((n): n is MqttBrokerNode => n.role === 'mqtt-broker' && (spec.broker === undefined || n.id === spec.broker));
  if (brokerNode === undefined) throw new RangeError(`mqtt-client "${ctx.node}": broker must be an mqtt-broker node of the scenario${spec.broker ? `, "${spec.broker}" is not` : ', there is none'}`);
  const transport = spec.mqtt?.transport ?? 'tcp';
  const port = transport === 'websocket'
    ? (brokerNode.broker?.websocketPort ?? DEFAULT_MQTT_WS_PORT)
    : (brokerNode.broker?.port ?? DEFAULT_MQTT_PORT);
  if (port === 0) throw new RangeError(`mqtt-client "${ctx.node}": mqtt.transport is "websocket" but broker "${brokerNode.id}" has its WebSocket listener off (broker.websocketPort 0)`);
  return { broker: brokerNode.id, transport, port };
}

/** Topics are checked here so a bad one is a clear error, not a broker closing the connection. */
export function checkClientTopics(node: string, spec: MqttClientNode): void {
  for (const [i, p] of (spec.publish ?? []).entries()) {
    const why = topicNameError(p.topic);
    if (why !== undefined) throw new RangeError(`mqtt-client "${node}": publish[${i}].topic must be a valid topic name: ${why}`);
  }
  for (const [i, sub] of (spec.subscribe ?? []).entries()) {
    const why = topicFilterError(sub.topic);
    if (why !== undefined) throw new RangeError(`mqtt-client "${node}": subscribe[${i}].topic must be a valid topic filter: ${why}`);
  }
  if (spec.mqtt?.will !== undefined) {
    const why = topicNameError(spec.mqtt.will.topic);
    if (why !== undefined) throw new RangeError(`mqtt-client "${node}": mqtt.will.topic must be a valid topic name: ${why}`);
  }
}

/** The engine's options for node `node` (../../protocols/mqtt/client.ts fills in the rest). */
export function clientEngineOptions(node: string, spec: MqttClientNode): Partial<MqttClientOptions> & { clientId: string } {
  const m = spec.mqtt ?? {};
  const options: Partial<MqttClientOptions> & { clientId: string } = {
    version: m.version ?? '3.1.1',
    clientId: m.clientId ?? node,
    clean: m.cleanSession ?? true,
    keepaliveS: m.keepaliveS ?? 60,
    sessionExpiryS: m.sessionExpiryS ?? 0,
  };
  if (m.username !== undefined) options.username = m.username;
  if (m.password !== undefined) options.password = utf8(m.password);
  if (m.will !== undefined) {
    options.will = { topic: m.will.topic, payload: new Uint8Array(m.will.payloadBytes ?? 0), qos: m.will.qos ?? 0, retain: m.will.retain ?? false };
    if (m.will.delayS !== undefined) options.will.delayS = m.will.delayS;
  }
  for (const key of ['maxInflight', 'maxQueued', 'queueQos0Offline', 'pingTimeoutS', 'nonStandardResendMs'] as const) {
    if (m[key] !== undefined) (options as Record<string, unknown>)[key] = m[key];
  }
  return options;
}

/** UTF-8 bytes of `text` (the simulator has no DOM lib, so no TextEncoder type). */
function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}
