/**
 * The `balancer` role (HAProxy in mode tcp): health checks with inter 2 s, fall 3, rise 2;
 * connection retries 1 s apart; source hashing, map-based or consistent. Every link has 5 ms of
 * latency: a packet between two nodes takes 10 ms, a TCP handshake's SYN and SYN-ACK 20 ms.
 */
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { avalanche, BALANCER_DEFAULTS, type Backend, fnv1a, pickServer, ringPoints } from '../../simulator/runtime/roles/balancer.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario, scenarioJsonSchema } from '../../simulator/scenarios/schema.ts';
import { scenario } from '../runtime/helpers.ts';

const notes = (trace: readonly TraceRecord[], node: string) =>
  trace.filter((r) => r.kind === 'note' && r.node === node).map((r) => [r.t / 1000, (r as { text: string }).text]);

function farm(kind: 'crash' | 'power', lb: object = {}, clients = ['c1']) {
  return scenario({
    schema: 'wirelab/scenario@1',
    seed: 1,
    durationS: 20,
    defaults: { link: { latencyMs: 5 } },
    nodes: [
      { id: 'lb', role: 'balancer', lb: { backends: ['s1', 's2', 's3'], ...lb } },
      { id: 's1', role: 'ws-server', failure: { atS: 5, kind } },
      { id: 's2', role: 'ws-server' },
      { id: 's3', role: 'ws-server' },
      ...clients.map((id) => ({ id, role: 'ws-client', send: [{ to: 'lb', payloadBytes: 20, everyMs: 1000 }], ws: { reconnect: { jitter: 0, initialDelayS: 1 } } })),
    ],
  });
}

describe('fnv1a', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    // From the FNV reference (Fowler, Noll, Vo): "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968.
    expect([fnv1a(''), fnv1a('a'), fnv1a('foobar')]).toEqual([0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
  });
});

describe('avalanche', () => {
  it('is Bob Jenkins\' 32-bit full-avalanche mix', () => {
    // HAProxy's __full_hash line by line, written with multiplications and divisions instead of
    // shifts, modulo 2^32 (so a slip in JavaScript's signed shifts would show).
    const ref = (x: number) => {
      x = (x + 0x7ed55d16 + x * 4096) % 2 ** 32;
      x = (x ^ 0xc761c23c ^ Math.floor(x / 2 ** 19)) >>> 0;
      x = (x + 0x165667b1 + ((x * 32) % 2 ** 32)) % 2 ** 32;
      x = ((x + 0xd3a2646c) % 2 ** 32 ^ ((x * 512) % 2 ** 32)) >>> 0;
      x = (x + 0xfd7046c5 + ((x * 8) % 2 ** 32)) % 2 ** 32;
      return (x ^ 0xb55a4f09 ^ Math.floor(x / 65536)) >>> 0;
    };
    for (const a of [0, 1, 2, 0xffffffff, 123456789]) expect(avalanche(a)).toBe(ref(a));
    expect(ringPoints(1)).toHaveLength(16);
  });
});

describe('pickServer', () => {
  const backends = (ids: string[]): Backend[] => ids.map((id, i) => ({ id, position: i + 1, port: 80, up: true, streak: 0, tunnels: new Set() }));
  const clients = Array.from({ length: 300 }, (_, i) => `c${i + 1}`);
  const all = backends(['s1', 's2', 's3']);
  const survivors = all.slice(1);

  it('map-based: a client goes to the server at its hash modulo the servers UP', () => {
    for (const c of clients.slice(0, 20)) expect(pickServer('source', 'map-based', all, c, 0)!.id).toBe(all[fnv1a(c) % 3]!.id);
  });

  it('consistent: when s1 goes, only its clients move; map-based moves others too', () => {
    const moved = (hash: 'map-based' | 'consistent') =>
      clients.filter((c) => {
        const before = pickServer('source', hash, all, c, 0)!.id;
        return before !== 's1' && pickServer('source', hash, survivors, c, 0)!.id !== before;
      }).length;
    expect(moved('consistent')).toBe(0);
    // Map-based: a client of s2 or s3 stays only if (h mod 3) and (h mod 2) pick the same
    // survivor; counted here from the hashes themselves.
    const expected = clients.filter((c) => {
      const h = fnv1a(c);
      return h % 3 !== 0 && ['s2', 's3'][h % 2] !== ['s1', 's2', 's3'][h % 3];
    }).length;
    expect(moved('map-based')).toBe(expected);
    expect(expected).toBeGreaterThan(50); // about half of the 200 or so clients of s2 and s3
  });

  it('roundrobin takes turns, leastconn the emptiest', () => {
    expect([0, 1, 2, 3].map((turn) => pickServer('roundrobin', 'map-based', all, 'x', turn)!.id)).toEqual(['s1', 's2', 's3', 's1']);
    const busy = backends(['s1', 's2', 's3']);
    busy[0]!.tunnels.add({} as never);
    busy[2]!.tunnels.add({} as never);
    expect(pickServer('leastconn', 'map-based', busy, 'x', 0)!.id).toBe('s2');
    expect(pickServer('source', 'map-based', [], 'x', 0)).toBeUndefined();
  });
});

