/**
 * The scenario's rules that span fields (zod checks one field at a time): node ids unique, and
 * every reference (a client's server, a publish's broker, a balancer's backends) names an existing
 * node of the right role. schema.ts runs them as the scenario schema's refinement.
 */
import type { NodeOfRole, RoleName, Scenario, ScenarioNode } from './schema.ts';
import { linkProblems } from './link-check.ts';
import { DEFAULT_MQTT_PORT, DEFAULT_MQTT_WS_PORT, DEFAULT_TCP_PORT } from './ports.ts';

export interface Problem {
  path: (string | number)[];
  message: string;
}

/** Rules that span fields: ids unique, references name an existing node of the right role. */
export function crossCheck(scenario: Scenario): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map<string, ScenarioNode>();
  scenario.nodes.forEach((node, i) => {
    if (byId.has(node.id)) problems.push({ path: ['nodes', i, 'id'], message: `duplicate node id "${node.id}"` });
    else byId.set(node.id, node);
  });
  const ofRole = (role: RoleName) => scenario.nodes.filter((n) => n.role === role);
  const brokers = ofRole('mqtt-broker');
  const wsServers = ofRole('ws-server');

  const checkWindow = (entry: { startS?: number | undefined; stopS?: number | undefined }, path: (string | number)[]) => {
    if (entry.startS !== undefined && entry.stopS !== undefined && entry.stopS < entry.startS)
      problems.push({ path: [...path, 'stopS'], message: `expected stopS to be at least startS (${entry.startS}), got ${entry.stopS}` });
  };

  scenario.nodes.forEach((node, i) => {
    const at = ['nodes', i];
    if (node.role === 'mqtt-client') {
      if (brokers.length === 0)
        problems.push({ path: [...at, 'role'], message: 'an mqtt-client needs an mqtt-broker node in the scenario, found none' });
      node.publish?.forEach((p, j) => checkWindow(p, [...at, 'publish', j]));
      // The codec refuses it (mqtt-packet: "Username is required to use password").
      if (node.mqtt?.password !== undefined && node.mqtt.username === undefined && (node.mqtt.version ?? '3.1.1') === '3.1.1')
        problems.push({ path: [...at, 'mqtt', 'password'], message: 'expected a username with the password: MQTT 3.1.1 sends a password only after a username [MQTT-3.1.2-22]' });
      if (node.broker !== undefined) {
        const target = byId.get(node.broker);
        if (target?.role !== 'mqtt-broker') problems.push({ path: [...at, 'broker'], message: refMessage('mqtt-broker', node.broker, target) });
      }
      const broker = node.broker === undefined ? brokers[0] : byId.get(node.broker);
      if (node.mqtt?.transport === 'websocket' && broker?.role === 'mqtt-broker' && broker.broker?.websocketPort === 0)
        problems.push({
          path: [...at, 'mqtt', 'transport'],
          message: `expected "tcp": broker "${broker.id}" has its WebSocket listener off (broker.websocketPort 0)`,
        });
    } else if (node.role === 'ws-client') {
      if (wsServers.length === 0)
        problems.push({ path: [...at, 'role'], message: 'a ws-client needs a ws-server node in the scenario, found none' });
      node.send?.forEach((entry, j) => {
        checkWindow(entry, [...at, 'send', j]);
        if (entry.to !== undefined) {
          const target = byId.get(entry.to);
          if (target?.role !== 'ws-server' && target?.role !== 'balancer')
            problems.push({ path: [...at, 'send', j, 'to'], message: refMessage('ws-server', entry.to, target).replace('ws-server node', 'ws-server or balancer node') });
        } else if (wsServers.length > 1) {
          problems.push({
            path: [...at, 'send', j, 'to'],
            message: `expected the id of a ws-server: there are ${wsServers.length} (${wsServers.map((n) => n.id).join(', ')})`,
          });
        }
      });
    } else if (node.role === 'mqtt-broker') {
      // Both listeners are on the broker's one host: the same port twice cannot be bound.
      const port = node.broker?.port ?? DEFAULT_MQTT_PORT;
      const wsPort = node.broker?.websocketPort ?? DEFAULT_MQTT_WS_PORT;
      if (wsPort === port)
        problems.push({
          path: [...at, 'broker', 'websocketPort'],
          message: `expected a port other than the MQTT listener's (${port}), or 0 to turn the WebSocket listener off, got ${wsPort}`,
        });
    } else if (node.role === 'ws-server') {
      node.ws?.push?.forEach((entry, j) => checkWindow(entry, [...at, 'ws', 'push', j]));
      const rooms = node.ws?.rooms;
      if (rooms !== undefined && typeof rooms === 'object') {
        for (const [room, members] of Object.entries(rooms)) {
          members.forEach((id, j) => {
            const target = byId.get(id);
            if (target?.role !== 'ws-client') problems.push({ path: [...at, 'ws', 'rooms', room, j], message: refMessage('ws-client', id, target) });
          });
        }
      }
    } else if (node.role === 'balancer') {
      problems.push(...balancerProblems(node, byId, at));
    } else if (node.role === 'tcp-sender') {
      const target = byId.get(node.to);
      if (target?.role !== 'tcp-sink') problems.push({ path: [...at, 'to'], message: refMessage('tcp-sink', node.to, target) });
      else if ((target.port ?? DEFAULT_TCP_PORT) !== (node.port ?? DEFAULT_TCP_PORT))
        problems.push({
          path: [...at, 'port'],
          message: `expected the port tcp-sink "${target.id}" listens on (${target.port ?? DEFAULT_TCP_PORT}), got ${node.port ?? DEFAULT_TCP_PORT}`,
        });
    }
    if (node.failure !== undefined && node.failure.atS >= scenario.durationS)
      problems.push({
        path: [...at, 'failure', 'atS'],
        message: `expected a time before the end of the run (durationS ${scenario.durationS}), got ${node.failure.atS}`,
      });
    for (const side of ['link', 'up', 'down'] as const) {
      node[side]?.outages?.forEach((o, j) => {
        if (o.atS >= scenario.durationS)
          problems.push({
            path: [...at, side, 'outages', j, 'atS'],
            message: `expected a time before the end of the run (durationS ${scenario.durationS}), got ${o.atS}`,
          });
      });
    }
  });
  problems.push(...linkProblems(scenario));
  return problems;
}

