/**
 * Properties of the ws roles over random links and options: no run throws, a message is never
 * delivered after it was declared lost (lost means it can no longer arrive), and with app acks +
 * reconnect + a big server buffer nothing is lost at all; and long after the last send nothing is
 * left in flight (a client that does not reconnect gets nothing kept for it: `client-gone`).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { flowMetrics } from '../../../simulator/metrics/flows.ts';

const clientWs = fc.record(
  {
    heartbeatS: fc.constantFrom(1, 2, 5),
    reconnect: fc.constantFrom(true, { initialDelayS: 0.5, maxDelayS: 4, factor: 2, jitter: 0.3 }),
    appAcks: fc.constantFrom(true, { timeoutS: 1 }),
    fragmentBytes: fc.constantFrom(8, 64),
    deflate: fc.constantFrom(true, { threshold: 0 }),
  },
  { requiredKeys: [] },
);

// 200 messages cover c1's longest absence: an outage of up to 12 s, plus the TCP backoff until a
// client without a heartbeat notices (up to about as long again), at about 2.5 messages/s.
const serverWsArb = fc.record({ heartbeatS: fc.constantFrom(2, 5), serverBuffer: fc.constantFrom(3, 200), rooms: fc.constant(true) }, { requiredKeys: [] });
type Ws = Record<string, unknown>;
/** seed, loss % on c1's link, and c1's outage: start and length (s). */
const linkArbs = [fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 12 })] as const;

/** A server pushing every 700 ms and two clients sending; c1 behind loss and an outage. */
function runWs(seed: number, lossPct: number, atS: number, forS: number, ws: Ws, serverWs: Ws, durationS: number, stopS?: number) {
  const until = stopS === undefined ? {} : { stopS };
  const parsed = parseScenario({
    schema: 'wirelab/scenario@1',
    seed,
    durationS,
    defaults: { link: { latencyMs: 20, jitterMs: 5 } },
    nodes: [
      { id: 'server', role: 'ws-server', ws: { ...serverWs, push: [{ payloadBytes: 40, everyMs: 700, ...until }] } },
      { id: 'c1', role: 'ws-client', ws, link: { lossPct, outages: [{ atS, forS }] }, send: [{ payloadBytes: 30, everyMs: 500, ...until }] },
      { id: 'c2', role: 'ws-client', ws, send: [{ payloadBytes: 100, everyMs: 900, ...until }] },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return runScenario(parsed.scenario).trace;
}

describe('ws roles over random links', () => {
  it('never deliver a message after declaring it lost; never throw', () => {
    fc.assert(
      fc.property(...linkArbs, clientWs, serverWsArb, (seed, lossPct, atS, forS, ws, serverWs) => {
        const trace = runWs(seed, lossPct, atS, forS, ws, serverWs, 30);
        const lostAt = new Map<string, number>();
        for (const r of trace) {
          if (r.kind === 'app-lost') lostAt.set(`${r.flow}#${r.msg}`, r.t);
          if (r.kind === 'app-deliver') expect(lostAt.has(`${r.flow}#${r.msg}`), `${r.flow} msg ${r.msg} delivered after it was declared lost`).toBe(false);
        }
        const flows = flowMetrics(trace);
        expect(flows.length).toBeGreaterThanOrEqual(2);
        if (ws.appAcks && ws.reconnect) {
          for (const f of flows.filter((f) => f.from !== 'server')) expect(f.lost, f.flow).toBe(0);
        }
        if (ws.reconnect && serverWs.serverBuffer === 200) {
          for (const f of flows.filter((f) => f.from === 'server')) expect(f.lost, f.flow).toBe(0);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('leave nothing in flight long after the last send: every message arrives or is declared lost', () => {
    // Sends stop at 30 s and outages end by 27 s; by 200 s every dead connection has been noticed
    // (a heartbeat, or the peer's FIN or RST once the link is back) and everything buffered was
    // replayed or is known lost.
    fc.assert(
      fc.property(...linkArbs, clientWs, serverWsArb, (seed, lossPct, atS, forS, ws, serverWs) => {
        for (const f of flowMetrics(runWs(seed, lossPct, atS, forS, ws, serverWs, 200, 30))) {
          expect(f.inFlight, `${f.flow} with ws ${JSON.stringify(ws)}, server ${JSON.stringify(serverWs)}`).toBe(0);
        }
      }),
      { numRuns: 60 },
    );
  });
});
