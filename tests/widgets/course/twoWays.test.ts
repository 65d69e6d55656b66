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
      expect(s.outcomes).toEqual({ delivered: 15, 'on-the-way': 0, 'not-sent': 0, missed: 0 });
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
    const [fanout, , nagle] = courseChecks('twoWays');
    expect(fanout!.choices[fanout!.answer]).toBe('3');
    // 50 ms access links, readings 100 ms apart, 200 ms round trip to the broker: Nagle holds each
    // PUBLISH (at the sensor and at the broker) for the ACK of the one before, and the broker,
    // interactive since it answered CONNECT, delays its ACK of the first PUBLISH 40 ms (Linux keeps
    // pingpong mode after the idle second: tcp_incr_quickack). Every later reading inherits that
    // 40 ms: 400 + 40. WebSocket: 4 x 50 = 200; half of it, 100; a broker that ACKs at once, 400.
    expect(nagle!.choices[nagle!.answer]).toBe('440 ms');
    expect(nagle!.choices).toEqual(['100 ms', '200 ms', '400 ms', '440 ms']);
    expect(nagle!.slips?.[2]).toMatch(/^that is what a broker that ACKs every PUBLISH at once would give/);
  });
});

describe('chapter 1, following readings', () => {
  it('tags the packets that carry each reading: sensor to hub, then hub to each dashboard, two halves each', async () => {
    const { courseTwoWays } = await import('../../../src/worker/course/twoWays.ts');
    const r = courseTwoWays(TWO_WAYS_DEFAULTS);
    for (const s of [r.mqtt, r.websocket]) {
      // 5 readings x (sensor's line + 3 dashboards' lines) x 2 halves, one data packet each
      expect(s.trips.filter((t) => t.readings !== undefined)).toHaveLength(40);
      const first = s.trips.filter((t) => t.readings?.includes(0)).map((t) => [t.link, t.half, t.sentUs, t.endUs]);
      // sent at 1 s: sensor uplink 1.00-1.02, hub downlink 1.02-1.04, then to each dashboard 1.04-1.08
      expect(first).toEqual([
        [0, 0, 1_000_000, 1_020_000], [0, 1, 1_020_000, 1_040_000],
        [1, 0, 1_040_000, 1_060_000], [2, 0, 1_040_000, 1_060_000], [3, 0, 1_040_000, 1_060_000],
        [1, 1, 1_060_000, 1_080_000], [2, 1, 1_060_000, 1_080_000], [3, 1, 1_060_000, 1_080_000],
      ]);
      expect(s.readings[0]!.deliveredUs).toEqual([1_080_000, 1_080_000, 1_080_000]);
    }
  });

  it('says what happened when the sensor never connected, instead of "0 expected, 0 not delivered"', async () => {
    const { courseTwoWays } = await import('../../../src/worker/course/twoWays.ts');
    // Seed 1 at 10 % loss: the MQTT sensor's SYN is lost at 0 s, resent at 1 s; the SYN-ACK and
    // then the CONNECT are lost too, and no CONNACK arrives in the 6 s.
    const r = courseTwoWays({ ...TWO_WAYS_DEFAULTS, lossPct: 10, seed: 1 });
    expect(r.mqtt.sent).toBe(15); // 5 readings due x 3 dashboards
    expect(r.mqtt.sensorOpenUs).toBeUndefined();
    expect(r.mqtt.sensorSynRetries).toBe(1);
    expect(r.mqtt.outcomes).toEqual({ delivered: 0, 'on-the-way': 0, 'not-sent': 15, missed: 0 });
    // The WebSocket sensor connected at once; browser 2 was still connecting while the readings
    // were relayed (so it missed all five), browser 3 missed the first.
    expect(r.websocket.sensorOpenUs).toBe(160_000);
    expect(r.websocket.outcomes).toEqual({ delivered: 9, 'on-the-way': 0, 'not-sent': 0, missed: 6 });
    expect(r.websocket.readings.map((x) => x.outcome.join(' '))[0]).toBe('delivered missed missed');
  });

  it('at 20 readings a second Nagle holds MQTT\'s small writes: the broker is an extra wait, until TCP_NODELAY', async () => {
    const { courseTwoWays } = await import('../../../src/worker/course/twoWays.ts');
    // 50 ms between readings, 80 ms round trip between sensor and broker: each PUBLISH waits for
    // the ACK of the one before (and the broker's copies likewise).
    const fast = courseTwoWays({ ...TWO_WAYS_DEFAULTS, everyMs: 50 });
    expect(fast.mqtt.latencyMs!.p50).toBe(190);
    expect(fast.websocket.latencyMs!.p50).toBe(80);
    const noDelay = courseTwoWays({ ...TWO_WAYS_DEFAULTS, everyMs: 50, mqttNoDelay: true });
    expect(noDelay.mqtt.latencyMs).toEqual({ p50: 80, max: 80 });
    // 100 ms apart, longer than the 80 ms round trip: nothing is held, but for one reading. The
    // broker, interactive since it answered CONNECT, holds its ACK of the first PUBLISH (at 1.04 s)
    // 40 ms, as Linux does after an idle second; it reaches the sensor at 1.12 s, so the reading
    // due at 1.1 s leaves then: 20 + 80 = 100 ms. That delayed ACK's timer ended interactive
    // mode, and the later readings are ACKed at once.
    expect(courseTwoWays({ ...TWO_WAYS_DEFAULTS, everyMs: 100 }).mqtt.latencyMs).toEqual({ p50: 80, max: 100 });
  });

  it('lost or only late: run long enough, every reading that left the sensor reaches every dashboard that was listening', async () => {
    const { settledOutcomes } = await import('../../../src/worker/course/twoWays.ts');
    const s = settledOutcomes(10, 10);
    // 10 seeds x 5 readings x 3 dashboards = 150 per wiring; nothing is left on the way.
    expect(s.mqtt['on-the-way'] + s.websocket['on-the-way']).toBe(0);
    // Missed: dashboards that subscribed after a reading went out (seeds 4, 6, 8, 9, 10: 12).
    // (137 and 13 while the engine left pingpong mode after a silence: the broker's link then
    // carried more pure ACKs, so its loss draws fell on other packets, and in seed 3 dashboard 2
    // subscribed too late for the first reading.)
    expect(s.mqtt).toEqual({ delivered: 138, 'on-the-way': 0, 'not-sent': 0, missed: 12 });
    expect(s.websocket).toEqual({ delivered: 136, 'on-the-way': 0, 'not-sent': 6, missed: 8 });
    // The slowest: seed 1's MQTT reading due at 1 s. The sensor's CONNECT got through at 4.48 s,
    // its CONNACK was lost at 4.48 and 8.84 s and arrived with the third sending at 15.12 s, when
    // the reading left; it reached a dashboard at 15.485 s. (Before, with other packets lost, the
    // session opened at 8.88 s: 8,245 and 7,880 ms.)
    expect([s.slowestMs, s.slowestWaitedMs]).toEqual([14485, 14120]);
  });
});
