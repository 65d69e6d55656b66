/**
 * ws-server + ws-client roles on the runtime, through loss and an outage: what a reader of the
 * course sees in the numbers. Relations are exact; message counts follow from the schedules.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { flowMetrics } from '../../../simulator/metrics/flows.ts';
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { expectFlowsMatchRoles } from '../../support/flow-counts.ts';

function run(clientWs: object | undefined, serverWs: object | undefined, extra: object[] = [], durationS = 40) {
  const parsed = parseScenario({
    schema: 'wirelab/scenario@1',
    seed: 7,
    durationS,
    defaults: { link: { latencyMs: 25, jitterMs: 0, lossPct: 0, bandwidthKbps: 10000 } },
    nodes: [
      { id: 'server', role: 'ws-server', ...(serverWs ? { ws: serverWs } : {}) },
      {
        id: 'browser-1',
        role: 'ws-client',
        ...(clientWs ? { ws: clientWs } : {}),
        link: { lossPct: 5, outages: [{ atS: 10, forS: 10 }] },
        send: [{ payloadBytes: 20, everyMs: 1000 }],
      },
      ...extra,
    ],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const result = runScenario(parsed.scenario);
  const flows = flowMetrics(result.trace);
  const flow = (id: string) => flows.find((f) => f.flow === id)!;
  // Every flow's counts agree with the records the roles wrote (not with each other).
  expectFlowsMatchRoles(result.trace, flows);
  return { trace: result.trace, flows, flow };
}

const lostBy = (trace: TraceRecord[], flow: string) =>
  trace.flatMap((r) => (r.kind === 'app-lost' && r.flow === flow ? [[r.msg, r.reason] as const] : []));
const deliveredMsgs = (trace: TraceRecord[], flow: string) =>
  trace.flatMap((r) => (r.kind === 'app-deliver' && r.flow === flow ? [r.msg] : []));

describe('ws roles through 5% loss and a 10 s outage', () => {
  it('raw WebSocket: TCP turns loss and the outage into delay, nothing is lost', () => {
    const { flow, trace } = run(undefined, undefined);
    const up = flow('ws:browser-1->server');
    // Ticks at 0, 1, ..., 39 s; the one at 0 s comes before the handshake finished, so 39 sends.
    expect([up.sent, up.delivered, up.lost, up.inFlight, up.duplicates]).toEqual([39, 39, 0, 0, 0]);
    // Messages sent during the outage waited for it to end (and for TCP's backed-off RTO).
    expect(up.latencyMs.max).toBeGreaterThan(10_000);
    expect(up.retransmissions).toBeGreaterThan(0);
    // Every frame is traced; the client's 20-byte messages are 26-byte masked frames.
    const clientData = trace.filter((r) => r.kind === 'ws-frame' && r.node === 'browser-1' && r.dir === 'send' && r.opcode === 'text');
    expect(clientData).toHaveLength(39);
    expect(clientData.every((r) => r.kind === 'ws-frame' && r.masked && r.frameBytes === 26 && r.payloadBytes === 20)).toBe(true);
    const serverSeen = trace.filter((r) => r.kind === 'ws-frame' && r.node === 'server' && r.dir === 'receive');
    expect(serverSeen).toHaveLength(39);
  });

  it('with a heartbeat and no reconnect, the dead connection takes messages with it (1006)', () => {
    const { flow, trace } = run({ heartbeatS: 2 }, { heartbeatS: 2, push: [{ payloadBytes: 50, everyMs: 500 }] });
    const up = flow('ws:browser-1->server');
    const down = flow('ws:server->browser-1');
    expect([up.sent, up.inFlight, down.inFlight]).toEqual([39, 0, 0]);
    // What arrived is exactly the messages sent before the outage (t = 1..9 s: msgs 0..8).
    expect(deliveredMsgs(trace, 'ws:browser-1->server')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const lost = lostBy(trace, 'ws:browser-1->server');
    expect(lost.map(([m]) => m)).toEqual(Array.from({ length: 30 }, (_, i) => 9 + i));
    // Written into the dying connection (t = 10, 11, 12 s), then sent into a closed socket.
    expect(lost.filter(([, r]) => r === 'connection-died').map(([m]) => m)).toEqual([9, 10, 11]);
    expect(lost.filter(([, r]) => r === 'not-connected')).toHaveLength(27);
    const closed = trace.filter((r) => r.kind === 'ws-event' && r.event === 'closed');
    expect(closed.map((r) => r.kind === 'ws-event' && [r.node, r.code])).toEqual([['server', 1006], ['browser-1', 1006]]);
    // The server pushed every 500 ms from 0.5 s (before that it knew no client): 79 messages.
    expect(down.sent).toBe(79);
    // Those the dead connection took, then those pushed to a client that will not come back
    // (browser-1 has no reconnect): 'client-gone'.
    expect(new Set(lostBy(trace, 'ws:server->browser-1').map(([, r]) => r))).toEqual(new Set(['connection-died', 'client-gone']));
  });

  it('reconnect with backoff: the dead connection still loses its in-flight messages, the queue does not', () => {
    const { flow, trace } = run({ heartbeatS: 2, reconnect: true }, { heartbeatS: 2 });
    const up = flow('ws:browser-1->server');
    expect(lostBy(trace, 'ws:browser-1->server')).toEqual([[9, 'connection-died'], [10, 'connection-died'], [11, 'connection-died']]);
    expect(up.delivered).toBe(up.sent - 3);
    const opens = trace.filter((r) => r.kind === 'ws-event' && r.event === 'open' && r.node === 'browser-1');
    expect(opens).toHaveLength(2);
    expect(opens[1]!.t).toBeGreaterThan(20_000_000);
    expect(trace.some((r) => r.kind === 'note' && r.text.startsWith('ws reconnect to server'))).toBe(true);
  });

  it('reconnect + app acks + a server buffer: nothing lost either way', () => {
    const { flow } = run(
      { heartbeatS: 2, reconnect: true, appAcks: { timeoutS: 3 } },
      { heartbeatS: 2, serverBuffer: 100, push: [{ payloadBytes: 50, everyMs: 500 }] },
    );
    for (const f of [flow('ws:browser-1->server'), flow('ws:server->browser-1')]) {
      expect([f.lost, f.inFlight]).toEqual([0, 0]);
      expect(f.delivered).toBe(f.sent);
    }
    expect(flow('ws:browser-1->server').sent).toBe(39);
  });

  it('app acks without reconnect: what was unacknowledged when the connection died is lost', () => {
    const { flow, trace } = run({ heartbeatS: 2, appAcks: { timeoutS: 3 } }, { heartbeatS: 2 });
    const up = flow('ws:browser-1->server');
    expect([up.sent, up.inFlight]).toEqual([39, 0]);
    expect(deliveredMsgs(trace, 'ws:browser-1->server').filter((m, i, all) => all.indexOf(m) === i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const lost = lostBy(trace, 'ws:browser-1->server');
    expect(lost.filter(([, r]) => r === 'connection-died').map(([m]) => m)).toEqual([9, 10, 11]);
    expect(lost.filter(([, r]) => r === 'not-connected')).toHaveLength(27);
  });

  it('a too small server buffer drops the oldest messages for an offline client', () => {
    const { flow, trace } = run({ heartbeatS: 2, reconnect: true }, { heartbeatS: 2, serverBuffer: 4, push: [{ payloadBytes: 50, everyMs: 500 }] });
    const down = flow('ws:server->browser-1');
    const lost = lostBy(trace, 'ws:server->browser-1');
    expect(lost.some(([, r]) => r === 'buffer-full')).toBe(true);
    expect(down.lost).toBe(new Set(lost.map(([m]) => m)).size);
  });

  it('same scenario and seed give the same trace', () => {
    const a = run({ heartbeatS: 2, reconnect: true }, undefined);
    const b = run({ heartbeatS: 2, reconnect: true }, undefined);
    expect(JSON.stringify(a.trace)).toBe(JSON.stringify(b.trace));
  });
});

describe('rooms and deflate', () => {
  it('a room fans each message out to the other members, one send each', () => {
    const parsed = parseScenario({
      schema: 'wirelab/scenario@1',
      seed: 3,
      durationS: 10,
      defaults: { link: { latencyMs: 10 } },
      nodes: [
        { id: 'server', role: 'ws-server', ws: { rooms: true } },
        { id: 'a', role: 'ws-client', send: [{ payloadBytes: 30, everyMs: 1000, startS: 1, stopS: 6 }] },
        { id: 'b', role: 'ws-client' },
        { id: 'c', role: 'ws-client' },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const trace = runScenario(parsed.scenario).trace;
    const flows = flowMetrics(trace);
    const get = (id: string) => flows.find((f) => f.flow === id)!;
    expect(get('ws:a->server').delivered).toBe(5);
    expect([get('ws:server->b').sent, get('ws:server->b').delivered]).toEqual([5, 5]);
    expect([get('ws:server->c').sent, get('ws:server->c').delivered]).toEqual([5, 5]);
    expect(flows.find((f) => f.flow === 'ws:server->a')).toBeUndefined();
    const notes = trace.filter((r) => r.kind === 'note' && r.text.startsWith('ws fan-out'));
    expect(notes.map((n) => n.kind === 'note' && n.text)).toEqual(Array(5).fill('ws fan-out from a: 2 sends (2 online)'));
  });

  it('permessage-deflate shrinks the frames, not the messages', () => {
    const parsed = parseScenario({
      schema: 'wirelab/scenario@1',
      seed: 3,
      durationS: 5,
      nodes: [
        { id: 'server', role: 'ws-server', ws: { deflate: true } },
        { id: 'a', role: 'ws-client', ws: { deflate: { threshold: 0 } }, send: [{ payloadBytes: 2000, everyMs: 1000 }] },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const trace = runScenario(parsed.scenario).trace;
    const frames = trace.filter((r) => r.kind === 'ws-frame' && r.node === 'a' && r.dir === 'send' && r.opcode === 'text');
    expect(frames.length).toBe(4);
    // Hex filler holds 4 bits per byte: deflate gets it to a bit over half.
    for (const f of frames) expect(f.kind === 'ws-frame' && f.payloadBytes).toBeLessThan(1300);
    const deliveries = trace.filter((r) => r.kind === 'app-deliver');
    expect(deliveries.every((r) => r.kind === 'app-deliver' && r.bytes === 2000)).toBe(true);
  });
});

describe('an idle-timeout middlebox (NAT) on the client link', () => {
  const idle = (ws: object | undefined, durationS: number) => {
    const parsed = parseScenario({
      schema: 'wirelab/scenario@1',
      seed: 7,
      durationS,
      defaults: { link: { latencyMs: 25 } },
      nodes: [
        { id: 'server', role: 'ws-server' },
        {
          id: 'browser-1',
          role: 'ws-client',
          ...(ws ? { ws } : {}),
          link: { idleTimeoutS: 30 },
          // Busy for 5 s, silent for 55 s, busy again.
          send: [{ payloadBytes: 20, everyMs: 1000, startS: 0, stopS: 5 }, { payloadBytes: 20, everyMs: 1000, startS: 60, stopS: 65 }],
        },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const trace = runScenario(parsed.scenario).trace;
    return { trace, up: flowMetrics(trace).find((f) => f.flow === 'ws:browser-1->server')! };
  };

  it('without a heartbeat the forgotten connection swallows what follows the silence', () => {
    const { up, trace } = idle(undefined, 120);
    // msgs 0-3 at 1-4 s arrive; msgs 4-8 at 60-64 s are dropped by the NAT, retransmitted in vain.
    expect([up.sent, up.delivered, up.lost, up.inFlight]).toEqual([9, 4, 0, 5]);
    expect(trace.some((r) => r.kind === 'link-drop' && r.reason === 'idle-timeout')).toBe(true);
  });

  it('... until TCP gives up minutes later: then they are lost, with close code 1006', () => {
    const { up, trace } = idle(undefined, 1200);
    expect([up.sent, up.delivered, up.lost, up.inFlight]).toEqual([9, 4, 5, 0]);
    expect(trace.filter((r) => r.kind === 'app-lost').map((r) => r.kind === 'app-lost' && [r.msg, r.reason])).toEqual(
      [4, 5, 6, 7, 8].map((m) => [m, 'connection-died']),
    );
    const closed = trace.find((r) => r.kind === 'ws-event' && r.event === 'closed');
    expect(closed).toMatchObject({ node: 'browser-1', code: 1006 });
    expect(closed!.t).toBeGreaterThan(600_000_000);
  });

  it('a ping every 20 s keeps the mapping alive: everything arrives', () => {
    const { up, trace } = idle({ heartbeatS: 20 }, 120);
    expect([up.sent, up.delivered, up.lost, up.inFlight]).toEqual([9, 9, 0, 0]);
    expect(trace.filter((r) => r.kind === 'link-drop')).toHaveLength(0);
    expect(trace.filter((r) => r.kind === 'ws-frame' && r.opcode === 'ping' && r.dir === 'send')).toHaveLength(5);
  });
});

describe('a client with two servers', () => {
  it('keeps one connection and one flow per server', () => {
    const parsed = parseScenario({
      schema: 'wirelab/scenario@1',
      seed: 5,
      durationS: 6,
      defaults: { link: { latencyMs: 10 } },
      nodes: [
        { id: 'chat', role: 'ws-server' },
        { id: 'feed', role: 'ws-server', ws: { port: 8080 } },
        {
          id: 'app',
          role: 'ws-client',
          send: [
            { payloadBytes: 10, everyMs: 1000, to: 'chat' },
            { payloadBytes: 50, everyMs: 500, to: 'feed' },
          ],
        },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const trace = runScenario(parsed.scenario).trace;
    const flows = flowMetrics(trace).map((f) => [f.flow, f.sent, f.delivered, f.appBytes]);
    // Ticks before each handshake finished are skipped: chat 1..5 s, feed 0.5..5.5 s.
    expect(flows).toEqual([
      ['ws:app->chat', 5, 5, 5 * 10],
      ['ws:app->feed', 11, 11, 11 * 50],
    ]);
    const conns = new Set(trace.flatMap((r) => (r.kind === 'ws-event' && r.event === 'open' ? [r.conn] : [])));
    expect([...conns].sort()).toEqual(['app:49152-chat:80', 'app:49153-feed:8080']);
  });
});

describe('what a dying connection takes with it', () => {
  it('only messages the server never got: not those whose ACKs were lost, nor those still on the wire', () => {
    // From 0.9 s nothing reaches the client (its downlink is out): no ACK, no pong. Its heartbeat
    // (ping at 1.8 s, pong timeout 1 s) aborts the connection at 2.8 s. Messages 0-6 arrived
    // long before (their ACKs were lost); message 7, sent at 2.75 s, is still on the wire at 2.8 s
    // and arrives at 2.95 s, before the RST. None of them is lost; from 3 s on, sends find no
    // connection (not-connected).
    const parsed = parseScenario({
      schema: 'wirelab/scenario@1', seed: 1, durationS: 4,
      defaults: { link: { latencyMs: 100 } },
      nodes: [
        { id: 'server', role: 'ws-server' },
        { id: 'c1', role: 'ws-client', ws: { heartbeatS: 1 }, down: { outages: [{ atS: 0.9, forS: 9 }] }, send: [{ payloadBytes: 30, everyMs: 250 }] },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const { trace } = runScenario(parsed.scenario);
    const flow = 'ws:c1->server';
    const closed = trace.find((r) => r.kind === 'ws-event' && r.node === 'c1' && r.event === 'closed')!;
    expect([closed.t, closed.kind === 'ws-event' && closed.code]).toEqual([2_800_000, 1006]);
    expect(deliveredMsgs(trace, flow)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(trace.find((r) => r.kind === 'app-deliver' && r.flow === flow && r.msg === 7)!.t).toBe(2_950_000);
    expect(lostBy(trace, flow)).toEqual([[8, 'not-connected'], [9, 'not-connected'], [10, 'not-connected'], [11, 'not-connected']]);
    const f = flowMetrics(trace).find((x) => x.flow === flow)!;
    expect([f.sent, f.delivered, f.lost, f.inFlight]).toEqual([12, 8, 4, 0]);
  });
});