describe('health checks (inter 2 s, fall 3)', () => {
  it('a crashed server is marked DOWN after three refused checks', () => {
    const { trace } = runScenario(farm('crash'));
    // s1 is server 0 of 3: checked at 0; each check takes 20 ms (SYN, SYN-ACK) and the next one
    // starts 2 s after it ends: 0, 2.020, 4.040, 6.060, 8.080, 10.100. Those of 6.060, 8.080 and
    // 10.100 are refused (a RST back after 20 ms): the third at 10.120 s.
    expect(notes(trace, 'lb').filter(([, text]) => String(text).includes('DOWN'))).toEqual([[10_120, 'lb: s1 DOWN (3 failed checks, 0 connections on it)']]);
  });

  it('a silent (powered-off) server only after three check timeouts of 2 s', () => {
    const { trace } = runScenario(farm('power'));
    // The check of 4.040 s succeeded at 4.060; the next, at 6.060, times out after inter (2 s,
    // the check timeout without "timeout check") at 8.060; the next starts 2 s after that, at
    // 10.060, and times out at 12.060; the third at 14.060 times out at 16.060.
    expect(notes(trace, 'lb').filter(([, text]) => String(text).includes('DOWN'))).toEqual([[16_060, 'lb: s1 DOWN (3 failed checks, 0 connections on it)']]);
  });
});

describe('a client of the crashed server', () => {
  // c7 hashes to s1 (fnv1a('c7') % 3 === 0, checked below), so it lived there.
  const { trace } = runScenario(farm('crash', {}, ['c7']));

  it('is routed to the dead server until the checks mark it DOWN, then to a survivor', () => {
    expect(fnv1a('c7') % 3).toBe(0);
    // Crash at 5 s: s1's FIN reaches the balancer at 5.010, which closes the client (FIN at
    // 5.020); the client's close completes at 5.040 and it reconnects 1 s later, at 6.040. The
    // balancer accepts at 6.070 (SYN 6.050, SYN-ACK, ACK) and, s1 still UP, connects to it:
    // refused at 6.090, retried 1 s later three times (7.090, 8.110, 9.130): the fourth refusal
    // comes at 9.150 and the client is closed. Its next attempt is 2 s after its close (9.180).
    expect(notes(trace, 'lb').filter(([, text]) => String(text).includes('unreachable'))).toEqual([[9150, 'lb: s1 unreachable for c7 after 4 attempts (refused): closing the client']]);
    expect(notes(trace, 'c7').map(([t]) => t)).toEqual([5040, 9180]);
    // 11.180: s1 has been DOWN since 10.120; map-based over [s2, s3]: fnv1a('c7') % 2 picks it.
    const server = ['s2', 's3'][fnv1a('c7') % 2]!;
    const opens = trace.flatMap((r) => (r.kind === 'ws-event' && r.event === 'open' && r.node !== 'c7' ? [[r.t / 1000, r.node]] : []));
    // Open on the server when the client's request arrives: SYN 11.180 -> lb 11.190, ACK at
    // 11.210; lb -> server handshake 11.210-11.230; the request (sent at 11.200 when the client's
    // TCP was up) waited at the balancer and reaches the server at 11.240.
    // The first open, the same way from 0: client SYN-ACK at 0.020, balancer ACKed at 0.030,
    // balancer-s1 handshake 0.030-0.050, request at s1 at 0.060.
    expect(opens).toEqual([[60, 's1'], [11_240, server]]);
  });
});

