/**
 * Chapter 8's fan-out (src/worker/course/fanout*.ts): one publisher, N subscribers, through an
 * MQTT broker and through a WebSocket server with a room. Every per-message figure is derived by
 * hand in a comment (IPv4 20 + TCP 20 + timestamps 12 = 52 bytes a segment; 10 ms client links at
 * 10 Mbit/s, a 1 ms hub link at 1 Gbit/s), and the two-run difference the module measures with is
 * checked against the trace of the measured run itself, packet by packet.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { LIMITS } from '../../../simulator/scenarios/limits.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { runCourse } from '../../../src/worker/course/index.ts';
import { courseFanout, fanoutAtN } from '../../../src/worker/course/fanout-run.ts';
import { runFanoutStep } from '../../../src/worker/course/fanout-step.ts';
import { FANOUT_DEFAULTS, fanoutScenario, hubCost, fanoutTiming, HUB_NODE, ladderFor, MAX_SUBSCRIBERS, MESSAGES, PUBLISHER, subscriberId, type Cost, type Hub } from '../../../src/worker/course/fanout-scenario.ts';

const cost = (packetsOut: number, packetsIn: number, bytesOut: number, bytesIn: number): Cost => ({ packetsOut, packetsIn, bytesOut, bytesIn });

// MQTT PUBLISH, QoS 0, topic "rooms/lobby" (11 bytes), 100 bytes: 2 fixed header + 2 length + 11 + 100 = 115, + 52 = 167.
const PUBLISH_Q0 = 167;
// QoS 1 adds a 2-byte packet id: 169. PUBACK: 4 bytes + 52 = 56. A pure ACK: 52.
const PUBLISH_Q1 = 169;
const PUBACK = 56;
const ACK = 52;
// WebSocket: the client's frame is masked: 2 + 4 + 100 = 106, + 52 = 158; the server's is not: 102 + 52 = 154.
const WS_UP = 158;
const WS_DOWN = 154;

describe('fan-out scenarios', () => {
  it('hold the publisher, the hub and N subscribers, up to the scenario limit of nodes', () => {
    expect(MAX_SUBSCRIBERS).toBe(LIMITS.nodes - 2);
    for (const hub of ['mqtt', 'ws'] as const) {
      const json = fanoutScenario(hub, { ...FANOUT_DEFAULTS, subscribers: MAX_SUBSCRIBERS }, true);
      const parsed = parseScenario(json);
      expect(parsed.ok).toBe(true);
      expect((json.nodes as unknown[]).length).toBe(LIMITS.nodes);
    }
  });

  it('leave time for every connection, and for every copy before the next message, inside the 60 s keepalive', () => {
    // 100 subscribers at 1 Gbit/s: setup 1 s + 2 x 100 x 600 x 8 / 1e9 = 1.001 s -> 1.1 s; gap max(0.5, 0.3 + 0.00029) -> 0.5 s.
    expect(fanoutTiming(FANOUT_DEFAULTS)).toEqual({ startS: 1.1, gapS: 0.5, durationS: 4.6 });
    // The longest: 9,998 subscribers, 1,000 bytes, 100 Mbit/s: start 1 + 0.96 -> 2 s; gap 0.3 + 2 x 9,998 x 1,080 x 8 / 1e8 = 2.03 -> 2.1 s.
    expect(fanoutTiming({ ...FANOUT_DEFAULTS, subscribers: MAX_SUBSCRIBERS, payloadBytes: 1000, hubMbps: 100 })).toEqual({ startS: 2, gapS: 2.1, durationS: 13.5 });
  });

  it('run a ladder of subscriber counts up to N', () => {
    expect(ladderFor(1)).toEqual([1]);
    expect(ladderFor(100)).toEqual([1, 10, 100]);
    expect(ladderFor(250)).toEqual([1, 10, 100, 250]);
    expect(ladderFor(MAX_SUBSCRIBERS)).toEqual([1, 10, 100, 1000, MAX_SUBSCRIBERS]);
  });
});

describe('what one published message costs (fanout)', () => {
  const three = fanoutAtN({ ...FANOUT_DEFAULTS, subscribers: 3 });

  it('MQTT QoS 0, 3 subscribers: one PUBLISH leaves the publisher, three copies leave the broker', () => {
    const m = three.mqtt;
    expect(m.publisher).toEqual(cost(1, 1, PUBLISH_Q0, ACK));
    // Out: 3 copies + the ACK to the publisher; in: the PUBLISH + 3 ACKs from the subscribers.
    expect(m.hub).toEqual(cost(4, 4, 3 * PUBLISH_Q0 + ACK, PUBLISH_Q0 + 3 * ACK));
    expect(m.perSubscriber).toEqual(cost(1, 1, ACK, PUBLISH_Q0));
    expect(m.subscribers).toEqual(cost(3, 3, 3 * ACK, 3 * PUBLISH_Q0));
    expect([m.delivered, m.expected, m.retransmissions]).toEqual([3 * MESSAGES, 3 * MESSAGES, 0]);
  });

  it('WebSocket room, 3 other members: the same packets, 13 bytes fewer per copy', () => {
    const w = three.ws;
    expect(w.publisher).toEqual(cost(1, 1, WS_UP, ACK));
    expect(w.hub).toEqual(cost(4, 4, 3 * WS_DOWN + ACK, WS_UP + 3 * ACK));
    expect(w.perSubscriber).toEqual(cost(1, 1, ACK, WS_DOWN));
    expect([w.delivered, w.expected, w.retransmissions]).toEqual([3 * MESSAGES, 3 * MESSAGES, 0]);
  });

  it('takes two links each way: 10 + 1 + 1 + 10 ms, plus serialisation', () => {
    // MQTT, one subscriber: 167 B at 10 Mbit/s = 133.6 µs on the publisher's uplink and on the
    // subscriber's downlink, 1.336 µs twice at the hub: 22 ms + 269.9 µs, on the µs clock 22.27 ms.
    const one = fanoutAtN({ ...FANOUT_DEFAULTS, subscribers: 1 });
    expect(one.mqtt.latencyP50Ms).toBe(22.27);
    // WebSocket: 158 B (126.4 µs) up, 154 B (123.2 µs) down, 1.264 + 1.232 µs at the hub: 22.251 ms.
    expect(one.ws.latencyP50Ms).toBe(22.251);
  });

  it('QoS 1: a PUBACK per copy, carrying TCP\'s ACK, but for the first message', () => {
    const q1 = fanoutAtN({ ...FANOUT_DEFAULTS, subscribers: 3, qos: 1 });
    // Per message, over the 5 messages 500 ms apart. The broker answered the publisher's CONNECT,
    // so it is interactive (Linux's pingpong mode), and stays so through the 0.5 s gaps
    // (tcp_incr_quickack keeps it): its ACK rides on the PUBACK. The publisher answers nothing, so
    // its ACK of the PUBACK goes alone. Publisher: PUBLISH + ACK out; PUBACK in.
    expect(q1.mqtt.publisher).toEqual(cost(2, 1, PUBLISH_Q1 + ACK, PUBACK));
    // A subscriber's last delayed ACK (of the SUBACK) went on its timer, which ends interactive
    // mode: it ACKs the first copy at once, alone, then sends the PUBACK, which makes it
    // interactive again; for copies 2 to 5 the ACK rides on the PUBACK. So 1 + 1/5 packets out
    // (56 + 52 / 5 bytes); in: the copy and the broker's ACK of the PUBACK.
    const sub = q1.mqtt.perSubscriber;
    expect([sub.packetsOut, sub.packetsIn, sub.bytesIn]).toEqual([1.2, 2, PUBLISH_Q1 + ACK]);
    expect(sub.bytesOut).toBeCloseTo(PUBACK + ACK / 5, 9); // an average over 3 x 5 copies, in floating point
    // Hub: 3 copies, the PUBACK to the publisher and 3 ACKs out; the PUBLISH, the publisher's ACK,
    // 3 PUBACKs and 3 x 1/5 first-copy ACKs in. (Before the engine kept pingpong mode after a
    // silence longer than the RTO, every copy came back as an ACK and a PUBACK: 8 and 8.)
    expect(q1.mqtt.hub).toEqual(cost(7, 5.6, 3 * PUBLISH_Q1 + PUBACK + 3 * ACK, PUBLISH_Q1 + ACK + 3 * PUBACK + (3 * ACK) / 5));
  });

  it('grows in a straight line with N at the hub and stays flat at the publisher and each subscriber', () => {
    const r = courseFanout(FANOUT_DEFAULTS);
    expect(r.points.map((p) => p.subscribers)).toEqual([1, 10, 100]);
    for (const p of r.points) {
      const n = p.subscribers;
      expect([p.mqtt.hub.bytesOut, p.ws.hub.bytesOut]).toEqual([n * PUBLISH_Q0 + ACK, n * WS_DOWN + ACK]);
      expect([p.mqtt.hub.packetsOut, p.ws.hub.packetsOut]).toEqual([n + 1, n + 1]);
      expect([p.mqtt.publisher, p.ws.publisher]).toEqual([cost(1, 1, PUBLISH_Q0, ACK), cost(1, 1, WS_UP, ACK)]);
      expect([p.mqtt.perSubscriber.bytesIn, p.ws.perSubscriber.bytesIn]).toEqual([PUBLISH_Q0, WS_DOWN]);
      expect([p.mqtt.delivered, p.ws.delivered]).toEqual([n * MESSAGES, n * MESSAGES]);
    }
  });

  it('refuses a subscriber count past the limit, naming the field', () => {
    expect(() => runCourse('fanout', { ...FANOUT_DEFAULTS, subscribers: MAX_SUBSCRIBERS + 1 })).toThrow(/fanout widget's input is not valid: subscribers/);
    expect(() => runCourse('fanout', { ...FANOUT_DEFAULTS, hubMbps: 10 })).toThrow(/hubMbps/);
  });
});

describe('counts that miss part of a run', () => {
  it('are refused, not shown: the publisher\'s link must carry each message, each subscriber\'s each copy', () => {
    const step = { ...FANOUT_DEFAULTS, subscribers: 3, hub: 'mqtt' as const };
    const idle = runFanoutStep({ ...step, withMessages: false });
    const busy = runFanoutStep({ ...step, withMessages: true });
    expect(hubCost('mqtt', 3, idle, busy).delivered).toBe(15);
    // As metrics that saw only the newest records would count: the busy run's links no bigger than the idle run's.
    expect(() => hubCost('mqtt', 3, idle, { ...busy, publisher: idle.publisher, subscribers: idle.subscribers })).toThrow(
      "the broker's run with 3 subscribers was not counted in full (its packet counts miss part of the run), so its costs are not shown",
    );
  });
});

describe('the two-run difference, against the measured run\'s own trace', () => {
  for (const hub of ['mqtt', 'ws'] as const satisfies Hub[]) {
    it(`${hub}: the idle run is the busy run's prefix, and the difference is what crossed each link after the first message`, () => {
      const input = { ...FANOUT_DEFAULTS, subscribers: 3 };
      const { startS } = fanoutTiming(input);
      const run = (withMessages: boolean) => {
        const parsed = parseScenario(fanoutScenario(hub, input, withMessages));
        if (!parsed.ok) throw new Error(parsed.errors.join('; '));
        return runScenario(parsed.scenario).trace;
      };
      const tally = (trace: ReturnType<typeof run>, from: number, to: number) => {
        const out = new Map<string, [number, number]>();
        for (const r of trace) {
          if (r.kind !== 'link-send' || r.t < from || r.t >= to) continue;
          const [a, b] = out.get(r.link) ?? [0, 0];
          out.set(r.link, [a + 1, b + r.bytes]);
        }
        return out;
      };
      const idle = run(false);
      const busy = run(true);
      const start = startS * 1_000_000;
      // Before the first message the two runs sent exactly the same packets on every link; the idle one sent nothing after.
      expect(tally(busy, 0, start)).toEqual(tally(idle, 0, Infinity));
      // What the busy run sent from the first message on, per message, is the module's figure.
      const after = tally(busy, start, Infinity);
      const point = fanoutAtN(input)[hub];
      const of = (node: string): Cost => {
        const [po, bo] = after.get(`${node}->core`) ?? [0, 0];
        const [pi, bi] = after.get(`core->${node}`) ?? [0, 0];
        return cost(po / MESSAGES, pi / MESSAGES, bo / MESSAGES, bi / MESSAGES);
      };
      expect(of(PUBLISHER)).toEqual(point.publisher);
      expect(of(HUB_NODE[hub])).toEqual(point.hub);
      expect(of(subscriberId(2))).toEqual(point.perSubscriber);
    });
  }
});

describe("the chapter's figures and questions", () => {
  it('quote the runs at 1,000 subscribers, derived as above', async () => {
    const { fanoutFigures } = await import('../../../src/worker/course/fanout-figures.ts');
    const f = fanoutFigures();
    expect([f.mqttPubBytes1, f.mqttPubBytes1000]).toEqual([`${PUBLISH_Q0 + ACK} bytes`, `${PUBLISH_Q0 + ACK} bytes`]);
    // 1,000 copies of 167 bytes and one ACK: 167,052 bytes; the server's 1,000 x 154 + 52 = 154,052.
    expect([f.mqttHubBytesOut1000, f.wsHubBytesOut1000, f.mqttHubPacketsOut1000]).toEqual(['167,052 bytes', '154,052 bytes', '1,001 packets']);
    expect([f.copyDifference, f.wsSavedBytes1000]).toEqual(['13 bytes', '13,000 bytes']);
    // The 1,000th copy leaves the hub after 999 others: 999 x 167 B x 8 / 1 Gbit/s = 1.33 ms later than the first.
    expect([f.mqttLast1, f.mqttLast1000]).toEqual(['22.3 ms', '23.3 ms']);
    // At 100 Mbit/s: 13.3 ms of copies ahead of the last one.
    expect(f.mqttLast1000Slow).toBe('35.3 ms');
    // QoS 1 at 100: the PUBLISH, the publisher's ACK, from each subscriber a PUBACK carrying its
    // ACK, and for the first of the 5 messages an ACK of its own: 2 + 100 + 100 / 5 = 122.
    expect([f.qos0HubPacketsIn100, f.qos1HubPacketsIn100]).toEqual(['101 packets', '122 packets']);
  });

  it('mark as right the value the runs gave', async () => {
    const { fanoutChecks } = await import('../../../src/worker/course/fanout-checks.ts');
    const answers = fanoutChecks().map((q) => [q.id, q.choices[q.answer]]);
    expect(answers).toEqual([
      ['ch8-publisher', '1'],
      ['ch8-qos1', '122'],
      // 50 x 167 + 52 = 8,402 bytes.
      ['ch8-transfer', '8,402 bytes'],
      ['ch8-rooms', expect.stringMatching(/^Both hubs send one copy per receiver/)],
    ]);
  });
});
