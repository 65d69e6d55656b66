/**
 * Runs a fidelity case in the simulator (parseScenario + runScenario, as `wirelab run` does) and
 * reduces the trace to the same metrics the real side reports (../fidelity/real-metrics.ts has the
 * definitions). Deterministic for a seed.
 */
import type { TraceRecord } from '../simulator/core/trace.ts';
import { flowMetrics } from '../simulator/metrics/flows.ts';
import { runScenario } from '../simulator/runtime/run.ts';
import { courseHandshake, testbedSpanMs } from '../src/worker/course/handshake.ts';
import { parseScenario } from '../simulator/scenarios/schema.ts';
import type { FidelityCase } from './cases.ts';
import { resends } from './real-metrics.ts';
import { simScenario } from './scenario.ts';
import { percentile, type RunMetrics } from './table.ts';

const at = (trace: readonly TraceRecord[], kind: 'app-send' | 'app-deliver', flow: (f: string) => boolean) => {
  const out = new Map<string, number>();
  for (const r of trace) if (r.kind === kind && flow(r.flow) && !out.has(`${r.flow}:${r.msg}`)) out.set(`${r.flow}:${r.msg}`, r.t);
  return out;
};

function simResent(trace: readonly TraceRecord[]): { t: number; dup: boolean }[] {
  const seen = new Set<number>();
  const out: { t: number; dup: boolean }[] = [];
  for (const r of trace) {
    if (r.kind !== 'mqtt-packet' || r.node !== 'pub' || r.dir !== 'send' || r.type !== 'publish' || r.packetId === undefined) continue;
    if (seen.has(r.packetId) || r.dup === true) out.push({ t: r.t, dup: r.dup === true });
    seen.add(r.packetId);
  }
  return out;
}

