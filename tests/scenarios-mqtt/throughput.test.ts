/**
 * How fast can one QoS 1 subscriber receive? 40 sensors publish QoS 1 every 100 ms (400
 * messages/s in all) to a dashboard subscribed at QoS 1, 40 ms each way between broker and
 * dashboard (two 20 ms access links), no loss. The broker keeps at most 20 messages in flight
 * to the dashboard (mosquitto's max_inflight_messages), so it can deliver at most 20 messages per
 * round trip (80 ms): 250/s.
 *
 * With Nagle on at both ends (mosquitto's and mqtt.js' default) it gets a third of that, as
 * mosquitto 2.0.21 did on the testbed (docs/FIDELITY.md: 79-85/s): both write each packet on its
 * own (mosquitto one send(2) per packet, mqtt.js one flush per packet). When a segment arrives,
 * the ACK it carries first lets out what that side's Nagle was holding (Linux sends it from the
 * receive path, before the application reads); the packets the application then writes in answer
 * are small and wait behind that unacknowledged segment until the next one arrives. So one
 * segment is in flight at a time, each side answers every segment with its answer to the one
 * before, and a window's worth of messages goes round in three batches: broker to dashboard
 * (half a round trip), held at the dashboard (a round trip), back (half), held at the broker (a
 * round trip): 3 round trips per 20 messages, 20 / 240 ms = 83/s. The split into batches (here
 * 18, 1 and 1; 17, 2 and 1 on the testbed) comes from how the flow started. Nagle off at one end
 * leaves one side holding: 2 round trips, 125/s; off at both, about 20 per round trip. The
 * figures below are counted in the third second of the run (2 s to 3 s), once the flow is steady.
 */
import { describe, expect, it } from 'vitest';
import { runMqtt } from './helpers.ts';

function dashboardRun(broker: Record<string, unknown>, dashTcp: Record<string, unknown> = {}) {
  const nodes: unknown[] = [];
  for (let i = 0; i < 40; i++) {
    nodes.push({ id: `s${i}`, role: 'mqtt-client', publish: [{ topic: `s/${i}`, qos: 1, payloadBytes: 20, everyMs: 100, startS: 1 + i / 400 }] });
  }
  nodes.push({ id: 'dash', role: 'mqtt-client', tcp: dashTcp, subscribe: [{ topic: 's/#', qos: 1 }] });
  const run = runMqtt(nodes, 4, { latencyMs: 20 }, broker);
  const inThirdSecond = (t: number) => t >= 2_000_000 && t < 3_000_000;
  const delivered = run.of('app-deliver').filter((r) => inThirdSecond(r.t)).length;
  // Data segments between broker and dashboard, in packets: PUBLISHes of 29 bytes (topics
  // s/0..s/9) or 30 (s/10..s/39), PUBACKs of 4.
  const segments = (node: string, size: number) =>
    run
      .of('tcp-send')
      .filter((r) => r.node === node && r.conn.startsWith('dash:') && r.payloadBytes > 0 && inThirdSecond(r.t))
      .map((r) => Math.round(r.payloadBytes / size));
  return { delivered, publishes: segments('broker', 29.5), pubacks: segments('dash', 4), sent: run.of('app-send').length, lost: run.of('app-lost').length };
}

describe('one QoS 1 subscriber behind a window of 20', () => {
  it('with Nagle on (the defaults) gets 20 messages per three round trips, in batches of 18, 1 and 1 each way', () => {
    const r = dashboardRun({});
    // A window every 3 x 80.5 ms = 241.5 ms: the broker sends a segment every 80.5 ms, windows of
    // 18 + 1 + 1 with the first 18 at 2.046 s. A PUBLISH sent by 2.96 s is delivered (40 ms later)
    // within the second: 4 windows (80) and the last single PUBLISH of the window before, sent at
    // 1.965 s: 81. Where the windows fall comes from how the flow started, which the delayed ACK
    // after the idle first second moves (80 when the engine still left pingpong mode there).
    expect(r.delivered).toBe(81);
    // Each side answers a segment with what it held back: the dashboard's 18 PUBACKs leave when
    // the broker's next segment (1 PUBLISH) arrives, and the broker's answer to them when the
    // dashboard's segment after that does. (The second's first PUBACK segment is now the second
    // 1 of a window, where it was the first.)
    expect(r.publishes.slice(0, 6)).toEqual([18, 1, 1, 18, 1, 1]);
    expect(r.pubacks.slice(0, 6)).toEqual([1, 1, 18, 1, 1, 18]);
    expect(r.lost).toBe(0);
  });

  it('with Nagle off on one side only gets 20 per two round trips: 120/s', () => {
    // 120 = 6 windows of 20 in the second (a window every 2 x 80.3 ms).
    expect(dashboardRun({ tcp: { nagle: false } }).delivered).toBe(120);
    expect(dashboardRun({}, { nagle: false }).delivered).toBe(120);
  });

  it('with Nagle off on both sides gets about 20 per round trip', () => {
    expect(dashboardRun({ tcp: { nagle: false } }, { nagle: false }).delivered).toBe(245);
  });

  it('with a window of 100 keeps up with the 400 messages/s offered', () => {
    // 400 = 40 sensors x 10 a second: every message offered is delivered within the second
    // (batches of 25-40 PUBLISHes about every 81 ms). 394 when the engine still left pingpong
    // mode after the idle first second: batches of 32 or 33 every 81.9 ms, a little short.
    expect(dashboardRun({ broker: { maxInflightMessages: 100 } }).delivered).toBe(400);
  });
});
