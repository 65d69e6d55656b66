import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { endToEndLatencies, tripsOf, twoWaysScenario, TWO_WAYS_DEFAULTS } from '../../../src/worker/course/twoWays.ts';

const WS = { protocol: 'websocket' as const, hub: 'server', sensor: 'ws-sensor', dashboards: ['browser-1', 'browser-2', 'browser-3'], hubLabel: 'server', sensorLabel: 'sensor', dashLabel: (i: number) => `browser ${i + 1}` };

/** The WebSocket half of chapter 1's scenario, run through the runtime. */
function wsRun(lossPct: number) {
  const scenario = twoWaysScenario({ ...TWO_WAYS_DEFAULTS, lossPct }) as { nodes: { role: string }[] };
  scenario.nodes = scenario.nodes.filter((n) => n.role.startsWith('ws'));
  const parsed = parseScenario(scenario);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return runScenario(parsed.scenario, {});
}

describe('chapter 1, WebSocket wiring', () => {
  it('measures sensor-to-browser latency across the relay: four 20 ms access links, 80 ms, for every reading and browser', () => {
    const latencies = endToEndLatencies(wsRun(0).trace, WS);
    // readings at 1, 2, 3, 4, 5 s in a 6 s run, to three browsers
    expect(latencies).toEqual(Array(15).fill(80));
  });

  it('cuts every link record into trips over the drawn lines, each counted once when it enters its line', () => {
    const run = wsRun(0);
    const links = [
      { id: 'ws-sensor|server', a: 'ws-sensor', b: 'server', ab: { packets: 0, bytes: 0 }, ba: { packets: 0, bytes: 0 } },
      ...WS.dashboards.map((id) => ({ id: `server|${id}`, a: 'server', b: id, ab: { packets: 0, bytes: 0 }, ba: { packets: 0, bytes: 0 } })),
    ];
    const trips = tripsOf(run.trace, WS, links);
    const linkSends = run.trace.filter((r) => r.kind === 'link-send').length;
    // every link-send on a device's or the server's access link becomes one trip
    expect(trips.length).toBe(linkSends);
    // first halves = packets entering a drawn line = packets sent by a node
    const sensorUp = run.trace.filter((r) => r.kind === 'link-send' && r.link === 'ws-sensor->core');
    expect(trips.filter((t) => t.link === 0 && t.half === 0 && t.dir === 'ab').length).toBe(sensorUp.length);
    expect(trips.every((t) => t.endUs - t.sentUs === 20_000)).toBe(true);
  });
});

describe('chapter 1, both wirings in one run', () => {
  it('delivers every reading to every dashboard both ways, with the same two legs of latency, and counts fan-out', async () => {
    const { courseTwoWays } = await import('../../../src/worker/course/twoWays.ts');
    const r = courseTwoWays(TWO_WAYS_DEFAULTS);
    for (const s of [r.mqtt, r.websocket]) {
      expect(s.sent).toBe(15); // 5 readings x 3 dashboards
      expect(s.delivered).toBe(15);
      expect(s.lost).toBe(0);
      // sensor uplink + hub downlink + hub uplink + dashboard downlink, 20 ms each
      expect(s.latencyMs).toEqual({ p50: 80, max: 80 });
      expect(s.fanoutPerReading).toBe(3);
      expect(s.links.map((l) => l.id)).toHaveLength(4);
    }
    expect(r.durationUs).toBe(6_000_000);
  });

  it('figures and checks for chapter 1 come from the same run', async () => {
    const { courseChecks, courseFigures } = await import('../../../src/worker/course/index.ts');
    const f = courseFigures();
    expect(f['twoWays.mqttLatencyP50']).toBe('80 ms');
    expect(f['twoWays.wsLatencyP50']).toBe('80 ms');
    expect(f['twoWays.mqttFanout']).toBe('3');
    const [fanout] = courseChecks('twoWays');
    expect(fanout!.choices[fanout!.answer]).toBe('3');
  });
});