export function runSim(c: FidelityCase, seed: number, congestion?: string): RunMetrics {
  const parsed = parseScenario(simScenario(c, congestion));
  if (!parsed.ok) throw new Error(`fidelity case "${c.id}": ${parsed.errors.join('; ')}`);
  const trace = runScenario(parsed.scenario, { seed }).trace;
  const flows = flowMetrics(trace);
  switch (c.kind) {
    case 'ws-echo': {
      // The echo of the client's message k is message k of the server's flow (ws-server echo).
      const sent = at(trace, 'app-send', (f) => f === 'ws:client->server');
      const back = at(trace, 'app-deliver', (f) => f === 'ws:server->client');
      const rtts: number[] = [];
      for (const [key, t] of back) {
        const s = sent.get(key.replace('ws:server->client', 'ws:client->server'));
        if (s !== undefined) rtts.push((t - s) / 1000);
      }
      const up = flows.find((f) => f.flow === 'ws:client->server');
      const down = flows.find((f) => f.flow === 'ws:server->client');
      return {
        'echo p50 ms': percentile(rtts, 50),
        'echo p95 ms': percentile(rtts, 95),
        'wire bytes': (up?.wireBytes ?? 0) + (down?.wireBytes ?? 0),
        retransmits: up?.retransmissions ?? null,
      };
    }
    case 'mqtt': {
      const f = flows.find((x) => x.flow === 'mqtt:pub/t->sub');
      if (!f) return {};
      return { 'latency p50 ms': f.latencyMs.p50, 'latency p95 ms': f.latencyMs.p95, lost: f.sent - f.delivered, 'wire bytes': f.wireBytes, retransmits: f.retransmissions };
    }
    case 'mqtt-outage': {
      const o = c.link.outage!;
      const outageAt = o.atS * 1e6;
      const sent = at(trace, 'app-send', (x) => x === 'mqtt:pub/t->sub');
      const got = at(trace, 'app-deliver', (x) => x === 'mqtt:pub/t->sub');
      const lat = [...got].flatMap(([k, t]) => (sent.has(k) ? [{ sentAt: sent.get(k)!, ms: (t - sent.get(k)!) / 1000 }] : []));
      const f = flows.find((x) => x.flow === 'mqtt:pub/t->sub');
      const noticed = (node: string) => {
        const r = trace.find((x) => x.kind === 'mqtt-event' && x.node === node && x.event === 'reconnect-scheduled' && x.t >= outageAt);
        return r ? (r.t - outageAt) / 1e6 : null;
      };
      return {
        lost: f ? f.sent - f.delivered : null,
        duplicates: f?.duplicates ?? null,
        'dup flags seen': trace.filter((r) => r.kind === 'mqtt-packet' && r.node === 'sub' && r.dir === 'receive' && r.type === 'publish' && r.dup === true).length,
        // A resend is a PUBLISH whose packet id was sent before (DUP=0 from mqtt.js and the simulated client).
        ...resends(simResent(trace)),
        'latency p50 before ms': percentile(lat.filter((x) => x.sentAt < outageAt).map((x) => x.ms), 50),
        'latency max ms': percentile(lat.map((x) => x.ms), 100),
        'latency p50 after ms': percentile(lat.filter((x) => x.sentAt >= outageAt + (o.forS + 5) * 1e6).map((x) => x.ms), 50),
        'publisher noticed s': noticed('pub'),
        'subscriber noticed s': noticed('sub'),
      };
    }
    case 'bulk': {
      const f = flows.find((x) => x.protocol === 'tcp');
      return { 'completion s': f?.latencyMs.p50 != null ? f.latencyMs.p50 / 1000 : null, retransmits: f?.retransmissions ?? null };
    }
    case 'dashboard': {
      const toDash = (x: string) => x.endsWith('->dash');
      const sends = [...at(trace, 'app-send', toDash).values()];
      const delivers = [...at(trace, 'app-deliver', toDash).values()];
      const from = Math.min(...sends) + 2e6;
      const to = Math.max(...sends);
      const lat = flows.filter((x) => toDash(x.flow));
      // The median over all flows' deliveries: recompute from the records.
      const sentAt = at(trace, 'app-send', toDash);
      const all = [...at(trace, 'app-deliver', toDash)].flatMap(([k, t]) => (sentAt.has(k) ? [(t - sentAt.get(k)!) / 1000] : []));
      return { 'delivered per s': lat.length && to > from ? delivers.filter((t) => t >= from && t < to).length / ((to - from) / 1e6) : null, 'latency p50 ms': percentile(all, 50) };
    }
    case 'probe': {
      const sentBy = (node: string, type: string) => trace.filter((r) => r.kind === 'mqtt-packet' && r.node === node && r.dir === 'send' && r.type === type);
      if (c.probe === 'keepalive') {
        // While publishing (the run goes on 40 s longer to drain; the real publisher stops).
        const sends = [...at(trace, 'app-send', (f) => f.startsWith('mqtt:pub/')).values()];
        return { PINGREQs: sentBy('pub', 'pingreq').filter((r) => r.t >= Math.min(...sends) && r.t <= Math.max(...sends)).length };
      }
      if (c.probe === 'qos2-acks') {
        const bytes = (node: string, type: string) => {
          const r = sentBy(node, type)[0];
          return r && r.kind === 'mqtt-packet' ? r.bytes : null;
        };
        return { 'PUBREC bytes (mqtt.js)': bytes('sub', 'pubrec'), 'PUBREL bytes (mqtt.js)': bytes('pub', 'pubrel'), 'PUBCOMP bytes (mqtt.js)': bytes('sub', 'pubcomp') };
      }
      // publish-bytes: the publisher's data segments from its first publish to 150 ms after its last.
      const sends = [...at(trace, 'app-send', (f) => f.startsWith('mqtt:pub/')).values()];
      const from = Math.min(...sends);
      const to = Math.max(...sends) + 150_000;
      let bytes = 0;
      for (const r of trace) if (r.kind === 'tcp-send' && r.node === 'pub' && r.payloadBytes > 0 && r.t >= from && r.t <= to) bytes += r.wireBytes;
      return { 'IP bytes per PUBLISH': sends.length ? bytes / sends.length : null };
    }
    case 'connect': {
      // Scenarios have no TLS, and their clients connect at 0 s rather than sending on connect:
      // the connect is run as chapter 2 runs it (src/worker/course/handshake.ts): the same TCP
      // engine, the engines' own upgrade, CONNECT and CONNACK bytes, TLS 1.3 records of measured
      // sizes written as Node and OpenSSL write them, the first message sent once the answer is in.
      // Its span is the testbed's: the client's SYN to the first message back on the client's
      // side (at the subscriber, or as the echo). Default TCP (cubic): the few segments of a
      // connect fit the initial window and BBR does not pace the first ten, so the algorithm
      // makes no difference here. Deterministic: the same for every seed.
      const over = c.connectOver ?? 'mqtt';
      const r = courseHandshake({
        latencyMs: c.link.delayMs,
        bandwidthKbps: c.link.rateKbps,
        tls: over === 'mqtts' || over === 'wss',
        mqttVersion: c.version === 5 ? '5' : '3.1.1',
        mqttNoDelay: c.nodelay,
      });
      const total = testbedSpanMs(over === 'ws' || over === 'wss' ? r.websocket : r.mqtt, c.link.delayMs);
      return { 'first message ms': total, 'first message RTTs': total / (2 * c.link.delayMs) };
    }
  }
}