/** A balancer's backends: ws-server ids, each once; none may send to its clients (see roles/balancer.ts). */
function balancerProblems(node: NodeOfRole<'balancer'>, byId: Map<string, ScenarioNode>, at: (string | number)[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  if (node.lb.backends.length === 0) problems.push({ path: [...at, 'lb', 'backends'], message: 'expected at least one backend, got none' });
  node.lb.backends.forEach((id, j) => {
    const path = [...at, 'lb', 'backends', j];
    const target = byId.get(id);
    if (target?.role !== 'ws-server') problems.push({ path, message: refMessage('ws-server', id, target) });
    else if (seen.has(id)) problems.push({ path, message: `duplicate backend "${id}"` });
    else if (target.ws?.push !== undefined || (target.ws?.echo ?? false) || (target.ws?.rooms ?? false) !== false)
      // Each backend would number its own messages to a client from 0: two servers' messages to
      // one client would look like duplicates. Not modelled yet.
      problems.push({ path, message: `expected a ws-server without push, echo or rooms behind a balancer ("${id}" sends to its clients, which is not modelled yet)` });
    seen.add(id);
  });
  return problems;
}

function refMessage(role: RoleName, id: string, target: ScenarioNode | undefined): string {
  return target === undefined
    ? `expected the id of ${article(role)} ${role} node, got "${id}" (no node has that id)`
    : `expected the id of ${article(role)} ${role} node, got "${id}" (${article(target.role)} ${target.role})`;
}

/** "an mqtt-broker" (em-queue-tee), "a ws-server". */
function article(role: string): string {
  return role.startsWith('mqtt') ? 'an' : 'a';
}
