/**
 * A node's `failure`: a crashed process's kernel closes its sockets (FIN, RST for later data,
 * RST for later SYNs); a powered-off machine goes silent. Every link here has 5 ms of latency,
 * so a packet from one node to another takes 10 ms (5 ms up to the core, 5 ms down).
 */
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';
import { scenario } from '../runtime/helpers.ts';

const ms = (t: number) => t / 1000;

function direct(kind: 'crash' | 'power') {
  return scenario({
    schema: 'wirelab/scenario@1',
    seed: 1,
    durationS: 12,
    defaults: { link: { latencyMs: 5 } },
    nodes: [
      { id: 's1', role: 'ws-server', failure: { atS: 5, kind } },
      // Sends at 1, 2, 3, ... s (the first tick, at 0, comes before the WebSocket is open).
      { id: 'c1', role: 'ws-client', send: [{ payloadBytes: 20, everyMs: 1000 }], ws: { reconnect: { jitter: 0, initialDelayS: 1 } } },
    ],
  });
}

const sends = (trace: readonly TraceRecord[], node: string) => trace.filter((r) => r.kind === 'tcp-send' && r.node === node) as Extract<TraceRecord, { kind: 'tcp-send' }>[];

describe('failure: crash', () => {
  const { trace } = runScenario(direct('crash'));

  it('the kernel sends a FIN at the crash, and refuses the reconnect with a RST', () => {
    const s1 = sends(trace, 's1').filter((r) => r.t >= 5_000_000);
    // At 5 s exactly: FIN|ACK on the open connection (nothing was queued).
    expect(s1[0]).toMatchObject({ t: 5_000_000, flags: 'FIN|ACK' });
    // The client's message of 5 s left at 5 s too (the failure event was scheduled first) and
    // reaches the closed socket at 5.010 s: close(2)'s rule answers data with a RST (with ACK
    // set, as Linux's tcp_send_active_reset sends it).
    expect(s1[1]).toMatchObject({ t: 5_010_000, flags: 'RST|ACK' });
    // The client saw the FIN at 5.010 s, closed, and its TCP got the RST at 5.020 s: reconnect
    // 1 s later (jitter 0, first attempt), SYN at 6.020 s, arriving at 6.030 s to no listener.
    const refusals = s1.slice(2).filter((r) => r.flags === 'RST|ACK').map((r) => ms(r.t));
    // Then 2 s, 4 s later (attempts 2 and 3: factor 2), each refused 10 ms after it left.
    expect(refusals).toEqual([6030, 8050, 12_070].filter((t) => t < 12_000));
  });

  it('nothing is delivered by the dead server, and the message it reset is lost', () => {
    const delivered = trace.filter((r) => r.kind === 'app-deliver').map((r) => (r as { msg: number }).msg);
    // Messages 0..3 (sent at 1..4 s) arrived; message 4 (5 s) met the dead socket.
    expect(delivered).toEqual([0, 1, 2, 3]);
    expect(trace.filter((r) => r.kind === 'app-lost').map((r) => [(r as { msg: number }).msg, (r as { reason: string }).reason])).toEqual([[4, 'connection-died']]);
  });
});

describe('failure: power', () => {
  const { trace } = runScenario(direct('power'));

  it('the machine sends nothing after the failure; the client retransmits into silence', () => {
    expect(sends(trace, 's1').filter((r) => r.t >= 5_000_000)).toEqual([]);
    const retrans = trace.filter((r) => r.kind === 'tcp-retransmit' && r.node === 'c1') as Extract<TraceRecord, { kind: 'tcp-retransmit' }>[];
    // Message 4 left at 5 s. The RTO is SRTT + max(4 x RTTVAR, 200 ms). The round trip is 20 ms,
    // but the server, interactive since it answered the upgrade request, delays its ACK of the
    // first message (1 s, after a silence longer than the RTO: Linux keeps pingpong mode then)
    // 40 ms, and that sample is 60 ms; messages 2-4 are ACKed at once. SRTT 20 -> 20 + 40/8 = 25,
    // then three samples of 20: 25 - 5/8 = 24.375, 23.828, 23.349 ms; RTTVAR has decayed below
    // 50 ms, so RTO = 223.349 ms (220 before the engine kept pingpong mode there). The tail loss
    // probe fires first, its timeout capped at the RTO; then the RTO, restarted by the probe and
    // doubling each time:
    expect(retrans.slice(0, 5).map((r) => [ms(r.t), r.cause])).toEqual([
      [5223.349, 'tail-loss-probe'],
      [5446.698, 'rto'], // 5.223349 + 0.223349
      [5893.396, 'rto'], // + 0.446698
      [6786.792, 'rto'], // + 0.893396
      [8573.584, 'rto'], // + 1.786792
    ]);
  });
});

describe('failure: validation', () => {
  const base = (failure: unknown) => ({
    schema: 'wirelab/scenario@1', seed: 1, durationS: 10,
    nodes: [{ id: 's1', role: 'ws-server', failure }],
  });

  it('names a bad kind, an unknown field and a time past the end of the run', () => {
    expect(parseScenario(base({ atS: 1, kind: 'meltdown' }))).toEqual({ ok: false, errors: ['nodes[0].failure.kind: expected "crash" or "power", got "meltdown"'] });
    expect(parseScenario(base({ atS: 1, when: 2 }))).toEqual({ ok: false, errors: ['nodes[0].failure.when: unknown field (check the spelling)'] });
    expect(parseScenario(base({ atS: 10 }))).toEqual({ ok: false, errors: ['nodes[0].failure.atS: expected a time before the end of the run (durationS 10), got 10'] });
  });
});
