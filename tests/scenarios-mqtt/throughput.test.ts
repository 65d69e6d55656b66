/**
 * How fast can one QoS 1 subscriber receive? 40 sensors publish QoS 1 every 100 ms (400
 * messages/s in all) to a dashboard subscribed at QoS 1, 40 ms each way between broker and
 * dashboard (two 20 ms access links), no loss. The broker keeps at most 20 messages in flight
 * to the dashboard (mosquitto's max_inflight_messages), so it can deliver at most 20 messages per
 * round trip (80 ms): 250/s. With Nagle on (mosquitto's and mqtt.js' default) it gets half:
 * when a batch of PUBACKs frees the window, the first PUBLISH leaves at once and the other 19
 * wait for its ACK, which comes back with the dashboard's PUBACK a round trip later. So each
 * window of 20 costs two round trips: 20 / 160 ms = 125/s. Nagle at the dashboard alone does the
 * same to its PUBACKs (the first leaves, the other 19 wait for its ACK), so it takes Nagle off at
 * both ends to reach 20 per round trip. The figures below are counted in the
 * third second of the run (2 s to 3 s), once the flow is steady.
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
  // Data segments the broker sent the dashboard, in PUBLISHes (29 bytes for topics s/0..s/9, 30 after).
  const segments = run
    .of('tcp-send')
    .filter((r) => r.node === 'broker' && r.conn.startsWith('dash:') && r.payloadBytes > 0 && inThirdSecond(r.t))
    .map((r) => Math.round(r.payloadBytes / 29.5));
  return { delivered, segments, sent: run.of('app-send').length, lost: run.of('app-lost').length };
}

describe('one QoS 1 subscriber behind a window of 20', () => {
  it('with Nagle on (the defaults) gets 20 messages per two round trips: one PUBLISH alone, then 19 together', () => {
    const r = dashboardRun({});
    expect(r.delivered).toBe(120);
    expect(r.segments.slice(0, 6)).toEqual([1, 19, 1, 19, 1, 19]);
    expect(r.lost).toBe(0);
  });

  it('with Nagle off on one side only still gets 120/s', () => {
    expect(dashboardRun({ tcp: { nagle: false } }).delivered).toBe(120);
    expect(dashboardRun({}, { nagle: false }).delivered).toBe(120);
  });

  it('with Nagle off on both sides gets about 20 per round trip', () => {
    expect(dashboardRun({ tcp: { nagle: false } }, { nagle: false }).delivered).toBe(245);
  });

  it('with a window of 100 keeps up with the 400 messages/s offered', () => {
    expect(dashboardRun({ broker: { maxInflightMessages: 100 } }).delivered).toBe(394);
  });
});
