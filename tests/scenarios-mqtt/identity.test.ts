/**
 * MQTT message identity travels beside the bytes (simulator/runtime/roles/mqtt-tags.ts), never in
 * the payload: which publisher's message a subscriber got does not depend on what the payload
 * holds. Before, ids were written into the payload, and payloads under 4 bytes carried only the
 * id modulo 256^length, matched to the oldest message of the topic with that residue: another
 * publisher's messages on the same topic were then counted on the wrong flow (issue 13, item 4).
 */
import { describe, expect, it } from 'vitest';
import { expectFlowsMatchRoles } from '../support/flow-counts.ts';
import { msgs, runMqtt } from './helpers.ts';

describe('two publishers on one topic with tiny payloads, one of them cut off for the whole run', () => {
  // mute's link is down from 0 to 60 s: its CONNECT never gets through, nothing it publishes can
  // arrive. live publishes the same topic; dash subscribes to it. Different rates interleave
  // their run-wide ids unevenly, so (old 1-byte payloads) ids 256 apart belong to either.
  const run = (payloadBytes: number) =>
    runMqtt(
      [
        { id: 'mute', role: 'mqtt-client', link: { outages: [{ atS: 0, forS: 60 }] }, publish: [{ topic: 'room/temp', qos: 1, payloadBytes, everyMs: 70, startS: 1, stopS: 20 }] },
        { id: 'live', role: 'mqtt-client', publish: [{ topic: 'room/temp', qos: 1, payloadBytes, everyMs: 100, startS: 1, stopS: 20 }] },
        { id: 'dash', role: 'mqtt-client', subscribe: [{ topic: 'room/#', qos: 1 }] },
      ],
      60,
    );

  it.each([0, 1, 8])('with %i-byte payloads: every delivery is counted on the publisher that sent it', (payloadBytes) => {
    const r = run(payloadBytes);
    const mute = r.flow('mute', 'dash');
    const live = r.flow('live', 'dash');
    // mute publishes at 1.00, 1.07, ... 19.97 s (272 messages), live at 1.0, 1.1, ... 19.9 s (190).
    expect([mute.sent, live.sent]).toEqual([272, 190]);
    // mute never connected: none of its messages reached the broker.
    expect(msgs(r, 'app-deliver', mute.flow)).toEqual([]);
    expect(mute.delivered).toBe(0);
    // live's arrive, each once, in order (one TCP connection, QoS 1, no loss).
    expect(msgs(r, 'app-deliver', live.flow)).toEqual(Array.from({ length: 190 }, (_, i) => i));
    // What dash's engine received is exactly live's 190 PUBLISH packets.
    expect(r.of('mqtt-packet').filter((p) => p.node === 'dash' && p.dir === 'receive' && p.type === 'publish')).toHaveLength(190);
    expectFlowsMatchRoles(r.trace, r.flows);
  });
});

describe('a will on a subscribed topic is nobody\'s flow message', () => {
  it('is delivered to the subscriber without being counted on a flow', () => {
    // sensor publishes 1-byte readings on a/b and has a 1-byte will on the same topic; its link
    // dies at 10 s, the broker publishes the will at its keepalive timeout (1.5 x 2 s after its
    // last packet).
    const r = runMqtt(
      [
        {
          id: 'sensor', role: 'mqtt-client', link: { outages: [{ atS: 10, forS: 50 }] },
          mqtt: { keepaliveS: 2, will: { topic: 'a/b', payloadBytes: 1, qos: 1 } },
          publish: [{ topic: 'a/b', qos: 1, payloadBytes: 1, everyMs: 1000, startS: 1, stopS: 9 }],
        },
        { id: 'dash', role: 'mqtt-client', subscribe: [{ topic: 'a/#', qos: 1 }] },
      ],
      30,
    );
    const f = r.flow('sensor', 'dash');
    // Readings at 1..8 s: 8 messages, all delivered before the outage.
    expect([f.sent, f.delivered, f.duplicates]).toEqual([8, 8, 0]);
    // dash's engine got 9 PUBLISH packets: the 8 readings and the will.
    expect(r.of('mqtt-packet').filter((p) => p.node === 'dash' && p.dir === 'receive' && p.type === 'publish')).toHaveLength(9);
    expectFlowsMatchRoles(r.trace, r.flows);
  });
});
