/** ws-server `echo`: each client message comes back to its sender, once, the same size. */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { flowMetrics } from '../../../simulator/metrics/flows.ts';

function run(serverWs: object) {
  const parsed = parseScenario({
    schema: 'wirelab/scenario@1',
    seed: 3,
    durationS: 10,
    defaults: { link: { latencyMs: 10, jitterMs: 0, lossPct: 0, bandwidthKbps: 0 } },
    nodes: [
      { id: 'server', role: 'ws-server', ws: serverWs },
      // 5 messages of 30 bytes at 1, 2, 3, 4 and 5 s.
      { id: 'a', role: 'ws-client', send: [{ payloadBytes: 30, everyMs: 1000, startS: 1, stopS: 6 }] },
      { id: 'b', role: 'ws-client', send: [{ payloadBytes: 40, everyMs: 1000, startS: 1.5, stopS: 3 }] },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const trace = runScenario(parsed.scenario).trace;
  return { trace, flows: flowMetrics(trace) };
}

describe('ws-server echo', () => {
  it('sends each message back to its sender only, same size, and the echo of message k is message k', () => {
    const { trace, flows } = run({ echo: true });
    const get = (id: string) => flows.find((f) => f.flow === id)!;
    // a sent 5 (1..5 s), b sent 2 (1.5 and 2.5 s); each gets exactly its own back.
    expect([get('ws:server->a').sent, get('ws:server->a').delivered]).toEqual([5, 5]);
    expect([get('ws:server->b').sent, get('ws:server->b').delivered]).toEqual([2, 2]);
    expect([get('ws:server->a').appBytes, get('ws:server->b').appBytes]).toEqual([5 * 30, 2 * 40]);
    const sendAt = new Map(trace.flatMap((r) => (r.kind === 'app-send' && r.flow === 'ws:a->server' ? [[r.msg, r.t] as const] : [])));
    const echoAt = new Map(trace.flatMap((r) => (r.kind === 'app-deliver' && r.flow === 'ws:server->a' ? [[r.msg, r.t] as const] : [])));
    // Client 10 ms + server 10 ms access links: 20 ms each way, a round trip of 40 ms plus
    // serialisation 0 (bandwidth 0): every echo is back after at least 40 ms, well within 1 s.
    for (let k = 0; k < 5; k++) {
      const rtt = echoAt.get(k)! - sendAt.get(k)!;
      expect(rtt).toBeGreaterThanOrEqual(40_000);
      expect(rtt).toBeLessThan(41_000);
    }
  });

  it('is off by default, and a wrong value names the field', () => {
    expect(run({}).flows.find((f) => f.flow === 'ws:server->a')).toBeUndefined();
    const parsed = parseScenario({ schema: 'wirelab/scenario@1', durationS: 1, nodes: [{ id: 's', role: 'ws-server', ws: { echo: 'yes' } }] });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.join('\n')).toMatch(/nodes\[0\]\.ws\.echo/);
  });
});
