/**
 * The simulated `ws` server terminates a dead client as real `ws` does (terminate() is
 * socket.destroy(), close(2); tests/conformance/ws-terminate.test.ts measures it on Linux): a FIN,
 * not a RST, and a RST only for data that arrives afterwards; the application forgets the client
 * at once and reads nothing more.
 */
import { expect, it } from 'vitest';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';

it('a heartbeat timeout sends a FIN, and the client\'s later data gets a RST', () => {
  const parsed = parseScenario({
    schema: 'wirelab/scenario@1', seed: 1, durationS: 30,
    defaults: { link: { latencyMs: 10, jitterMs: 0, lossPct: 0, bandwidthKbps: 10000 } },
    nodes: [
      { id: 'server', role: 'ws-server', ws: { heartbeatS: 2, pongTimeoutS: 2 } },
      // The client's link is down from 5 s to 20 s; it keeps writing a message a second.
      { id: 'c', role: 'ws-client', link: { outages: [{ atS: 5, forS: 15 }] }, send: [{ payloadBytes: 20, everyMs: 1000, stopS: 25 }] },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const { trace } = runScenario(parsed.scenario);
  const serverSegments = trace
    .filter((r) => r.kind === 'tcp-send' && r.node === 'server' && (r.flags.includes('FIN') || r.flags.includes('RST')))
    .map((r) => `${(r as { t: number }).t / 1e6} ${(r as { flags: string }).flags}`);
  // The heartbeat started when the connection opened (60 ms: SYN, SYN-ACK, request, 101 over 10 ms
  // links), so pings at 2.06, 4.06 and 6.06 s; the last gets no pong (the link is down from 5 s),
  // so at 8.06 s the server terminates: a FIN, never a RST. TCP resends it (with the unacknowledged
  // ping, hence PSH) at its backed-off RTOs, 9.90 and 13.75 s, both lost. After 20 s the client's
  // queued messages arrive at the closed socket and are answered with a RST.
  expect(serverSegments).toEqual(['8.06055 FIN|ACK', '9.903766 FIN|PSH|ACK', '13.746982 FIN|PSH|ACK', '20.020124 RST|ACK']);
  // Nothing sent after the terminate reaches the server's application.
  const delivered = trace.filter((r) => r.kind === 'app-deliver').map((r) => (r as { msg: number }).msg);
  expect(Math.max(...delivered)).toBeLessThan(8);
});
