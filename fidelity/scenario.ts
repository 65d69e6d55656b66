/**
 * A fidelity case as a wirelab scenario (plain JSON, validated by parseScenario when run). Pure.
 * The impairment sits on the server node's access link, both directions; client links are
 * perfect (see ./cases.ts). `tcp.congestion` is passed to every node when given.
 */
import type { FidelityCase } from './cases.ts';

export const SIM_DRAIN_S = 40;

type Json = Record<string, unknown>;

const perfect = { latencyMs: 0, jitterMs: 0, lossPct: 0, bandwidthKbps: 0 };

function serverLink(c: FidelityCase): Json {
  const l = c.link;
  return {
    latencyMs: l.delayMs,
    jitterMs: 0,
    lossPct: l.lossPct,
    bandwidthKbps: l.rateKbps,
    queuePackets: l.queuePackets,
    ...(l.outage ? { outages: [{ atS: l.outage.atS, forS: l.outage.forS }] } : {}),
  };
}

/** The send window [startS, stopS) holding exactly `count` sends `everyMs` apart. */
export function window(startS: number, count: number, everyMs: number): { startS: number; stopS: number } {
  return { startS, stopS: startS + ((count - 0.5) * everyMs) / 1000 };
}

export function simScenario(c: FidelityCase, congestion?: string): Json {
  const tcp = (nagleOff: boolean): Json | undefined => {
    const t: Json = { ...(nagleOff ? { nagle: false } : {}), ...(congestion ? { congestion } : {}) };
    return Object.keys(t).length ? t : undefined;
  };
  const withTcp = (node: Json, nagleOff: boolean): Json => {
    const t = tcp(nagleOff);
    return t ? { ...node, tcp: t } : node;
  };
  const sendS = (c.count * c.everyMs) / 1000;
  const durationS = Math.ceil(c.startS + sendS + SIM_DRAIN_S);
  const mqtt = {
    version: c.version === 5 ? '5' : '3.1.1',
    keepaliveS: c.keepaliveS,
    cleanSession: c.clean,
    ...(c.version === 5 && !c.clean ? { sessionExpiryS: 3600 } : {}),
    // The testbed's mqtt.js runs in Node: over WebSocket it writes a frame per field.
    ...(c.transport === 'websocket' ? { transport: 'websocket', websocketClient: 'node' } : {}),
  };
  const head = { schema: 'wirelab/scenario@1', title: `fidelity: ${c.id}`, seed: 1, durationS };
  switch (c.kind) {
    case 'ws-echo':
    case 'connect':
      if (c.kind === 'connect' && (c.connectOver === 'mqtt' || c.connectOver === 'mqtts')) break;
      return {
        ...head,
        nodes: [
          withTcp({ id: 'server', role: 'ws-server', link: serverLink(c), ws: { echo: true } }, false),
          withTcp({ id: 'client', role: 'ws-client', link: perfect, send: [{ payloadBytes: c.payloadBytes, everyMs: c.everyMs, ...window(c.startS, c.count, c.everyMs) }] }, false),
        ],
      };
    case 'mqtt':
    case 'mqtt-outage':
    case 'probe':
      break;
    case 'bulk':
      return {
        ...head,
        nodes: [
          withTcp({ id: 'sink', role: 'tcp-sink', link: serverLink(c) }, false),
          withTcp({ id: 'sender', role: 'tcp-sender', link: perfect, to: 'sink', bytes: c.bulkBytes, startS: c.startS }, false),
        ],
      };
    case 'dashboard': {
      const sensors = Array.from({ length: c.publishers }, (_, i) =>
        withTcp(
          {
            id: `sensor-${i}`,
            role: 'mqtt-client',
            link: perfect,
            mqtt,
            publish: [{ topic: `sensors/${i}`, qos: c.qos, payloadBytes: c.payloadBytes, everyMs: c.everyMs, ...window(c.startS + (i * c.everyMs) / c.publishers / 1000, c.count, c.everyMs) }],
          },
          c.nodelay,
        ),
      );
      return {
        ...head,
        nodes: [
          withTcp({ id: 'broker', role: 'mqtt-broker', link: serverLink(c) }, c.nodelay),
          ...sensors,
          withTcp({ id: 'dash', role: 'mqtt-client', link: perfect, mqtt, subscribe: [{ topic: 'sensors/#', qos: c.qos }] }, c.nodelay),
        ],
      };
    }
  }
  // One MQTT publisher and one subscriber (mqtt, mqtt-outage, and the MQTT TLS connect).
  return {
    ...head,
    nodes: [
      withTcp({ id: 'broker', role: 'mqtt-broker', link: serverLink(c) }, c.nodelay),
      withTcp({ id: 'pub', role: 'mqtt-client', link: perfect, mqtt: { ...mqtt, clientId: 'pub' }, publish: [{ topic: 't', qos: c.qos, payloadBytes: c.payloadBytes, everyMs: c.everyMs, ...window(c.startS, c.count, c.everyMs) }] }, c.nodelay),
      withTcp({ id: 'sub', role: 'mqtt-client', link: perfect, mqtt: { ...mqtt, clientId: 'sub' }, subscribe: [{ topic: 't', qos: c.qos }] }, c.nodelay),
    ],
  };
}
