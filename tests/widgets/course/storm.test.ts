/**
 * Chapter 11's course module: the farm it builds, what it reads from a run (when the balancer marks
 * the failed server DOWN, who lost a connection, the peak of new connections, where the clients went,
 * what became of their messages), and its questions.
 *
 * Times used in the derivations (STORM_DEFAULTS): the balancer and the servers have 0.5 ms links,
 * so a packet between them takes 1 ms and a health check's SYN and SYN-ACK 2 ms. Clients are 20 ms
 * from the core. The balancer places client c_i on server (fnv1a(c_i) mod 3), the survivors of s1's
 * failure at (fnv1a(c_i) mod 2) among [s2, s3] (map-based hashing, simulator/runtime/roles/balancer.ts).
 */
import { describe, expect, it } from 'vitest';
import { fnv1a } from '../../../simulator/runtime/roles/balancer.ts';
import { runCourse } from '../../../src/worker/course/index.ts';
import { rehashedPercent } from '../../../src/worker/course/storm-hash.ts';
import { stormRuns, STORM_DEFAULTS as D } from '../../../src/worker/course/storm-figures.ts';
import { clientIds, stormScenario } from '../../../src/worker/course/storm-scenario.ts';

const ids = clientIds(D.clients);
const onServer = (k: number) => ids.filter((c) => fnv1a(c) % 3 === k);

describe('the farm', () => {
  it('puts every client behind the balancer, joining over 5 s, s1 failing at 10 s', () => {
    const sc = stormScenario({ ...D, clients: 4, jitter: 0.5, resume: true }) as { nodes: Record<string, unknown>[] };
    expect(sc.nodes.map((n) => n.id)).toEqual(['lb', 's1', 's2', 's3', 'c1', 'c2', 'c3', 'c4']);
    expect(sc.nodes[1]).toEqual({ id: 's1', role: 'ws-server', failure: { atS: 10, kind: 'crash' } });
    expect(sc.nodes[7]).toMatchObject({
      send: [{ to: 'lb', payloadBytes: 20, everyMs: 1000, startS: 0.75, stopS: 28 }],
      ws: { heartbeatS: 10, reconnect: { initialDelayS: 1, maxDelayS: 30, factor: 2, jitter: 0.5 }, appAcks: { timeoutS: 10 }, connectAtS: 3.75 },
    });
  });

  it('refuses a bad input naming the field', () => {
    expect(() => runCourse('storm', { ...D, clients: 5000 })).toThrow(/storm widget's input is not valid: clients/);
  });
});

describe('the default run (s1 crashes at 10 s, no jitter)', () => {
  const r = stormRuns.base();

  it('marks s1 DOWN after three refused checks', () => {
    // s1 is checked at 0 and 2 s after each check ends (each takes 2 ms): 0, 2.002, 4.004,
    // 6.006, 8.008, 10.010. Refused from 10.010 on (the RST is back at 10.012), then 12.012 ->
    // 12.014 and 14.014 -> 14.016: the third failure.
    expect(r.downAtMs).toBe(14_016);
  });

  it('loses exactly s1\'s clients, who all reconnect in the same 100 ms, and moves them by the survivors\' hash', () => {
    const s1 = onServer(0);
    expect(r.displaced).toBe(s1.length);
    expect(r.servers.map((s) => s.before)).toEqual([0, 1, 2].map((k) => onServer(k).length));
    // After: each survivor's own clients plus s1's clients whose hash mod 2 picks it.
    const toS2 = s1.filter((c) => fnv1a(c) % 2 === 0).length;
    expect(r.servers.map((s) => s.after)).toEqual([0, onServer(1).length + toS2, onServer(2).length + s1.length - toS2]);
    // The FIN reached them within milliseconds; all waited 1 s: one 100 ms slice from 11.0 s.
    expect([r.peakAttempts, r.peakAtMs]).toEqual([s1.length, 11_000]);
    // Turned away once each by the balancer (s1 not yet DOWN at 11 s), so two connections each.
    expect([r.balancerGaveUp, r.attempts, r.back, r.stillOut]).toEqual([s1.length, 2 * s1.length, s1.length, 0]);
    expect(r.sent).toBe(r.delivered + r.notDelivered);
  });

  it('with messages kept until acknowledged, none is lost', () => {
    const k = stormRuns.resume();
    expect(k.notDelivered).toBe(0);
    expect(k.sent).toBe(k.delivered);
    expect(r.notDelivered).toBeGreaterThan(0);
  });
});

describe('map-based against consistent hashing', () => {
  it('consistent moves none of the survivors\' clients; map-based most', () => {
    expect(rehashedPercent('consistent')).toBe(0);
    // With 4 servers, a survivor's client stays only when h mod 4 and h mod 3 pick the same
    // survivor: about a third of them.
    const pct = rehashedPercent('map-based');
    expect(pct).toBeGreaterThan(50);
    expect(pct).toBeLessThan(80);
  });
});
