/** fidelity/cases.ts and scenario.ts: the grid and each case as a valid scenario with the impairment on one hop. */
import { describe, expect, it } from 'vitest';
import { caseMetrics, fidelityGrid } from '../../fidelity/cases.ts';
import { simScenario, window } from '../../fidelity/scenario.ts';
import { flowMetrics } from '../../simulator/metrics/flows.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';

describe('the grid', () => {
  it('has unique ids, and the full grid every loss for each QoS and for the echo', () => {
    const full = fidelityGrid('full');
    expect(new Set(full.map((c) => c.id)).size).toBe(full.length);
    for (const loss of [0, 1, 5, 10, 20]) {
      expect(full.map((c) => c.id)).toContain(`ws-echo loss ${loss}%`);
      for (const q of [0, 1, 2]) expect(full.map((c) => c.id)).toContain(`mqtt qos${q} defaults loss ${loss}%`);
    }
    // 5 echo + 3 QoS x (5 losses + 1 nodelay) + outage + 2 bulk + 2 dashboards + 5 connects + 6 probes.
    expect(full.length).toBe(5 + 18 + 1 + 2 + 2 + 5 + 6);
    // quick: 2 echo + QoS 0 (1) + QoS 1 (2 losses + nodelay) + QoS 2 (1) + QoS 2 at 20 % + outage
    // + bulk + 1 dashboard + 3 connects + 6 probes.
    expect(fidelityGrid('quick').length).toBe(2 + 1 + 3 + 1 + 1 + 1 + 1 + 1 + 3 + 6);
  });

  it('names the metrics each kind reports', () => {
    expect(caseMetrics({ kind: 'mqtt' })).toEqual(['latency p50 ms', 'latency p95 ms', 'lost', 'wire bytes', 'retransmits']);
  });
});

describe('simScenario', () => {
  it('holds exactly `count` sends in its window', () => {
    // 100 sends 50 ms apart from 1 s: the last at 5.95 s, the window ends half a period later.
    expect(window(1, 100, 50)).toEqual({ startS: 1, stopS: 5.975 });
    const c = fidelityGrid('full').find((x) => x.id === 'mqtt qos0 defaults loss 0%')!;
    const parsed = parseScenario(simScenario(c));
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const flows = flowMetrics(runScenario(parsed.scenario).trace);
    expect(flows.find((f) => f.flow === 'mqtt:pub/t->sub')!.sent).toBe(c.count);
  });

  it('puts the delay, loss and rate on the server link only, and TCP_NODELAY on every MQTT end', () => {
    const c = { ...fidelityGrid('full').find((x) => x.id === 'mqtt qos1 nodelay loss 0%')!, link: { delayMs: 25, lossPct: 5, rateKbps: 10_000, queuePackets: 1000 } };
    const s = simScenario(c) as { durationS: number; nodes: { id: string; link: unknown; tcp?: unknown; publish?: unknown }[] };
    expect(s.nodes.map((n) => n.id)).toEqual(['broker', 'pub', 'sub']);
    expect(s.nodes[0]!.link).toEqual({ latencyMs: 25, jitterMs: 0, lossPct: 5, bandwidthKbps: 10_000, queuePackets: 1000 });
    expect(s.nodes[1]!.link).toEqual({ latencyMs: 0, jitterMs: 0, lossPct: 0, bandwidthKbps: 0 });
    expect(s.nodes.map((n) => n.tcp)).toEqual([{ nagle: false }, { nagle: false }, { nagle: false }]);
    // 60 sends 50 ms apart from 1 s: the last at 3.95 s.
    expect(s.nodes[1]!.publish).toEqual([{ topic: 't', qos: 1, payloadBytes: 100, everyMs: 50, startS: 1, stopS: 3.975 }]);
    // 1 s start + 3 s of sends + 40 s to drain.
    expect(s.durationS).toBe(44);
  });

  it('passes the congestion control when given, and every case of the full grid is a valid scenario', () => {
    const c = fidelityGrid('quick')[0]!;
    expect((simScenario(fidelityGrid('full').find((x) => x.kind === 'bulk')!, 'cubic') as { nodes: { tcp?: unknown }[] }).nodes[0]!.tcp).toEqual({ congestion: 'cubic' });
    expect(c.kind).toBe('ws-echo');
    for (const x of fidelityGrid('full')) {
      const parsed = parseScenario(simScenario(x));
      expect(parsed.ok ? 'ok' : parsed.errors.join('; ')).toBe('ok');
    }
  });

  it('makes the dashboard 40 sensors a quarter-period apart and one subscriber, 40 ms one way', () => {
    const c = fidelityGrid('full').find((x) => x.kind === 'dashboard')!;
    const s = simScenario(c) as { nodes: { id: string; link?: { latencyMs: number }; publish?: { startS: number }[] }[] };
    expect(s.nodes.length).toBe(42);
    expect(s.nodes[0]!.link!.latencyMs).toBe(40);
    // Sensor 4 starts 4 x 100 ms / 40 = 10 ms after sensor 0.
    expect(s.nodes[5]!.publish![0]!.startS).toBe(1.01);
  });
});
