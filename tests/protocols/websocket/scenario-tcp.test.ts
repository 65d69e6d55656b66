/** `tcp` on ws-server and ws-client nodes: TCP options over the ws library's TCP_NODELAY. */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';

/** One 300-byte message from the client at 1 s, echoed by the server; data segments' payloads per node. */
function segments(serverTcp?: object, clientTcp?: object): Record<string, number[]> {
  const parsed = parseScenario({
    schema: 'wirelab/scenario@1',
    seed: 1,
    durationS: 3,
    defaults: { link: { latencyMs: 10, jitterMs: 0, lossPct: 0, bandwidthKbps: 0 } },
    nodes: [
      { id: 'server', role: 'ws-server', ws: { echo: true }, ...(serverTcp ? { tcp: serverTcp } : {}) },
      { id: 'client', role: 'ws-client', send: [{ payloadBytes: 300, everyMs: 1000, startS: 1, stopS: 1.5 }], ...(clientTcp ? { tcp: clientTcp } : {}) },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const out: Record<string, number[]> = { server: [], client: [] };
  for (const r of runScenario(parsed.scenario).trace) if (r.kind === 'tcp-send' && r.payloadBytes > 0 && r.t >= 1_000_000) out[r.node]!.push(r.payloadBytes);
  return out;
}

describe('ws roles take tcp options', () => {
  it('default: the 300-byte message in one frame and one segment each way', () => {
    // Client frame: 2 header + 2 extended length (126..65535) + 4 mask + 300 = 308; the echo: 304.
    expect(segments()).toEqual({ client: [308], server: [304] });
  });

  it('tcp.mss on each side cuts its own frames into segments of that size', () => {
    // 308 = 100 + 100 + 100 + 8; 304 = 100 + 100 + 100 + 4 (Nagle stays off, so the tail goes at once).
    expect(segments({ mss: 100 }, { mss: 100 })).toEqual({ client: [100, 100, 100, 8], server: [100, 100, 100, 4] });
    expect(segments({ mss: 100 })).toEqual({ client: [308], server: [100, 100, 100, 4] });
  });

  it('accepts tcp.congestion and checks tcp fields by name', () => {
    expect(segments({ congestion: 'bbr' }, { congestion: 'bbr' })).toEqual({ client: [308], server: [304] });
    const parsed = parseScenario({ schema: 'wirelab/scenario@1', durationS: 1, nodes: [{ id: 's', role: 'ws-server', tcp: { mss: 0 } }] });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.join('\n')).toMatch(/nodes\[0\]\.tcp\.mss/);
  });
});
