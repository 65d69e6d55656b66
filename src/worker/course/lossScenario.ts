/**
 * Chapter 4's experiment as a scenario: the same stream of readings sent four ways at once, over
 * MQTT at QoS 0, 1 and 2 (publisher -> broker -> subscriber) and over WebSocket (sensor -> server
 * -> dashboard, the server relaying as a chat room does). The broker's and the server's access
 * links are the lossy ones, both directions, so every message crosses the impaired link twice in
 * every protocol; the devices' own links are perfect (as on the real-stack testbed, fidelity/).
 *
 * The stream starts only when every connection is open and subscribed: losses during the
 * handshakes are chapter 2's subject, and a message published before its subscriber has
 * subscribed is dropped by the broker for a reason that has nothing to do with loss. A first,
 * short run finds that moment; the simulator is deterministic and the stream's send timers draw
 * no random numbers, so the full run goes through exactly the same handshakes.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { parseScenario, type Scenario } from '../../../simulator/scenarios/schema.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import type { LossInput, StreamId } from './lossTypes.ts';

/** The stream: 60 readings of 100 bytes (the testbed's case, fidelity/cases.ts). */
export const STREAM_COUNT = 60;
export const PAYLOAD_BYTES = 100;
/** Simulated time after the last send for every retransmission to finish. */
export const DRAIN_S = 40;
/** The longest the handshakes may take before the stream starts anyway. */
export const SETUP_LIMIT_S = 60;

export interface StreamNodes {
  id: StreamId;
  label: string;
  sender: string;
  receiver: string;
  hub: string;
}

export const STREAMS: readonly StreamNodes[] = [
  { id: 'qos0', label: 'MQTT QoS 0', sender: 'pub-qos0', receiver: 'sub-qos0', hub: 'broker' },
  { id: 'qos1', label: 'MQTT QoS 1', sender: 'pub-qos1', receiver: 'sub-qos1', hub: 'broker' },
  { id: 'qos2', label: 'MQTT QoS 2', sender: 'pub-qos2', receiver: 'sub-qos2', hub: 'broker' },
  { id: 'ws', label: 'WebSocket', sender: 'ws-sensor', receiver: 'ws-dashboard', hub: 'ws-server' },
];

const PERFECT = { latencyMs: 0, jitterMs: 0, lossPct: 0, bandwidthKbps: 0 };

/** The lossy access link of the broker and of the WebSocket server (10 Mbit/s, as the testbed). */
export function hubLink(input: LossInput) {
  return {
    latencyMs: input.latencyMs,
    jitterMs: 0,
    lossPct: input.lossPct,
    bandwidthKbps: 10_000,
    ...(input.lossModel === 'bursty' && input.lossPct > 0 ? { burstLoss: { meanBurstPackets: input.burstPackets } } : {}),
  };
}

/** The scenario, with the stream starting at `startS` (valid `wirelab/scenario@1`). */
export function lossScenario(input: LossInput, startS: number): unknown {
  const tcp = { congestion: input.congestion, ...(input.noDelay ? { nagle: false } : {}) };
  const stopS = startS + ((STREAM_COUNT - 0.5) * input.everyMs) / 1000;
  const schedule = { payloadBytes: PAYLOAD_BYTES, everyMs: input.everyMs, startS, stopS };
  const link = hubLink(input);
  const nodes: unknown[] = [{ id: 'broker', role: 'mqtt-broker', link, tcp }];
  for (const s of STREAMS.slice(0, 3)) {
    const qos = Number(s.id.slice(3)) as 0 | 1 | 2;
    const topic = `sensors/${s.id}`;
    nodes.push(
      { id: s.sender, role: 'mqtt-client', link: PERFECT, tcp, mqtt: { version: '3.1.1', clientId: s.sender }, publish: [{ topic, qos, ...schedule }] },
      { id: s.receiver, role: 'mqtt-client', link: PERFECT, tcp, mqtt: { version: '3.1.1', clientId: s.receiver }, subscribe: [{ topic, qos }] },
    );
  }
  nodes.push(
    // The server relays each message from one client to its other clients (one room).
    { id: 'ws-server', role: 'ws-server', link, ws: { rooms: true } },
    { id: 'ws-sensor', role: 'ws-client', link: PERFECT, send: [{ ...schedule, to: 'ws-server' }] },
    { id: 'ws-dashboard', role: 'ws-client', link: PERFECT, send: [] },
  );
  return {
    schema: 'wirelab/scenario@1',
    title: `chapter 4: one stream four ways, ${input.lossPct}% ${input.lossModel} loss`,
    seed: input.seed,
    durationS: Math.ceil(stopS + DRAIN_S),
    nodes,
  };
}

function parsed(value: unknown): Scenario {
  const result = parseScenario(value);
  if (!result.ok) throw new Error(`the chapter's scenario is not valid: ${result.errors.join('; ')}`);
  return result.scenario;
}

/**
 * When every connection is ready, µs: each publisher has its CONNACK, the broker holds each
 * subscription, and the WebSocket server and both its clients saw the upgrade complete. Null when
 * that never happened in the trace.
 */
export function readyAt(trace: readonly TraceRecord[]): number | null {
  const pending = new Set<string>([
    ...STREAMS.slice(0, 3).map((s) => `connected:${s.sender}`),
    ...STREAMS.slice(0, 3).map((s) => `subscribed:sensors/${s.id}`),
    'open:ws-sensor', 'open:ws-dashboard', 'open:ws-server#2',
  ]);
  let serverOpens = 0;
  for (const r of trace) {
    let key: string | null = null;
    if (r.kind === 'mqtt-event' && r.event === 'connected') key = `connected:${r.node}`;
    else if (r.kind === 'mqtt-event' && r.event === 'subscribed') key = `subscribed:${/"([^"]+)"/.exec(r.detail ?? '')?.[1] ?? ''}`;
    else if (r.kind === 'ws-event' && r.event === 'open') key = r.node === 'ws-server' ? `open:ws-server#${++serverOpens}` : `open:${r.node}`;
    if (key !== null && pending.delete(key) && pending.size === 0) return r.t;
  }
  return null;
}

/**
 * Runs the experiment: a setup run to find when the stream can start (rounded up to the next
 * 100 ms, plus 100 ms, and not before 1 s), then the full run. Returns the full run's trace and scenario.
 */
export function runLossExperiment(input: LossInput): { scenario: Scenario; trace: TraceRecord[]; startUs: number; endUs: number } {
  const probe = parsed({ ...(lossScenario(input, SETUP_LIMIT_S) as object), durationS: SETUP_LIMIT_S });
  const setup = runScenario(probe, watched({ seed: input.seed, eventBudget: 500_000, traceLimit: 20_000 }));
  const ready = readyAt(setup.trace);
  // Never before 1 s, as the testbed's simulated cases (fidelity/cases.ts `startS`).
  const startS = ready === null ? SETUP_LIMIT_S : Math.max(1, Math.ceil(ready / 100_000) / 10 + 0.1);
  const scenario = parsed(lossScenario(input, startS));
  const run = runScenario(scenario, watched({ seed: input.seed, eventBudget: 2_000_000 }));
  return { scenario, trace: run.trace, startUs: startS * 1_000_000, endUs: run.endTime };
}
