/**
 * Fixed cases that random testing found in the ws roles; each failed before its fix.
 *
 * A reconnecting client whose opening handshake stalls: its TCP connected and sent the upgrade
 * request (acknowledged), but the server's 101 response, every retransmission of it, and the RST
 * the server sent when its heartbeat gave up were all lost. The client then had nothing
 * unacknowledged, so its TCP never noticed the server was gone, and its heartbeat only starts once
 * the WebSocket is open: it waited forever, and so did the 42 messages the server kept for it in
 * its replay buffer (42 "in flight" 170 s after the last send: the case reported in issue 10).
 * Now a reconnecting client gives up on an opening that is not done after
 * `reconnect.connectTimeoutS` (default 4 s, reconnecting-websocket's connectionTimeout).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { flowMetrics } from '../../../simulator/metrics/flows.ts';
import type { TraceRecord } from '../../../simulator/core/trace.ts';

function run(scenario: unknown): TraceRecord[] {
  const parsed = parseScenario(scenario);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return runScenario(parsed.scenario).trace;
}

const counts = (trace: TraceRecord[]) => flowMetrics(trace).map((f) => [f.flow, f.sent, f.delivered, f.lost, f.inFlight]);

describe('a reconnecting ws-client whose handshake response and the server RST were lost', () => {
  // 20 ms per access link, no jitter, no random loss: packets on c's downlink in order are
  // 0 SYN-ACK, 1 the ACK of the upgrade request, 2 the 101 response, then pushes and
  // retransmissions. Dropping 2-18 loses the response, everything after it, and (without the fix)
  // the server's RST at 4.12 s (its ping at open + 2 s, no pong by open + 4 s; open at 120 ms).
  const trace = run({
    schema: 'wirelab/scenario@1',
    seed: 1,
    durationS: 200,
    defaults: { link: { latencyMs: 20 } },
    nodes: [
      { id: 'server', role: 'ws-server', ws: { heartbeatS: 2, serverBuffer: 200, push: [{ payloadBytes: 40, everyMs: 700, stopS: 30 }] } },
      {
        id: 'c',
        role: 'ws-client',
        ws: { heartbeatS: 1, reconnect: true },
        down: { dropList: Array.from({ length: 17 }, (_, i) => i + 2) },
        send: [{ payloadBytes: 30, everyMs: 500, stopS: 30 }],
      },
    ],
  });

  it('gives up on the stalled opening 4 s after it started and reconnects', () => {
    const notes = trace.filter((r) => r.kind === 'note' && r.node === 'c').map((r) => [r.t, r.kind === 'note' ? r.text.split(':')[0] : '']);
    expect(notes[0]).toEqual([4_000_000, 'ws connection to server not open after 4 s']);
  });

  it('gets every message the server kept for it: nothing left in flight', () => {
    // Server pushes at 0.7 s, 1.4 s, ... 29.4 s: 42 (the one at 0 s came before c had connected).
    // All wait in the 200-message buffer and are replayed after the reconnect. c sends every
    // 500 ms from its first open until 30 s (when that open happens depends on TCP's handling of
    // the drop list: taken from the trace), and all of those arrive too.
    const firstOpen = trace.find((r) => r.kind === 'ws-event' && r.node === 'c' && r.event === 'open')!.t;
    const ticks = Array.from({ length: 60 }, (_, k) => k * 500_000).filter((t) => t >= firstOpen && t < 30_000_000).length;
    expect(firstOpen).toBeGreaterThan(4_000_000); // after the abort at 4 s
    expect(counts(trace)).toEqual([
      ['ws:c->server', ticks, ticks, 0, 0],
      ['ws:server->c', 42, 42, 0, 0],
    ]);
  });
});

describe('cases from the ws scenario properties (tests/protocols/websocket/scenario-properties.test.ts)', () => {
  /** The property's scenario: a server pushing every 700 ms, c1 behind loss and an outage, c2 clean; sends stop at 30 s. */
  function propertyCase(seed: number, lossPct: number, atS: number, forS: number, ws: object, serverWs: object) {
    return run({
      schema: 'wirelab/scenario@1',
      seed,
      durationS: 200,
      defaults: { link: { latencyMs: 20, jitterMs: 5 } },
      nodes: [
        { id: 'server', role: 'ws-server', ws: { ...serverWs, push: [{ payloadBytes: 40, everyMs: 700, stopS: 30 }] } },
        { id: 'c1', role: 'ws-client', ws, link: { lossPct, outages: [{ atS, forS }] }, send: [{ payloadBytes: 30, everyMs: 500, stopS: 30 }] },
        { id: 'c2', role: 'ws-client', ws, send: [{ payloadBytes: 100, everyMs: 900, stopS: 30 }] },
      ],
    });
  }
  const reconnect = { initialDelayS: 0.5, maxDelayS: 4, factor: 2, jitter: 0.3 };

  it.each([
    // npm test's fixed seed found this one (44 of c1's messages stuck in flight).
    [542, 9, 8, 3, { heartbeatS: 1, reconnect, appAcks: true }, { heartbeatS: 2, serverBuffer: 3, rooms: true }],
    // npm run fuzz found this one (49 of c1's messages stuck in flight).
    [9, 14, 10, 4, { heartbeatS: 1, reconnect, appAcks: true }, { heartbeatS: 2, rooms: true }],
    [780, 11, 2, 4, { reconnect: true, appAcks: true }, { heartbeatS: 2, serverBuffer: 3 }],
  ])('seed %i, loss %i percent, outage at %i s for %i s: nothing in flight 170 s after the last send', (seed, lossPct, atS, forS, ws, serverWs) => {
    const flows = flowMetrics(propertyCase(seed, lossPct, atS, forS, ws, serverWs));
    expect(flows.map((f) => f.flow).sort()).toEqual(['ws:c1->server', 'ws:c2->server', 'ws:server->c1', 'ws:server->c2']);
    expect(flows.filter((f) => f.inFlight !== 0).map((f) => [f.flow, f.inFlight])).toEqual([]);
    // With app acks and reconnect nothing the clients sent is lost.
    expect(flows.filter((f) => f.from !== 'server').map((f) => f.lost)).toEqual([0, 0]);
  });
});
