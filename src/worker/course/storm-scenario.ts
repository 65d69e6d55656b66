/**
 * Chapter 11's scenario: WebSocket clients behind a balancer (HAProxy in mode tcp, its defaults:
 * simulator/runtime/roles/balancer.ts) in front of `servers` ws-servers; s1 fails at FAIL_AT_S.
 * Each client sends a small message every second (a chat, a game, a dashboard's own updates) and
 * reconnects with exponential backoff (initial delay doubling up to 30 s, jitter as chosen; the
 * ws-client's reconnect is reconnecting-websocket's), and pings its server every HEARTBEAT_S (a
 * Node client; browsers send an application message instead, same effect), which is how it finds
 * out about a server that lost power.
 *
 * Links: clients 20 ms one way (the Internet), the balancer and the servers 0.5 ms (one data
 * centre), 1 Gbit/s at the balancer, its queue as chosen.
 */
import type { StormInput } from './storm-types.ts';

export const FAIL_AT_S = 10;
export const RUN_S = 30;
export const HEARTBEAT_S = 10;
export const MESSAGE_EVERY_MS = 1000;
export const MESSAGE_BYTES = 20;
export const CLIENT_LATENCY_MS = 20;
export const DC_LATENCY_MS = 0.5;
export const BALANCER_KBPS = 1_000_000;
/** The clients first connect spread over this long (a farm's clients arrive over time, not at one instant). */
export const JOIN_OVER_S = 5;

export const STORM_DEFAULTS: StormInput = {
  clients: 200,
  servers: 3,
  jitter: 0,
  initialDelayS: 1,
  resume: false,
  failure: 'crash',
  hashType: 'map-based',
  redispatch: false,
  queuePackets: 1000,
  seed: 1,
};

export const serverIds = (n: number) => Array.from({ length: n }, (_, i) => `s${i + 1}`);
export const clientIds = (n: number) => Array.from({ length: n }, (_, i) => `c${i + 1}`);

export function stormScenario(input: StormInput): Record<string, unknown> {
  const servers = serverIds(input.servers);
  const ws = {
    heartbeatS: HEARTBEAT_S,
    reconnect: { initialDelayS: input.initialDelayS, maxDelayS: 30, factor: 2, jitter: input.jitter },
    ...(input.resume ? { appAcks: { timeoutS: 10 } } : {}),
  };
  return {
    schema: 'wirelab/scenario@1',
    title: `Chapter 11: ${input.clients} WebSocket clients, ${input.servers} servers behind a balancer, s1 fails (${input.failure})`,
    seed: input.seed,
    durationS: RUN_S,
    defaults: { link: { latencyMs: DC_LATENCY_MS } },
    nodes: [
      {
        id: 'lb',
        role: 'balancer',
        link: { bandwidthKbps: BALANCER_KBPS, queuePackets: input.queuePackets },
        lb: { backends: servers, balance: 'source', hashType: input.hashType, redispatch: input.redispatch },
      },
      ...servers.map((id, i) => ({ id, role: 'ws-server', ...(i === 0 ? { failure: { atS: FAIL_AT_S, kind: input.failure } } : {}) })),
      ...clientIds(input.clients).map((id, i) => ({
        id,
        role: 'ws-client',
        link: { latencyMs: CLIENT_LATENCY_MS },
        // Each client's second starts at its own offset: clients do not send in lockstep.
        // They stop 2 s before the end, so a message not delivered by then never will be.
        send: [{ to: 'lb', payloadBytes: MESSAGE_BYTES, everyMs: MESSAGE_EVERY_MS, startS: ((i / input.clients) * MESSAGE_EVERY_MS) / 1000, stopS: RUN_S - 2 }],
        ws: { ...ws, connectAtS: (JOIN_OVER_S * i) / input.clients },
      })),
    ],
  };
}
