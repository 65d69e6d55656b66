/**
 * Benchmarks (`npm run bench`): figures printed, never asserted. Each figure is measured here,
 * on this machine, when you run it; nothing below is a target or a claim.
 *
 * 1. The scheduler alone: events per second with a steady queue of pending events.
 * 2. One TCP bulk transfer (scenarios/examples/tcp-bulk.json) through runScenario: scheduler
 *    events per second and simulated seconds per wall-clock second.
 * 3. A 10,000-node run: 5,000 tcp-sender -> tcp-sink pairs, each moving 20 kB over lossy links,
 *    with metrics computed from the trace.
 * 4. A 10,000-node MQTT fleet: one mqtt-broker on a 1 Gbit/s link (20,000-packet queue, as a
 *    broker in a data centre), 9,998 sensors (QoS 1, one reading every 10 s each, starts spread
 *    over the first 10 s) and one dashboard subscribed to all at QoS 0 (a live view). Lost
 *    messages are printed by reason. (A QoS 1 dashboard cannot keep up with 1,000 messages/s:
 *    with mosquitto's defaults, 20 in flight and Nagle on, it gets 20 messages per three round
 *    trips, as mosquitto 2.0.21 does; tests/scenarios-mqtt/throughput.test.ts shows it.)
 *
 * 5. WebSocket (./websocket.ts): the frame codec alone, and a fleet of ws-clients on one server.
 * 6. TCP congestion control (./tcp-cc.ts): the 100 Mbit/s bulk case per algorithm, and goodput
 *    against the Mathis and RFC 9438 response functions.
 * 8. The streaming fleet (./fleet.ts): 1,000 devices x 60 s as a whole CLI run, 10,000 devices x
 *    60 s in Node with its peak memory, and the ratio of simulated deliveries per second to
 *    mqtt-packet's own encode+parse rate.
 *
 * 7. The site in Chromium (./page.ts): page JavaScript per page (gzip), and long tasks on the
 *    Lab's main thread while a long run goes on in its worker.
 *
 * Options: `npm run bench -- --quick` runs smaller sizes (a smoke test of the bench itself);
 * `--only=scheduler|tcp|tcp-pairs|mqtt|ws|tcp-cc|page|fleet` runs one of them.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Scheduler } from '../simulator/core/scheduler.ts';
import { computeMetrics } from '../simulator/metrics/index.ts';
import { runScenario } from '../simulator/runtime/run.ts';
import { fmt, memoryMb, mustParse, timed } from './util.ts';
import { benchFleet } from './fleet.ts';
import { benchTcpCongestion } from './tcp-cc.ts';
import { benchWebSocket } from './websocket.ts';
import { benchPage } from './page.ts';

const quick = process.argv.includes('--quick');

// ---- 1. scheduler ----
function benchScheduler(): void {
  const total = quick ? 200_000 : 2_000_000;
  const pendingTarget = 1000;
  const scheduler = new Scheduler({ eventBudget: total * 2 });
  let remaining = total;
  // Each event schedules the next one a pseudo-random delay ahead (a fixed LCG: the bench must
  // not depend on Math.random), so the heap holds about `pendingTarget` events throughout.
  let x = 12345;
  const step = (): void => {
    if (--remaining <= 0) return;
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    scheduler.after(1 + (x % 10_000), step);
  };
  for (let i = 0; i < pendingTarget; i++) scheduler.at(i, step);
  const { seconds } = timed(() => scheduler.run());
  const executed = scheduler.executed;
  console.log(`scheduler: ${fmt(executed)} events in ${fmt(seconds, 2)} s = ${fmt(executed / seconds)} events/s (about ${pendingTarget} pending)`);
}

// ---- 2. one TCP bulk run ----
function benchTcpBulk(): void {
  const json = JSON.parse(readFileSync(new URL('../scenarios/examples/tcp-bulk.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  if (quick) (json['nodes'] as { bytes?: number }[])[0]!.bytes = 200_000;
  const scenario = mustParse(json);
  const { value: run, seconds } = timed(() => runScenario(scenario));
  const { value: metrics, seconds: metricSeconds } = timed(() => computeMetrics(run.trace));
  const flow = metrics.flows[0];
  console.log(
    `tcp bulk (${fmt((scenario.nodes[0] as { bytes: number }).bytes)} bytes, ${scenario.durationS} s simulated): ` +
      `${fmt(run.eventsExecuted)} events in ${fmt(seconds, 2)} s = ${fmt(run.eventsExecuted / seconds)} events/s, ` +
      `${fmt(scenario.durationS / seconds, 1)} simulated s per s; ${fmt(run.trace.length)} trace records, metrics in ${fmt(metricSeconds, 2)} s`,
  );
  if (flow) {
    console.log(
      `  flow: delivered ${flow.delivered}/${flow.sent}, completion ${flow.completionS ?? '-'} s, goodput ${flow.goodputKbps === null || flow.goodputKbps === undefined ? '-' : fmt(flow.goodputKbps, 1)} kbit/s, ${flow.retransmissions} retransmissions`,
    );
  }
}

// ---- 3. 10,000 nodes ----
function benchManyNodes(): void {
  const pairs = quick ? 500 : 5000;
  const nodes: unknown[] = [];
  for (let i = 0; i < pairs; i++) {
    // Starts spread over the first second so the run is not one synchronized burst.
    nodes.push({ id: `s${i}`, role: 'tcp-sender', to: `k${i}`, bytes: 20_000, startS: (i % 1000) / 1000 });
    nodes.push({ id: `k${i}`, role: 'tcp-sink' });
  }
  const scenario = mustParse({
    schema: 'wirelab/scenario@1',
    seed: 1,
    durationS: 10,
    defaults: { link: { latencyMs: 20, jitterMs: 2, lossPct: 1, bandwidthKbps: 10000 } },
    nodes,
  });
  const { value: run, seconds } = timed(() => runScenario(scenario, { traceLimit: 100_000 }));
  const { value: metrics, seconds: metricSeconds } = timed(() => computeMetrics(run.trace));
  const delivered = metrics.flows.filter((f) => f.delivered === f.sent && f.sent > 0).length;
  console.log(
    `${fmt(nodes.length)} nodes (${fmt(pairs)} tcp pairs x 20 kB, 1% loss, 10 s simulated): ` +
      `${fmt(run.eventsExecuted)} events in ${fmt(seconds, 2)} s = ${fmt(run.eventsExecuted / seconds)} events/s; ` +
      `${fmt(metrics.flows.length)} flows, ${fmt(delivered)} complete; metrics in ${fmt(metricSeconds, 2)} s; ` +
      `${fmt(run.droppedTraceRecords)} packet records let go (traceLimit 100,000); heap ${memoryMb()} MB`,
  );
}

function benchMqttFleet(): void {
  const FLEET = 10_000;
  const sensors = (quick ? FLEET / 10 : FLEET) - 2;
  const nodes: unknown[] = [{ id: 'broker', role: 'mqtt-broker', link: { bandwidthKbps: 1_000_000, queuePackets: 20_000 } }];
  for (let i = 0; i < sensors; i++) {
    nodes.push({
      id: `sensor-${i}`,
      role: 'mqtt-client',
      mqtt: { version: '3.1.1', cleanSession: true, keepaliveS: 60 },
      // Start times spread over the 10 s period so the broker sees a steady stream.
      publish: [{ topic: `sensors/${i}`, qos: 1, payloadBytes: 20, everyMs: 10_000, startS: (i % 1000) / 100 }],
    });
  }
  nodes.push({ id: 'dash', role: 'mqtt-client', subscribe: [{ topic: 'sensors/#', qos: 0 }] });
  const durationS = 30;
  const scenario = mustParse({
    schema: 'wirelab/scenario@1',
    seed: 1,
    durationS,
    defaults: { link: { latencyMs: 20, jitterMs: 2, lossPct: 0.5, bandwidthKbps: 10000 } },
    nodes,
  });
  const { value: run, seconds } = timed(() => runScenario(scenario, { traceLimit: 100_000 }));
  const { value: metrics, seconds: metricSeconds } = timed(() => computeMetrics(run.trace));
  const sum = (k: 'sent' | 'delivered' | 'lost' | 'inFlight') => metrics.flows.reduce((n, f) => n + f[k], 0);
  const reasons = new Map<string, number>();
  for (const r of run.trace) if (r.kind === 'app-lost') reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
  const why = [...reasons].map(([reason, n]) => `${fmt(n)} ${reason}`).join(', ') || 'none';
  console.log(
    `${fmt(nodes.length)} nodes (mqtt: ${fmt(sensors)} QoS 1 sensors -> broker -> 1 QoS 0 dashboard, 0.5% loss, ${durationS} s simulated): ` +
      `${fmt(run.eventsExecuted)} events in ${fmt(seconds, 2)} s = ${fmt(run.eventsExecuted / seconds)} events/s; ` +
      `${fmt(metrics.flows.length)} flows, messages sent ${fmt(sum('sent'))}, delivered ${fmt(sum('delivered'))}, lost ${fmt(sum('lost'))} (${why}), in flight ${fmt(sum('inFlight'))}; ` +
      `metrics in ${fmt(metricSeconds, 2)} s; heap ${memoryMb()} MB`,
  );
}

console.log(`wirelab bench${quick ? ' (quick)' : ''}: node ${process.version}, ${new Date().toISOString()}`);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const benches: Record<string, () => void | Promise<void>> = { scheduler: benchScheduler, tcp: benchTcpBulk, 'tcp-pairs': benchManyNodes, mqtt: benchMqttFleet, ws: () => benchWebSocket(quick), 'tcp-cc': () => benchTcpCongestion(quick), page: benchPage, fleet: () => benchFleet(quick) };
for (const [name, bench] of Object.entries(benches)) if (only === undefined || only === name) await bench();