describe('balancer: validation', () => {
  const base = (lb: unknown, extra: object[] = []) => ({
    schema: 'wirelab/scenario@1', seed: 1, durationS: 10,
    nodes: [{ id: 'lb', role: 'balancer', lb }, { id: 's1', role: 'ws-server' }, ...extra],
  });

  it('names what is wrong', () => {
    expect(parseScenario(base({ backends: ['s9'] }))).toEqual({ ok: false, errors: ['nodes[0].lb.backends[0]: expected the id of a ws-server node, got "s9" (no node has that id)'] });
    expect(parseScenario(base({ backends: ['s1', 's1'] }))).toEqual({ ok: false, errors: ['nodes[0].lb.backends[1]: duplicate backend "s1"'] });
    expect(parseScenario(base({ backends: [] }))).toEqual({ ok: false, errors: ['nodes[0].lb.backends: expected at least one backend, got none'] });
    expect(parseScenario(base({ backends: ['s1'], balance: 'random' }))).toEqual({ ok: false, errors: ['nodes[0].lb.balance: expected "source", "roundrobin" or "leastconn", got "random"'] });
    expect(parseScenario(base({ backends: ['s1'], check: { inter: 2 } }))).toEqual({ ok: false, errors: ['nodes[0].lb.check.inter: unknown field (check the spelling)'] });
    expect(parseScenario(base({ backends: ['s1'] }, [{ id: 's2', role: 'ws-server', ws: { echo: true } }])).ok).toBe(true);
    expect(parseScenario({ ...base({ backends: ['s1'] }), nodes: [{ id: 'lb', role: 'balancer', lb: { backends: ['s1'] } }, { id: 's1', role: 'ws-server', ws: { echo: true } }] })).toEqual({
      ok: false,
      errors: ['nodes[0].lb.backends[0]: expected a ws-server without push, echo or rooms behind a balancer ("s1" sends to its clients, which is not modelled yet)'],
    });
  });
});

describe('balancer: documented defaults are the role\'s', () => {
  const defs = (scenarioJsonSchema() as Record<string, any>)['$defs'] as Record<string, { properties: Record<string, { description?: string }> }>;
  const description = (def: string, field: string) => String(defs[def]!.properties[field]!.description);
  it.each([
    ['BalancerOptions', 'port', `default ${BALANCER_DEFAULTS.port}`],
    ['BalancerOptions', 'balance', `Default "${BALANCER_DEFAULTS.balance}"`],
    ['BalancerOptions', 'hashType', `"${BALANCER_DEFAULTS.hashType}" (HAProxy's default`],
    ['BalancerOptions', 'retries', `default ${BALANCER_DEFAULTS.retries})`],
    ['BalancerOptions', 'timeoutConnectS', `default ${BALANCER_DEFAULTS.timeoutConnectS} s`],
    ['BalancerOptions', 'redispatch', `default ${BALANCER_DEFAULTS.redispatch}`],
    ['BalancerOptions', 'shutdownSessionsOnDown', `default ${BALANCER_DEFAULTS.shutdownSessionsOnDown}`],
    ['BalancerCheck', 'interS', `default ${BALANCER_DEFAULTS.interS} s`],
    ['BalancerCheck', 'fall', `default ${BALANCER_DEFAULTS.fall})`],
    ['BalancerCheck', 'rise', `default ${BALANCER_DEFAULTS.rise})`],
  ])('%s.%s says %s', (def, field, text) => {
    expect(description(def, field)).toContain(text);
  });
});

describe('ws-client connectAtS', () => {
  it('opens the first connection then, and sends nothing before it is open', () => {
    const { trace } = runScenario(scenario({
      schema: 'wirelab/scenario@1', seed: 1, durationS: 5, defaults: { link: { latencyMs: 5 } },
      nodes: [
        { id: 's1', role: 'ws-server' },
        { id: 'c1', role: 'ws-client', send: [{ payloadBytes: 20, everyMs: 1000 }], ws: { connectAtS: 2.5 } },
      ],
    }));
    const syns = trace.filter((r) => r.kind === 'tcp-send' && r.node === 'c1' && r.flags === 'SYN').map((r) => r.t);
    expect(syns).toEqual([2_500_000]);
    // Open at 2.540 s (SYN-ACK back at 2.520, the request reaches the server at 2.530, the 101 is
    // back at 2.540): the ticks of 0, 1 and 2 s are skipped, the first message is the one of 3 s.
    expect(trace.filter((r) => r.kind === 'app-send').map((r) => r.t)).toEqual([3_000_000, 4_000_000]);
  });
});
